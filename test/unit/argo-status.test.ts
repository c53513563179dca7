// Our status as Argo v1.10.2's RolloutStatus (core/argo-status.ts). The step hashes, selectors and times
// expected here were computed by Argo's own functions (conditions.ComputeStepHash, json.Marshal of
// []v1alpha1.CanaryStep, metav1.FormatLabelSelector, metav1.Time) in a throwaway Go program built
// against argo-rollouts v1.10.2; each scenario's result was also read back into Go's RolloutStatus
// (unknown fields refused) and written again byte for byte, and its phase and message are what
// rolloututil.CalculateRolloutPhase gives for it.
import { describe, expect, it } from '@jest/globals';
import {
  argoRolloutStatus,
  argoStepsOf,
  computeStepHash,
  formatLabelSelector,
  goStepsJson,
  goString,
  metaTime,
  type ArgoRolloutStatus,
  type ArgoStatusOptions,
} from '../../core/argo-status.js';
import { podTemplateHash } from '../../core/hash.js';
import type { AnalysisRunRef, ReplicaSetStatus, RolloutCondition, RolloutStatus } from '../../core/status.js';
import type { CanaryStep, RolloutDefinition } from '../../core/types.js';
import { initialState, RolloutState } from '../../workflows/state.js';

const T0 = '2026-01-01T00:00:00.000Z'; // the first revision became stable
const T1 = '2026-01-01T01:00:00.000Z'; // revision 2's canary began
const T2 = '2026-01-01T01:05:30.250Z'; // a pause, an abort, …
const at = (iso: string) => `${iso.slice(0, 19)}Z`; // metav1.Time: whole seconds

const SEED_STEPS: CanaryStep[] = [
  { kind: 'setWeight', weight: 20 },
  { kind: 'pause' },
  { kind: 'setWeight', weight: 40 },
  { kind: 'pause', durationSeconds: 60 },
  { kind: 'setWeight', weight: 60 },
  { kind: 'pause', durationSeconds: 60 },
  { kind: 'setWeight', weight: 80 },
  { kind: 'pause', durationSeconds: 60 },
];

/** The seed's steps as the Rollout object holds them (examples/seed/05-rollout.yaml). */
const SEED_STEPS_RAW = [
  { setWeight: 20 },
  { pause: {} },
  { setWeight: 40 },
  { pause: { duration: '60s' } },
  { setWeight: 60 },
  { pause: { duration: '60s' } },
  { setWeight: 80 },
  { pause: { duration: '60s' } },
];

const ANALYSIS_STEPS: CanaryStep[] = [
  { kind: 'setWeight', weight: 20 },
  { kind: 'pause' },
  {
    kind: 'analysis',
    templates: [{ templateName: 'success-rate', clusterScope: false }],
    args: [{ name: 'service-name', value: 'myapp-canary' }],
  },
  { kind: 'setWeight', weight: 50 },
];

function definition(extra: Partial<RolloutDefinition['canary']> = {}, top: Partial<RolloutDefinition> = {}) {
  const def: RolloutDefinition = {
    name: 'myapp',
    namespace: 'rollouts-demo',
    labels: {},
    annotations: {},
    replicas: 5,
    selector: { matchLabels: { app: 'myapp' } },
    template: {
      metadata: { labels: { app: 'myapp' } },
      spec: { containers: [{ name: 'myapp', image: 'argoproj/rollouts-demo:yellow' }] },
    },
    revisionHistoryLimit: 10,
    progressDeadlineSeconds: 600,
    progressDeadlineAbort: false,
    minReadySeconds: 0,
    paused: false,
    canary: {
      canaryService: 'myapp-canary',
      stableService: 'myapp-stable',
      steps: SEED_STEPS,
      trafficRouting: {
        istio: {
          virtualServices: [{ name: 'myapp-vsvc', routes: ['primary'], tlsRoutes: [], tcpRoutes: [] }],
        },
      },
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
      dynamicStableScale: false,
      ...extra,
    },
    ...top,
  };
  return def;
}

const cond = (
  type: RolloutCondition['type'],
  reason: string,
  message: string,
  lastTransitionTime: string,
): RolloutCondition => ({ type, status: true, reason, message, lastTransitionTime });

const AVAILABLE = cond('Available', 'AvailableReason', 'revision 1 is fully available', T0);
const UPDATING = cond('Progressing', 'RolloutUpdated', 'updating to revision 2 (bbb)', T1);

const healthy: RolloutStatus = {
  name: 'myapp',
  namespace: 'rollouts-demo',
  phase: 'Healthy',
  message: '',
  currentStepIndex: 8,
  steps: [],
  pauseConditions: [],
  paused: false,
  aborted: false,
  stableRevision: { revision: 1, podTemplateHash: 'aaa', images: { myapp: 'argoproj/rollouts-demo:blue' } },
  weights: { canary: 0, stable: 100, canaryPodTemplateHash: 'aaa', stablePodTemplateHash: 'aaa' },
  replicas: 5,
  replicaSets: [
    {
      name: 'myapp-aaa',
      podTemplateHash: 'aaa',
      revision: 1,
      role: 'stable',
      desiredReplicas: 5,
      availableReplicas: 5,
    },
  ],
  conditions: [AVAILABLE],
  analysisRuns: [],
  revision: 1,
  cluster: { uid: 'u-1', observedGeneration: 1 },
  updatedAt: '2026-01-01T02:00:00.000Z',
};

/** Revision 2 (bbb) under way over stable revision 1 (aaa): 1 canary pod at 20 %. */
const canary: RolloutStatus = {
  ...healthy,
  phase: 'Progressing',
  message: 'updating',
  currentStepIndex: 0,
  canaryRevision: { revision: 2, podTemplateHash: 'bbb', images: { myapp: 'argoproj/rollouts-demo:yellow' } },
  weights: { canary: 20, stable: 80, canaryPodTemplateHash: 'bbb', stablePodTemplateHash: 'aaa' },
  replicaSets: [
    {
      name: 'myapp-bbb',
      podTemplateHash: 'bbb',
      revision: 2,
      role: 'canary',
      desiredReplicas: 1,
      availableReplicas: 1,
    },
    ...healthy.replicaSets,
  ],
  conditions: [AVAILABLE, UPDATING],
  revision: 2,
};

const stepRun = (phase: AnalysisRunRef['phase'], message?: string): AnalysisRunRef => ({
  workflowId: 'analysis:rollouts-demo/myapp:rev2:1',
  name: 'myapp-bbb-2-2',
  kind: 'step',
  revision: 2,
  stepIndex: 2,
  phase,
  ...(message !== undefined ? { message } : {}),
});

const OPTIONS: ArgoStatusOptions = { generation: 3 };
const SEED_HASH_RAW = '74f8948fcb'; // ComputeStepHash of SEED_STEPS_RAW (durations "60s")
const SEED_HASH_NORMALIZED = '7c7479587c'; // ComputeStepHash of the same with `duration: 60`
const ANALYSIS_HASH = '785fc778c8'; // ComputeStepHash of argoStepsOf(ANALYSIS_STEPS)

/** The JSON text, so that key order is checked as well as content. */
const json = (value: unknown) => JSON.stringify(value, null, 1);

describe('argoRolloutStatus: a healthy rollout', () => {
  it('is what Argo writes for a completed canary: all steps done, stable = current, every condition True', () => {
    const expected: ArgoRolloutStatus = {
      currentPodHash: 'aaa',
      currentStepHash: SEED_HASH_NORMALIZED,
      replicas: 5,
      updatedReplicas: 5,
      readyReplicas: 5,
      availableReplicas: 5,
      currentStepIndex: 8,
      observedGeneration: '3',
      conditions: [
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: at(T0),
          lastTransitionTime: at(T0),
          reason: 'NewReplicaSetAvailable',
          message: 'ReplicaSet "myapp-aaa" has successfully progressed.',
        },
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: at(T0),
          lastTransitionTime: at(T0),
          reason: 'AvailableReason',
          message: 'Rollout has minimum availability',
        },
        {
          type: 'Completed',
          status: 'True',
          lastUpdateTime: at(T0),
          lastTransitionTime: at(T0),
          reason: 'RolloutCompleted',
          message: 'RolloutCompleted',
        },
        {
          type: 'Healthy',
          status: 'True',
          lastUpdateTime: at(T0),
          lastTransitionTime: at(T0),
          reason: 'RolloutHealthy',
          message: 'Rollout is healthy',
        },
      ],
      canary: {
        weights: {
          canary: { weight: 0, serviceName: 'myapp-canary', podTemplateHash: 'aaa' },
          stable: { weight: 100, serviceName: 'myapp-stable', podTemplateHash: 'aaa' },
        },
      },
      blueGreen: {},
      HPAReplicas: 5,
      selector: 'app=myapp',
      stableRS: 'aaa',
      phase: 'Healthy',
    };
    expect(json(argoRolloutStatus(healthy, definition(), OPTIONS))).toBe(json(expected));
  });

  it('does not churn: the same state gives the same JSON whatever the query time or the user-pause stamp', () => {
    const a = argoRolloutStatus(healthy, definition(), OPTIONS);
    const b = argoRolloutStatus({ ...healthy, updatedAt: '2027-05-05T05:05:05.555Z' }, definition(), OPTIONS);
    expect(json(b)).toBe(json(a));
    const paused = (now: string): RolloutStatus => ({
      ...canary,
      paused: true,
      pauseConditions: [{ reason: 'PausedByUser', startTime: now }],
    });
    expect(json(argoRolloutStatus(paused(T1), definition(), OPTIONS))).toBe(
      json(argoRolloutStatus(paused(T2), definition(), OPTIONS)),
    );
  });

  it('still counts the old stable waiting for its scale-down: Healthy False, Progressing not yet done', () => {
    const promoted: RolloutStatus = {
      ...healthy,
      stableRevision: canary.canaryRevision,
      weights: { canary: 0, stable: 100, canaryPodTemplateHash: 'bbb', stablePodTemplateHash: 'bbb' },
      replicaSets: [
        {
          name: 'myapp-bbb',
          podTemplateHash: 'bbb',
          revision: 2,
          role: 'stable',
          desiredReplicas: 5,
          availableReplicas: 5,
        },
        {
          name: 'myapp-aaa',
          podTemplateHash: 'aaa',
          revision: 1,
          role: 'old',
          desiredReplicas: 5,
          availableReplicas: 5,
          scaleDownAt: T2,
        },
      ],
      conditions: [
        cond('Available', 'AvailableReason', 'revision 2 is stable', T2),
        cond('Progressing', 'NewReplicaSetAvailable', 'revision 2 fully promoted', T2),
      ],
      revision: 2,
    };
    const status = argoRolloutStatus(promoted, definition(), OPTIONS);
    expect(status).toMatchObject({ replicas: 10, updatedReplicas: 5, stableRS: 'bbb', phase: 'Healthy' });
    expect(status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Progressing', 'True', 'ReplicaSetUpdated'],
      ['Available', 'True', 'AvailableReason'],
      ['Completed', 'True', 'RolloutCompleted'],
      ['Healthy', 'False', 'RolloutHealthy'],
    ]);
  });

  it('writes no weights without a router, and says old pods are pending (CalculateRolloutPhase)', () => {
    const basic = definition();
    delete basic.canary.trafficRouting;
    const promoted: RolloutStatus = {
      ...healthy,
      replicaSets: [
        ...healthy.replicaSets,
        {
          ...healthy.replicaSets[0]!,
          name: 'myapp-zzz',
          podTemplateHash: 'zzz',
          role: 'old',
          desiredReplicas: 1,
        },
      ],
    };
    const status = argoRolloutStatus(promoted, basic, OPTIONS);
    expect(status.canary).toEqual({});
    expect([status.phase, status.message]).toEqual(['Progressing', 'old replicas are pending termination']);
  });
});

describe('argoRolloutStatus: a canary', () => {
  it('paused at a pause step: CanaryPauseStep, controllerPause, the weights and each Service’s hash', () => {
    const paused: RolloutStatus = {
      ...canary,
      phase: 'Paused',
      currentStepIndex: 1,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: T2 }],
    };
    const expected: ArgoRolloutStatus = {
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: at(T2) }],
      controllerPause: true,
      currentPodHash: 'bbb',
      currentStepHash: SEED_HASH_NORMALIZED,
      replicas: 6,
      updatedReplicas: 1,
      readyReplicas: 6,
      availableReplicas: 6,
      currentStepIndex: 1,
      observedGeneration: '3',
      conditions: [
        {
          type: 'Progressing',
          status: 'Unknown',
          lastUpdateTime: at(T2),
          lastTransitionTime: at(T2),
          reason: 'RolloutPaused',
          message: 'Rollout is paused',
        },
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: at(T0),
          lastTransitionTime: at(T0),
          reason: 'AvailableReason',
          message: 'Rollout has minimum availability',
        },
        {
          type: 'Completed',
          status: 'False',
          lastUpdateTime: at(T1),
          lastTransitionTime: at(T1),
          reason: 'RolloutCompleted',
          message: 'RolloutCompleted',
        },
        {
          type: 'Healthy',
          status: 'False',
          lastUpdateTime: at(T1),
          lastTransitionTime: at(T1),
          reason: 'RolloutHealthy',
          message: 'Rollout is not healthy',
        },
        {
          type: 'Paused',
          status: 'True',
          lastUpdateTime: at(T2),
          lastTransitionTime: at(T2),
          reason: 'RolloutPaused',
          message: 'Rollout is paused',
        },
      ],
      canary: {
        weights: {
          canary: { weight: 20, serviceName: 'myapp-canary', podTemplateHash: 'bbb' },
          stable: { weight: 80, serviceName: 'myapp-stable', podTemplateHash: 'aaa' },
        },
      },
      blueGreen: {},
      HPAReplicas: 6,
      selector: 'app=myapp',
      stableRS: 'aaa',
      phase: 'Paused',
      message: 'CanaryPauseStep',
    };
    expect(json(argoRolloutStatus(paused, definition(), OPTIONS))).toBe(json(expected));
  });

  it('mid-step with analysis running: the step run and the background run, progressing', () => {
    const background: AnalysisRunRef = {
      workflowId: 'analysis:rollouts-demo/myapp:rev2:1',
      name: 'myapp-bbb-2',
      kind: 'background',
      revision: 2,
      phase: 'Running',
    };
    const old: AnalysisRunRef = { ...background, name: 'myapp-aaa-1', revision: 1, phase: 'Successful' };
    const running: RolloutStatus = {
      ...canary,
      currentStepIndex: 2,
      analysisRuns: [old, background, stepRun('Running')],
    };
    const def = definition({
      steps: ANALYSIS_STEPS,
      analysis: {
        templates: [{ templateName: 'error-rate', clusterScope: false }],
        args: [],
        startingStep: 1,
      },
    });
    const status = argoRolloutStatus(running, def, OPTIONS);
    expect(status.canary).toEqual({
      currentStepAnalysisRunStatus: { name: 'myapp-bbb-2-2', status: 'Running' },
      currentBackgroundAnalysisRunStatus: { name: 'myapp-bbb-2', status: 'Running' },
      weights: {
        canary: { weight: 20, serviceName: 'myapp-canary', podTemplateHash: 'bbb' },
        stable: { weight: 80, serviceName: 'myapp-stable', podTemplateHash: 'aaa' },
      },
    });
    expect(status).toMatchObject({ currentStepIndex: 2, currentStepHash: ANALYSIS_HASH });
    expect(status.pauseConditions).toBeUndefined();
    expect(status.conditions?.[0]).toEqual({
      type: 'Progressing',
      status: 'True',
      lastUpdateTime: at(T1),
      lastTransitionTime: at(T1),
      reason: 'ReplicaSetUpdated',
      message: 'ReplicaSet "myapp-bbb" is progressing.',
    });
    expect([status.phase, status.message]).toEqual(['Progressing', 'more replicas need to be updated']);
    // Before startingStep there is no background run; at a step that is no analysis, no step run.
    const early = argoRolloutStatus({ ...running, currentStepIndex: 0 }, def, OPTIONS);
    expect(early.canary.currentBackgroundAnalysisRunStatus).toBeUndefined();
    expect(early.canary.currentStepAnalysisRunStatus).toBeUndefined();
  });

  it('paused by an inconclusive analysis: InconclusiveAnalysisRun, the run Inconclusive with its message', () => {
    const inconclusive: RolloutStatus = {
      ...canary,
      phase: 'Paused',
      currentStepIndex: 2,
      pauseConditions: [{ reason: 'InconclusiveAnalysis', startTime: T2 }],
      analysisRuns: [stepRun('Inconclusive', 'Metric "success-rate" assessed Inconclusive')],
    };
    const status = argoRolloutStatus(inconclusive, definition({ steps: ANALYSIS_STEPS }), OPTIONS);
    expect(status.pauseConditions).toEqual([{ reason: 'InconclusiveAnalysisRun', startTime: at(T2) }]);
    expect(status.controllerPause).toBe(true);
    expect(status.canary.currentStepAnalysisRunStatus).toEqual({
      name: 'myapp-bbb-2-2',
      status: 'Inconclusive',
      message: 'Metric "success-rate" assessed Inconclusive',
    });
    expect([status.phase, status.message]).toEqual(['Paused', 'InconclusiveAnalysisRun']);
  });

  it('paused by the user: no pause condition (Argo’s is spec.paused), "manually paused", Paused True', () => {
    const paused: RolloutStatus = {
      ...canary,
      phase: 'Paused',
      paused: true,
      pauseConditions: [{ reason: 'PausedByUser', startTime: T2 }],
    };
    const status = argoRolloutStatus(paused, definition(), OPTIONS);
    expect(status.pauseConditions).toBeUndefined();
    expect(status.controllerPause).toBeUndefined();
    expect([status.phase, status.message]).toEqual(['Paused', 'manually paused']);
    expect(status.conditions?.find((c) => c.type === 'Paused')).toMatchObject({
      status: 'True',
      reason: 'RolloutPaused',
      lastTransitionTime: at(T1),
    });
    expect(status.conditions?.[0]).toMatchObject({
      type: 'Progressing',
      status: 'Unknown',
      reason: 'RolloutPaused',
    });
  });

  it('aborted: abort and abortedAt, step 0, no pause or AnalysisRun status, Degraded with the cause', () => {
    const message = 'analysis myapp-bbb-2-2 Failed: Metric "success-rate" assessed Failed';
    const aborted: RolloutStatus = {
      ...canary,
      phase: 'Degraded',
      currentStepIndex: 0,
      aborted: true,
      abortedAt: T2,
      weights: { canary: 0, stable: 100, canaryPodTemplateHash: 'aaa', stablePodTemplateHash: 'aaa' },
      conditions: [AVAILABLE, UPDATING, cond('Aborted', 'RolloutAborted', message, T2)],
      analysisRuns: [stepRun('Failed', 'Metric "success-rate" assessed Failed')],
    };
    const status = argoRolloutStatus(aborted, definition({ steps: ANALYSIS_STEPS }), OPTIONS);
    const progressing = `Rollout aborted update to revision 2: ${message}`;
    expect(status).toMatchObject({ abort: true, abortedAt: at(T2), currentStepIndex: 0, stableRS: 'aaa' });
    expect(status.pauseConditions).toBeUndefined();
    expect(status.canary.currentStepAnalysisRunStatus).toBeUndefined();
    expect(status.conditions?.[0]).toEqual({
      type: 'Progressing',
      status: 'False',
      lastUpdateTime: at(T2),
      lastTransitionTime: at(T2),
      reason: 'RolloutAborted',
      message: progressing,
    });
    expect([status.phase, status.message]).toEqual(['Degraded', `RolloutAborted: ${progressing}`]);
    expect(Object.keys(status).slice(0, 2)).toEqual(['abort', 'abortedAt']);
  });

  it('past its progress deadline: Progressing False ProgressDeadlineExceeded, Degraded', () => {
    const late: RolloutStatus = {
      ...canary,
      conditions: [
        AVAILABLE,
        UPDATING,
        cond('ProgressDeadlineExceeded', 'ProgressDeadlineExceeded', 'late', T2),
      ],
    };
    const status = argoRolloutStatus(late, definition(), OPTIONS);
    const message = 'ReplicaSet "myapp-bbb" has timed out progressing.';
    expect(status.conditions?.[0]).toMatchObject({
      reason: 'ProgressDeadlineExceeded',
      status: 'False',
      message,
    });
    expect([status.phase, status.message]).toEqual(['Degraded', `ProgressDeadlineExceeded: ${message}`]);
  });
});

describe('argoRolloutStatus: invalid spec and first deploy', () => {
  it('an invalid spec: the InvalidSpec condition first, in Argo’s words, and Degraded', () => {
    const lint = 'spec.strategy.canary.steps[0].setWeight: 120 is not a weight, expected 0-100';
    const invalid: RolloutStatus = {
      ...healthy,
      conditions: [AVAILABLE, cond('InvalidSpec', 'InvalidSpec', lint, T2)],
    };
    const status = argoRolloutStatus(invalid, definition(), { generation: 4 });
    const message = `The Rollout "myapp" is invalid: ${lint}`;
    expect(status.observedGeneration).toBe('4');
    expect(status.conditions?.[0]).toEqual({
      type: 'InvalidSpec',
      status: 'True',
      lastUpdateTime: at(T2),
      lastTransitionTime: at(T2),
      reason: 'InvalidSpec',
      message,
    });
    expect([status.phase, status.message]).toEqual(['Degraded', `InvalidSpec: ${message}`]);
  });

  it('a first deploy is stable at once (Initial deploy), past its steps; conditions need a time', () => {
    const def = definition();
    const hash = podTemplateHash(def.template);
    const {
      stableRevision: _,
      cluster: __,
      ...first
    } = {
      ...healthy,
      phase: 'Progressing' as const,
      currentStepIndex: null,
      weights: { canary: 0, stable: 100 },
      replicaSets: [
        {
          name: `myapp-${hash}`,
          podTemplateHash: hash,
          revision: 1,
          role: 'canary' as const,
          desiredReplicas: 5,
          availableReplicas: 2,
        },
      ],
      conditions: [],
    };
    const status = argoRolloutStatus(first, def, OPTIONS);
    expect(status).toMatchObject({
      currentPodHash: hash,
      stableRS: hash,
      currentStepIndex: 8,
      availableReplicas: 2,
    });
    expect(status.conditions).toBeUndefined();
    expect([status.phase, status.message]).toEqual([
      'Progressing',
      'updated replicas are still becoming available',
    ]);
    const timed = argoRolloutStatus(first, def, { ...OPTIONS, observedAt: T1 });
    expect(timed.conditions?.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime])).toEqual([
      ['Progressing', 'True', 'ReplicaSetUpdated', at(T1)],
      ['Available', 'False', 'AvailableReason', at(T1)],
      ['Completed', 'True', 'RolloutCompleted', at(T1)],
    ]);
  });

  it('restartAt not yet done: "rollout is restarting"; restartedAt as metav1.Time', () => {
    const def = definition({}, { restartAt: '2026-01-02T00:00:00Z' });
    expect(argoRolloutStatus(healthy, def, OPTIONS).message).toBe('rollout is restarting');
    const done = argoRolloutStatus({ ...healthy, restartedAt: '2026-01-02T00:00:00.000Z' }, def, OPTIONS);
    expect([done.restartedAt, done.phase]).toEqual(['2026-01-02T00:00:00Z', 'Healthy']);
  });
});

/** Counts as Argo's calculateBaseStatus and syncRolloutStatusCanary sum them. */
const counts = (s: ArgoRolloutStatus) => ({
  replicas: s.replicas,
  updatedReplicas: s.updatedReplicas,
  readyReplicas: s.readyReplicas,
  availableReplicas: s.availableReplicas,
  HPAReplicas: s.HPAReplicas,
});

describe('argoRolloutStatus: counts from what the ReplicaSets’ status said', () => {
  const [canaryRs, stableRs] = canary.replicaSets as [ReplicaSetStatus, ReplicaSetStatus];
  const withSets = (...replicaSets: ReplicaSetStatus[]): RolloutStatus => ({ ...canary, replicaSets });

  it('never observed (state from before): spec.replicas as the pods, the available pods as the ready', () => {
    const status = argoRolloutStatus(
      withSets({ ...canaryRs, desiredReplicas: 2, availableReplicas: 1 }, stableRs),
      definition(),
      OPTIONS,
    );
    expect(counts(status)).toEqual({
      replicas: 7,
      updatedReplicas: 2,
      readyReplicas: 6,
      availableReplicas: 6,
      HPAReplicas: 7,
    });
  });

  it('minReadySeconds: pods ready but not yet available count as ready only', () => {
    const status = argoRolloutStatus(
      withSets(
        { ...canaryRs, desiredReplicas: 2, replicas: 2, readyReplicas: 2, availableReplicas: 1 },
        { ...stableRs, replicas: 5, readyReplicas: 5, availableReplicas: 5 },
      ),
      definition({}, { minReadySeconds: 30 }),
      OPTIONS,
    );
    expect(counts(status)).toEqual({
      replicas: 7,
      updatedReplicas: 2,
      readyReplicas: 7,
      availableReplicas: 6,
      HPAReplicas: 7,
    });
  });

  it('a scale-down in progress: pods the old ReplicaSet still has count in replicas, above spec', () => {
    const basic = definition();
    delete basic.canary.trafficRouting;
    const promoted: RolloutStatus = {
      ...healthy,
      stableRevision: canary.canaryRevision,
      replicaSets: [
        {
          ...canaryRs,
          role: 'stable',
          desiredReplicas: 5,
          replicas: 5,
          readyReplicas: 5,
          availableReplicas: 5,
        },
        { ...stableRs, role: 'old', desiredReplicas: 0, replicas: 2, readyReplicas: 2, availableReplicas: 0 },
      ],
      conditions: [
        cond('Available', 'AvailableReason', 'revision 2 is stable', T2),
        cond('Progressing', 'NewReplicaSetAvailable', 'revision 2 fully promoted', T2),
      ],
      revision: 2,
    };
    const status = argoRolloutStatus(promoted, basic, OPTIONS);
    expect(counts(status)).toEqual({
      replicas: 7,
      updatedReplicas: 5,
      readyReplicas: 7,
      availableReplicas: 5,
      HPAReplicas: 7,
    });
    // Not healthy while they are there (RolloutHealthy compares status.replicas with spec.replicas).
    expect([status.phase, status.message]).toEqual(['Progressing', 'old replicas are pending termination']);
    expect(status.conditions?.find((c) => c.type === 'Healthy')?.status).toBe('False');
  });

  it('after a scale-down since the last look: no more available than pods, none available unready', () => {
    // The stable scaled from 5 to 3 with dynamicStableScale: its available count (kept for the basic
    // canary's math) still says 5; the pods are 3 once the ReplicaSet controller has acted.
    const status = argoRolloutStatus(
      withSets(
        { ...canaryRs, desiredReplicas: 2, replicas: 2, readyReplicas: 2, availableReplicas: 2 },
        { ...stableRs, desiredReplicas: 3, replicas: 3, readyReplicas: 3, availableReplicas: 5 },
      ),
      definition({ dynamicStableScale: true }),
      OPTIONS,
    );
    expect(counts(status)).toMatchObject({ replicas: 5, readyReplicas: 5, availableReplicas: 5 });
    // A wait that read the available count only (a rescale's): ready is never below it.
    const rescaled = argoRolloutStatus(
      withSets(
        { ...canaryRs, desiredReplicas: 4, replicas: 4, readyReplicas: 1, availableReplicas: 4 },
        stableRs,
      ),
      definition(),
      OPTIONS,
    );
    expect(counts(rescaled)).toMatchObject({ replicas: 9, readyReplicas: 9, availableReplicas: 9 });
  });

  it('a canary scaled up and not yet waited for: its pods exist, none of them ready yet', () => {
    const status = argoRolloutStatus(
      withSets(
        { ...canaryRs, desiredReplicas: 3, replicas: 3, readyReplicas: 1, availableReplicas: 1 },
        stableRs,
      ),
      definition(),
      OPTIONS,
    );
    expect(counts(status)).toEqual({
      replicas: 8,
      updatedReplicas: 3,
      readyReplicas: 6,
      availableReplicas: 6,
      HPAReplicas: 8,
    });
    expect(status.message).toBe('more replicas need to be updated');
  });
});

describe('condition times: lastUpdateTime and lastTransitionTime', () => {
  const T3 = '2026-01-01T01:09:00.000Z';
  const both = (c: { lastUpdateTime: string; lastTransitionTime: string } | undefined) =>
    c && [c.lastUpdateTime, c.lastTransitionTime];

  it('setCondition is Argo’s SetRolloutCondition: a new message moves lastUpdateTime only', () => {
    let now = Date.parse(T0);
    const state = new RolloutState(initialState(definition()), () => now);
    state.setCondition('Progressing', true, 'RolloutUpdated', 'updating to revision 2 (bbb)');
    const first = state.data.conditions[0];
    expect(first).toEqual({
      type: 'Progressing',
      status: true,
      reason: 'RolloutUpdated',
      message: 'updating to revision 2 (bbb)',
      lastTransitionTime: T0,
      lastUpdateTime: T0,
    });
    now = Date.parse(T1);
    state.setCondition('Progressing', true, 'RolloutUpdated', 'updating to revision 2 (bbb)');
    expect(state.data.conditions[0]).toBe(first); // nothing changed: nothing moves
    state.setCondition('Progressing', true, 'RolloutUpdated', 'updating to revision 3 (ccc)');
    expect(state.data.conditions[0]).toMatchObject({ lastTransitionTime: T0, lastUpdateTime: T1 });
    now = Date.parse(T2);
    state.setCondition('Progressing', true, 'NewReplicaSetAvailable', 'revision 3 fully promoted');
    expect(state.data.conditions[0]).toMatchObject({ lastTransitionTime: T0, lastUpdateTime: T2 });
    now = Date.parse(T3);
    state.setCondition('Progressing', false, 'NewReplicaSetAvailable', 'revision 3 fully promoted');
    expect(state.data.conditions[0]).toMatchObject({ lastTransitionTime: T3, lastUpdateTime: T3 });
    // Cleared and set again: a new condition.
    state.clearCondition('Progressing');
    now = Date.parse(T1) + 3_600_000;
    state.setCondition('Progressing', false, 'NewReplicaSetAvailable', 'revision 3 fully promoted');
    expect(state.data.conditions[0]?.lastTransitionTime).toBe(state.data.conditions[0]?.lastUpdateTime);
  });

  it('Progressing keeps the transition of our Aborted and ProgressDeadlineExceeded through message changes', () => {
    const aborted: RolloutStatus = {
      ...canary,
      aborted: true,
      abortedAt: T2,
      conditions: [
        AVAILABLE,
        UPDATING,
        { ...cond('Aborted', 'RolloutAborted', 'stop; during rollback: 503', T2), lastUpdateTime: T3 },
      ],
    };
    expect(both(argoRolloutStatus(aborted, definition(), OPTIONS).conditions?.[0])).toEqual([at(T3), at(T2)]);
    const late: RolloutStatus = {
      ...canary,
      conditions: [
        AVAILABLE,
        UPDATING,
        { ...cond('ProgressDeadlineExceeded', 'ProgressDeadlineExceeded', 'late', T2), lastUpdateTime: T3 },
      ],
    };
    expect(argoRolloutStatus(late, definition(), OPTIONS).conditions?.[0]).toMatchObject({
      reason: 'ProgressDeadlineExceeded',
      lastUpdateTime: at(T3),
      lastTransitionTime: at(T2),
    });
  });

  it('InvalidSpec, Healthy, Available, Completed and Paused: both times one, as Argo’s change only by status', () => {
    const invalid: RolloutStatus = {
      ...canary,
      paused: true,
      conditions: [
        { ...AVAILABLE, lastTransitionTime: T0, lastUpdateTime: T1 },
        { ...UPDATING, lastTransitionTime: T0, lastUpdateTime: T2 },
        { ...cond('InvalidSpec', 'InvalidSpec', 'a second reason', T1), lastUpdateTime: T3 },
      ],
    };
    const status = argoRolloutStatus(invalid, definition(), OPTIONS);
    for (const c of status.conditions ?? []) expect(c.lastTransitionTime).toBe(c.lastUpdateTime);
    expect(status.conditions?.map((c) => [c.type, c.lastUpdateTime])).toEqual([
      ['InvalidSpec', at(T3)], // replaced whole when its message changes (createInvalidRolloutCondition)
      ['Progressing', at(T2)], // paused without a pause condition: our canary's last change
      ['Available', at(T1)],
      ['Completed', at(T2)],
      ['Healthy', at(T2)],
      ['Paused', at(T2)],
    ]);
  });

  it('changes at the same moments as before both times were kept (the status writer writes at each)', () => {
    // The one time before was the last change: what lastUpdateTime is now. The Argo status must change
    // exactly where the one-time mapping of the same conditions changed, or a replay would see writes
    // at other moments.
    const oneTime = (s: RolloutStatus): RolloutStatus => ({
      ...s,
      conditions: s.conditions.map(({ lastUpdateTime, ...c }) => ({
        ...c,
        lastTransitionTime: lastUpdateTime ?? c.lastTransitionTime,
      })),
    });
    let now = Date.parse(T0);
    const def = definition();
    const state = new RolloutState(initialState(def), () => now);
    const snapshots: RolloutStatus[] = [];
    const step = (minutes: number, change: () => void) => {
      now += minutes * 60_000;
      change();
      snapshots.push({ ...canary, conditions: structuredClone(state.data.conditions) });
    };
    step(0, () => state.setCondition('Available', true, 'AvailableReason', 'revision 1 is fully available'));
    step(5, () => state.setCondition('Progressing', true, 'RolloutUpdated', 'updating to revision 2 (bbb)'));
    step(5, () => state.setCondition('Aborted', true, 'RolloutAborted', 'stop'));
    step(1, () => state.setCondition('Aborted', true, 'RolloutAborted', 'stop; during rollback: 503'));
    step(1, () => state.setCondition('Aborted', true, 'RolloutAborted', 'stop; during rollback: 503'));
    step(1, () => state.clearCondition('Aborted'));
    step(1, () => state.setCondition('ProgressDeadlineExceeded', true, 'ProgressDeadlineExceeded', 'late'));
    step(1, () => state.setCondition('ProgressDeadlineExceeded', true, 'ProgressDeadlineExceeded', 'later'));
    step(1, () => state.clearCondition('ProgressDeadlineExceeded'));
    step(1, () => state.setCondition('InvalidSpec', true, 'InvalidSpec', 'bad'));
    step(1, () => state.setCondition('InvalidSpec', true, 'InvalidSpec', 'worse'));
    step(1, () => state.clearCondition('InvalidSpec'));
    step(5, () => state.setCondition('Available', true, 'AvailableReason', 'revision 2 is stable'));
    step(0, () =>
      state.setCondition('Progressing', true, 'NewReplicaSetAvailable', 'revision 2 fully promoted'),
    );
    const variants = (s: RolloutStatus) => [
      s,
      { ...s, aborted: true, abortedAt: T2 },
      { ...s, paused: true },
      { ...s, pauseConditions: [{ reason: 'CanaryPauseStep' as const, startTime: T1 }] },
    ];
    const render = (s: RolloutStatus) => json(argoRolloutStatus(s, def, OPTIONS));
    for (let i = 1; i < snapshots.length; i++) {
      const [before, after] = [snapshots[i - 1]!, snapshots[i]!];
      variants(before).forEach((b, v) => {
        const a = variants(after)[v]!;
        const changedNow = render(a) !== render(b);
        const changedBefore = render(oneTime(a)) !== render(oneTime(b));
        expect([i, v, changedNow]).toEqual([i, v, changedBefore]);
      });
    }
  });
});

describe('currentStepHash (conditions.ComputeStepHash)', () => {
  it('matches Argo for its own examples (values from Argo’s function)', () => {
    // examples/rollout-canary.yaml of argo-rollouts v1.10.2
    const argoCanary = [
      { setWeight: 20 },
      { pause: {} },
      { setWeight: 40 },
      { pause: { duration: '40s' } },
      { setWeight: 60 },
      { pause: { duration: '20s' } },
      { setWeight: 80 },
      { pause: { duration: '20s' } },
    ];
    expect(computeStepHash(goStepsJson(argoCanary))).toBe('97979f894');
    // examples/rollout-analysis-step.yaml
    const analysisStep = [
      { setWeight: 25 },
      {
        analysis: {
          templates: [{ templateName: 'random-fail' }, { templateName: 'always-pass', clusterScope: true }],
        },
      },
    ];
    expect(computeStepHash(goStepsJson(analysisStep))).toBe('58d6dbc744');
    expect(computeStepHash(goStepsJson(undefined))).toBe('5ffbfbbd64'); // no steps: json "null"
    expect(computeStepHash(goStepsJson([]))).toBe('5f8cb5778f'); // `steps: []`
  });

  it('takes the object’s steps when given: `60s` and `60` hash apart, as in Argo', () => {
    expect(
      argoRolloutStatus(healthy, definition(), { ...OPTIONS, steps: SEED_STEPS_RAW }).currentStepHash,
    ).toBe(SEED_HASH_RAW);
    expect(argoRolloutStatus(healthy, definition(), OPTIONS).currentStepHash).toBe(SEED_HASH_NORMALIZED);
  });

  it('encodes as Go’s json.Marshal of []CanaryStep: field order, omitempty, nil pointers, unknown fields', () => {
    const raw = [
      { pause: { duration: 30 } },
      { pause: { duration: '30' } },
      { pause: null },
      { setCanaryScale: { replicas: 0 } },
      { setCanaryScale: { matchTrafficWeight: false, weight: 10 } },
      { unknown: 1, setWeight: 5 },
    ];
    // json.Marshal's output for the same input, from Go
    expect(goStepsJson(raw)).toBe(
      '[{"pause":{"duration":30}},{"pause":{"duration":"30"}},{},{"setCanaryScale":{"replicas":0}},' +
        '{"setCanaryScale":{"weight":10}},{"setWeight":5}]',
    );
    const analysis = [
      {
        analysis: {
          args: [
            { value: '<&>\u2028é', name: 'a' },
            { name: 'd', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
            { name: 'e', value: '' },
          ],
          templates: [{ clusterScope: false, templateName: 'x' }],
          analysisRunMetadata: { labels: { z: '1', a: '2' }, annotations: {} },
        },
      },
    ];
    expect(goStepsJson(analysis)).toBe(
      '[{"analysis":{"templates":[{"templateName":"x","clusterScope":false}],"args":[{"name":"a","value":"\\u003c\\u0026\\u003e\\u2028é"},' +
        '{"name":"d","valueFrom":{}},{"name":"e"}],"analysisRunMetadata":{"labels":{"a":"2","z":"1"}}}}]',
    );
  });

  it('rebuilds Argo’s JSON from normalized steps', () => {
    expect(argoStepsOf([])).toBeNull();
    expect(goStepsJson(argoStepsOf(ANALYSIS_STEPS))).toBe(
      '[{"setWeight":20},{"pause":{}},{"analysis":{"templates":[{"templateName":"success-rate"}],' +
        '"args":[{"name":"service-name","value":"myapp-canary"}]}},{"setWeight":50}]',
    );
  });
});

describe('formats', () => {
  it('formatLabelSelector: sorted keys, k=v, <none> for none (metav1.FormatLabelSelector)', () => {
    expect(formatLabelSelector({ tier: 'web', app: 'x', 'a.b/c': 'd' })).toBe('a.b/c=d,app=x,tier=web');
    expect(formatLabelSelector({})).toBe('<none>');
  });

  it('metaTime: UTC, whole seconds, truncated (metav1.Time)', () => {
    expect(metaTime('2026-01-01T00:00:00.999Z')).toBe('2026-01-01T00:00:00Z');
    expect(metaTime('2026-01-01T01:30:00.5+01:00')).toBe('2026-01-01T00:30:00Z');
  });

  it('goString: HTML-safe escapes and control characters as encoding/json writes them', () => {
    expect(goString('a\tb\u0001"\\<')).toBe('"a\\tb\\u0001\\"\\\\\\u003c"');
  });
});
