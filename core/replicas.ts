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

export function canaryReplicas(def: RolloutDefinition, weight: number, scale?: CanaryScale): number {
  if (scale?.replicas !== undefined) return scale.replicas;
  if (scale?.weight !== undefined) return replicasForWeight(def.replicas, scale.weight);
  return replicasForWeight(def.replicas, weight);
}

/**
 * With traffic routing the stable ReplicaSet keeps full scale (a rollback is then instant), unless
 * `dynamicStableScale` asks to shrink it as its weight falls. Without a router the weight is
 * approximated by pod counts, so stable gives up what the canary takes.
 *
 * With dynamicStableScale, Argo's CalculateReplicaCountsForTrafficRoutedCanary: enough pods for the
 * larger of the stable's traffic (100 − canaryWeight) and what the canary's scale leaves it (a pinned
 * setCanaryScale `replicas` leaves it all, a `weight` 100 − weight). `scale` is ignored by the rules of
 * runs begun before patch 'stable-follows-canary-scale' (the caller passes none).
 */
export function stableReplicas(def: RolloutDefinition, canaryWeight: number, scale?: CanaryScale): number {
  const total = def.replicas;
  if (def.canary.trafficRouting && !def.canary.dynamicStableScale) return total;
  const forTraffic = Math.max(0, total - Math.floor((total * canaryWeight) / 100));
  if (!def.canary.trafficRouting || scale === undefined) return forTraffic;
  const scaledWeight = scale.replicas !== undefined ? 0 : (scale.weight ?? canaryWeight);
  return Math.max(forTraffic, replicasForWeight(total, 100 - scaledWeight));
}
