// The rollout entity's state: plain data that survives continue-as-new, what this run is doing now and
// what its messages asked for, plus the rules that turn it into the status the `status` query returns.
// No I/O, no timers: the workflow drives, this remembers.
import { podTemplateHash, templateImages } from '../core/hash.js';
import { podTemplateDigest } from '../core/pod-template-defaults.js';
import type { CanaryScale } from '../core/replicas.js';
import type {
  AnalysisRunRef,
  PauseCondition,
  ReplicaSetRole,
  ReplicaSetStatus,
  RevisionStatus,
  RolloutCondition,
  RolloutPhase,
  RolloutStatus,
  WeightStatus,
} from '../core/status.js';
import type { ReplicaSetCreation } from '../core/rollback-window.js';
import { describeStep } from '../core/steps.js';
import type { PodMetadata, RolloutDefinition } from '../core/types.js';
import type { StampedRolloutStatus } from '../activities/interface.js';
import type { ClusterSource } from './messages.js';
import { PendingRequests } from './pending-requests.js';

export interface Revision {
  number: number;
  hash: string;
  definition: RolloutDefinition;
}

export interface TrackedReplicaSet {
  name: string;
  hash: string;
  revision: number;
  /**
   * The revision that created it (a rollback reuses it under a newer `revision`): its place in creation
   * order, as Argo's creationTimestamp. Absent in histories from before: `revision` stands in.
   */
  createdRevision?: number;
  desiredReplicas: number;
  /**
   * What its status last said, for Argo's status counts (core/argo-status.ts): status.replicas and
   * status.readyReplicas, absent until observed by a wait that returns them (state carried from
   * before has neither). availableReplicas also feeds the basic canary's math.
   */
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  /** Epoch milliseconds at which a delayed scale-down to zero is due. */
  scaleDownAt?: number;
  /** Scheduled with no delay: due in the very task that set it, so acted on without a timer. */
  scaleDownAtOnce?: true;
  /**
   * The digest of its template with Kubernetes' defaults (core/pod-template-defaults.ts): a template
   * written otherwise but making the same pods finds it. Absent in histories from before.
   */
  templateDigest?: string;
  /** The ephemeral metadata last given to its template and pods (null: none); absent: never managed. */
  podMetadata?: PodMetadata | null;
}

/** Everything carried across continue-as-new. */
export interface CarriedState {
  desired: Revision;
  stable?: Revision;
  revisionCounter: number;
  currentStepIndex: number | null;
  aborted?: { at: number; message: string };
  userPaused: boolean;
  weights: WeightStatus;
  replicaSets: TrackedReplicaSet[];
  canaryScale?: CanaryScale;
  conditions: RolloutCondition[];
  /** Numbers AnalysisRun workflow ids; optional so that older histories replay. */
  analysisCounter?: number;
  analysisRuns?: AnalysisRunRef[];
  /** Service name → the pod-template hash the rollout last pointed it at; optional for older histories. */
  serviceHashes?: Record<string, string>;
  /** Set once patched(EPHEMERAL_POD_METADATA) said this history manages pod metadata (pod-metadata.ts). */
  podMetadataManaged?: true;
  /** The spec.restartAt whose pod restart is done (Argo's status.restartedAt). */
  restartedAt?: string;
  /** Set once the rollout is driven by a Rollout object: the object and the last generation taken. */
  cluster?: ClusterSource;
  /** The status last written onto the Rollout object (workflows/status-writer.ts). */
  statusWritten?: StampedRolloutStatus;
  /** When the status writer began (epoch ms): the time of conditions that have none of their own. */
  statusSince?: number;
}

export interface RolloutWorkflowInput {
  rollout: RolloutDefinition;
  carried?: CarriedState;
}

export function revisionFor(definition: RolloutDefinition, number: number): Revision {
  return { number, hash: podTemplateHash(definition.template), definition };
}

export function initialState(rollout: RolloutDefinition): CarriedState {
  return {
    desired: revisionFor(rollout, 1),
    revisionCounter: 1,
    currentStepIndex: null,
    userPaused: rollout.paused,
    weights: { canary: 0, stable: 100 },
    replicaSets: [],
    conditions: [],
  };
}

export function replicaSetName(rollout: string, hash: string): string {
  return `${rollout}-${hash}`;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * What the rollout is doing right now, beyond the carried state; used to derive the phase. (Not a
 * Temporal activity: those are the calls in workflows/activities.ts.)
 */
export interface CurrentWork {
  /** A pause step, the user's pause or an inconclusive analysis is waiting. */
  pause?: PauseCondition;
  /** Progress deadline passed while waiting for pods. */
  deadlineExceeded?: string;
  /** Free text of what is in progress, e.g. "waiting for myapp-abc to be available". */
  message?: string;
}

export class RolloutState {
  /** What promote, abort and pause asked for: requests.ts records it, the steps act on it. */
  readonly requests = new PendingRequests(() => this.data);
  /** True while the control loop acts (rolling back, rescaling): not Healthy until it is done. */
  reconciling = false;
  /** True while an analysis step runs that a promote may skip (runs begun before cannot). */
  analysisStepSkippable = false;
  /** Hears every change of `work`, which may change the phase (the controller publishes it). */
  onWorkChange: () => void = () => undefined;
  private current: CurrentWork = {};

  constructor(
    public data: CarriedState,
    public now: () => number,
  ) {}

  /** What the rollout is doing now; not carried: a new run starts doing nothing. */
  get work(): CurrentWork {
    return this.current;
  }

  set work(work: CurrentWork) {
    this.current = work;
    this.onWorkChange();
  }

  get desired(): Revision {
    return this.data.desired;
  }

  get stable(): Revision | undefined {
    return this.data.stable;
  }

  get definition(): RolloutDefinition {
    return this.data.desired.definition;
  }

  /** A canary is being worked on (possibly paused or aborted). */
  get canaryInProgress(): boolean {
    return this.data.stable !== undefined && this.data.stable.hash !== this.data.desired.hash;
  }

  get healthy(): boolean {
    return this.data.stable !== undefined && !this.canaryInProgress;
  }

  /**
   * Records a new template; returns false when it is the one already desired. `sameAs` (from
   * `replicaSetFor`) names the existing ReplicaSet whose pods it makes, written otherwise.
   */
  acceptDefinition(definition: RolloutDefinition, sameAs?: string): boolean {
    const hash = sameAs ?? podTemplateHash(definition.template);
    if (hash === this.data.desired.hash) {
      this.data.desired = { ...this.data.desired, definition };
      if (this.data.stable?.hash === hash) this.data.stable = { ...this.data.stable, definition };
      return false;
    }
    this.data.revisionCounter += 1;
    this.data.desired = { number: this.data.revisionCounter, hash, definition };
    return true;
  }

  /**
   * Argo's FindNewReplicaSet for a template whose own hash names no ReplicaSet of ours: the hash of
   * the first one, in creation order, whose template is the same with Kubernetes' defaults applied
   * (the plugin's undo writes a ReplicaSet's server-defaulted template back). Undefined: none is.
   */
  replicaSetFor(definition: RolloutDefinition): string | undefined {
    const own = podTemplateHash(definition.template);
    if (own === this.data.desired.hash || this.replicaSet(own)) return undefined;
    const digest = podTemplateDigest(definition.template);
    const revisions = [this.data.desired, this.data.stable].filter((r): r is Revision => r !== undefined);
    const digestOf = (rs: TrackedReplicaSet): string | undefined => {
      if (rs.templateDigest !== undefined) return rs.templateDigest;
      const revision = revisions.find((r) => r.hash === rs.hash);
      return revision && podTemplateDigest(revision.definition.template);
    };
    const byCreation = [...this.data.replicaSets].sort(
      (a, b) => (a.createdRevision ?? a.revision) - (b.createdRevision ?? b.revision),
    );
    const found = byCreation.find((rs) => digestOf(rs) === digest)?.hash;
    if (found !== undefined) return found;
    // The desired revision before its ReplicaSet exists (created at its first step).
    const desired = this.data.desired;
    return podTemplateDigest(desired.definition.template) === digest ? desired.hash : undefined;
  }

  trackReplicaSet(rs: TrackedReplicaSet): void {
    const existing = this.data.replicaSets.find((r) => r.hash === rs.hash);
    if (existing)
      Object.assign(existing, rs, { createdRevision: existing.createdRevision ?? existing.revision });
    else this.data.replicaSets.push({ ...rs, createdRevision: rs.createdRevision ?? rs.revision });
  }

  /** The rollout's ReplicaSets in creation order terms, for the rollback window (core/rollback-window.ts). */
  replicaSetCreations(): ReplicaSetCreation[] {
    return this.data.replicaSets.map((rs) => ({
      hash: rs.hash,
      createdRevision: rs.createdRevision ?? rs.revision,
    }));
  }

  replicaSet(hash: string): TrackedReplicaSet | undefined {
    return this.data.replicaSets.find((r) => r.hash === hash);
  }

  forgetReplicaSets(names: string[]): void {
    this.data.replicaSets = this.data.replicaSets.filter((r) => !names.includes(r.name));
  }

  /**
   * Argo's SetRolloutCondition: nothing when status, reason and message are unchanged; otherwise
   * lastUpdateTime is now, and lastTransitionTime stays unless the status changed. (Argo's own compares
   * status and reason only; its Progressing, whose message names the ReplicaSet, is replaced as here.)
   */
  setCondition(type: RolloutCondition['type'], status: boolean, reason: string, message: string): void {
    const existing = this.data.conditions.find((c) => c.type === type);
    if (existing && existing.status === status && existing.reason === reason && existing.message === message)
      return;
    const now = iso(this.now());
    const since = existing && existing.status === status ? existing.lastTransitionTime : now;
    const condition = { type, status, reason, message, lastTransitionTime: since, lastUpdateTime: now };
    this.data.conditions = [...this.data.conditions.filter((c) => c.type !== type), condition];
  }

  clearCondition(type: RolloutCondition['type']): void {
    this.data.conditions = this.data.conditions.filter((c) => c.type !== type);
  }

  /** The weights and, as Argo's status.canary.weights, the hash each Service was last pointed at. */
  private weightStatus(): WeightStatus {
    const { canaryService, stableService } = this.definition.canary;
    const hashes = this.data.serviceHashes ?? {};
    const canaryHash = canaryService === undefined ? undefined : hashes[canaryService];
    const stableHash = stableService === undefined ? undefined : hashes[stableService];
    return {
      ...this.data.weights,
      ...(canaryHash !== undefined ? { canaryPodTemplateHash: canaryHash } : {}),
      ...(stableHash !== undefined ? { stablePodTemplateHash: stableHash } : {}),
    };
  }

  phase(): { phase: RolloutPhase; message: string } {
    const name = this.definition.name;
    const work = this.work;
    const invalid = this.data.conditions.find((c) => c.type === 'InvalidSpec' && c.status);
    if (invalid) return { phase: 'Degraded', message: `InvalidSpec: ${invalid.message}` };
    if (this.data.aborted)
      return { phase: 'Degraded', message: `RolloutAborted: ${this.data.aborted.message}` };
    if (work.deadlineExceeded)
      return { phase: 'Degraded', message: `ProgressDeadlineExceeded: ${work.deadlineExceeded}` };
    if (work.pause) return { phase: 'Paused', message: this.pauseMessage(work.pause) };
    if (this.data.stable === undefined)
      return { phase: 'Progressing', message: work.message ?? `deploying the first revision of ${name}` };
    if (this.canaryInProgress || this.reconciling)
      return { phase: 'Progressing', message: work.message ?? 'updating' };
    return { phase: 'Healthy', message: work.message ?? '' };
  }

  private pauseMessage(pause: PauseCondition): string {
    switch (pause.reason) {
      case 'CanaryPauseStep':
        return pause.until ? `CanaryPauseStep: until ${pause.until}` : 'CanaryPauseStep: waiting for promote';
      case 'PausedByUser':
        return 'PausedByUser: waiting for resume';
      case 'InconclusiveAnalysis':
        return 'InconclusiveAnalysis: waiting for promote or abort';
    }
  }

  private revisionStatus(rev: Revision | undefined): RevisionStatus | undefined {
    if (!rev) return undefined;
    return {
      revision: rev.number,
      podTemplateHash: rev.hash,
      images: templateImages(rev.definition.template),
    };
  }

  private role(hash: string): ReplicaSetRole {
    if (hash === this.data.stable?.hash) return 'stable';
    if (hash === this.data.desired.hash) return 'canary';
    return 'old';
  }

  status(): RolloutStatus {
    const def = this.definition;
    const { phase, message } = this.phase();
    const pause = this.work.pause;
    const pauseConditions = pause ? [pause] : [];
    if (this.data.userPaused && !pause && this.canaryInProgress)
      pauseConditions.push({ reason: 'PausedByUser', startTime: iso(this.now()) });
    const replicaSets: ReplicaSetStatus[] = [...this.data.replicaSets]
      .sort((a, b) => b.revision - a.revision)
      .map((rs) => ({
        name: rs.name,
        podTemplateHash: rs.hash,
        revision: rs.revision,
        role: this.role(rs.hash),
        desiredReplicas: rs.desiredReplicas,
        ...(rs.replicas !== undefined ? { replicas: rs.replicas } : {}),
        ...(rs.readyReplicas !== undefined ? { readyReplicas: rs.readyReplicas } : {}),
        ...(rs.availableReplicas !== undefined ? { availableReplicas: rs.availableReplicas } : {}),
        ...(rs.scaleDownAt !== undefined ? { scaleDownAt: iso(rs.scaleDownAt) } : {}),
      }));
    return {
      name: def.name,
      namespace: def.namespace,
      phase,
      message,
      currentStepIndex: this.data.currentStepIndex,
      steps: def.canary.steps.map((step, index) => ({ index, text: describeStep(step) })),
      pauseConditions,
      paused: this.data.userPaused,
      aborted: this.data.aborted !== undefined,
      ...(this.data.aborted ? { abortedAt: iso(this.data.aborted.at) } : {}),
      ...(this.data.stable ? { stableRevision: this.revisionStatus(this.data.stable) } : {}),
      ...(this.canaryInProgress ? { canaryRevision: this.revisionStatus(this.data.desired) } : {}),
      weights: this.weightStatus(),
      replicas: def.replicas,
      replicaSets,
      conditions: [...this.data.conditions],
      analysisRuns: (this.data.analysisRuns ?? []).map((run) => ({ ...run })),
      revision: this.data.revisionCounter,
      ...(this.data.restartedAt !== undefined ? { restartedAt: this.data.restartedAt } : {}),
      ...(this.data.cluster
        ? { cluster: { uid: this.data.cluster.uid, observedGeneration: this.data.cluster.generation } }
        : {}),
      updatedAt: iso(this.now()),
    };
  }
}
