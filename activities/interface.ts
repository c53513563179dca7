// The contract between the workflows and the world, both halves of it: the cluster activities the
// rollout calls and the `measure` activity its AnalysisRuns call. The workflows call these by name
// through proxyActivities (workflows/activities.ts) and never learn which traffic router, cluster or
// metric provider sits behind them; the worker registers what activities/index.ts builds. Inputs are
// names, namespaces and hashes (plus the pod template, once, to create a ReplicaSet); results are
// small, because both land in workflow history.
import type { MeasureInput, MeasureResult } from '../core/analysis/types.js';
import type { AntiAffinity, Labels, PodMetadata, PodTemplate, TrafficRouting } from '../core/types.js';
import type { IntOrPercent } from '../core/basic-canary.js';
import type { RolloutEvent } from '../core/cluster/events.js';
import type { WorkflowStamp } from '../core/cluster/requests.js';
import type { AnalysisRunTarget } from '../core/cluster/analysis-run-object.js';

export interface ReplicaSetRef {
  namespace: string;
  /** `<rollout>-<podTemplateHash>` */
  name: string;
}

export interface EnsureReplicaSetInput {
  namespace: string;
  rollout: string;
  podTemplateHash: string;
  revision: number;
  selector: Labels;
  template: PodTemplate;
  replicas: number;
  /** Pods count as available only after being ready this long (the ReplicaSet's own field). */
  minReadySeconds?: number;
  /**
   * Set with spec.strategy.canary.antiAffinity: `template` carries the injected term already, and a
   * ReplicaSet that exists gets its affinity from it again when Argo's would (core/affinity.ts).
   */
  antiAffinity?: { strategy: AntiAffinity; stableHash?: string };
  /**
   * The role's ephemeral metadata (canaryMetadata, stableMetadata; null: none): on the pod template
   * of a new ReplicaSet, synced onto one that exists (syncPodMetadata). Absent: not managed (before).
   */
  podMetadata?: PodMetadata | null;
  /** The Rollout object driving the rollout: the ReplicaSet's controller ownerReference (Argo's). */
  owner?: RolloutOwner;
}

/** A Rollout object, as the owner of what its rollout creates (the garbage collector's reference). */
export interface RolloutOwner {
  name: string;
  uid: string;
}

export interface EnsureReplicaSetResult {
  name: string;
  /** false when it already existed (a retry, or a revision seen before). */
  created: boolean;
}

export interface ScaleReplicaSetInput extends ReplicaSetRef {
  replicas: number;
}

export interface ReplicaSetAvailability {
  name: string;
  /** The available pods waited for (the input's `replicas`), not the ReplicaSet's status.replicas. */
  replicas: number;
  availableReplicas: number;
  /**
   * status.replicas and status.readyReplicas read with availableReplicas, for Argo's status counts.
   * Absent in results recorded before they were returned.
   */
  statusReplicas?: number;
  readyReplicas?: number;
}

export interface WaitForAvailableInput extends ReplicaSetRef {
  replicas: number;
  minReadySeconds: number;
}

export interface ServiceSelectorInput {
  namespace: string;
  service: string;
  rollout: string;
  podTemplateHash: string;
}

export interface SetWeightInput {
  namespace: string;
  rollout: string;
  routing: TrafficRouting;
  canaryService?: string;
  stableService?: string;
  /** 0..100; the stable side gets the rest, so the sum is always 100. */
  canaryWeight: number;
}

export interface WeightResult {
  canary: number;
  stable: number;
  /** What the server stored after the write is as written. */
  verified: boolean;
}

export interface ShiftTrafficInput {
  /** The canary's pods that must be available before the weight moves. */
  canaryPods: WaitForAvailableInput;
  /** Services put back on their hashes first (a read when they already are). */
  selectors: ServiceSelectorInput[];
  weight: SetWeightInput;
}

export interface ShiftTrafficResult {
  /** What the look found: null when the pods were not there (no weight written). */
  canary: ReplicaSetAvailability | null;
  weights?: WeightResult;
}

export interface UpdateHashInput {
  namespace: string;
  rollout: string;
  routing: TrafficRouting;
  canaryHash: string;
  stableHash: string;
}

export interface SyncPodMetadataInput extends ReplicaSetRef {
  /** What the ReplicaSet's pods carry now; null removes what was injected before. */
  podMetadata: PodMetadata | null;
}

export interface SyncPodMetadataResult {
  replicaSetChanged: boolean;
  podsChanged: number;
}

export interface PruneReplicaSetsInput {
  namespace: string;
  rollout: string;
  /** Hashes in use (stable, canary): never deleted. */
  keep: string[];
  revisionHistoryLimit: number;
}

export interface PruneResult {
  deleted: string[];
}

export interface RestartPodsInput {
  namespace: string;
  rollout: string;
  /** The Rollout's spec.selector.matchLabels: its pods are these, owned by one of its ReplicaSets. */
  selector: Labels;
  /** spec.restartAt (RFC 3339): pods created before it are restarted. */
  restartAt: string;
  replicas: number;
  /** The canary's, as written (absent: Argo's 25 %); they size how many pods go at once. */
  maxSurge?: IntOrPercent;
  maxUnavailable?: IntOrPercent;
  minReadySeconds: number;
}

export interface RestartPodsResult {
  /** Pods still created before restartAt (the ones just evicted included): 0 means done. */
  needsRestart: number;
  evicted: string[];
}

/**
 * Every activity is idempotent: Temporal may run one again after a crash or a timeout, so each reads
 * what is there and writes only the difference.
 */
/** A status in Argo's shape with our stamp (core/cluster/requests.ts), as written to a Rollout. */
export type StampedRolloutStatus = Record<string, unknown> & { temporal: WorkflowStamp };

export interface WriteRolloutStatusInput {
  namespace: string;
  name: string;
  /** The Rollout object the workflow is driven by: another one of the same name is not written. */
  uid: string;
  status: StampedRolloutStatus;
  /** The status last written, which the object holds unless someone changed it since. */
  previous?: StampedRolloutStatus;
  /** The Kubernetes Events this change tells (core/cluster/events.ts), recorded once it is written. */
  events?: RolloutEvent[];
}

export interface WriteRolloutStatusResult {
  written: boolean;
  /** Why nothing was written: the object is gone or replaced, a newer status is there, no change. */
  reason?: string;
}

/** One write of an AnalysisRun workflow's state onto its AnalysisRun object (activities/analysis-runs.ts). */
export interface MirrorAnalysisRunInput {
  namespace: string;
  /** The Rollout object and the run's place in it: name, labels and owner (core/cluster/analysis-run-object.ts). */
  target: AnalysisRunTarget;
  /** The AnalysisRun workflow: an object of the same name made for another run is not written. */
  workflowId: string;
  /** Its first run's id (the same across continue-as-new): a workflow id used again is another run. */
  runId: string;
  /** The object's name once a write made it (a collision suffix included); absent: not made yet. */
  name?: string;
  /** Rises by one with every write of this run: an older write never lands over a newer. */
  sequence: number;
  /** spec in Argo's shape: sent until the object is made (it is made with it). */
  spec?: Record<string, unknown>;
  /** spec.terminate: the rollout ended the run. */
  terminate: boolean;
  /** status in Argo's shape (the CRD has no status subresource: written with the object). */
  status: Record<string, unknown>;
  /** The run has ended: the rollout's older runs beyond Argo's history limits are deleted. */
  prune?: boolean;
}

export interface MirrorAnalysisRunResult {
  /** The object's name (with its collision suffix, `<base>.N`) when it exists and is this run's. */
  name?: string;
  written: boolean;
  /** Why nothing was written: a newer write is there, a retry, the object is gone. */
  reason?: string;
  /** The object was deleted (or replaced) since it was made: the run is mirrored no more. */
  gone?: boolean;
  /** Older AnalysisRuns of the rollout deleted by the history limits. */
  deleted?: string[];
}

export interface RolloutActivities {
  ensureReplicaSet(input: EnsureReplicaSetInput): Promise<EnsureReplicaSetResult>;
  scaleReplicaSet(input: ScaleReplicaSetInput): Promise<void>;
  /**
   * Heartbeats while it waits; returns once availableReplicas ≥ replicas and no pods beyond
   * spec.replicas are left (status.replicas ≤ spec.replicas). Cancellable.
   */
  waitForReplicaSetAvailable(input: WaitForAvailableInput): Promise<ReplicaSetAvailability>;
  /**
   * A weight step's traffic in one activity, for a canary that had its pods at this count when last
   * looked at: one look at them (the wait's rule), both Services put back on their hashes, then the
   * weight, written only if the pods are still there (else the result says so and the workflow waits).
   */
  shiftTraffic(input: ShiftTrafficInput): Promise<ShiftTrafficResult>;
  setServiceSelector(input: ServiceSelectorInput): Promise<void>;
  /** Subset-level routing: point the DestinationRule's subsets at the hashes (no-op for host-level). */
  updateTrafficHashes(input: UpdateHashInput): Promise<void>;
  setTrafficWeight(input: SetWeightInput): Promise<WeightResult>;
  pruneReplicaSets(input: PruneReplicaSetsInput): Promise<PruneResult>;
  /** A role's ephemeral metadata onto a ReplicaSet's pod template and its pods (Argo's). */
  syncPodMetadata(input: SyncPodMetadataInput): Promise<SyncPodMetadataResult>;
  /** One round of Argo's pod restart: evicts what the availability budget allows. */
  restartPods(input: RestartPodsInput): Promise<RestartPodsResult>;
  /** The rollout's state onto its Rollout object's status subresource, never over a newer one. */
  writeRolloutStatus(input: WriteRolloutStatusInput): Promise<WriteRolloutStatusResult>;
  /** An AnalysisRun workflow's state onto its AnalysisRun object (created), never over a newer one. */
  mirrorAnalysisRun(input: MirrorAnalysisRunInput): Promise<MirrorAnalysisRunResult>;
}

/**
 * What an AnalysisRun measures with. A provider's failure (Prometheus down, HTTP 500, a missing Secret)
 * is an Error measurement returned as data; only a bug in our own code throws.
 */
export interface MetricActivities {
  /** An arrow property, not a method: the worker (and the tests) call it detached from this object. */
  measure: (input: MeasureInput) => Promise<MeasureResult>;
}
