// What the rollout needs from a traffic router, whatever the mesh (Argo's TrafficRoutingReconciler,
// reduced to what we use). One implementation per folder; Istio is the first.
import type { UpdateHashInput, SetWeightInput, WeightResult } from '../interface.js';

export interface TrafficRouter {
  /** Subset-level routing: point the canary and stable subsets at their pod-template hashes. */
  updateHash(input: UpdateHashInput): Promise<void>;
  /** Route `canaryWeight`% to the canary and the rest to stable, then read it back. */
  setWeight(input: SetWeightInput): Promise<WeightResult>;
}
