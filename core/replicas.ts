// Weight math: how many pods each ReplicaSet gets for a traffic weight (Argo's rules).
import type { RolloutDefinition, SetCanaryScaleStep } from './types.js';

/** ceil(weight% × total), at least one pod as soon as the weight is above zero. */
export function replicasForWeight(total: number, weight: number): number {
  if (weight <= 0 || total <= 0) return 0;
  if (weight >= 100) return total;
  return Math.max(1, Math.ceil((total * weight) / 100));
}

/** The pod count a `setCanaryScale` step pins, until the next one or the end of the steps. */
export type CanaryScale = Omit<SetCanaryScaleStep, 'kind'>;

/**
 * Argo's CheckMinPodsPerReplicaSet: with a router, a ReplicaSet that gets any pods gets at least
 * `minPodsPerReplicaSet` of them (capped at spec.replicas), for high availability.
 */
function withMinPods(def: RolloutDefinition, count: number): number {
  const min = def.canary.minPodsPerReplicaSet;
  if (count === 0 || min === undefined || !def.canary.trafficRouting) return count;
  return Math.max(count, Math.min(min, def.replicas));
}

export function canaryReplicas(def: RolloutDefinition, weight: number, scale?: CanaryScale): number {
  // As Argo's: a pinned count is taken as written, but dynamicStableScale holds it to the minimum too.
  if (scale?.replicas !== undefined)
    return def.canary.dynamicStableScale ? withMinPods(def, scale.replicas) : scale.replicas;
  return withMinPods(def, replicasForWeight(def.replicas, scale?.weight ?? weight));
}

/**
 * With traffic routing the stable ReplicaSet keeps full scale (a rollback is then instant), unless
 * `dynamicStableScale` asks to shrink it as its weight falls. Without a router the weight is
 * approximated by pod counts, so stable gives up what the canary takes.
 *
 * With dynamicStableScale, Argo's CalculateReplicaCountsForTrafficRoutedCanary: enough pods for the
 * larger of the stable's traffic (100 − canaryWeight) and what the canary's scale leaves it (a pinned
 * setCanaryScale `replicas` leaves it all, a `weight` 100 − weight), and minPodsPerReplicaSet. `scale`
 * is ignored by the rules of runs begun before patch 'stable-follows-canary-scale' (the caller passes none).
 */
export function stableReplicas(def: RolloutDefinition, canaryWeight: number, scale?: CanaryScale): number {
  const total = def.replicas;
  if (def.canary.trafficRouting && !def.canary.dynamicStableScale) return total;
  const forTraffic = Math.max(0, total - Math.floor((total * canaryWeight) / 100));
  if (!def.canary.trafficRouting) return forTraffic;
  if (scale === undefined) return withMinPods(def, forTraffic);
  const scaledWeight = scale.replicas !== undefined ? 0 : (scale.weight ?? canaryWeight);
  return withMinPods(def, Math.max(forTraffic, replicasForWeight(total, 100 - scaledWeight)));
}
