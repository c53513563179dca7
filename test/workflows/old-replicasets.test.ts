// Two canary fields about the ReplicaSets beside the new one, on the time-skipping server with the fake
// cluster: antiAffinity (Argo's injected pod anti-affinity against the stable's pods, core/affinity.ts)
// and scaleDownDelayRevisionLimit (how many old ReplicaSets wait for their delayed scale-down at once,
// core/scale-down-limit.ts).
import { describe, expect, it } from '@jest/globals';
import { injectedAntiAffinityTerm } from '../../core/affinity.js';
import { podTemplateHash } from '../../core/hash.js';
import type { RolloutDefinition } from '../../core/types.js';
import {
  timeSkippingServerPerTest,
  type RolloutHarness,
  seedRollout,
  withImage,
} from '../support/rollout-harness.js';
import { waitUntil } from '../support/temporal-env.js';

const BLUE = 'argoproj/rollouts-demo:blue';
const YELLOW = 'argoproj/rollouts-demo:yellow';
const GREEN = 'argoproj/rollouts-demo:green';

const server = timeSkippingServerPerTest();

const hashOf = (def: RolloutDefinition, image: string) => podTemplateHash(withImage(def, image).template);

async function blueDeployed(def: RolloutDefinition): Promise<RolloutHarness> {
  const harness = server.harness(def);
  await harness.start();
  await harness.rollouts.apply(def);
  await harness.healthyOn(hashOf(def, BLUE));
  return harness;
}

/** A new image, up to the seed's first pause (step 1), then promoted fully. */
async function promoteImage(h: RolloutHarness, image: string): Promise<void> {
  await h.rollouts.setImage(h.namespace, h.name, 'myapp', image);
  await h.pausedAt(1);
  await h.rollouts.promote(h.namespace, h.name, true);
  await h.healthyOn(hashOf(h.def, image));
}

describe('antiAffinity', () => {
  const required = (stableHash: string) => ({
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [injectedAntiAffinityTerm('rollouts-demo', stableHash)],
    },
  });

  it("puts a term against the stable's pods into each canary ReplicaSet's template, as Argo's", async () => {
    const seed = seedRollout();
    const def: RolloutDefinition = {
      ...seed,
      canary: { ...seed.canary, antiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} } },
    };
    const [blue, yellow, green] = [BLUE, YELLOW, GREEN].map((image) => hashOf(def, image)) as [
      string,
      string,
      string,
    ];
    const h = await blueDeployed(def);
    const rs = (hash: string) => h.cluster.replicaSets.get(`myapp-${hash}`);
    // The first revision has no stable to avoid.
    expect(rs(blue)?.affinity).toBeUndefined();

    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    await h.pausedAt(1);
    expect(rs(yellow)?.affinity).toEqual(required(blue));
    // The ReplicaSet is still named by the Rollout's own template: the injected term is not hashed.
    expect(rs(yellow)?.name).toBe(`myapp-${podTemplateHash(withImage(def, YELLOW).template)}`);

    await h.rollouts.promote(h.namespace, h.name, true);
    await h.healthyOn(yellow);
    // Argo does not take it out when the ReplicaSet becomes stable: only a later rewrite of the
    // ReplicaSet (its revision going up, below) writes GenerateReplicaSetAffinity again.
    expect(rs(yellow)?.affinity).toEqual(required(blue));

    await h.rollouts.setImage(h.namespace, h.name, 'myapp', GREEN);
    await h.pausedAt(1);
    expect(rs(green)?.affinity).toEqual(required(yellow));

    // Back to blue mid-canary: blue's ReplicaSet comes back with a higher revision, so it is written
    // again, now against the stable (yellow).
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', BLUE);
    await h.pausedAt(1);
    expect(rs(blue)?.affinity).toEqual(required(yellow));
    expect(rs(blue)?.revision).toBe(4);

    // Back to the stable's own template: as Argo's, its revision goes up and its affinity is written
    // again, now without the term (it is the stable): the one place Argo takes it out.
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    await h.healthyOn(yellow);
    await waitUntil(
      () => Promise.resolve(rs(yellow)),
      (r) => r?.revision === 5,
      'the stable ReplicaSet written again',
    );
    expect(rs(yellow)?.affinity).toBeUndefined();
    await h.saveHistories('anti-affinity');
  });
});

describe('scaleDownDelayRevisionLimit', () => {
  it('with a limit of 1, older ReplicaSets waiting for their scale-down go at once, the newest waits', async () => {
    const seed = seedRollout();
    const def: RolloutDefinition = {
      ...seed,
      canary: { ...seed.canary, scaleDownDelaySeconds: 60, scaleDownDelayRevisionLimit: 1 },
    };
    const [blue, yellow, green] = [BLUE, YELLOW, GREEN].map((image) => hashOf(def, image)) as [
      string,
      string,
      string,
    ];
    const h = await blueDeployed(def);
    const replicas = (hash: string) => h.cluster.replicaSets.get(`myapp-${hash}`)?.replicas;

    await promoteImage(h, YELLOW);
    let s = await h.status();
    // One old ReplicaSet waiting: within the limit.
    expect(s.replicaSets.find((rs) => rs.podTemplateHash === blue)).toMatchObject({
      desiredReplicas: 1,
      scaleDownAt: expect.any(String),
    });
    expect(replicas(blue)).toBe(1);

    h.cluster.calls = [];
    await promoteImage(h, GREEN);
    // Two waiting, one allowed: blue (the older) goes at once, yellow (the newest old one) waits.
    await waitUntil(
      () => Promise.resolve(replicas(blue)),
      (n) => n === 0,
      'blue scaled down at once',
    );
    s = await h.status();
    expect(s.replicaSets.find((rs) => rs.podTemplateHash === yellow)).toMatchObject({
      role: 'old',
      desiredReplicas: 1,
      scaleDownAt: expect.any(String),
    });
    expect(replicas(yellow)).toBe(1);
    expect(h.cluster.callsOf(`scaleReplicaSet myapp-${blue}`)).toEqual([`scaleReplicaSet myapp-${blue} 0`]);

    await server.env.sleep('61s');
    await waitUntil(
      () => Promise.resolve(replicas(yellow)),
      (n) => n === 0,
      'yellow scaled down after its delay',
    );
    expect(replicas(green)).toBe(1);
    await h.saveHistories('scale-down-revision-limit');
  });

  it('without a limit every old ReplicaSet waits for its own delay (Argo: no limit)', async () => {
    const seed = seedRollout();
    const def: RolloutDefinition = { ...seed, canary: { ...seed.canary, scaleDownDelaySeconds: 60 } };
    const blue = hashOf(def, BLUE);
    const h = await blueDeployed(def);
    await promoteImage(h, YELLOW);
    await promoteImage(h, GREEN);
    const s = await h.status();
    expect(s.replicaSets.filter((rs) => rs.role === 'old').map((rs) => rs.desiredReplicas)).toEqual([1, 1]);
    expect(h.cluster.replicaSets.get(`myapp-${blue}`)?.replicas).toBe(1);
  });
});
