// An update the server dropped before the workflow accepted it is sent again, so `rollouts set image`
// rides out a worker crash instead of failing with "Workflow Update failed". Temporal's server aborts
// an update it had handed to a workflow task that then failed (the worker was killed mid-task) with
// WorkflowNotReady, and one whose registry was cleared with Unavailable once its own retries run out
// (docs/architecture/workflow-update.md in temporalio/temporal). Neither was accepted, so sending it
// again cannot apply it twice.
import { randomUUID } from 'node:crypto';
import { ServiceError } from '@temporalio/client';

const GRPC_FAILED_PRECONDITION = 9;
const GRPC_UNAVAILABLE = 14;

export interface UpdateRetryOptions {
  /** How long to keep sending an update the server dropped; past it, its error is thrown. */
  budgetMs?: number;
  /** First pause between attempts; it doubles up to maxDelayMs. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type DroppedUpdate = 'not-accepted' | 'maybe-accepted';

/**
 * Why the server gave up on an update before the workflow accepted it, or undefined for any other error.
 * 'not-accepted': the workflow saw it but its task failed; the server keeps it as aborted, so it
 * must go again under a new id. 'maybe-accepted': Unavailable says nothing sure, so it goes again
 * under the same id, which the server answers with the first outcome if there was one.
 */
export function droppedUpdate(err: unknown): DroppedUpdate | undefined {
  if (!(err instanceof ServiceError)) return undefined;
  const cause = err.cause as { code?: unknown; details?: unknown } | undefined;
  if (cause?.code === GRPC_UNAVAILABLE) return 'maybe-accepted';
  if (cause?.code === GRPC_FAILED_PRECONDITION && /workflow task failure/i.test(String(cause.details)))
    return 'not-accepted';
  return undefined;
}

/** Runs send(updateId) until it is answered, sending again while the server drops the update. */
export async function sendUpdate<T>(
  send: (updateId: string) => Promise<T>,
  options: UpdateRetryOptions = {},
): Promise<T> {
  const {
    budgetMs = 180_000,
    firstDelayMs = 500,
    maxDelayMs = 5_000,
    sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
    now = Date.now,
  } = options;
  const giveUpAt = now() + budgetMs;
  let updateId = randomUUID();
  for (let delay = firstDelayMs; ; delay = Math.min(delay * 2, maxDelayMs)) {
    try {
      return await send(updateId);
    } catch (err) {
      const dropped = droppedUpdate(err);
      if (dropped === undefined || now() + delay > giveUpAt) throw err;
      if (dropped === 'not-accepted') updateId = randomUUID();
      await sleep(delay);
    }
  }
}
