// A canary without a router (Argo's basic canary) on the time-skipping server: each weight step and
// the promotion reach their pod counts in rounds, never more than spec.replicas + maxSurge pods and
// never fewer than spec.replicas − maxUnavailable available (25% each when unset), as Argo's
// CalculateReplicaCountsForBasicCanary paces them. The fake cluster counts pods as Kubernetes would:
// a scale-up adds pods at once that are available only once the workflow has waited for them.
import { describe, expect, it } from '@jest/globals';
import type { IntOrPercent } from '../../core/basic-canary.js';
import { podTemplateHash } from '../../core/hash.js';
import type { CanaryStep, RolloutDefinition } from '../../core/types.js';
import type { PodSample } from '../support/fake-cluster.js';
import {
  timeSkippingServerPerTest,
  type RolloutHarness,
  seedRollout,
  withImage,
} from '../support/rollout-harness.js';

const BLUE = 'argoproj/rollouts-demo:blue';
const YELLOW = 'argoproj/rollouts-demo:yellow';

const server = timeSkippingServerPerTest();

const hashOf = (def: RolloutDefinition, image: string) => podTemplateHash(withImage(def, image).template);

/** Two weights, each held by a pause until promoted. */
const STEPS = (first: number, second: number): CanaryStep[] => [
  { kind: 'setWeight', weight: first },
  { kind: 'pause' },
  { kind: 'setWeight', weight: second },
  { kind: 'pause' },
];

/** The seed without its router and analysis, as the manifest normalizes then (no abort delay). */
function basicCanary(
  replicas: number,
  fields: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent; steps?: CanaryStep[] } = {},
): RolloutDefinition {
  const seed = seedRollout();
  const { trafficRouting: _, analysis: __, ...canary } = seed.canary;
  return {
    ...seed,
    replicas,
    canary: { ...canary, steps: STEPS(20, 60), abortScaleDownDelaySeconds: 0, ...fields },
  };
}

/** Promotes from the first pause through the second to Healthy; the counts at the second pause. */
async function promoteThrough(h: RolloutHarness, blue: string, yellow: string): Promise<number[]> {
  await h.rollouts.promote(h.namespace, h.name);
  const s = await h.pausedAt(3);
  const counts = [yellow, blue].map(
    (hash) => s.replicaSets.find((r) => r.podTemplateHash === hash)?.desiredReplicas ?? 0,
  );
  await h.rollouts.promote(h.namespace, h.name);
  await h.healthyOn(yellow);
  return counts;
}

/** Blue deployed and Healthy, then yellow set: the harness, both hashes, the samples from then on. */
async function yellowStarted(def: RolloutDefinition) {
  const h = server.harness(def);
  await h.start();
  await h.rollouts.apply(def);
  const blue = hashOf(def, BLUE);
  const yellow = hashOf(def, YELLOW);
  await h.healthyOn(blue);
  h.cluster.calls = [];
  h.cluster.samples = [];
  await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
  return { h, blue, yellow };
}

/** The samples that break a limit (none is the point). */
function outside(samples: PodSample[], maxPods: number, minAvailable: number): PodSample[] {
  return samples.filter((s) => s.pods > maxPods || s.available < minAvailable);
}

describe('a canary without a router scales within maxSurge and maxUnavailable', () => {
  it('maxSurge 1, maxUnavailable 0: one pod at a time, every pod of spec.replicas always available', async () => {
    const def = basicCanary(10, { maxSurge: 1, maxUnavailable: 0 });
    const { h, blue, yellow } = await yellowStarted(def);
    const s = await h.pausedAt(1);
    const rs = (hash: string) => s.replicaSets.find((r) => r.podTemplateHash === hash)?.desiredReplicas;
    expect([rs(yellow), rs(blue)]).toEqual([2, 8]);
    // Three rounds to 20%: a surge pod of the canary, a stable pod down, the second canary pod, the
    // stable down to 8 (Argo's counts from each moment).
    expect(h.cluster.callsOf('scaleReplicaSet')).toEqual([
      `scaleReplicaSet myapp-${yellow} 1`,
      `scaleReplicaSet myapp-${blue} 9`,
      `scaleReplicaSet myapp-${yellow} 2`,
      `scaleReplicaSet myapp-${blue} 8`,
    ]);
    expect(s.weights.canary).toBe(20);

    expect(await promoteThrough(h, blue, yellow)).toEqual([6, 4]);
    expect(h.cluster.replicaSets.get(`myapp-${yellow}`)?.replicas).toBe(10);
    expect(h.cluster.replicaSets.get(`myapp-${blue}`)?.replicas).toBe(0);
    expect(h.cluster.samples.length).toBeGreaterThan(20);
    expect(outside(h.cluster.samples, 11, 10)).toEqual([]);
    await h.saveHistories('basic-canary-surge');
  });

  it('maxSurge 0, maxUnavailable 20%: never a pod above spec.replicas, at most 2 unavailable', async () => {
    const def = basicCanary(10, { maxSurge: 0, maxUnavailable: '20%' });
    const { h, blue, yellow } = await yellowStarted(def);
    await h.pausedAt(1);
    expect(await promoteThrough(h, blue, yellow)).toEqual([6, 4]);
    expect(Math.max(...h.cluster.samples.map((s) => s.pods))).toBe(10);
    expect(outside(h.cluster.samples, 10, 8)).toEqual([]);
  });

  it("unset, Argo's 25% each applies: 4 replicas never above 5 pods or below 3 available", async () => {
    // Scaled at once as runs begun before do, 50% would have been 6 pods (the canary's 2 beside 4).
    const def = basicCanary(4, { steps: STEPS(50, 100) });
    expect(def.canary.maxSurge).toBeUndefined();
    const { h, blue, yellow } = await yellowStarted(def);
    const s = await h.pausedAt(1);
    const rs = (hash: string) => s.replicaSets.find((r) => r.podTemplateHash === hash)?.desiredReplicas;
    expect([rs(yellow), rs(blue)]).toEqual([2, 2]);
    expect(await promoteThrough(h, blue, yellow)).toEqual([4, 0]);
    expect(Math.max(...h.cluster.samples.map((x) => x.pods))).toBe(5);
    expect(outside(h.cluster.samples, 5, 3)).toEqual([]);
  });
});
