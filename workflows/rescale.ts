// spec.replicas changed (an HPA, `kubectl scale`) while a canary is in flight or aborted: Argo's
// controller rescales on its next reconcile, for the weight the rollout is at, without a new revision.
// A settled rollout is the controller's (it rescales the stable as work of its own); here, beside the
// main path, the canary and the stable of a revision in flight, and the stable of an aborted one. A
// canary without a router is left to its next weight step's rounds (maxSurge/maxUnavailable pace it).
import { condition, isCancellation, log, patched } from '@temporalio/workflow';
import { canaryReplicas, stableReplicas } from '../core/replicas.js';
import type { ClusterWriter } from './cluster.js';
import { permanentFailureMessage } from './failures.js';
import { RESCALE_IN_FLIGHT } from './patches.js';
import type { RolloutState } from './state.js';

async function runRescales(state: RolloutState, cluster: ClusterWriter): Promise<void> {
  let replicas = state.definition.replicas;
  for (;;) {
    await condition(() => state.definition.replicas !== replicas);
    replicas = state.definition.replicas;
    const aborted = state.data.aborted !== undefined;
    if (!state.stable || (!state.canaryInProgress && !aborted)) continue;
    const def = state.definition;
    if (!def.canary.trafficRouting && !aborted) continue;
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
