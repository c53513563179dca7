// Our rollout status as Argo Rollouts v1.10.2 writes a Rollout's status subresource
// (pkg/apis/rollouts/v1alpha1 RolloutStatus), so that `kubectl argo rollouts get`, Argo CD's health
// check and `kubectl get rollout` read it as they read Argo's controller's. Pure and deterministic:
// every time comes from the input, and nothing changes unless the rollout did (the result is compared
// with the last one written to decide whether to write). Keys are in Go's struct field order and
// zero values are left out as Go's `omitempty` leaves them out, so the JSON is what json.Marshal of
// the same Go status gives.
import { fnv1a32, podTemplateHash, safeEncode } from './hash.js';
import { isObject } from './json.js';
import { restartPending } from './restart.js';
import type {
  AnalysisRunRef,
  PauseCondition,
  ReplicaSetStatus,
  RolloutCondition,
  RolloutStatus,
} from './status.js';
import type { CanaryStep, Labels, RolloutDefinition } from './types.js';

export type ArgoRolloutPhase = 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';

/** v1alpha1.PauseReason values a canary with analysis can have. */
export type ArgoPauseReason = 'CanaryPauseStep' | 'InconclusiveAnalysisRun';

export interface ArgoPauseCondition {
  reason: ArgoPauseReason;
  /** metav1.Time: RFC 3339 in UTC, whole seconds. */
  startTime: string;
}

export type ArgoConditionType =
  'InvalidSpec' | 'Progressing' | 'Available' | 'Completed' | 'Healthy' | 'Paused';

export interface ArgoRolloutCondition {
  type: ArgoConditionType;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface ArgoWeightDestination {
  weight: number;
  serviceName?: string;
  podTemplateHash?: string;
}

export interface ArgoTrafficWeights {
  canary: ArgoWeightDestination;
  stable: ArgoWeightDestination;
}

export interface ArgoAnalysisRunStatus {
  name: string;
  status: string;
  message?: string;
}

export interface ArgoCanaryStatus {
  currentStepAnalysisRunStatus?: ArgoAnalysisRunStatus;
  currentBackgroundAnalysisRunStatus?: ArgoAnalysisRunStatus;
  weights?: ArgoTrafficWeights;
}

/** Argo's RolloutStatus as JSON, in its Go field order; absent fields are Go's zero values. */
export interface ArgoRolloutStatus {
  abort?: true;
  pauseConditions?: ArgoPauseCondition[];
  controllerPause?: true;
  abortedAt?: string;
  currentPodHash?: string;
  currentStepHash?: string;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  currentStepIndex?: number;
  observedGeneration: string;
  conditions?: ArgoRolloutCondition[];
  /** A struct, not a pointer, in Go: always written, `{}` when empty. */
  canary: ArgoCanaryStatus;
  blueGreen: Record<string, never>;
  HPAReplicas?: number;
  selector?: string;
  stableRS?: string;
  restartedAt?: string;
  phase: ArgoRolloutPhase;
  message?: string;
}

export interface ArgoStatusOptions {
  /** The object's metadata.generation the workflow took; Argo writes it as a string. */
  generation: number;
  /**
   * The object's `spec.strategy.canary.steps` as the API server returned them, for currentStepHash:
   * Argo hashes the steps as the user wrote them (`duration: 30` and `duration: 30s` differ), which
   * our normalized steps cannot always tell apart. Absent: rebuilt from the definition (argoStepsOf).
   */
  steps?: unknown;
  /** The same hash computed where the object's steps are (the watcher); wins over `steps`. */
  stepHash?: string;
  /**
   * A time (RFC 3339) for the conditions that have no time of their own in our status (a first
   * deploy has none); absent: those conditions are left out, as Argo's CRD requires both times.
   */
  observedAt?: string;
}

/** The status Argo's controller would write for this rollout (rollout/sync.go persistRolloutStatus). */
export function argoRolloutStatus(
  status: RolloutStatus,
  definition: RolloutDefinition,
  options: ArgoStatusOptions,
): ArgoRolloutStatus {
  const facts = factsOf(status, definition, options);
  const conditions = conditionsOf(facts);
  const canary = canaryStatusOf(facts);
  const built: ArgoRolloutStatus = {
    ...(facts.aborted ? { abort: true as const } : {}),
    ...(facts.pauseConditions.length ? { pauseConditions: facts.pauseConditions } : {}),
    ...(facts.pauseConditions.length ? { controllerPause: true as const } : {}),
    ...(facts.aborted && status.abortedAt !== undefined ? { abortedAt: metaTime(status.abortedAt) } : {}),
    ...nonEmpty('currentPodHash', facts.currentPodHash),
    ...nonEmpty('currentStepHash', options.stepHash ?? currentStepHash(definition, options.steps)),
    ...nonZero('replicas', facts.replicas),
    ...nonZero('updatedReplicas', facts.updatedReplicas),
    ...nonZero('readyReplicas', facts.readyReplicas),
    ...nonZero('availableReplicas', facts.availableReplicas),
    ...(facts.currentStepIndex !== undefined ? { currentStepIndex: facts.currentStepIndex } : {}),
    observedGeneration: String(options.generation),
    ...(conditions.length ? { conditions } : {}),
    canary,
    blueGreen: {},
    // syncRolloutStatusCanary: HPAReplicas is the actual count of every ReplicaSet, as replicas.
    ...nonZero('HPAReplicas', facts.replicas),
    selector: formatLabelSelector(definition.selector.matchLabels),
    ...nonEmpty('stableRS', facts.stableRS),
    ...(status.restartedAt !== undefined ? { restartedAt: metaTime(status.restartedAt) } : {}),
    phase: 'Progressing',
  };
  const { phase, message } = calculateRolloutPhase(specOf(definition, status), built);
  return { ...built, phase, ...nonEmpty('message', message) };
}

// ---- what the status says, in Argo's terms

interface Facts {
  status: RolloutStatus;
  definition: RolloutDefinition;
  observedAt?: string;
  currentPodHash: string;
  /** Argo marks the first revision stable at once ("Initial deploy"): ours only once it is available. */
  stableRS: string;
  replicas: number;
  updatedReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentStepIndex?: number;
  pauseConditions: ArgoPauseCondition[];
  /** spec.paused in Argo: our user's pause (spec.paused or the pause signal). */
  userPaused: boolean;
  aborted: boolean;
}

function factsOf(status: RolloutStatus, definition: RolloutDefinition, options: ArgoStatusOptions): Facts {
  const currentPodHash =
    status.canaryRevision?.podTemplateHash ??
    status.stableRevision?.podTemplateHash ??
    podTemplateHash(definition.template);
  const sets = status.replicaSets.map((rs) => ({ hash: rs.podTemplateHash, ...podCounts(rs) }));
  return {
    status,
    definition,
    ...(options.observedAt !== undefined ? { observedAt: options.observedAt } : {}),
    currentPodHash,
    stableRS: status.stableRevision?.podTemplateHash ?? currentPodHash,
    // calculateBaseStatus and syncRolloutStatusCanary: sums of the ReplicaSets' own status counts.
    replicas: sum(sets.map((rs) => rs.replicas)),
    updatedReplicas: sum(sets.filter((rs) => rs.hash === currentPodHash).map((rs) => rs.replicas)),
    readyReplicas: sum(sets.map((rs) => rs.ready)),
    availableReplicas: sum(sets.map((rs) => rs.available)),
    ...stepIndexOf(status, definition),
    // CalculateAbortStatus: an aborted rollout has no pause conditions.
    pauseConditions: status.aborted ? [] : argoPauseConditions(status.pauseConditions),
    userPaused: status.paused,
    aborted: status.aborted,
  };
}

/**
 * One ReplicaSet's status.replicas, readyReplicas and availableReplicas, as Argo's controller reads
 * them from its informer. Ours are what the last wait for its pods read (workflows/availability.ts),
 * moved by each scale written since to what the ReplicaSet controller makes of it at once (pods
 * created, or the surplus deleted: workflows/cluster.ts), where Argo shows the counts from before
 * the write for the moment until the ReplicaSet's status catches up. What we cannot know without
 * watching: pods that become ready or available after that wait (a scale-up's, until the wait that
 * follows it), pods lost or restarted since (evictions, crashes, someone's delete), pods a scale-up
 * could not create (a quota). Argo shows each a moment after it happens; ours shows the last
 * observation until the rollout looks again, and an idle rollout never looks.
 *
 * Never observed (state carried from before, or results recorded before, with neither count): the
 * numbers written before, spec.replicas for the pods and the available count for the ready.
 */
function podCounts(rs: ReplicaSetStatus): { replicas: number; ready: number; available: number } {
  const available = rs.availableReplicas ?? 0;
  if (rs.replicas === undefined)
    return { replicas: rs.desiredReplicas, ready: Math.max(rs.readyReplicas ?? 0, available), available };
  // The available count is also kept for the basic canary's math, which a scale-down leaves as it
  // was: no more pods are available than there are, and none available is not ready.
  const availableNow = Math.min(available, rs.replicas);
  const ready = Math.min(Math.max(rs.readyReplicas ?? 0, availableNow), rs.replicas);
  return { replicas: rs.replicas, ready, available: availableNow };
}

/**
 * promoteStable: no steps, no index; a first revision is promoted at once, past every step. Otherwise
 * ours, which counts as Argo's (0 once aborted, steps.length once promoted).
 */
function stepIndexOf(status: RolloutStatus, definition: RolloutDefinition): { currentStepIndex?: number } {
  const steps = definition.canary.steps.length;
  if (steps === 0) return {};
  if (status.stableRevision === undefined || status.currentStepIndex === null)
    return { currentStepIndex: steps };
  return { currentStepIndex: status.currentStepIndex };
}

/**
 * Our pause reasons as Argo's (v1alpha1.PauseReason). The user's pause is no pause condition in Argo:
 * it is spec.paused, which shows in the phase ("manually paused") and the Paused condition.
 */
function argoPauseConditions(pauses: PauseCondition[]): ArgoPauseCondition[] {
  const mapped: ArgoPauseCondition[] = [];
  for (const pause of pauses) {
    const reason = pause.reason === 'InconclusiveAnalysis' ? 'InconclusiveAnalysisRun' : pause.reason;
    if (reason === 'PausedByUser' || mapped.some((p) => p.reason === reason)) continue;
    mapped.push({ reason, startTime: metaTime(pause.startTime) });
  }
  return mapped;
}

function isPaused(facts: Facts): boolean {
  // calculateRolloutConditions / checkPausedConditions: len(pauseConditions) > 0 || spec.paused
  return facts.pauseConditions.length > 0 || facts.userPaused;
}

/** conditions.RolloutCompleted: the desired ReplicaSet is the stable one. */
function completed(facts: Facts): boolean {
  return facts.stableRS !== '' && facts.stableRS === facts.currentPodHash;
}

/** conditions.RolloutHealthy (the generation is the one taken, so always observed). */
function rolloutHealthy(facts: Facts): boolean {
  const steps = facts.definition.canary.steps.length;
  const replicas = facts.definition.replicas;
  const executedAllSteps =
    steps === 0 || facts.currentStepIndex === undefined || facts.currentStepIndex === steps;
  return (
    facts.updatedReplicas === replicas &&
    facts.availableReplicas === replicas &&
    executedAllSteps &&
    completed(facts) &&
    facts.replicas === replicas
  );
}

function newReplicaSetName(facts: Facts): string {
  const found = facts.status.replicaSets.find((rs) => rs.podTemplateHash === facts.currentPodHash);
  return found?.name ?? `${facts.definition.name}-${facts.currentPodHash}`;
}

function ourCondition(facts: Facts, type: RolloutCondition['type']): RolloutCondition | undefined {
  return facts.status.conditions.find((c) => c.type === type && c.status);
}

// ---- conditions (utils/conditions/conditions.go strings)

const MESSAGES = {
  available: 'Rollout has minimum availability',
  notAvailable: 'Rollout does not have minimum availability',
  healthy: 'Rollout is healthy',
  notHealthy: 'Rollout is not healthy',
  paused: 'Rollout is paused',
} as const;

/**
 * The conditions of the steady state Argo's reconciles reach (sync.go calculateRolloutConditions and
 * checkPausedConditions, controller.go createInvalidRolloutCondition). Argo's order is the order
 * they happened to change in; ours is fixed, InvalidSpec first as CalculateRolloutPhase reads it.
 */
function conditionsOf(facts: Facts): ArgoRolloutCondition[] {
  const made = [
    invalidSpecCondition(facts),
    progressingCondition(facts),
    availableCondition(facts),
    completedCondition(facts),
    healthyCondition(facts),
    pausedCondition(facts),
  ];
  return made.filter((c): c is ArgoRolloutCondition => c !== undefined);
}

/**
 * A condition's two times (SetRolloutCondition): lastUpdateTime, when its status, reason or message
 * last changed, and lastTransitionTime, when its status did. Healthy, Available, Completed and Paused
 * change by their status alone (one reason, one message for each status), so Argo's two times are
 * equal; InvalidSpec is replaced whole when its message changes, equal too. Only Progressing keeps its
 * transition while its reason changes: through an abort (our Aborted condition's), past the deadline
 * (our ProgressDeadlineExceeded's). While True, Argo's went Unknown at each pause and False at an
 * abort, which ours (True throughout) does not remember: there each change counts as a transition.
 *
 * lastUpdateTime is the one time these conditions had before both were kept, and a transition kept
 * moves only with it, so the status changes at the same moments as before: the status writer writes
 * at each change, and a write at another moment would be another command sequence on replay.
 */
interface Since {
  update: string;
  transition: string;
}

/** A time that is both (a pause's start, the abort, our condition's last change). */
function instant(time: string | undefined): Since | undefined {
  return time === undefined ? undefined : { update: time, transition: time };
}

/** When one of our conditions last changed; carried from before it kept both, its one time is that. */
function changedAt(ours: RolloutCondition | undefined): string | undefined {
  return ours && (ours.lastUpdateTime ?? ours.lastTransitionTime);
}

/** One of ours whose status has been the Argo condition's for as long as ours has had its own. */
function sinceOf(ours: RolloutCondition | undefined): Since | undefined {
  const update = changedAt(ours);
  return ours && update !== undefined ? { update, transition: ours.lastTransitionTime } : undefined;
}

/** A condition at the first time known of those given, else at observedAt (a first deploy's). */
function condition(
  facts: Facts,
  type: ArgoConditionType,
  status: ArgoRolloutCondition['status'],
  reason: string,
  message: string,
  ...times: (Since | undefined)[]
): ArgoRolloutCondition | undefined {
  const since = [...times, instant(facts.observedAt)].find((t) => t !== undefined);
  if (since === undefined) return undefined;
  const lastUpdateTime = metaTime(since.update);
  const lastTransitionTime = metaTime(since.transition);
  return { type, status, lastUpdateTime, lastTransitionTime, reason, message };
}

/** When the canary began (our Progressing condition), or when the revision became stable. */
function canaryTime(facts: Facts): Since | undefined {
  return instant(changedAt(ourCondition(facts, 'Progressing')));
}

function stableTime(facts: Facts): Since | undefined {
  return instant(changedAt(ourCondition(facts, 'Available')));
}

/** createInvalidRolloutCondition: `The Rollout "<name>" is invalid: <error>`. */
function invalidSpecCondition(facts: Facts): ArgoRolloutCondition | undefined {
  const invalid = ourCondition(facts, 'InvalidSpec');
  if (!invalid) return undefined;
  const message = `The Rollout "${facts.definition.name}" is invalid: ${invalid.message}`;
  return condition(facts, 'InvalidSpec', 'True', 'InvalidSpec', message, instant(changedAt(invalid)));
}

/**
 * Progressing, in the precedence Argo's reconciles give it: aborted (calculateRolloutConditions),
 * paused mid-update (checkPausedConditions, which RolloutTimedOut then leaves alone), timed out,
 * healthy, availability lost after being healthy, else progressing.
 */
function progressingCondition(facts: Facts): ArgoRolloutCondition | undefined {
  const rsName = newReplicaSetName(facts);
  if (facts.aborted) return abortedCondition(facts);
  if (isPaused(facts) && !completed(facts)) {
    const pausedAt = facts.pauseConditions[0]?.startTime;
    return condition(
      facts,
      'Progressing',
      'Unknown',
      'RolloutPaused',
      MESSAGES.paused,
      instant(pausedAt),
      canaryTime(facts),
    );
  }
  const deadline = ourCondition(facts, 'ProgressDeadlineExceeded');
  if (deadline) {
    const message = `ReplicaSet "${rsName}" has timed out progressing.`;
    return condition(facts, 'Progressing', 'False', 'ProgressDeadlineExceeded', message, sinceOf(deadline));
  }
  if (rolloutHealthy(facts)) {
    const message = `ReplicaSet "${rsName}" has successfully progressed.`;
    const at = [canaryTime(facts), stableTime(facts)];
    return condition(facts, 'Progressing', 'True', 'NewReplicaSetAvailable', message, ...at);
  }
  // becameUnhealthy with stableRS == currentPodHash: pods lost after the revision was healthy (ours
  // is stable only once it was); with old pods still up it is a promotion finishing instead.
  if (facts.status.stableRevision && completed(facts) && facts.replicas === facts.updatedReplicas) {
    const at = [stableTime(facts), canaryTime(facts)];
    return condition(facts, 'Progressing', 'True', 'ReplicaSetNotAvailable', MESSAGES.notAvailable, ...at);
  }
  const message = `ReplicaSet "${rsName}" is progressing.`;
  return condition(
    facts,
    'Progressing',
    'True',
    'ReplicaSetUpdated',
    message,
    canaryTime(facts),
    stableTime(facts),
  );
}

/**
 * RolloutAbortedMessage, with the abort's cause after a colon as Argo adds its pauseContext message
 * (ours is our own text: an analysis failure, the user's reason, the progress deadline).
 */
function abortedCondition(facts: Facts): ArgoRolloutCondition | undefined {
  const ours = ourCondition(facts, 'Aborted');
  const revision = facts.status.canaryRevision?.revision ?? facts.status.revision;
  const base = `Rollout aborted update to revision ${revision}`;
  const message = ours?.message ? `${base}: ${ours.message}` : base;
  const at = [sinceOf(ours), instant(facts.status.abortedAt)];
  return condition(facts, 'Progressing', 'False', 'RolloutAborted', message, ...at);
}

/** calculateRolloutConditions, canary: the available pods of every ReplicaSet against spec.replicas. */
function availableCondition(facts: Facts): ArgoRolloutCondition | undefined {
  const available = facts.availableReplicas >= facts.definition.replicas;
  const at = [stableTime(facts), canaryTime(facts)];
  return available
    ? condition(facts, 'Available', 'True', 'AvailableReason', MESSAGES.available, ...at)
    : condition(facts, 'Available', 'False', 'AvailableReason', MESSAGES.notAvailable, ...at);
}

/** RolloutCompleted: reason and message are both the reason, as Argo writes them. */
function completedCondition(facts: Facts): ArgoRolloutCondition | undefined {
  return completed(facts)
    ? condition(
        facts,
        'Completed',
        'True',
        'RolloutCompleted',
        'RolloutCompleted',
        stableTime(facts),
        canaryTime(facts),
      )
    : condition(
        facts,
        'Completed',
        'False',
        'RolloutCompleted',
        'RolloutCompleted',
        canaryTime(facts),
        stableTime(facts),
      );
}

/**
 * Healthy: True when not paused and RolloutHealthy; False only once it has been True, which for us
 * is once a revision has been stable (Argo's first revision is healthy when ours becomes stable).
 */
function healthyCondition(facts: Facts): ArgoRolloutCondition | undefined {
  if (!isPaused(facts) && rolloutHealthy(facts))
    return condition(
      facts,
      'Healthy',
      'True',
      'RolloutHealthy',
      MESSAGES.healthy,
      stableTime(facts),
      canaryTime(facts),
    );
  if (!facts.status.stableRevision) return undefined;
  const at = [canaryTime(facts), instant(facts.pauseConditions[0]?.startTime), stableTime(facts)];
  return condition(facts, 'Healthy', 'False', 'RolloutHealthy', MESSAGES.notHealthy, ...at);
}

/**
 * checkPausedConditions: True while paused. Argo keeps it False after a resume; we cannot tell a
 * rollout that was ever paused from one that never was, so a rollout not paused has none.
 */
function pausedCondition(facts: Facts): ArgoRolloutCondition | undefined {
  if (!isPaused(facts)) return undefined;
  const at = [instant(facts.pauseConditions[0]?.startTime), canaryTime(facts), stableTime(facts)];
  return condition(facts, 'Paused', 'True', 'RolloutPaused', MESSAGES.paused, ...at);
}

// ---- canary status: weights and the current AnalysisRuns

function canaryStatusOf(facts: Facts): ArgoCanaryStatus {
  const step = currentStepAnalysisRun(facts);
  const background = currentBackgroundAnalysisRun(facts);
  const weights = weightsOf(facts);
  return {
    ...(step ? { currentStepAnalysisRunStatus: runStatus(step) } : {}),
    ...(background ? { currentBackgroundAnalysisRunStatus: runStatus(background) } : {}),
    ...(weights ? { weights } : {}),
  };
}

/**
 * reconcileTrafficRouting / calculateWeightStatus: only with a router. Istio's VerifyWeight returns
 * nil, so `verified` is never written (it is ALB's).
 */
function weightsOf(facts: Facts): ArgoTrafficWeights | undefined {
  const { trafficRouting, canaryService, stableService } = facts.definition.canary;
  if (!trafficRouting) return undefined;
  const w = facts.status.weights;
  return {
    canary: destination(w.canary, canaryService, w.canaryPodTemplateHash),
    stable: destination(w.stable, stableService, w.stablePodTemplateHash),
  };
}

function destination(weight: number, serviceName?: string, podTemplateHash?: string): ArgoWeightDestination {
  return { weight, ...nonEmpty('serviceName', serviceName), ...nonEmpty('podTemplateHash', podTemplateHash) };
}

/** reconcileAnalysisRuns: no current runs once promoted, aborted, or on the first deploy. */
function analysisCancelled(facts: Facts): boolean {
  return completed(facts) || facts.aborted || !facts.status.stableRevision;
}

function latestRun(facts: Facts, match: (run: AnalysisRunRef) => boolean): AnalysisRunRef | undefined {
  const revision = facts.status.canaryRevision?.revision;
  const runs = facts.status.analysisRuns.filter((run) => run.revision === revision && match(run));
  return runs[runs.length - 1];
}

/** reconcileStepBasedAnalysisRun: the run of the current step, while that step is an analysis. */
function currentStepAnalysisRun(facts: Facts): AnalysisRunRef | undefined {
  const index = facts.currentStepIndex;
  if (analysisCancelled(facts) || index === undefined) return undefined;
  if (facts.definition.canary.steps[index]?.kind !== 'analysis') return undefined;
  return latestRun(facts, (run) => run.kind === 'step' && run.stepIndex === index);
}

/** reconcileBackgroundAnalysisRun: from startingStep on (BeforeStartingStep) until promoted. */
function currentBackgroundAnalysisRun(facts: Facts): AnalysisRunRef | undefined {
  const analysis = facts.definition.canary.analysis;
  if (analysisCancelled(facts) || !analysis || analysis.templates.length === 0) return undefined;
  if (facts.currentStepIndex !== undefined && facts.currentStepIndex < analysis.startingStep)
    return undefined;
  return latestRun(facts, (run) => run.kind === 'background');
}

/** SetCurrentAnalysisRuns: the run's name, phase and message. */
function runStatus(run: AnalysisRunRef): ArgoAnalysisRunStatus {
  return { name: run.name, status: run.phase, ...nonEmpty('message', run.message) };
}

// ---- phase (utils/rollout/rolloututil.go CalculateRolloutPhase)

/** The spec fields CalculateRolloutPhase reads, for a canary. */
export interface ArgoPhaseSpec {
  paused: boolean;
  replicas: number;
  restartAt?: string;
  trafficRouting: boolean;
}

function specOf(definition: RolloutDefinition, status: RolloutStatus): ArgoPhaseSpec {
  return {
    paused: status.paused,
    replicas: definition.replicas,
    ...(definition.restartAt !== undefined ? { restartAt: definition.restartAt } : {}),
    trafficRouting: definition.canary.trafficRouting !== undefined,
  };
}

/** CalculateRolloutPhase for a canary, line by line: the phase and message the controller writes. */
export function calculateRolloutPhase(
  spec: ArgoPhaseSpec,
  status: ArgoRolloutStatus,
): { phase: ArgoRolloutPhase; message: string } {
  for (const cond of status.conditions ?? []) {
    if (cond.type === 'InvalidSpec') return { phase: 'Degraded', message: `InvalidSpec: ${cond.message}` };
    if (cond.reason === 'RolloutAborted' || cond.reason === 'ProgressDeadlineExceeded')
      return { phase: 'Degraded', message: `${cond.reason}: ${cond.message}` };
  }
  if (spec.paused) return { phase: 'Paused', message: 'manually paused' };
  const pause = status.pauseConditions?.[0];
  if (pause) return { phase: 'Paused', message: pause.reason };
  if (restartPending(spec.restartAt, status.restartedAt))
    return { phase: 'Progressing', message: 'rollout is restarting' };
  const updated = status.updatedReplicas ?? 0;
  if (updated < spec.replicas) return { phase: 'Progressing', message: 'more replicas need to be updated' };
  if ((status.availableReplicas ?? 0) < updated)
    return { phase: 'Progressing', message: 'updated replicas are still becoming available' };
  // Without a router only: with one, scaleDownDelay keeps old pods up long after the update.
  if (!spec.trafficRouting && (status.replicas ?? 0) > updated)
    return { phase: 'Progressing', message: 'old replicas are pending termination' };
  if (!status.stableRS || status.stableRS !== status.currentPodHash)
    return { phase: 'Progressing', message: 'waiting for all steps to complete' };
  return { phase: 'Healthy', message: '' };
}

// ---- currentStepHash (utils/conditions/conditions.go ComputeStepHash)

function currentStepHash(definition: RolloutDefinition, raw: unknown): string {
  const steps = raw !== undefined ? raw : argoStepsOf(definition.canary.steps);
  return computeStepHash(goStepsJson(steps));
}

/** ComputeStepHash: FNV-1a 32 over json.Marshal(spec.strategy.canary.steps), its decimal safe-encoded. */
export function computeStepHash(stepsJson: string): string {
  return safeEncode(String(fnv1a32(stepsJson)));
}

/**
 * Our normalized steps back in Argo's JSON, for when the object's own are not at hand. Exact for
 * everything but what normalizing forgot: a pause duration is written as whole seconds (`30`, not
 * `"30s"`), `clusterScope: false` as absent; no steps as none (`null`, not `[]`).
 */
export function argoStepsOf(steps: readonly CanaryStep[]): unknown[] | null {
  if (steps.length === 0) return null;
  return steps.map(argoStepOf);
}

function argoStepOf(step: CanaryStep): Record<string, unknown> {
  switch (step.kind) {
    case 'setWeight':
      return { setWeight: step.weight };
    case 'pause':
      return {
        pause: step.durationSeconds === undefined ? {} : { duration: argoDuration(step.durationSeconds) },
      };
    case 'setCanaryScale':
      return {
        setCanaryScale: {
          weight: step.weight,
          replicas: step.replicas,
          matchTrafficWeight: step.matchTrafficWeight,
        },
      };
    case 'analysis':
      return {
        analysis: {
          templates: step.templates.map((t) => ({
            templateName: t.templateName,
            ...(t.clusterScope ? { clusterScope: true } : {}),
          })),
          args: step.args,
          dryRun: step.rules?.dryRun,
          measurementRetention: step.rules?.measurementRetention,
        },
      };
  }
}

/** Whole seconds as an IntOrString int; a fraction as Go's duration text. */
function argoDuration(seconds: number): number | string {
  return Number.isInteger(seconds) ? seconds : `${seconds}s`;
}

// ---- Go's json.Marshal of []v1alpha1.CanaryStep, from the steps as JSON

/**
 * One field of a Go struct: its JSON name, its type, and whether it is `omitempty`. A pointer is
 * written whenever set (even to a zero value); a value type with omitempty is left out when zero.
 */
type GoType =
  | { kind: 'int' | 'string' | 'bool' | 'intOrString' | 'stringMap'; pointer?: boolean }
  | { kind: 'struct'; fields: GoField[]; pointer?: boolean }
  | { kind: 'list'; of: GoType };
type GoField = [name: string, type: GoType, omitEmpty: boolean];

const int: GoType = { kind: 'int' };
const str: GoType = { kind: 'string' };
const ptr = (type: GoType): GoType => ({ ...type, pointer: true }) as GoType;
const struct = (...fields: GoField[]): GoType => ({ kind: 'struct', fields });
const list = (of: GoType): GoType => ({ kind: 'list', of });

/**
 * pkg/apis/rollouts/v1alpha1 types.go, the kinds of step we run (experiment, setHeaderRoute,
 * setMirrorRoute and plugin are refused before a definition exists, so never met here).
 */
const ROLLOUT_ANALYSIS = struct(
  [
    'templates',
    list(struct(['templateName', str, false], ['clusterScope', ptr({ kind: 'bool' }), true])),
    true,
  ],
  [
    'args',
    list(
      struct(
        ['name', str, false],
        ['value', str, true],
        [
          'valueFrom',
          ptr(
            struct(
              ['podTemplateHashValue', ptr(str), true],
              ['fieldRef', ptr(struct(['fieldPath', str, false])), true],
            ),
          ),
          true,
        ],
      ),
    ),
    true,
  ],
  ['dryRun', list(struct(['metricName', str, false])), true],
  ['measurementRetention', list(struct(['metricName', str, false], ['limit', int, false])), true],
  [
    'analysisRunMetadata',
    ptr(struct(['labels', { kind: 'stringMap' }, true], ['annotations', { kind: 'stringMap' }, true])),
    true,
  ],
);

const CANARY_STEP = struct(
  ['setWeight', ptr(int), true],
  ['pause', ptr(struct(['duration', ptr({ kind: 'intOrString' }), true])), true],
  ['analysis', ptr(ROLLOUT_ANALYSIS), true],
  [
    'setCanaryScale',
    ptr(
      struct(
        ['weight', ptr(int), true],
        ['replicas', ptr(int), true],
        ['matchTrafficWeight', { kind: 'bool' }, true],
      ),
    ),
    true,
  ],
);

/**
 * json.Marshal of the steps after json.Unmarshal into []CanaryStep: fields in struct order, unknown
 * ones dropped, JSON null as a nil pointer, omitempty as Go applies it. `null`/absent gives `null`.
 */
export function goStepsJson(steps: unknown): string {
  return encode(list(CANARY_STEP), steps === undefined ? null : steps);
}

function encode(type: GoType, value: unknown): string {
  switch (type.kind) {
    case 'int':
      return typeof value === 'number' ? String(Math.trunc(value)) : '0';
    case 'string':
      return goString(typeof value === 'string' ? value : '');
    case 'bool':
      return value === true ? 'true' : 'false';
    case 'intOrString':
      return typeof value === 'number'
        ? String(Math.trunc(value))
        : goString(typeof value === 'string' ? value : '');
    case 'stringMap':
      return encodeMap(value);
    case 'list':
      if (!Array.isArray(value)) return 'null';
      return `[${value.map((item) => encode(type.of, item)).join(',')}]`;
    case 'struct':
      return encodeStruct(type.fields, isObject(value) ? value : {});
  }
}

function encodeStruct(fields: GoField[], value: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [name, type, omitEmpty] of fields) {
    const field = value[name];
    if (omitEmpty && isEmpty(type, field)) continue;
    if (type.kind !== 'list' && type.pointer && (field === undefined || field === null)) {
      parts.push(`${goString(name)}:null`);
      continue;
    }
    parts.push(`${goString(name)}:${encode(type, field)}`);
  }
  return `{${parts.join(',')}}`;
}

/** Go's isEmptyValue after decoding: a nil pointer, a zero number, "", false, an empty list or map. */
function isEmpty(type: GoType, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (type.kind !== 'list' && type.pointer) return false;
  switch (type.kind) {
    case 'int':
      return typeof value !== 'number' || Math.trunc(value) === 0;
    case 'string':
      return value === '' || typeof value !== 'string';
    case 'bool':
      return value !== true;
    case 'list':
      return !Array.isArray(value) || value.length === 0;
    case 'stringMap':
      return !isObject(value) || Object.keys(value).length === 0;
    default:
      return false;
  }
}

/** A map[string]string: Go sorts the keys (byte order: UTF-16 order is the same for these). */
function encodeMap(value: unknown): string {
  if (!isObject(value)) return 'null';
  const keys = Object.keys(value).sort(byteOrder);
  const text = (v: unknown) => goString(typeof v === 'string' ? v : '');
  return `{${keys.map((k) => `${goString(k)}:${text(value[k])}`).join(',')}}`;
}

/**
 * encoding/json's string: as JSON.stringify, but <, >, & and U+2028/9 escaped (HTML-safe), and a
 * lone surrogate (no UTF-8 for it) written as U+FFFD.
 */
export function goString(text: string): string {
  const wellFormed = text.replace(
    /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
  return JSON.stringify(wellFormed).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

// ---- small formats

/** metav1.FormatLabelSelector of matchLabels: `k=v` sorted by key, comma-joined; `<none>` when empty. */
export function formatLabelSelector(matchLabels: Labels): string {
  const keys = Object.keys(matchLabels).sort(byteOrder);
  if (keys.length === 0) return '<none>';
  return keys.map((key) => `${key}=${matchLabels[key] ?? ''}`).join(',');
}

/** metav1.Time's JSON: UTC, RFC 3339, fractional seconds cut off (Go's Format truncates). */
export function metaTime(time: string): string {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) return time;
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sum(values: number[]): number {
  return values.reduce((total, v) => total + v, 0);
}

function nonZero<K extends string>(key: K, value: number): { [k in K]?: number } {
  return (value !== 0 ? { [key]: value } : {}) as { [k in K]?: number };
}

function nonEmpty<K extends string>(key: K, value: string | undefined): { [k in K]?: string } {
  return (value !== undefined && value !== '' ? { [key]: value } : {}) as { [k in K]?: string };
}
