// Every message the workflows understand and every workflow id, defined once and imported by the
// client, so both sides share one typed name. The rollout's signals carry the plain names (`promote`,
// `abort`, …) so the Temporal UI and `temporal workflow signal` can send them; updates of the same
// names give the CLI an immediate answer, and their validators reject what does not apply without
// touching history. An AnalysisRun (a child of its rollout) answers `status` and hears `terminate`.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { AnalysisRunStatus } from '../core/analysis/types.js';
import type { RolloutStatus } from '../core/status.js';
import type { RolloutDefinition } from '../core/types.js';

export interface PromoteInput {
  /** Skip every remaining step and go straight to full promotion. */
  full?: boolean;
}

export interface AbortInput {
  /** At most MAX_REASON_LENGTH (core/limits.ts) characters. */
  reason?: string;
}

/** A new revision: a whole new definition (`apply`), or one container's image (`set image`). */
export interface DeployInput {
  rollout?: RolloutDefinition;
  image?: { container: string; image: string };
  /** The lint message of a generation of the Rollout object that cannot run (with `cluster`). */
  invalidSpec?: string;
  /** The Rollout object this definition was read from (the watcher): taken once per generation. */
  cluster?: ClusterSource;
}

/** A Rollout object in the cluster: its uid and the metadata.generation of the spec that was read. */
export interface ClusterSource {
  uid: string;
  generation: number;
  /** Argo's currentStepHash of the object's steps as written (core/argo-status.ts), for its status. */
  stepHash?: string;
}

export type EmptyInput = Record<string, never>;

/**
 * The one field of what the worker's payload codec (worker/payload-codec.ts) hands the workflow in
 * place of a payload it could not read; its value says why.
 */
export const UNREADABLE_PAYLOAD = '$unreadablePayload';

export interface ActionResult {
  /** One line for the person who asked, e.g. "promoted myapp: step 2/8 → setWeight: 40". */
  message: string;
}

export const promoteSignal = defineSignal<[PromoteInput?]>('promote');
export const abortSignal = defineSignal<[AbortInput?]>('abort');
export const retrySignal = defineSignal<[EmptyInput?]>('retry');
export const deploySignal = defineSignal<[DeployInput]>('deploy');
export const pauseSignal = defineSignal<[EmptyInput?]>('pause');
export const resumeSignal = defineSignal<[EmptyInput?]>('resume');

export const promoteUpdate = defineUpdate<ActionResult, [PromoteInput]>('promote');
export const abortUpdate = defineUpdate<ActionResult, [AbortInput]>('abort');
export const retryUpdate = defineUpdate<ActionResult, [EmptyInput]>('retry');
export const deployUpdate = defineUpdate<ActionResult, [DeployInput]>('deploy');
export const pauseUpdate = defineUpdate<ActionResult, [EmptyInput]>('pause');
export const resumeUpdate = defineUpdate<ActionResult, [EmptyInput]>('resume');

export const statusQuery = defineQuery<RolloutStatus>('status');

/** The rollout ends the AnalysisRun (its steps are done, or it is interrupted): it ends Successful. */
export const terminateAnalysisSignal = defineSignal('terminate');
/** An AnalysisRun's live metrics and measurements (the rollout's own status keeps only its verdict). */
export const analysisStatusQuery = defineQuery<AnalysisRunStatus>('status');

export const ROLLOUT_WORKFLOW_TYPE = 'rolloutWorkflow';

/** What every rollout's workflow id starts with. */
export const ROLLOUT_WORKFLOW_ID_PREFIX = 'rollout:';

/** One workflow per Rollout: `rollout:<namespace>/<name>`. */
export function rolloutWorkflowId(namespace: string, name: string): string {
  return `${ROLLOUT_WORKFLOW_ID_PREFIX}${namespace}/${name}`;
}

/** What the workflow ids of the rollouts of one namespace (or of all, without one) start with. */
export function rolloutWorkflowIdPrefix(namespace?: string): string {
  return namespace ? `${ROLLOUT_WORKFLOW_ID_PREFIX}${namespace}/` : ROLLOUT_WORKFLOW_ID_PREFIX;
}

/** The rollout a workflow id names, or undefined when it is not a rollout's id. */
export function parseRolloutWorkflowId(workflowId: string): { namespace: string; name: string } | undefined {
  if (!workflowId.startsWith(ROLLOUT_WORKFLOW_ID_PREFIX)) return undefined;
  const rest = workflowId.slice(ROLLOUT_WORKFLOW_ID_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  return { namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

/**
 * The `counter`-th AnalysisRun a rollout started (counted across its revisions), for revision
 * `revision`: `analysis:<namespace>/<name>:rev<N>:<counter>`.
 */
export function analysisRunWorkflowId(
  namespace: string,
  name: string,
  revision: number,
  counter: number,
): string {
  return `analysis:${namespace}/${name}:rev${revision}:${counter}`;
}
