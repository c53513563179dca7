// Waiting for a rollout to reach a state, for scripts (and the library's `waitForPhase`): read its
// status every so often until a phase or a condition holds, and say what it last was on timeout.
import type { RolloutPhase, RolloutStatus } from '../core/status.js';

/** A phase ("Paused", "Healthy", …), or any condition on the status. */
export type StatusWanted = RolloutPhase | ((status: RolloutStatus) => boolean);

export interface WaitOptions {
  /** Default 2 minutes. */
  timeoutMs?: number;
  /** How often the status is read; default 500 ms. */
  pollMs?: number;
  /** Stops the wait early (it then rejects with the signal's reason). */
  signal?: AbortSignal;
}

export class WaitTimeoutError extends Error {}

/** The status once `wanted` holds. An error reading it is retried, unless `isFinal` says it is final. */
export async function waitForStatus(
  read: () => Promise<RolloutStatus>,
  rollout: string,
  wanted: StatusWanted,
  options: WaitOptions & { isFinal?: (err: unknown) => boolean } = {},
): Promise<RolloutStatus> {
  const { timeoutMs = 120_000, pollMs = 500, signal, isFinal = () => false } = options;
  const done = typeof wanted === 'string' ? (s: RolloutStatus) => s.phase === wanted : wanted;
  const what = typeof wanted === 'string' ? `it is ${wanted}` : 'the condition holds';
  const deadline = Date.now() + timeoutMs;
  let last: RolloutStatus | string;
  for (;;) {
    signal?.throwIfAborted();
    try {
      last = await read();
      if (done(last)) return last;
    } catch (err) {
      if (isFinal(err)) throw err;
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new WaitTimeoutError(
        `${rollout}: gave up waiting until ${what} after ${timeoutMs / 1000}s; last: ${describe(last)}`,
      );
    await sleep(pollMs, signal);
  }
}

function describe(last: RolloutStatus | string): string {
  if (typeof last === 'string') return last;
  return `${last.phase} "${last.message}" step ${String(last.currentStepIndex)} weight ${last.weights.canary}`;
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });
}
