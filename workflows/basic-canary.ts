// A weight step of a canary without a router (Argo's basic canary), in rounds as Argo's controller
// reaches it over several reconciles: the counts for now from where the ReplicaSets are
// (core/basic-canary.ts: never more than spec.replicas + maxSurge pods, never fewer than
// spec.replicas − maxUnavailable available), scale, wait for the pods, again, until the ReplicaSets
// are at the step's counts (Argo's AtDesiredReplicaCountsForCanary). The same rounds serve a new
// spec.replicas while the rollout waits at a pause or an analysis step (rescale.ts), one at a time: a
// weight step begins its rounds only once the rescale's have stopped.
import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { ReplicaSetAvailability } from '../activities/interface.js';
import {
  atBasicCanaryCounts,
  basicCanaryCounts,
  oldReplicaSetCounts,
  type BasicCanaryCounts,
  type BasicCanaryInput,
  type ReplicaSetCounts,
} from '../core/basic-canary.js';
import { callActivity } from './activities.js';
import { trackAvailability, waitAvailable } from './availability.js';
import type { ClusterWriter } from './cluster.js';
import type { RolloutContext } from './context.js';
import type { Interrupt } from './pending-requests.js';
import { replicaSetName, type Revision, type RolloutState, type TrackedReplicaSet } from './state.js';

const counts = (rs: TrackedReplicaSet | undefined): ReplicaSetCounts | undefined =>
  rs && { replicas: rs.desiredReplicas, availableReplicas: rs.availableReplicas ?? 0 };

/** The ReplicaSets as the workflow last saw them, older ones (newest first) with pods only. */
function where(state: RolloutState, rev: Revision, weight: number) {
  const def = state.definition;
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

/** One round: every older ReplicaSet's count (in order), then the canary's and the stable's. */
interface Round {
  olds: { rs: TrackedReplicaSet; replicas: number }[];
  target: BasicCanaryCounts;
  stable?: Revision;
}

/**
 * The next round toward `weight`, or undefined once there. A round that would move nothing is none
 * either: every pod was waited for, so the next would move nothing (Argo would wait there for ever).
 */
function nextRound(state: RolloutState, rev: Revision, weight: number): Round | undefined {
  const { input, stable, olds } = where(state, rev, weight);
  if (stable && atBasicCanaryCounts(input, input.stableRS?.replicas ?? 0)) return undefined;
  const target = basicCanaryCounts(input);
  const oldTargets = oldReplicaSetCounts(input);
  const moves =
    target.canary !== (input.newRS?.replicas ?? 0) ||
    (stable !== undefined && target.stable !== input.stableRS?.replicas) ||
    oldTargets.some((count, i) => count !== olds[i]?.desiredReplicas);
  if (!moves) return undefined;
  return {
    olds: olds.map((rs, i) => ({ rs, replicas: oldTargets[i] ?? rs.desiredReplicas })),
    target,
    ...(stable ? { stable } : {}),
  };
}

/**
 * Older ReplicaSets first (they serve traffic too), then the canary and the stable: each write alone
 * stays within both limits, as the counts were taken from the same moment. Stops before a write once
 * `proceed` says no; false then.
 */
async function writeRound(
  cluster: ClusterWriter,
  rev: Revision,
  round: Round,
  proceed: () => boolean,
): Promise<boolean> {
  for (const { rs, replicas } of round.olds) {
    if (!proceed()) return false;
    await cluster.scale(rs.hash, replicas);
  }
  if (!proceed()) return false;
  await cluster.scale(rev.hash, round.target.canary);
  if (!round.stable) return true;
  if (!proceed()) return false;
  await cluster.scale(round.stable.hash, round.target.stable);
  return true;
}

/**
 * The rollouts whose rescale (rescale.ts) is in its rounds now. Keyed by the rollout's state, as the
 * main path and the rescale share nothing else that can carry it; no command depends on it in runs
 * that never rescaled a basic canary, since the set is empty for them.
 */
const rescaling = new WeakSet<RolloutState>();

/**
 * Scales revision `rev`'s canary and the stable to `weight` in rounds; undefined once there, or what
 * interrupted.
 */
export async function reachBasicCanaryWeight(
  ctx: RolloutContext,
  rev: Revision,
  weight: number,
): Promise<Interrupt | undefined> {
  const { state, cluster } = ctx;
  const step = state.work.message;
  // A rescale's rounds stop once the rollout leaves its pause or analysis step (rescale.ts): these
  // begin from where its last write left the ReplicaSets, never beside it.
  if (rescaling.has(state)) await condition(() => !rescaling.has(state));
  for (let round = 1; ; round++) {
    const next = nextRound(state, rev, weight);
    if (!next) return undefined;
    const { target, stable } = next;
    state.work = {
      ...state.work,
      message: `${step ?? `setWeight ${weight}`}: round ${round}, canary ${target.canary}, stable ${target.stable} (maxSurge/maxUnavailable)`,
    };
    // Inline, not writeRound: the same awaits as runs begun before, so their commands keep their order.
    for (const { rs, replicas } of next.olds) await cluster.scale(rs.hash, replicas);
    await cluster.scale(rev.hash, target.canary);
    if (stable) await cluster.scale(stable.hash, target.stable);
    const interrupt =
      (await waitAvailable(ctx, rev, target.canary)) ??
      (stable ? await waitAvailable(ctx, rev, target.stable, stable) : undefined);
    if (interrupt) return interrupt;
  }
}

/**
 * Waits for `replicas` available pods of `of`'s ReplicaSet while `proceed` holds; false when it
 * stopped first. No progress deadline: Argo's is not counted while the rollout is paused.
 */
async function podsAvailable(
  state: RolloutState,
  of: Revision,
  replicas: number,
  proceed: () => boolean,
): Promise<boolean> {
  if (replicas === 0) return true;
  const def = state.definition;
  const name = replicaSetName(def.name, of.hash);
  let result: ReplicaSetAvailability | undefined;
  let failure: unknown;
  const scope = new CancellationScope();
  const waiting = scope
    .run(() =>
      callActivity('waitForReplicaSetAvailable', `rescale: wait for ${replicas} available pods of ${name}`, {
        namespace: def.namespace,
        name,
        replicas,
        minReadySeconds: def.minReadySeconds,
      }),
    )
    .then(
      (answer) => void (result = answer),
      (err: unknown) => void (failure = err),
    );
  const settled = () => result !== undefined || failure !== undefined;
  await condition(() => settled() || !proceed());
  const stopped = !settled();
  if (stopped) {
    scope.cancel();
    await waiting;
  }
  if (failure !== undefined && !(stopped && isCancellation(failure))) throw failure as Error;
  if (result) trackAvailability(state, of, result);
  return !stopped;
}

/**
 * The rounds of a new spec.replicas for revision `rev`'s basic canary at the weight it is at, beside
 * the main path's wait, while `proceed` holds (rescale.ts). True once the ReplicaSets are at the
 * counts, false when `proceed` stopped them: a weight step then takes over from there.
 */
export async function rescaleBasicCanaryRounds(
  state: RolloutState,
  cluster: ClusterWriter,
  rev: Revision,
  proceed: () => boolean,
): Promise<boolean> {
  rescaling.add(state);
  try {
    for (;;) {
      if (!proceed()) return false;
      const next = nextRound(state, rev, state.data.weights.canary);
      if (!next) return true;
      if (!(await writeRound(cluster, rev, next, proceed))) return false;
      if (!(await podsAvailable(state, rev, next.target.canary, proceed))) return false;
      if (next.stable && !(await podsAvailable(state, next.stable, next.target.stable, proceed)))
        return false;
    }
  } finally {
    rescaling.delete(state);
  }
}
