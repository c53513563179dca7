// spec.replicas changed (an HPA, `kubectl scale`) while a canary is in flight or aborted: Argo's
// controller rescales on its next reconcile, for the weight the rollout is at, without a new revision.
// A settled rollout is the controller's (it rescales the stable as work of its own); here, beside the
// main path, the canary and the stable of a revision in flight, and the stable of an aborted one.
//
// A canary without a router (Argo's basic canary) is paced by maxSurge/maxUnavailable: Argo computes
// CalculateReplicaCountsForBasicCanary at every reconcile until AtDesiredReplicaCountsForCanary, so
// here the rounds of basic-canary.ts run at once, but only while the main path waits in a pause step
// or a running analysis step (not the user's pause nor an inconclusive analysis: Argo's haltProgress
// holds the ReplicaSets then). A weight step's own rounds read spec.replicas at every round, so they
// are left to it. The main path never waits for the rescale: once it leaves its wait (promote, abort,
// a newer revision, the pause's timer, the analysis's verdict) the rescale writes nothing more and
// stops waiting for pods. Its write already in flight holds the write lock, which serves in order, so
// an abort's or abandon's writes land after it; a weight step or the promotion begins its rounds only
// once the rescale's have stopped, from where they left the ReplicaSets (reachBasicCanaryWeight).
import { condition, isCancellation, log, patched } from '@temporalio/workflow';
import { canaryReplicas, stableReplicas } from '../core/replicas.js';
import { rescaleBasicCanaryRounds } from './basic-canary.js';
import type { ClusterWriter } from './cluster.js';
import { permanentFailureMessage } from './failures.js';
import { RESCALE_BASIC_CANARY, RESCALE_IN_FLIGHT } from './patches.js';
import type { Revision, RolloutState } from './state.js';

/** Revision `rev` is still the basic canary in flight (not promoted, aborted or superseded). */
function basicCanaryInFlight(state: RolloutState, rev: Revision): boolean {
  return (
    state.desired.hash === rev.hash &&
    state.canaryInProgress &&
    state.data.aborted === undefined &&
    !state.definition.canary.trafficRouting
  );
}

/**
 * The main path holds revision `rev` where Argo would rescale it: in a pause step or a running analysis
 * step, neither paused by the user nor about to end for a request already taken.
 */
function waitingAtStep(state: RolloutState, rev: Revision): boolean {
  const { requests, work } = state;
  if (requests.paused || requests.promote !== undefined || requests.interruptFor(rev) !== undefined)
    return false;
  if (work.pause) return work.pause.reason === 'CanaryPauseStep';
  return state.analysisStepSkippable;
}

/** A basic canary's rescale: rounds whenever the main path waits at a step, until at the counts. */
async function rescaleBasicCanary(state: RolloutState, cluster: ClusterWriter): Promise<void> {
  const rev = state.desired;
  const inFlight = () => basicCanaryInFlight(state, rev);
  const proceed = () => inFlight() && waitingAtStep(state, rev);
  for (;;) {
    await condition(() => !inFlight() || proceed());
    if (!inFlight()) return;
    if (await rescaleBasicCanaryRounds(state, cluster, rev, proceed)) return;
  }
}

async function runRescales(state: RolloutState, cluster: ClusterWriter): Promise<void> {
  let replicas = state.definition.replicas;
  for (;;) {
    await condition(() => state.definition.replicas !== replicas);
    replicas = state.definition.replicas;
    const aborted = state.data.aborted !== undefined;
    if (!state.stable || (!state.canaryInProgress && !aborted)) continue;
    const def = state.definition;
    if (!def.canary.trafficRouting && !aborted) {
      // Runs begun before left a basic canary to its next weight step; asked only once one in flight
      // sees spec.replicas change.
      if (!patched(RESCALE_BASIC_CANARY)) continue;
      try {
        await rescaleBasicCanary(state, cluster);
      } catch (err) {
        const message = permanentFailureMessage(err);
        if (message === undefined) throw err;
        log.warn('rescale failed permanently', { message });
      }
      continue;
    }
    // Histories from before never rescaled here; asked only once spec.replicas changes in flight.
    if (!patched(RESCALE_IN_FLIGHT)) return;
    const { weights, canaryScale } = state.data;
    try {
      if (aborted) await cluster.scale(state.stable.hash, def.replicas);
      else {
        await cluster.scale(state.desired.hash, canaryReplicas(def, weights.canary, canaryScale));
        await cluster.scale(state.stable.hash, stableReplicas(def, weights.canary, canaryScale));
      }
    } catch (err) {
      const message = permanentFailureMessage(err);
      if (message === undefined) throw err;
      log.warn('rescale failed permanently', { message });
    }
  }
}

/** Runs the loop beside the main path; cancellation of the workflow ends it quietly. */
export function startRescales(state: RolloutState, cluster: ClusterWriter): void {
  runRescales(state, cluster).catch((err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
}
