// Temporal's list of running rollouts (RolloutsClient.list: one visibility list, each workflow's memo
// summary), at start and then every 30 s: the status phase of rollouts this worker has not heard from
// (a restarted worker's idle ones), and the end of those whose workflow no longer runs (a deleted
// Rollout's is terminated, so it reports nothing).
import type { RolloutListItem } from '../../core/rollout-summary.js';
import type { RolloutGauges } from './rollout-gauges.js';
import type { RunGauges } from './run-gauges.js';

export interface ListingOptions {
  intervalMs?: number;
  /** A rollout that reported this recently is kept though the list does not show it (yet). */
  graceMs?: number;
  /** Where a failed list is told (once until one succeeds again). */
  warn?: (message: string) => void;
}

export interface Listing {
  /** One list now. */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

export function startListing(
  list: () => Promise<RolloutListItem[]>,
  rollouts: RolloutGauges,
  runs: RunGauges,
  options: ListingOptions = {},
): Listing {
  const { intervalMs = 30_000, graceMs = 30_000, warn = (m: string) => console.warn(m) } = options;
  let failing = false;
  let current: Promise<void> = Promise.resolve();
  const once = async () => {
    const begunAt = Date.now();
    try {
      const running = await list();
      for (const gone of rollouts.listed(running, begunAt, graceMs)) runs.removeRollout(gone);
      failing = false;
    } catch (err) {
      if (!failing) warn(`worker: metrics: listing the running rollouts failed: ${(err as Error).message}`);
      failing = true;
    }
  };
  const refresh = () => (current = current.then(once));
  void refresh();
  const timer = setInterval(() => void refresh(), intervalMs);
  timer.unref();
  return {
    refresh,
    stop: async () => {
      clearInterval(timer);
      await current;
    },
  };
}
