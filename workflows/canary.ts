// A canary revision's steps (Argo's canary strategy, DESIGN.md §2): the canary ReplicaSet created at
// zero and both Services pointed, then each step in turn (setWeight, pause, setCanaryScale, analysis),
// held before each by the user's pause or an inconclusive background analysis. Every wait stops for
// what interrupts the revision (pending-requests.ts); how the revision ends is endings.ts.
import { condition, patched } from '@temporalio/workflow';
import { canaryReplicas, stableReplicas } from '../core/replicas.js';
import { isRollbackWithinWindow } from '../core/rollback-window.js';
import { describeStep } from '../core/steps.js';
import type { AnalysisStep, CanaryStep } from '../core/types.js';
import { analysisAbortMessage, startAnalysis } from './analysis.js';
import { reachBasicCanaryWeight } from './basic-canary.js';
import { waitAvailable } from './availability.js';
import type { RolloutContext } from './context.js';
import { abort, endInterrupted, promoteFully } from './endings.js';
import {
  BACKGROUND_INCONCLUSIVE_AS_ARGO,
  BASIC_CANARY_SURGE,
  PROMOTE_SKIPS_ANALYSIS_STEP,
  RESTORE_SELECTORS,
  ROLLBACK_WINDOW,
  STABLE_FOLLOWS_CANARY_SCALE,
  WEIGHT_STEP_ONE_ACTIVITY,
} from './patches.js';
import { waitForPromote } from './pause.js';
import { syncPodMetadata } from './pod-metadata.js';
import type { Interrupt } from './pending-requests.js';
import { applyScaleDownRevisionLimit } from './scale-downs.js';
import type { Revision } from './state.js';

export async function runCanary(ctx: RolloutContext): Promise<void> {
  const { state, cluster } = ctx;
  const rev = state.desired;
  const stable = state.stable;
  if (!stable) return;
  state.data.currentStepIndex = 0;
  state.data.canaryScale = undefined;
  state.clearCondition('Aborted');
  state.setCondition(
    'Progressing',
    true,
    'RolloutUpdated',
    `updating to revision ${rev.number} (${rev.hash})`,
  );
  state.work = { message: `starting revision ${rev.number}` };
  const rollback = withinRollbackWindow(ctx, rev.hash, stable.hash);
  // A rollback keeps the pods its ReplicaSet still has (one waiting for its delayed scale-down).
  await cluster.ensureReplicaSet(rev, rollback ? (state.replicaSet(rev.hash)?.desiredReplicas ?? 0) : 0);
  // The stable keeps stableMetadata; a canary abandoned before loses canaryMetadata (Argo's otherRSs).
  await syncPodMetadata(ctx);
  await cluster.pointService(ctx.def.canary.stableService, stable.hash);
  await cluster.pointService(ctx.def.canary.canaryService, rev.hash);
  await cluster.updateTrafficHashes(rev.hash, stable.hash);
  // An aborted canary still waiting for its scale-down is an old ReplicaSet now (Argo counts it).
  applyScaleDownRevisionLimit(state);
  if (rollback) return rollBackWithinWindow(ctx, rev);

  const background = ctx.def.canary.analysis;
  let fullPromote = false;
  for (let index = 0; index < ctx.def.canary.steps.length; index++) {
    state.data.currentStepIndex = index;
    const step = ctx.def.canary.steps[index] as CanaryStep;
    state.work = { message: `step ${index + 1}/${ctx.def.canary.steps.length}: ${describeStep(step)}` };
    await syncPodMetadata(ctx); // a deploy of the same template may have changed the metadata
    if (background && index === background.startingStep && !ctx.background.running)
      ctx.background.watch(await startAnalysis(state, rev, 'background', background));
    const interrupt =
      (await waitWhileUserPaused(ctx, rev)) ??
      (await waitWhileInconclusive(ctx, rev)) ??
      (await executeStep(ctx, rev, step));
    if (interrupt?.kind === 'promoteFull') {
      fullPromote = true;
      break;
    }
    if (interrupt) return endInterrupted(ctx, rev, interrupt);
  }
  ctx.requests.promote = undefined;
  // Argo pauses for an Inconclusive background run whenever it ends, the last step included; runs
  // begun before went on to the full promotion. promote --full skips it, as it skips the analysis.
  if (!fullPromote && ctx.background.inconclusive !== undefined && patched(BACKGROUND_INCONCLUSIVE_AS_ARGO)) {
    state.data.currentStepIndex = ctx.def.canary.steps.length; // every step done, as Argo's status says
    const interrupt = await waitWhileInconclusive(ctx, rev, { renew: false });
    if (interrupt?.kind !== 'promoteFull' && interrupt) return endInterrupted(ctx, rev, interrupt);
  }
  // The steps are done: the background run ends (Successful unless it already failed).
  const final = await ctx.background.end();
  if (final && (final.phase === 'Failed' || final.phase === 'Error'))
    return abort(ctx, rev, analysisAbortMessage(final));
  const interrupt = await promoteFully(ctx, rev);
  if (interrupt) return endInterrupted(ctx, rev, interrupt);
}

/** Argo's isRollbackWithinWindow, for rollouts that record it (before, spec.rollbackWindow was refused). */
function withinRollbackWindow(ctx: RolloutContext, desiredHash: string, stableHash: string): boolean {
  const within = isRollbackWithinWindow({
    revisions: ctx.def.rollbackWindowRevisions,
    desiredHash,
    stableHash,
    replicaSets: ctx.state.replicaSetCreations(),
  });
  return within && patched(ROLLBACK_WINDOW);
}

/**
 * A rollback within spec.rollbackWindow, as Argo's: every step counts as done, no analysis runs, the
 * revision is promoted fully (the user's pause still holds it, as Argo's haltProgress).
 */
async function rollBackWithinWindow(ctx: RolloutContext, rev: Revision): Promise<void> {
  const { state } = ctx;
  state.data.currentStepIndex = ctx.def.canary.steps.length;
  const message = `rollback to revision ${rev.number} (${rev.hash}) within the rollback window: steps skipped`;
  state.setCondition('Progressing', true, 'RolloutUpdated', message);
  state.work = { message };
  const paused = await waitWhileUserPaused(ctx, rev);
  if (paused && paused.kind !== 'promoteFull') return endInterrupted(ctx, rev, paused);
  ctx.requests.promote = undefined;
  const interrupt = await promoteFully(ctx, rev);
  if (interrupt) return endInterrupted(ctx, rev, interrupt);
}

/** The user's pause (`pause`, or spec.paused) holds the rollout before its next step until resumed. */
async function waitWhileUserPaused(ctx: RolloutContext, rev: Revision): Promise<Interrupt | undefined> {
  if (!ctx.requests.paused) return undefined;
  return waitForPromote(ctx, rev, 'PausedByUser');
}

/**
 * An Inconclusive background run holds the rollout until promote (go on) or abort. Promoted, the
 * steps go on under a new background run (Argo's needsNewAnalysisRun), unless `renew` is false.
 */
async function waitWhileInconclusive(
  ctx: RolloutContext,
  rev: Revision,
  { renew = true } = {},
): Promise<Interrupt | undefined> {
  if (ctx.background.inconclusive === undefined) return undefined;
  const interrupt = await waitForPromote(ctx, rev, 'InconclusiveAnalysis');
  ctx.background.inconclusive = undefined;
  const background = ctx.def.canary.analysis;
  if (interrupt === undefined && renew && background && patched(BACKGROUND_INCONCLUSIVE_AS_ARGO))
    ctx.background.watch(await startAnalysis(ctx.state, rev, 'background', background));
  return interrupt;
}

async function executeStep(
  ctx: RolloutContext,
  rev: Revision,
  step: CanaryStep,
): Promise<Interrupt | undefined> {
  switch (step.kind) {
    case 'setWeight':
      return applyWeight(ctx, rev, step.weight);
    case 'pause':
      return waitForPromote(ctx, rev, 'CanaryPauseStep', step.durationSeconds);
    case 'setCanaryScale': {
      const { state } = ctx;
      state.data.canaryScale = step.matchTrafficWeight
        ? undefined
        : {
            ...(step.replicas !== undefined ? { replicas: step.replicas } : {}),
            ...(step.weight !== undefined ? { weight: step.weight } : {}),
          };
      const replicas = canaryReplicas(ctx.def, state.data.weights.canary, state.data.canaryScale);
      await ctx.cluster.scale(rev.hash, replicas);
      const interrupt = await waitAvailable(ctx, rev, replicas);
      // With dynamicStableScale the stable follows the canary's scale too (Argo's replica math).
      const stable = state.stable;
      if (interrupt || !stable || !ctx.def.canary.dynamicStableScale || !patched(STABLE_FOLLOWS_CANARY_SCALE))
        return interrupt;
      await ctx.cluster.scale(
        stable.hash,
        stableReplicas(ctx.def, state.data.weights.canary, state.data.canaryScale),
      );
      return ctx.requests.interruptFor(rev);
    }
    case 'analysis':
      return runStepAnalysis(ctx, rev, step);
  }
}

/** Scale the canary for the weight, wait for its pods, then shift traffic (Argo's order). */
async function applyWeight(
  ctx: RolloutContext,
  rev: Revision,
  weight: number,
): Promise<Interrupt | undefined> {
  const { state, cluster } = ctx;
  // Without a router the pods are the weight: reached in rounds within maxSurge and maxUnavailable,
  // the stable with the canary. Runs begun before scaled the canary at once, the stable after.
  const basic = !ctx.def.canary.trafficRouting && patched(BASIC_CANARY_SURGE);
  const stable = state.stable;
  // Someone may have edited a Service's selector since the canary started (a person, a GitOps sync):
  // each weight step puts both hashes back, as Argo's controller does on every reconcile. The first
  // step follows the pointing at the canary's start.
  // (Asked where runs begun before asked it: after the pods, so that their histories replay.)
  const restore = () =>
    stable !== undefined && (state.data.currentStepIndex ?? 0) > 0 && patched(RESTORE_SELECTORS);
  if (basic) {
    const interrupt = await reachBasicCanaryWeight(ctx, rev, weight);
    if (interrupt) return interrupt;
  } else {
    const replicas = canaryReplicas(ctx.def, weight, state.data.canaryScale);
    const tracked = state.replicaSet(rev.hash);
    // The canary had its pods at this count: a step that changes only the weight is one activity
    // (look, selectors, weight), not four tasks. Runs begun before waited, pointed and wrote apart.
    const hadPods =
      replicas > 0 &&
      tracked?.desiredReplicas === replicas &&
      (tracked.availableReplicas ?? 0) >= replicas &&
      ctx.def.canary.trafficRouting !== undefined;
    await cluster.scale(rev.hash, replicas);
    const shifted =
      hadPods &&
      patched(WEIGHT_STEP_ONE_ACTIVITY) &&
      (await cluster.shiftTraffic(
        rev,
        replicas,
        restore() && stable ? selectorsOf(ctx, stable.hash, rev.hash) : [],
        weight,
      ));
    if (shifted) {
      if (stable) await cluster.scale(stable.hash, stableReplicas(ctx.def, weight, stableScaleOf(ctx)));
      return ctx.requests.interruptFor(rev);
    }
    const interrupt = await waitAvailable(ctx, rev, replicas);
    if (interrupt) return interrupt;
  }
  if (restore() && stable) {
    await cluster.pointService(ctx.def.canary.stableService, stable.hash);
    await cluster.pointService(ctx.def.canary.canaryService, rev.hash);
  }
  await cluster.setWeight(weight);
  if (stable && !basic) await cluster.scale(stable.hash, stableReplicas(ctx.def, weight, stableScaleOf(ctx)));
  return ctx.requests.interruptFor(rev);
}

/** The canary scale the stable is sized by; runs begun before sized it by the weight alone. */
function stableScaleOf(ctx: RolloutContext) {
  return patched(STABLE_FOLLOWS_CANARY_SCALE) ? ctx.state.data.canaryScale : undefined;
}

/** Both Services on their hashes, where the rollout names them. */
function selectorsOf(ctx: RolloutContext, stableHash: string, canaryHash: string) {
  const { stableService, canaryService } = ctx.def.canary;
  return [
    ...(stableService ? [{ service: stableService, hash: stableHash }] : []),
    ...(canaryService ? [{ service: canaryService, hash: canaryHash }] : []),
  ];
}

/** An inline `analysis` step: Successful goes on, Failed/Error aborts, Inconclusive pauses. */
async function runStepAnalysis(
  ctx: RolloutContext,
  rev: Revision,
  step: AnalysisStep,
): Promise<Interrupt | undefined> {
  const { state, requests } = ctx;
  const index = state.data.currentStepIndex ?? 0;
  const run = await startAnalysis(state, rev, 'step', step, index);
  // A promote skips the running step, as Argo's; runs begun before refused that promote.
  const skippable = patched(PROMOTE_SKIPS_ANALYSIS_STEP);
  const skipped = () => skippable && requests.promote === 'step';
  state.analysisStepSkippable = skippable;
  try {
    await condition(() => run.final !== undefined || requests.interruptFor(rev) !== undefined || skipped());
  } finally {
    state.analysisStepSkippable = false;
  }
  if (!run.final) {
    const interrupt = requests.interruptFor(rev);
    if (interrupt === undefined) requests.promote = undefined; // spent on this step
    await run.terminate();
    return interrupt;
  }
  const final = run.final;
  if (final.phase === 'Failed' || final.phase === 'Error')
    return { kind: 'abort', message: analysisAbortMessage(final) };
  if (final.phase === 'Inconclusive') return waitForPromote(ctx, rev, 'InconclusiveAnalysis');
  return requests.interruptFor(rev);
}
