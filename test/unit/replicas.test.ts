import { describe, expect, it } from '@jest/globals';
import { canaryReplicas, replicasForWeight, stableReplicas } from '../../core/replicas.js';
import type { RolloutDefinition } from '../../core/types.js';

const def = (replicas: number, routed: boolean, dynamicStableScale = false): RolloutDefinition =>
  ({
    replicas,
    canary: {
      steps: [],
      dynamicStableScale,
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 30,
      ...(routed ? { trafficRouting: { istio: { virtualServices: [] } } } : {}),
    },
  }) as unknown as RolloutDefinition;

describe('weight math', () => {
  it.each([
    [1, 20, 1],
    [5, 20, 1],
    [5, 30, 2],
    [10, 1, 1],
    [10, 0, 0],
    [10, 100, 10],
    [3, 50, 2],
    [0, 50, 0],
  ])('%i replicas at %i%% → %i canary pods (ceil, at least one)', (total, weight, expected) => {
    expect(replicasForWeight(total, weight)).toBe(expected);
  });

  it('setCanaryScale pins the pod count apart from the weight', () => {
    expect(canaryReplicas(def(10, true), 20, { replicas: 3 })).toBe(3);
    expect(canaryReplicas(def(10, true), 20, { weight: 50 })).toBe(5);
    expect(canaryReplicas(def(10, true), 20, undefined)).toBe(2);
  });

  it('with minPodsPerReplicaSet and a router, gives a ReplicaSet that gets pods at least that many (as Argo)', () => {
    const min = (d: RolloutDefinition, n: number) =>
      ({ ...d, canary: { ...d.canary, minPodsPerReplicaSet: n } }) as RolloutDefinition;
    expect(canaryReplicas(min(def(10, true), 3), 20)).toBe(3); // 2 for the weight, 3 at least
    expect(canaryReplicas(min(def(10, true), 3), 0)).toBe(0); // no pods is not raised
    expect(canaryReplicas(min(def(4, true), 8), 10)).toBe(4); // capped at spec.replicas
    // A pinned setCanaryScale count stands, unless dynamicStableScale (Argo checks it there only).
    expect(canaryReplicas(min(def(10, true), 3), 20, { replicas: 1 })).toBe(1);
    expect(canaryReplicas(min(def(10, true, true), 3), 20, { replicas: 1 })).toBe(3);
    expect(stableReplicas(min(def(10, true, true), 3), 90)).toBe(3); // 1 for 10 % of the traffic
    expect(stableReplicas(min(def(10, true, true), 3), 100)).toBe(0);
    expect(canaryReplicas(min(def(10, false), 3), 20)).toBe(2); // no router: lint refuses the field
  });

  it('keeps stable at full scale behind a router, shrinks it otherwise', () => {
    expect(stableReplicas(def(10, true), 40)).toBe(10);
    expect(stableReplicas(def(10, true, true), 40)).toBe(6);
    expect(stableReplicas(def(10, false), 40)).toBe(6);
    expect(stableReplicas(def(5, false), 30)).toBe(4);
  });
});
