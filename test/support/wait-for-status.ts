// Polling a rollout's status until a condition holds: the one loop behind Lab.waitFor (a `rollouts`
// process per look) and the fault suite's in-process command.
import type { RolloutStatus } from '../../core/status.js';

/** Reads `status` every `pollMs` until `done` holds; the error names what it waited for and the last status. */
export async function waitForStatus(
  status: () => Promise<RolloutStatus>,
  rollout: string,
  what: string,
  done: (status: RolloutStatus) => boolean,
  timeoutMs: number,
  pollMs: number,
): Promise<RolloutStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: RolloutStatus | string;
  for (;;) {
    try {
      last = await status();
      if (done(last)) return last;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new Error(
        `${rollout}: gave up waiting until ${what} after ${timeoutMs / 1000}s; last: ${
          typeof last === 'string'
            ? last
            : `${last.phase} "${last.message}" step ${String(last.currentStepIndex)} weight ${last.weights.canary}`
        }`,
      );
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
