// A weight step's traffic as one activity (issue 13: promote → weight): the look at the canary's pods
// and both Services' selectors at once, then the weight. One task instead of four: a step that changes
// only the weight spends its time on the write a mesh waits for, not on workflow tasks.
import type { ShiftTrafficInput, ShiftTrafficResult } from './interface.js';
import type { ReplicaSets } from './replicasets.js';
import type { Services } from './services.js';
import type { TrafficRouter } from './trafficrouting/router.js';

export async function shiftTraffic(
  parts: { replicaSets: ReplicaSets; services: Services; router: TrafficRouter },
  input: ShiftTrafficInput,
): Promise<ShiftTrafficResult> {
  // Putting a selector back on its own hash is right whether or not the pods are there.
  const [canary] = await Promise.all([
    parts.replicaSets.availableNow(input.canaryPods),
    ...input.selectors.map((selector) => parts.services.pointAt(selector)),
  ]);
  if (!canary) return { canary };
  return { canary, weights: await parts.router.setWeight(input.weight) };
}
