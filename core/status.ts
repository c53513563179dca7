// The rollout status (DESIGN.md §6): what the `status` query returns, `rollouts get` prints and
// `-o json` emits. Plain JSON; times are ISO-8601 strings.
import type { AnalysisPhase, AnalysisRunStatus } from './analysis/types.js';

export type RolloutPhase = 'Healthy' | 'Progressing' | 'Paused' | 'Degraded';

export type PauseReason = 'CanaryPauseStep' | 'PausedByUser' | 'InconclusiveAnalysis';

export interface PauseCondition {
  reason: PauseReason;
  startTime: string;
  /** Set for a timed pause: when it ends by itself. */
  until?: string;
}

export interface RevisionStatus {
  revision: number;
  podTemplateHash: string;
  /** container name → image */
  images: Record<string, string>;
}

export interface WeightStatus {
  canary: number;
  stable: number;
  /** The router read the weights back and they matched; absent without traffic routing. */
  verified?: boolean;
  /** The pod-template hash the canary Service selects, once the rollout has pointed it (Argo's weights.canary.podTemplateHash). */
  canaryPodTemplateHash?: string;
  /** The same for the stable Service. */
  stablePodTemplateHash?: string;
}

export type ReplicaSetRole = 'stable' | 'canary' | 'old';

export interface ReplicaSetStatus {
  name: string;
  podTemplateHash: string;
  revision: number;
  role: ReplicaSetRole;
  /** spec.replicas as the rollout last wrote it. */
  desiredReplicas: number;
  /**
   * status.replicas, the pods it has (not terminating), as last observed: absent when not observed
   * (histories from before, or never waited for since its last scale).
   */
  replicas?: number;
  /** status.readyReplicas as last observed; absent: not observed (availableReplicas stands in). */
  readyReplicas?: number;
  availableReplicas?: number;
  /** When a delayed scale-down to zero is due. */
  scaleDownAt?: string;
}

export interface StepStatus {
  index: number;
  /** Human text of the step, e.g. "setWeight: 20", "pause: 60s", "pause: until promoted". */
  text: string;
}

export interface RolloutCondition {
  type: 'Progressing' | 'Available' | 'Paused' | 'ProgressDeadlineExceeded' | 'Aborted' | 'InvalidSpec';
  status: boolean;
  reason: string;
  message: string;
  /** When the status last changed (Argo's rule: kept while only the reason or message changes). */
  lastTransitionTime: string;
  /**
   * When the status, reason or message last changed. Absent in state carried from before it was kept:
   * lastTransitionTime then moved at every such change, so it is this time.
   */
  lastUpdateTime?: string;
}

/** An AnalysisRun of this rollout; its live metrics come from the run's own workflow. */
export interface AnalysisRunRef {
  workflowId: string;
  name: string;
  kind: 'background' | 'step';
  revision: number;
  stepIndex?: number;
  phase: AnalysisPhase;
  message?: string;
  /** Filled in by the client from the run's `status` query. */
  live?: AnalysisRunStatus;
}

export interface RolloutStatus {
  name: string;
  namespace: string;
  phase: RolloutPhase;
  message: string;
  /** Index into `steps`; equal to steps.length once every step has run; null before the first canary. */
  currentStepIndex: number | null;
  steps: StepStatus[];
  pauseConditions: PauseCondition[];
  /** The user paused the rollout (`spec.paused` or the `pause` signal). */
  paused: boolean;
  aborted: boolean;
  abortedAt?: string;
  stableRevision?: RevisionStatus;
  canaryRevision?: RevisionStatus;
  weights: WeightStatus;
  /** spec.replicas: the pods the rollout asks for once complete. */
  replicas: number;
  replicaSets: ReplicaSetStatus[];
  conditions: RolloutCondition[];
  /** The latest AnalysisRuns (background and step), newest last. */
  analysisRuns: AnalysisRunRef[];
  /** Highest revision number given so far. */
  revision: number;
  /** The spec.restartAt whose pod restart is done (Argo's status.restartedAt). */
  restartedAt?: string;
  /** The Rollout object driving this rollout (absent when it is driven by `rollouts apply` alone). */
  cluster?: { uid: string; observedGeneration: number };
  updatedAt: string;
}
