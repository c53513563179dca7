// How a canary revision ends: promoted fully (after its last step, or by promote --full), aborted
// (by hand, by analysis, by the progress deadline, by a permanent failure, by cancelling the
// workflow), or abandoned for a newer revision; and which of them an interrupt means.
import { CancellationScope, patched } from '@temporalio/workflow';
import { reachBasicCanaryWeight } from './basic-canary.js';
import type { RolloutContext } from './context.js';
import { permanentFailureMessage } from './failures.js';
import {
  ABORT_BASIC_CANARY_AT_ONCE,
  BASIC_CANARY_SURGE,
  DYNAMIC_STABLE_SCALE_AS_ARGO,
  INJECTED_ANTI_AFFINITY,
  PRUNE_ON_PROMOTION,
  RESTORE_SELECTORS,
} from './patches.js';
import type { Interrupt } from './pending-requests.js';
import { applyScaleDownRevisionLimit, scheduleScaleDown } from './scale-downs.js';
import { syncPodMetadata } from './pod-metadata.js';
import type { Revision } from './state.js';
import { waitAvailable, waitAvailableUninterrupted } from './availability.js';

/** A revision whose steps were interrupted: rolled back on abort, abandoned for a newer revision. */
export async function endInterrupted(
  ctx: RolloutContext,
  rev: Revision,
  interrupt: Interrupt,
): Promise<void> {
  await ctx.background.end();
  if (interrupt.kind === 'abort') return abort(ctx, rev, interrupt.message);
  if (interrupt.kind === 'superseded') return abandon(ctx, rev);
}

/** After the last step (or promote --full): canary to full scale, then stable moves to it. */
export async function promoteFully(ctx: RolloutContext, rev: Revision): Promise<Interrupt | undefined> {
  const { state, cluster } = ctx;
  const old = state.stable;
  state.work = { message: `promoting revision ${rev.number} to stable` };
  if (!ctx.def.canary.trafficRouting && old && old.hash !== rev.hash && patched(BASIC_CANARY_SURGE)) {
    // Argo's weight 100 of a basic canary: the canary up and the stable down in rounds within
    // maxSurge and maxUnavailable. A promote --full meanwhile only lets the next round begin.
    let rounds: Interrupt | undefined;
    do rounds = await reachBasicCanaryWeight(ctx, rev, 100);
    while (rounds?.kind === 'promoteFull');
    if (rounds) return rounds;
  }
  await cluster.scale(rev.hash, ctx.def.replicas);
  const interrupt = await waitAvailable(ctx, rev, ctx.def.replicas);
  if (interrupt && interrupt.kind !== 'promoteFull') return interrupt;
  await cluster.pointService(ctx.def.canary.stableService, rev.hash);
  // The canary Service selects the new hash already, unless someone changed it since.
  if (patched(RESTORE_SELECTORS)) await cluster.pointService(ctx.def.canary.canaryService, rev.hash);
  await cluster.updateTrafficHashes(rev.hash, rev.hash);
  await cluster.setWeight(0);
  state.data.stable = rev;
  finishSteps(ctx);
  // The new stable's pods trade canaryMetadata for stableMetadata; the old stable's lose theirs.
  await syncPodMetadata(ctx);
  if (old && old.hash !== rev.hash) {
    // With dynamicStableScale Argo has already taken the old stable's traffic: it goes at once.
    const delay =
      !ctx.def.canary.trafficRouting ||
      (ctx.def.canary.dynamicStableScale && patched(DYNAMIC_STABLE_SCALE_AS_ARGO))
        ? 0
        : ctx.def.canary.scaleDownDelaySeconds;
    scheduleScaleDown(state.replicaSet(old.hash), delay);
  }
  applyScaleDownRevisionLimit(state);
  // As Argo does at once: old ReplicaSets at zero beyond the history limit go now, not only after the
  // next delayed scale-down.
  if (patched(PRUNE_ON_PROMOTION)) await cluster.prune();
  state.setCondition('Available', true, 'AvailableReason', `revision ${rev.number} is stable`);
  state.setCondition('Progressing', true, 'NewReplicaSetAvailable', `revision ${rev.number} fully promoted`);
  return undefined;
}

/** The revision is stable (first deploy, promotion, or back to the stable template): no steps left. */
export function finishSteps(ctx: RolloutContext): void {
  const { state } = ctx;
  state.data.currentStepIndex = ctx.def.canary.steps.length;
  state.data.canaryScale = undefined;
  ctx.requests.clear();
  state.work = {};
}

/**
 * Abort: all traffic back to stable, the canary scaled down after abortScaleDownDelaySeconds. Runs
 * non-cancellable so that cancelling the workflow cannot stop its own rollback.
 */
export async function abort(ctx: RolloutContext, rev: Revision, message: string): Promise<void> {
  const { state, cluster } = ctx;
  await CancellationScope.nonCancellable(async () => {
    await ctx.background.end();
    ctx.requests.clear();
    state.data.aborted = { at: Date.now(), message };
    state.data.currentStepIndex = state.stable ? 0 : null;
    state.work = {};
    state.setCondition('Aborted', true, 'RolloutAborted', message);
    const stable = state.stable;
    if (!stable) return; // a failed first deploy has nothing to roll back to
    await bestEffort(ctx, () => cluster.scale(stable.hash, ctx.def.replicas));
    await bestEffort(ctx, () => stableReadyForTraffic(ctx, stable));
    await bestEffort(ctx, async () => void (await cluster.setWeight(0)));
    await bestEffort(ctx, () => cluster.pointService(ctx.def.canary.canaryService, stable.hash));
    // The stable Service selects stable already, unless someone changed it since.
    if (patched(RESTORE_SELECTORS))
      await bestEffort(ctx, () => cluster.pointService(ctx.def.canary.stableService, stable.hash));
    if (rev.hash === stable.hash) return;
    // Without a router Argo's replica math takes the canary to 0 at once; with one, after the delay
    // (0: never). Runs begun before always waited for the delay.
    if (!ctx.def.canary.trafficRouting && patched(ABORT_BASIC_CANARY_AT_ONCE)) {
      await bestEffort(ctx, () => cluster.scale(rev.hash, 0));
      return;
    }
    const delay = ctx.def.canary.abortScaleDownDelaySeconds;
    if (delay > 0) scheduleScaleDown(state.replicaSet(rev.hash), delay);
  });
}

/** A newer revision arrived: the old canary gets no traffic and no pods, now (newest wins). */
async function abandon(ctx: RolloutContext, rev: Revision): Promise<void> {
  const { state, cluster } = ctx;
  const stable = state.stable;
  if (!stable) return;
  if (shrunkStable(ctx)) {
    await cluster.scale(stable.hash, ctx.def.replicas);
    await waitAvailableUninterrupted(ctx, stable, ctx.def.replicas);
  }
  await cluster.setWeight(0);
  if (rev.hash !== stable.hash) await cluster.scale(rev.hash, 0);
  ctx.requests.clear();
  if (state.desired.hash === stable.hash) {
    // Back to the stable template: nothing to roll out, the canary Service follows stable again.
    // Argo's syncReplicaSetRevision raises the stable's revision and writes its affinity again: the
    // term injected against the stable before it is dropped (GenerateReplicaSetAffinity).
    if (ctx.def.canary.antiAffinity !== undefined && patched(INJECTED_ANTI_AFFINITY))
      await cluster.ensureReplicaSet(state.desired, ctx.def.replicas);
    await cluster.pointService(ctx.def.canary.canaryService, stable.hash);
    await cluster.updateTrafficHashes(stable.hash, stable.hash);
    finishSteps(ctx);
    await syncPodMetadata(ctx); // the abandoned canary's pods lose canaryMetadata
  }
}

/** With dynamicStableScale the stable may have been shrunk with its weight (runs begun before did not check). */
function shrunkStable(ctx: RolloutContext): boolean {
  return ctx.def.canary.dynamicStableScale && patched(DYNAMIC_STABLE_SCALE_AS_ARGO);
}

/** The stable's pods, just scaled back up, available before traffic moves back to them. */
async function stableReadyForTraffic(ctx: RolloutContext, stable: Revision): Promise<void> {
  if (!shrunkStable(ctx)) return;
  await waitAvailableUninterrupted(ctx, stable, ctx.def.replicas);
}

/** Cleanup must go on past a failing piece; what failed is added to the abort message. */
async function bestEffort(ctx: RolloutContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (err) {
    const message = permanentFailureMessage(err);
    if (message === undefined) throw err;
    const aborted = ctx.state.data.aborted;
    if (aborted) aborted.message = `${aborted.message}; during rollback: ${message}`;
  }
}
