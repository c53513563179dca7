// A canary without traffic routing (Argo's "basic canary"): the pod counts are the weight, and a step
// reaches them in rounds within maxSurge and maxUnavailable. A port of Argo v1.10.2's
// utils/replicaset (CalculateReplicaCountsForBasicCanary, AtDesiredReplicaCountsForCanary, MaxSurge,
// MaxUnavailable) and of the basic-canary branch of rollout/canary.go scaleDownOldReplicaSetsForCanary;
// test/unit/basic-canary-differential.test.ts holds it to Argo's own code.

/** A Kubernetes IntOrString as validated: a count, or a percentage of spec.replicas ("25%"). */
export type IntOrPercent = number | string;

/** Argo's defaults (utils/defaults: the string "25", which Argo's legacy parser reads as 25%). */
export const DEFAULT_MAX_SURGE: IntOrPercent = '25%';
export const DEFAULT_MAX_UNAVAILABLE: IntOrPercent = '25%';

/** What the math reads of one ReplicaSet: spec.replicas and status.availableReplicas. */
export interface ReplicaSetCounts {
  replicas: number;
  availableReplicas: number;
}

export interface BasicCanaryInput {
  replicas: number;
  /** The weight of the current setWeight step (0..100). */
  weight: number;
  maxSurge?: IntOrPercent;
  maxUnavailable?: IntOrPercent;
  /** Absent before the canary ReplicaSet exists. */
  newRS?: ReplicaSetCounts;
  /** Absent, the rollout has no stable to shrink and the canary goes to full scale (Argo's rule). */
  stableRS?: ReplicaSetCounts;
  /** Every other ReplicaSet of the rollout. */
  oldRSs: readonly ReplicaSetCounts[];
}

export interface BasicCanaryCounts {
  canary: number;
  stable: number;
}

/** "NN%" → NN%, an integer → itself (apimachinery's GetValueFromIntOrPercent, rounding as asked). */
function scaled(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(value.replace(/%/g, ''));
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Argo's resolveFenceposts: surge rounds up, unavailable down, and never both zero. */
function fenceposts(input: BasicCanaryInput): { surge: number; unavailable: number } {
  const surge = scaled(input.maxSurge ?? DEFAULT_MAX_SURGE, input.replicas, true);
  let unavailable = scaled(input.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, input.replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function maxSurge(input: BasicCanaryInput): number {
  return fenceposts(input).surge;
}

export function maxUnavailable(input: BasicCanaryInput): number {
  if (input.replicas === 0) return 0;
  return Math.min(fenceposts(input).unavailable, input.replicas);
}

const MAX_WEIGHT = 100;

function floorCeilingTied(weight: number, total: number): boolean {
  const product = total * (weight / MAX_WEIGHT);
  return product - Math.trunc(product) === 0.5;
}

function weightDelta(weight: number, canary: number, total: number): number {
  return Math.abs((canary * MAX_WEIGHT) / total - weight);
}

/**
 * Argo's approximateWeightedCanaryStableReplicaCounts: the canary count closest to the weight, over
 * spec.replicas or (when it may surge) spec.replicas + 1; ties go to the larger canary.
 */
export function approximateCounts(replicas: number, weight: number, surge: number): BasicCanaryCounts {
  if (replicas === 0) return { canary: 0, stable: 0 };
  const ceil = Math.ceil((replicas * weight) / MAX_WEIGHT);
  const floor = Math.floor((replicas * weight) / MAX_WEIGHT);
  const zeroAllowed = weight === MAX_WEIGHT || weight === 0 || (replicas === 1 && surge === 0);
  const options: { canary: number; total: number }[] = [];
  if (ceil < replicas || zeroAllowed) options.push({ canary: ceil, total: replicas });
  if (!floorCeilingTied(weight, replicas) && (floor !== 0 || zeroAllowed))
    options.push({ canary: floor, total: replicas });
  if (surge > 0) {
    options.push({ canary: ceil, total: replicas + 1 });
    if (!floorCeilingTied(weight, replicas + 1) && (floor !== 0 || zeroAllowed))
      options.push({ canary: floor, total: replicas + 1 });
  }
  const first = options[0];
  if (!first) return { canary: 0, stable: replicas };
  let best = first;
  let bestDelta = weightDelta(weight, best.canary, best.total);
  for (const option of options.slice(1)) {
    const delta = weightDelta(weight, option.canary, option.total);
    if (delta < bestDelta) {
      best = option;
      bestDelta = delta;
    }
  }
  return { canary: best.canary, stable: best.total - best.canary };
}

const sumReplicas = (sets: readonly (ReplicaSetCounts | undefined)[]): number =>
  sets.reduce((sum, rs) => sum + (rs?.replicas ?? 0), 0);

const sumAvailable = (sets: readonly (ReplicaSetCounts | undefined)[]): number =>
  sets.reduce((sum, rs) => sum + (rs?.availableReplicas ?? 0), 0);

/** Argo's GetReplicasForScaleDown: pods a ReplicaSet can give up, its availability counted or not. */
function replicasForScaleDown(rs: ReplicaSetCounts | undefined, ignoreAvailability: boolean): number {
  if (!rs) return 0;
  if (rs.replicas < rs.availableReplicas) return rs.replicas;
  return ignoreAvailability ? rs.replicas : rs.availableReplicas;
}

/** Argo's adjustReplicaWithinLimits: the counts pulled back within maxSurge and maxUnavailable. */
function adjustWithinLimits(
  drainRS: ReplicaSetCounts | undefined,
  adjustRS: ReplicaSetCounts | undefined,
  drainCount: number,
  adjustCount: number,
  maxAllowed: number,
  minAvailable: number,
): [number, number] {
  let overTheLimit = Math.max(0, adjustCount + drainCount - maxAllowed);
  let totalAvailable = drainRS ? Math.min(drainRS.availableReplicas, drainCount) : 0;
  if (adjustRS) {
    adjustCount -= overTheLimit;
    totalAvailable += Math.min(adjustRS.availableReplicas, adjustCount);
    const extraAvailable = Math.max(0, adjustRS.availableReplicas - adjustCount);
    const moreNeeded = Math.max(0, minAvailable - totalAvailable);
    adjustCount += Math.min(extraAvailable, moreNeeded);
    overTheLimit = Math.max(0, adjustCount + drainCount - maxAllowed);
    drainCount -= overTheLimit;
  }
  return [drainCount, adjustCount];
}

/** Argo's calculateScaleDownReplicaCount. */
function scaleDownCount(
  drainRS: ReplicaSetCounts | undefined,
  desired: number,
  scaleDown: number,
  current: number,
): number {
  if (drainRS && drainRS.replicas > desired) return Math.max(desired, drainRS.replicas - scaleDown);
  return current;
}

/**
 * Argo's CalculateReplicaCountsForBasicCanary: the counts to scale the canary and the stable to now,
 * from where their ReplicaSets are: up as far as maxSurge lets (the stable first), down as far as
 * maxUnavailable lets, older ReplicaSets first.
 */
export function basicCanaryCounts(input: BasicCanaryInput): BasicCanaryCounts {
  const { replicas, newRS, stableRS, oldRSs } = input;
  const surge = maxSurge(input);
  let { canary: desiredNew, stable: desiredStable } = approximateCounts(replicas, input.weight, surge);
  let newCount = newRS?.replicas ?? 0;
  let stableCount = 0;
  if (stableRS) stableCount = stableRS.replicas;
  else {
    desiredNew = replicas;
    desiredStable = 0;
  }
  const maxAllowed = replicas + surge;
  let scaleUp = maxAllowed - sumReplicas([...oldRSs, newRS, stableRS]);
  if (stableRS && stableRS.replicas < desiredStable && scaleUp > 0) {
    if (stableRS.replicas + scaleUp < desiredStable) {
      stableCount = stableRS.replicas + scaleUp;
      scaleUp = 0;
    } else {
      stableCount = desiredStable;
      scaleUp -= desiredStable - stableRS.replicas;
    }
  }
  if (newRS && newRS.replicas < desiredNew && scaleUp > 0)
    newCount = Math.min(newRS.replicas + scaleUp, desiredNew);
  // Older ReplicaSets go down first, before the canary or the stable.
  if (sumReplicas(oldRSs) > 0) return { canary: newCount, stable: stableCount };

  const minAvailable = replicas - maxUnavailable(input);
  // Growing the canary, the stable's unavailable pods may go; shrinking it (an abort), the canary's.
  const increasing = !newRS || desiredNew >= newRS.replicas;
  const toScaleDown = replicasForScaleDown(newRS, !increasing) + replicasForScaleDown(stableRS, increasing);
  if (toScaleDown <= minAvailable) return { canary: newCount, stable: stableCount };
  const scaleDown = toScaleDown - minAvailable;
  if (!increasing) {
    newCount = scaleDownCount(newRS, desiredNew, scaleDown, newCount);
    [newCount, stableCount] = adjustWithinLimits(
      newRS,
      stableRS,
      newCount,
      stableCount,
      maxAllowed,
      minAvailable,
    );
  } else if (stableRS) {
    stableCount = scaleDownCount(stableRS, desiredStable, scaleDown, stableCount);
    [stableCount, newCount] = adjustWithinLimits(
      stableRS,
      newRS,
      stableCount,
      newCount,
      maxAllowed,
      minAvailable,
    );
  }
  return { canary: newCount, stable: stableCount };
}

/**
 * Argo's AtDesiredReplicaCountsForCanary without a router (no replicaProgressThreshold): the step is
 * done when the counts to scale to are the ones the ReplicaSets have, every canary pod is available,
 * every stable pod exists, and no older ReplicaSet has an available pod. `stableCreated` is the
 * stable's status.replicas (its pods, ready or not).
 */
export function atBasicCanaryCounts(input: BasicCanaryInput, stableCreated: number): boolean {
  const { canary, stable } = basicCanaryCounts(input);
  const { newRS, stableRS } = input;
  if (!newRS || newRS.replicas !== canary || newRS.availableReplicas !== canary) return false;
  if (!stableRS || stableRS.replicas !== stable || stableCreated !== stable) return false;
  return sumAvailable(input.oldRSs) === 0;
}

/**
 * The basic-canary branch of Argo's scaleDownOldReplicaSetsForCanary: older ReplicaSets (newest
 * first) give up pods while the rollout keeps spec.replicas − maxUnavailable available. Returns the
 * count each should have, in the order given.
 */
export function oldReplicaSetCounts(input: BasicCanaryInput): number[] {
  const all = [...input.oldRSs, input.newRS, input.stableRS];
  let maxScaleDown = sumAvailable(all) - (input.replicas - maxUnavailable(input));
  return input.oldRSs.map((rs) => {
    if (maxScaleDown <= 0 || rs.replicas === 0) return rs.replicas;
    const count = Math.max(0, rs.replicas - maxScaleDown);
    maxScaleDown -= rs.replicas - count;
    return count;
  });
}
