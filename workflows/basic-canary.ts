// A weight step of a canary without a router (Argo's basic canary), in rounds as Argo's controller
// reaches it over several reconciles: the counts for now from where the ReplicaSets are
// (core/basic-canary.ts: never more than spec.replicas + maxSurge pods, never fewer than
// spec.replicas − maxUnavailable available), scale, wait for the pods, again, until the ReplicaSets
// are at the step's counts (Argo's AtDesiredReplicaCountsForCanary).
import {
  atBasicCanaryCounts,
  basicCanaryCounts,
  oldReplicaSetCounts,
  type BasicCanaryInput,
  type ReplicaSetCounts,
} from '../core/basic-canary.js';
import { waitAvailable } from './availability.js';
import type { RolloutContext } from './context.js';
import type { Interrupt } from './pending-requests.js';
import type { Revision, TrackedReplicaSet } from './state.js';

const counts = (rs: TrackedReplicaSet | undefined): ReplicaSetCounts | undefined =>
  rs && { replicas: rs.desiredReplicas, availableReplicas: rs.availableReplicas ?? 0 };

/** The ReplicaSets as the workflow last saw them, older ones (newest first) with pods only. */
function where(ctx: RolloutContext, rev: Revision, weight: number) {
  const { state, def } = ctx;
  const stable = state.stable && state.stable.hash !== rev.hash ? state.stable : undefined;
  const olds = state.data.replicaSets
    .filter((rs) => rs.hash !== rev.hash && rs.hash !== stable?.hash && rs.desiredReplicas > 0)
    .sort((a, b) => b.revision - a.revision);
  const newRS = counts(state.replicaSet(rev.hash));
  const stableRS = stable && counts(state.replicaSet(stable.hash));
  const input: BasicCanaryInput = {
    replicas: def.replicas,
    weight,
    ...(def.canary.maxSurge !== undefined ? { maxSurge: def.canary.maxSurge } : {}),
    ...(def.canary.maxUnavailable !== undefined ? { maxUnavailable: def.canary.maxUnavailable } : {}),
    ...(newRS ? { newRS } : {}),
    ...(stableRS ? { stableRS } : {}),
    oldRSs: olds.map((rs) => counts(rs) as ReplicaSetCounts),
  };
  return { input, stable, olds };
}

/**
 * Scales revision `rev`'s canary and the stable to `weight` in rounds; undefined once there, or what
 * interrupted. A round that moves nothing ends it too: every pod was waited for, so the next would
 * move nothing either (Argo would wait there for ever).
 */
export async function reachBasicCanaryWeight(
  ctx: RolloutContext,
  rev: Revision,
  weight: number,
): Promise<Interrupt | undefined> {
  const { state, cluster } = ctx;
  const step = state.work.message;
  for (let round = 1; ; round++) {
    const { input, stable, olds } = where(ctx, rev, weight);
    if (stable && atBasicCanaryCounts(input, input.stableRS?.replicas ?? 0)) return undefined;
    const target = basicCanaryCounts(input);
    const oldTargets = oldReplicaSetCounts(input);
    const moves =
      target.canary !== (input.newRS?.replicas ?? 0) ||
      (stable !== undefined && target.stable !== input.stableRS?.replicas) ||
      oldTargets.some((count, i) => count !== olds[i]?.desiredReplicas);
    if (!moves) return undefined;
    state.work = {
      ...state.work,
      message: `${step ?? `setWeight ${weight}`}: round ${round}, canary ${target.canary}, stable ${target.stable} (maxSurge/maxUnavailable)`,
    };
    // Older ReplicaSets first (they serve traffic too), then the canary and the stable: each write
    // alone stays within both limits, as the counts were taken from the same moment.
    for (const [i, rs] of olds.entries()) await cluster.scale(rs.hash, oldTargets[i] ?? rs.desiredReplicas);
    await cluster.scale(rev.hash, target.canary);
    if (stable) await cluster.scale(stable.hash, target.stable);
    const interrupt =
      (await waitAvailable(ctx, rev, target.canary)) ??
      (stable ? await waitAvailable(ctx, rev, target.stable, stable) : undefined);
    if (interrupt) return interrupt;
  }
}
