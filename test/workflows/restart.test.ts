// spec.restartAt on the time-skipping server, activities faked (the fake cluster's restartPods evicts
// one old pod per round; the real one is proved in test/integration/pod-restart.test.ts): nothing before
// restartAt, then a round every 30 s until no pod older than it is left, then status.restartedAt.
import { describe, expect, it } from '@jest/globals';
import { podTemplateHash } from '../../core/hash.js';
import { seedRollout, timeSkippingServerPerTest } from '../support/rollout-harness.js';

const server = timeSkippingServerPerTest();

describe('spec.restartAt', () => {
  it('restarts the old pods a round at a time once restartAt passes, records restartedAt, and does not repeat', async () => {
    const def = seedRollout();
    const h = server.harness(def);
    await h.start();
    await h.rollouts.apply(def);
    const healthy = await h.healthyOn(podTemplateHash(def.template));
    h.cluster.calls = [];
    h.cluster.podsToRestart = 2;

    // The same template with a restartAt a minute ahead: no new revision, a restart to come.
    const restartAt = new Date(Date.parse(healthy.updatedAt) + 60_000).toISOString();
    await h.rollouts.apply({ ...def, restartAt });
    expect(h.cluster.callsOf('restartPods')).toEqual([]);

    await server.env.sleep('61s');
    await h.waitFor('a first round', () => h.cluster.callsOf('restartPods').length === 1);
    expect((await h.status()).restartedAt).toBeUndefined();
    expect(h.cluster.podsToRestart).toBe(1);

    await server.env.sleep('31s');
    const s = await h.waitFor('restartedAt recorded', (st) => st.restartedAt === restartAt);
    expect(s.phase).toBe('Healthy');
    expect(h.cluster.callsOf('restartPods')).toEqual([
      `restartPods ${restartAt}`,
      `restartPods ${restartAt}`,
    ]);
    expect(h.cluster.podsToRestart).toBe(0);

    // Applied again, the same restartAt is done already.
    await h.rollouts.apply({ ...def, restartAt });
    await server.env.sleep('61s');
    expect((await h.status()).restartedAt).toBe(restartAt);
    expect(h.cluster.callsOf('restartPods')).toHaveLength(2);
    await h.saveHistories('restart-at');
  });
});
