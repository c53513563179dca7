// Delayed scale-downs (Argo's scaleDownDelaySeconds and abortScaleDownDelaySeconds): the old stable
// after a promotion, the canary after an abort. Due times live in the tracked ReplicaSets, so they
// survive continue-as-new and a crash; this loop runs beside the rollout's main path.
import { condition, isCancellation, log, patched } from '@temporalio/workflow';
import { permanentFailureMessage } from './failures.js';
import type { ClusterWriter } from './cluster.js';
import { beyondScaleDownRevisionLimit } from '../core/scale-down-limit.js';
import { DUE_TIMES_ALWAYS_TIMED, SCALE_DOWN_REVISION_LIMIT } from './patches.js';
import type { RolloutState, TrackedReplicaSet } from './state.js';

/** Scales `rs` down `delaySeconds` from now (the loop below does it). */
export function scheduleScaleDown(rs: TrackedReplicaSet | undefined, delaySeconds: number): void {
  if (!rs || rs.desiredReplicas === 0) return;
  rs.scaleDownAt = Date.now() + delaySeconds * 1000;
  if (delaySeconds <= 0) rs.scaleDownAtOnce = true;
  else delete rs.scaleDownAtOnce;
}

/**
 * scaleDownDelayRevisionLimit: of the old ReplicaSets waiting for their delayed scale-down, newest
 * first, those beyond the limit are due at once (Argo's scaleDownDelayHelper). Called where the set of
 * waiting ones or the stable and canary change: a promotion, a new revision.
 */
export function applyScaleDownRevisionLimit(state: RolloutState): void {
  const limit = state.definition.canary.scaleDownDelayRevisionLimit;
  if (limit === undefined || !patched(SCALE_DOWN_REVISION_LIMIT)) return;
  const referenced = [
    state.desired.hash,
    ...(state.stable ? [state.stable.hash] : []),
    ...Object.values(state.data.serviceHashes ?? {}),
  ];
  const old = state.data.replicaSets.map((rs) => ({
    hash: rs.hash,
    revision: rs.revision,
    replicas: rs.desiredReplicas,
    // One already due at once (dynamicStableScale, the limit itself) is not waiting: Argo never counts it.
    waiting: rs.scaleDownAt !== undefined && rs.scaleDownAtOnce !== true,
  }));
  for (const hash of beyondScaleDownRevisionLimit(old, referenced, limit))
    scheduleScaleDown(state.replicaSet(hash), 0);
}

/** Forgets a scheduled scale-down of `rs` (done, or a scale-up took it back). */
export function cancelScaleDown(rs: TrackedReplicaSet | undefined): void {
  if (!rs) return;
  delete rs.scaleDownAt;
  delete rs.scaleDownAtOnce;
}

function nextDue(state: RolloutState): TrackedReplicaSet | undefined {
  let next: TrackedReplicaSet | undefined;
  for (const rs of state.data.replicaSets) {
    if (
      rs.scaleDownAt !== undefined &&
      (next?.scaleDownAt === undefined || rs.scaleDownAt < next.scaleDownAt)
    )
      next = rs;
  }
  return next;
}

async function runScaleDowns(state: RolloutState, cluster: ClusterWriter): Promise<never> {
  for (;;) {
    await condition(() => nextDue(state) !== undefined);
    const next = nextDue(state);
    if (!next?.scaleDownAt) continue;
    const dueAt = next.scaleDownAt;
    const wait = dueAt - Date.now();
    // Whether to wait must not depend on the clock: a worker that has just replayed the history from
    // the start (after a restart) can be handed the time of an earlier workflow task, and would start
    // a timer where every replay acts (nondeterminism: the rollout would stop there). So a due time
    // set in an earlier task always gets a timer, at least 1 ms; runs begun before looked at the clock.
    const timed = next.scaleDownAtOnce ? false : patched(DUE_TIMES_ALWAYS_TIMED) || wait > 0;
    if (timed) {
      // Wake early when the schedule changes (a retry cancels it, a new one comes sooner).
      const moved = () => nextDue(state)?.scaleDownAt !== dueAt || next.scaleDownAt !== dueAt;
      if (
        (await condition(moved, Math.max(1, wait), {
          summary: `scale down ${next.name} at ${new Date(dueAt).toISOString()}`,
        })) ||
        moved()
      )
        continue;
      // The timer fired, so it is due: the clock is not read again (the same stale clock would start
      // a second timer).
    }
    try {
      if (await cluster.scaleDownIfDue(next, dueAt)) await cluster.prune();
    } catch (err) {
      // A ReplicaSet someone deleted, say: nothing left to scale down, and no reason to stop the rollout.
      const message = permanentFailureMessage(err);
      if (message === undefined) throw err;
      log.warn('scale-down failed permanently', { replicaSet: next.name, message });
      if (next.scaleDownAt === dueAt) cancelScaleDown(next);
    }
  }
}

/** Runs the loop beside the main path; cancellation of the workflow ends it quietly. */
export function startScaleDowns(state: RolloutState, cluster: ClusterWriter): void {
  runScaleDowns(state, cluster).catch((err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
}
