// A change of spec.replicas (an HPA, `kubectl scale`) while a canary without a router waits at a pause
// or an analysis step rescales it at once, as Argo's reconcile does: in rounds within maxSurge and
// maxUnavailable for the weight it is at, without a new revision and without moving its step
// (workflows/rescale.ts). A promote or an abort meanwhile takes over from where the rounds are; a
// weight step's own rounds are left alone; a canary with a router rescales as before.
import { describe, expect, it } from '@jest/globals';
import { maxSurge, maxUnavailable, type IntOrPercent } from '../../core/basic-canary.js';
import { podTemplateHash } from '../../core/hash.js';
import type { AnalysisTemplateManifest } from '../../core/manifest/argo-types.js';
import type { CanaryStep, RolloutDefinition } from '../../core/types.js';
import { RESCALE_BASIC_CANARY } from '../../workflows/patches.js';
import type { PodSample } from '../support/fake-cluster.js';
import {
  timeSkippingServerPerTest,
  type RolloutHarness,
  seedRollout,
  withImage,
} from '../support/rollout-harness.js';

const YELLOW = 'argoproj/rollouts-demo:yellow';
const UID = '6f1c2d9e-0000-4000-8000-00000000000b';

const server = timeSkippingServerPerTest();
const hashOf = (def: RolloutDefinition) => podTemplateHash(def.template);

/** Two weights, each held by an indefinite pause until promoted. */
const STEPS = (first: number, second: number): CanaryStep[] => [
  { kind: 'setWeight', weight: first },
  { kind: 'pause' },
  { kind: 'setWeight', weight: second },
  { kind: 'pause' },
];

/** The seed without its router and analysis, as the manifest normalizes then. */
function basicCanary(
  replicas: number,
  fields: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent; steps?: CanaryStep[] } = {},
): RolloutDefinition {
  const seed = seedRollout();
  const { trafficRouting: _, analysis: __, ...canary } = seed.canary;
  return {
    ...seed,
    replicas,
    canary: { ...canary, steps: STEPS(20, 60), abortScaleDownDelaySeconds: 0, ...fields },
  };
}

/** An analysis step whose run measures every 10 s, 30 times: still running while the test looks. */
function withSlowAnalysisStep(def: RolloutDefinition): RolloutDefinition {
  const template: AnalysisTemplateManifest = {
    kind: 'AnalysisTemplate',
    name: 'slow',
    namespace: 'rollouts-demo',
    spec: {
      args: [],
      dryRun: [],
      measurementRetention: [],
      metrics: [
        {
          name: 'success-rate',
          interval: '10s',
          count: 30,
          successCondition: 'result[0] > 0.9',
          provider: { prometheus: { address: 'http://prometheus:9090', query: 'q' } },
        },
      ] as never,
    },
  };
  const steps: CanaryStep[] = [
    { kind: 'setWeight', weight: 20 },
    { kind: 'analysis', templates: [{ templateName: 'slow', clusterScope: false }], args: [] },
    { kind: 'setWeight', weight: 60 },
    { kind: 'pause' },
  ];
  return { ...def, canary: { ...def.canary, steps }, analysisTemplates: [template] };
}

interface Started {
  h: RolloutHarness;
  blue: RolloutDefinition;
  yellow: RolloutDefinition;
  /** Desired replicas of a ReplicaSet in the fake cluster. */
  rs: (def: RolloutDefinition) => number | undefined;
  /** The next generation of the Rollout object, as the watcher sends it. */
  generation: (def: RolloutDefinition) => Promise<unknown>;
}

/** Blue Healthy, then yellow deployed, both from the Rollout object; the calls from then on. */
async function yellowStarted(def: RolloutDefinition): Promise<Started> {
  const h = server.harness(def);
  await h.start();
  let generation = 0;
  const next = (d: RolloutDefinition) =>
    h.rollouts.deployFromCluster(d, { uid: UID, generation: ++generation });
  const blue = def;
  const yellow = withImage(def, YELLOW);
  await next(blue);
  await h.healthyOn(hashOf(blue));
  fromNow(h);
  await next(yellow);
  const rs = (d: RolloutDefinition) => h.cluster.replicaSets.get(`myapp-${hashOf(d)}`)?.replicas;
  return { h, blue, yellow, rs, generation: next };
}

/**
 * The rescale's rounds are over once the workflow has seen each ReplicaSet's pods at `counts`
 * (canary, stable): a promote before then would stop its last wait for pods, which the time-skipping
 * server cannot take when the wait ends in the same task (temporalio/sdk-java#2391).
 */
function rescaled(
  h: RolloutHarness,
  rollout: [RolloutDefinition, RolloutDefinition],
  counts: [number, number],
) {
  const hashes = rollout.map(hashOf);
  return h.waitFor(`rescaled to ${counts.join('/')}`, (s) =>
    hashes.every((hash, i) => {
      const rs = s.replicaSets.find((r) => r.podTemplateHash === hash);
      return rs?.desiredReplicas === counts[i] && rs?.availableReplicas === counts[i];
    }),
  );
}

/**
 * Long enough for the workflow to act on what it was just told (the rescale needs no timer), in real
 * time: the time-skipping server's sleep now and then never returns after the continue-as-new of a
 * rollout driven by its object, rescale or not.
 */
const aMoment = () => new Promise((resolve) => setTimeout(resolve, 1500));

/** From now on: what the fake cluster is asked, and its pod totals. */
function fromNow(h: RolloutHarness): void {
  h.cluster.calls = [];
  h.cluster.samples = [];
}

/**
 * Samples beyond the limits of `replicas` pods, or beyond where the rescale began when that was
 * already beyond them (a scale-up cannot make more pods available than exist).
 */
function outside(samples: PodSample[], def: RolloutDefinition, began: PodSample): PodSample[] {
  const { maxSurge: surge, maxUnavailable: unavailable } = def.canary;
  const input = {
    replicas: def.replicas,
    weight: 0,
    oldRSs: [],
    ...(surge !== undefined ? { maxSurge: surge } : {}),
    ...(unavailable !== undefined ? { maxUnavailable: unavailable } : {}),
  };
  const maxPods = Math.max(began.pods, def.replicas + maxSurge(input));
  const minAvailable = Math.min(began.available, def.replicas - maxUnavailable(input));
  return samples.filter((s) => s.pods > maxPods || s.available < minAvailable);
}

/** The totals of the fake cluster now. */
function sampleNow(h: RolloutHarness): PodSample {
  let pods = 0;
  let available = 0;
  for (const rs of h.cluster.replicaSets.values()) {
    pods += rs.replicas;
    available += rs.available;
  }
  return { call: 'now', pods, available };
}

/** The ids of the patches the rollout's workflow recorded. */
async function patchesOf(h: RolloutHarness): Promise<string[]> {
  const history = await h.env.client.workflow.getHandle(h.workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const data = Object.values(marker.details ?? {})[0]?.payloads?.[0]?.data;
    const patch = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { id?: unknown }) : {};
    return typeof patch.id === 'string' ? [patch.id] : [];
  });
}

describe('a new spec.replicas rescales a basic canary in flight at once', () => {
  it('10 → 20 at an indefinite pause: 4 and 16 in rounds, same revision and step; a promote goes on', async () => {
    const def = basicCanary(10);
    const { h, blue, yellow, rs, generation } = await yellowStarted(def);
    await h.pausedAt(1);
    expect([rs(yellow), rs(blue)]).toEqual([2, 8]);
    fromNow(h);
    const began = sampleNow(h);

    const scaled = { ...yellow, replicas: 20 };
    await generation(scaled);
    // One round (25 % of 20 lets 5 pods surge: both at once), then its pods.
    await rescaled(h, [yellow, blue], [4, 16]);
    expect(h.cluster.callsOf('scaleReplicaSet', 'waitFor')).toEqual([
      `scaleReplicaSet myapp-${hashOf(yellow)} 4`,
      `scaleReplicaSet myapp-${hashOf(blue)} 16`,
      `waitForReplicaSetAvailable myapp-${hashOf(yellow)} 4`,
      `waitForReplicaSetAvailable myapp-${hashOf(blue)} 16`,
    ]);
    expect(outside(h.cluster.samples, scaled, began)).toEqual([]);
    const s = await h.pausedAt(1);
    expect(s.revision).toBe(2);
    expect(s.weights.canary).toBe(20);
    expect(s.pauseConditions.map((p) => p.reason)).toEqual(['CanaryPauseStep']);
    // Nothing more while it waits.
    await aMoment();
    expect(h.cluster.callsOf('scaleReplicaSet')).toHaveLength(2);

    // The next weight step goes on from there, at 20 replicas.
    await h.rollouts.promote(h.namespace, h.name);
    const at60 = await h.pausedAt(3);
    expect([rs(yellow), rs(blue)]).toEqual([12, 8]);
    expect(at60.revision).toBe(2);
    expect(outside(h.cluster.samples, scaled, began)).toEqual([]);
    await h.rollouts.promote(h.namespace, h.name);
    await h.healthyOn(hashOf(yellow));
    expect([rs(yellow), rs(blue)]).toEqual([20, 0]);
    expect(await patchesOf(h)).toContain(RESCALE_BASIC_CANARY);
    await h.saveHistories('rescale-basic-canary');
  });

  it('20 → 5: the canary first, then the stable, never fewer than 4 available', async () => {
    const def = basicCanary(20);
    const { h, blue, yellow, rs, generation } = await yellowStarted(def);
    await h.pausedAt(1);
    expect([rs(yellow), rs(blue)]).toEqual([4, 16]);
    fromNow(h);
    const began = sampleNow(h);

    const scaled = { ...yellow, replicas: 5 };
    await generation(scaled);
    await rescaled(h, [yellow, blue], [1, 4]);
    // Argo's counts from each moment: the canary to 1 and the stable to 6 (5 − 1 unavailable
    // allowed of 7 available), then the stable to 4.
    expect(h.cluster.callsOf('scaleReplicaSet')).toEqual([
      `scaleReplicaSet myapp-${hashOf(yellow)} 1`,
      `scaleReplicaSet myapp-${hashOf(blue)} 6`,
      `scaleReplicaSet myapp-${hashOf(blue)} 4`,
    ]);
    expect(outside(h.cluster.samples, scaled, began)).toEqual([]);
    const s = await h.pausedAt(1);
    expect(s.revision).toBe(2);

    await h.rollouts.promote(h.namespace, h.name);
    await h.pausedAt(3);
    expect([rs(yellow), rs(blue)]).toEqual([3, 2]);
    await h.saveHistories('rescale-basic-canary-down');
  });

  it('during a running analysis step: rescaled, the run goes on, a promote skips it as before', async () => {
    const def = withSlowAnalysisStep(basicCanary(10));
    const { h, blue, yellow, rs, generation } = await yellowStarted(def);
    await h.waitFor('analysis step running', (s) => s.currentStepIndex === 1 && s.analysisRuns.length === 1);
    expect([rs(yellow), rs(blue)]).toEqual([2, 8]);
    fromNow(h);
    const began = sampleNow(h);

    const scaled = { ...yellow, replicas: 20 };
    await generation(scaled);
    await rescaled(h, [yellow, blue], [4, 16]);
    expect(h.cluster.callsOf('scaleReplicaSet')).toEqual([
      `scaleReplicaSet myapp-${hashOf(yellow)} 4`,
      `scaleReplicaSet myapp-${hashOf(blue)} 16`,
    ]);
    expect(outside(h.cluster.samples, scaled, began)).toEqual([]);
    const s = await h.status();
    expect(s).toMatchObject({ revision: 2, currentStepIndex: 1, phase: 'Progressing' });
    expect(s.analysisRuns.map((r) => r.phase)).toEqual(['Running']);

    await h.rollouts.promote(h.namespace, h.name);
    const at60 = await h.pausedAt(3);
    expect([rs(yellow), rs(blue)]).toEqual([12, 8]);
    expect(at60.weights.canary).toBe(60);
    await h.saveHistories('rescale-basic-canary-analysis');
  });

  it('a promote while the rescale waits for pods: the weight step takes over from where it is', async () => {
    const def = basicCanary(10);
    const { h, blue, yellow, rs, generation } = await yellowStarted(def);
    await h.pausedAt(1);
    fromNow(h);
    const began = sampleNow(h);
    const canaryName = `myapp-${hashOf(yellow)}`;
    h.cluster.stuck.add(canaryName);

    const scaled = { ...yellow, replicas: 20 };
    await generation(scaled);
    await h.waitFor('rescale waiting for pods', () => h.cluster.callsOf('waitFor').length === 1);
    expect([rs(yellow), rs(blue)]).toEqual([4, 16]);
    await h.rollouts.promote(h.namespace, h.name);
    // setWeight 60's first round, from 2 of 4 canary pods and 8 of 16 stable pods available.
    await h.waitFor('the weight step scaling', () => rs(yellow) === 9 && rs(blue) === 13);
    h.cluster.stuck.delete(canaryName);
    const s = await h.pausedAt(3);
    expect([rs(yellow), rs(blue)]).toEqual([12, 8]);
    expect(s.weights.canary).toBe(60);
    expect(outside(h.cluster.samples, scaled, began)).toEqual([]);
    // The rescale wrote nothing once the promote came: each write after it is the weight step's.
    const writes = h.cluster.callsOf('scaleReplicaSet');
    expect(writes.slice(0, 4)).toEqual([
      `scaleReplicaSet myapp-${hashOf(yellow)} 4`,
      `scaleReplicaSet myapp-${hashOf(blue)} 16`,
      `scaleReplicaSet myapp-${hashOf(yellow)} 9`,
      `scaleReplicaSet myapp-${hashOf(blue)} 13`,
    ]);
    await aMoment();
    expect([rs(yellow), rs(blue)]).toEqual([12, 8]);
    expect(h.cluster.callsOf('scaleReplicaSet')).toEqual(writes);
  });

  it('an abort while the rescale waits for pods rolls back, and nothing scales the canary again', async () => {
    const def = basicCanary(10);
    const { h, blue, yellow, rs, generation } = await yellowStarted(def);
    await h.pausedAt(1);
    fromNow(h);
    const canaryName = `myapp-${hashOf(yellow)}`;
    h.cluster.stuck.add(canaryName);
    await generation({ ...yellow, replicas: 20 });
    await h.waitFor('rescale waiting for pods', () => h.cluster.callsOf('waitFor').length === 1);

    await h.rollouts.abort(h.namespace, h.name);
    await h.waitFor('aborted', (s) => s.aborted && rs(yellow) === 0 && rs(blue) === 20);
    h.cluster.stuck.delete(canaryName); // the pods the rescale waited for come, too late
    await aMoment();
    expect([rs(yellow), rs(blue)]).toEqual([0, 20]);
    expect(h.cluster.callsOf('scaleReplicaSet')).toEqual([
      `scaleReplicaSet myapp-${hashOf(yellow)} 4`,
      `scaleReplicaSet myapp-${hashOf(blue)} 16`,
      `scaleReplicaSet myapp-${hashOf(blue)} 20`,
      `scaleReplicaSet myapp-${hashOf(yellow)} 0`,
    ]);
  });

  it("waits while the user's pause holds the rollout (Argo's haltProgress), then rescales", async () => {
    const def = basicCanary(10);
    const { h, blue, yellow, rs, generation } = await yellowStarted(def);
    await h.pausedAt(1);
    await h.rollouts.pause(h.namespace, h.name);
    fromNow(h);
    await generation({ ...yellow, replicas: 20 });
    await aMoment();
    expect(h.cluster.callsOf('scaleReplicaSet')).toEqual([]);
    await h.rollouts.resume(h.namespace, h.name);
    await h.waitFor('rescaled', () => rs(yellow) === 4 && rs(blue) === 16);
    expect((await h.pausedAt(1)).revision).toBe(2);
  });

  it("leaves a change during a weight step's rounds to them", async () => {
    const def = basicCanary(10, { maxSurge: 1, maxUnavailable: 0 });
    const h = server.harness(def);
    await h.start();
    await h.rollouts.deployFromCluster(def, { uid: UID, generation: 1 });
    await h.healthyOn(hashOf(def));
    const yellow = withImage(def, YELLOW);
    const canaryName = `myapp-${hashOf(yellow)}`;
    const rs = (d: RolloutDefinition) => h.cluster.replicaSets.get(`myapp-${hashOf(d)}`)?.replicas;
    fromNow(h);
    h.cluster.stuck.add(canaryName);
    await h.rollouts.deployFromCluster(yellow, { uid: UID, generation: 2 });
    await h.waitFor('the first round waiting', () => h.cluster.callsOf('waitFor').length === 1);
    await h.rollouts.deployFromCluster({ ...yellow, replicas: 20 }, { uid: UID, generation: 3 });
    await aMoment();
    expect(h.cluster.callsOf('scaleReplicaSet')).toEqual([`scaleReplicaSet ${canaryName} 1`]);
    h.cluster.stuck.delete(canaryName);
    await h.pausedAt(1);
    expect([rs(yellow), rs(def)]).toEqual([4, 16]);
    // Every write is the step's own round, one pod of surge at a time (never 22 pods, never 19 available).
    expect(
      outside(h.cluster.samples, { ...yellow, replicas: 20 }, { call: '', pods: 10, available: 10 }),
    ).toEqual([]);
    expect(Math.max(...h.cluster.samples.map((x) => x.pods))).toBeLessThanOrEqual(21);
  });
});

describe('a canary with a router', () => {
  it('rescales as before: both ReplicaSets at once, no rounds, no new patch', async () => {
    const seed = seedRollout();
    const { analysis: _, ...canary } = seed.canary;
    const def: RolloutDefinition = { ...seed, replicas: 10, canary };
    const { h, blue, yellow, rs, generation } = await yellowStarted(def);
    await h.pausedAt(1);
    expect([rs(yellow), rs(blue)]).toEqual([2, 10]);
    fromNow(h);
    await generation({ ...yellow, replicas: 20 });
    await h.waitFor('rescaled', () => rs(yellow) === 4 && rs(blue) === 20);
    await aMoment();
    expect(h.cluster.callsOf('scaleReplicaSet', 'waitFor')).toEqual([
      `scaleReplicaSet myapp-${hashOf(yellow)} 4`,
      `scaleReplicaSet myapp-${hashOf(blue)} 20`,
    ]);
    expect((await h.pausedAt(1)).revision).toBe(2);
    expect(await patchesOf(h)).not.toContain(RESCALE_BASIC_CANARY);
  });
});
