// Every "wait until promoted" of a canary, in one place: a `pause` step (timed or not), an
// inconclusive analysis (an `analysis` step's or the background run's) and the user's own pause. Each
// shows as a pause condition in the status, and ends early for whatever interrupts the revision.
import { condition } from '@temporalio/workflow';
import { formatDuration } from '../core/duration.js';
import type { PauseReason } from '../core/status.js';
import type { RolloutContext } from './context.js';
import type { Interrupt } from './pending-requests.js';
import type { Revision } from './state.js';

/**
 * Holds revision `rev` in a pause of `reason` until it is released (or `timeoutSeconds` pass, for a
 * timed pause step), or something interrupts it; returns the interrupt, if any. A promote releases
 * any pause and is spent by it, except the user's own pause: that one ends by resume (which a promote
 * of a user-paused rollout is), and a promote that arrives with the resume is left for the next pause.
 */
export async function waitForPromote(
  ctx: RolloutContext,
  rev: Revision,
  reason: PauseReason,
  timeoutSeconds?: number,
): Promise<Interrupt | undefined> {
  const { state, requests } = ctx;
  const start = Date.now();
  const index = state.data.currentStepIndex ?? 0;
  state.work = {
    pause: {
      reason,
      startTime: new Date(start).toISOString(),
      ...(timeoutSeconds !== undefined
        ? { until: new Date(start + timeoutSeconds * 1000).toISOString() }
        : {}),
    },
  };
  const byUser = reason === 'PausedByUser';
  const released = byUser ? () => !requests.paused : () => requests.promote !== undefined;
  const ended = () => released() || requests.interruptFor(rev) !== undefined;
  if (timeoutSeconds === undefined) await condition(ended);
  else
    await condition(ended, timeoutSeconds * 1000, {
      summary: `pause ${formatDuration(timeoutSeconds)} (step ${index + 1})`,
    });
  state.work = {};
  if (!byUser && requests.promote === 'step') requests.promote = undefined;
  return requests.interruptFor(rev);
}
