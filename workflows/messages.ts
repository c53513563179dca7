// Every message the rollout workflow understands, defined once and imported by the client, so both
// sides share one typed name. Signals carry the plain names (`promote`, `abort`, …) so the Temporal
// UI and `temporal workflow signal` can send them; updates of the same names give the CLI an
// immediate answer, and their validators reject what does not apply without touching history.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
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

export const ROLLOUT_WORKFLOW_TYPE = 'rolloutWorkflow';

/** One workflow per Rollout. */
export function rolloutWorkflowId(namespace: string, name: string): string {
  return `rollout:${namespace}/${name}`;
}
