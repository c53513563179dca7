// spec.restartAt, as Argo's RolloutPodRestarter (rollout/restart.go): once restartAt has passed, the
// rollout's pods created before it are evicted as far as the availability budget allows (the
// restartPods activity, one round), a round every 30 s (Argo's restartPodCheckTime) until none is
// left; then restartedAt records restartAt, so the same restartAt never restarts twice. Runs beside
// the rollout's main path, as Argo's restarter runs on every reconcile, mid-canary too.
import { condition, isCancellation, log, patched } from '@temporalio/workflow';
import { restartPending } from '../core/restart.js';
import { callActivity } from './activities.js';
import { permanentFailureMessage } from './failures.js';
import type { Lock } from './lock.js';
import { POD_RESTART } from './patches.js';
import type { RolloutState } from './state.js';

/** Argo's restartPodCheckTime: how long before the next round while old pods remain. */
const ROUND_MS = 30_000;

/** The restartAt still to carry out, if any (its time may be yet to come). */
function pending(state: RolloutState): string | undefined {
  const at = state.definition.restartAt;
  return restartPending(at, state.data.restartedAt) ? at : undefined;
}

async function runRestarts(state: RolloutState, lock: Lock): Promise<void> {
  for (;;) {
    await condition(() => pending(state) !== undefined);
    const restartAt = pending(state);
    if (restartAt === undefined) continue;
    // Histories from before never had a restartAt (it was refused at lint); asked only once one comes.
    if (!patched(POD_RESTART)) return;
    // Always a timer, at least 1 ms, however the clock stands (see scale-downs.ts: a replaying worker
    // may be handed an earlier task's time); it ends early when restartAt changes.
    const changed = () => pending(state) !== restartAt;
    const wait = Math.max(1, Date.parse(restartAt) - Date.now());
    if (await condition(changed, wait, { summary: `restart pods at ${restartAt}` })) continue;
    for (;;) {
      if (changed()) break;
      const def = state.definition;
      let remaining: number;
      try {
        const result = await lock.run(() =>
          callActivity('restartPods', `restart pods of ${def.name} created before ${restartAt}`, {
            namespace: def.namespace,
            rollout: def.name,
            selector: def.selector.matchLabels,
            restartAt,
            replicas: def.replicas,
            ...(def.canary.maxSurge !== undefined ? { maxSurge: def.canary.maxSurge } : {}),
            ...(def.canary.maxUnavailable !== undefined ? { maxUnavailable: def.canary.maxUnavailable } : {}),
            minReadySeconds: def.minReadySeconds,
          }),
        );
        remaining = result.needsRestart - result.evicted.length;
      } catch (err) {
        const message = permanentFailureMessage(err);
        if (message === undefined) throw err;
        log.warn('pod restart failed permanently; trying again in 30 s', { message });
        remaining = 1;
      }
      if (remaining === 0) {
        if (!changed()) state.data.restartedAt = restartAt;
        break;
      }
      await condition(changed, ROUND_MS, { summary: `restart: ${remaining} pods left, next round in 30s` });
    }
  }
}

/** Runs the loop beside the main path; cancellation of the workflow ends it quietly. */
export function startRestarts(state: RolloutState, lock: Lock): void {
  runRestarts(state, lock).catch((err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
}
