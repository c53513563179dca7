// A rollout driven by its Rollout object (the watcher's deploys): each generation is taken once, late
// or repeated ones are refused without touching the rollout, an invalid generation shows InvalidSpec
// while the last valid one stays, spec.paused pauses and resumes, and what the rollout creates is
// owned by the object.
import { describe, expect, it } from '@jest/globals';
import { ActionRejectedError } from '../../client/rollouts-client.js';
import { podTemplateHash } from '../../core/hash.js';
import type { RolloutDefinition } from '../../core/types.js';
import { timeSkippingServerPerTest, seedRollout, withImage } from '../support/rollout-harness.js';

const YELLOW = 'argoproj/rollouts-demo:yellow';
const UID = '6f1c2d9e-0000-4000-8000-000000000001';

const server = timeSkippingServerPerTest();

const hashOf = (def: RolloutDefinition) => podTemplateHash(def.template);

describe('a rollout driven by its Rollout object', () => {
  it('takes each generation once, whatever order or how often they arrive', async () => {
    const blue = seedRollout();
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 });
    let status = await h.healthyOn(hashOf(blue));
    expect(status.cluster).toEqual({ uid: UID, observedGeneration: 1 });
    expect(status.revision).toBe(1);

    // A relist, or a second watcher: the same generation again is refused, nothing changes.
    await expect(h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 })).rejects.toThrow(
      new ActionRejectedError('deploy: generation 1 of myapp is already taken (at generation 1)'),
    );

    const yellow = withImage(blue, YELLOW);
    await h.rollouts.deployFromCluster(yellow, { uid: UID, generation: 3 });
    status = await h.pausedAt(1);
    expect(status.revision).toBe(2);
    expect(status.cluster).toEqual({ uid: UID, observedGeneration: 3 });

    // Generation 2 arriving late (blue) must not make a revision of its own.
    await expect(h.rollouts.deployFromCluster(blue, { uid: UID, generation: 2 })).rejects.toThrow(
      'generation 2 of myapp is already taken (at generation 3)',
    );
    status = await h.status();
    expect(status.revision).toBe(2);
    expect(status.canaryRevision?.podTemplateHash).toBe(hashOf(yellow));

    // The ReplicaSets carry the object as their controller.
    for (const rs of h.cluster.replicaSets.values()) expect(rs.owner).toEqual({ name: 'myapp', uid: UID });
  });

  it('takes no definition but its object once driven by it', async () => {
    const blue = seedRollout();
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 });
    await h.healthyOn(hashOf(blue));
    await expect(h.rollouts.apply(withImage(blue, YELLOW))).rejects.toThrow(
      'deploy: myapp is driven by its Rollout object: change the object (kubectl apply, kubectl argo rollouts set image)',
    );
    await expect(h.rollouts.setImage('rollouts-demo', 'myapp', 'myapp', YELLOW)).rejects.toThrow(
      'driven by its Rollout object',
    );
    expect((await h.status()).revision).toBe(1);
  });

  it('shows an invalid generation as InvalidSpec and keeps the last valid one until a valid one comes', async () => {
    const blue = seedRollout();
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 });
    await h.healthyOn(hashOf(blue));

    const message =
      'Rollout rollouts-demo/myapp: spec.strategy.canary.steps[0].setWeight: expected 0-100, got 140';
    await h.rollouts.invalidSpec('rollouts-demo', 'myapp', { uid: UID, generation: 2 }, message);
    let status = await h.waitFor('InvalidSpec', (s) => s.phase === 'Degraded');
    expect(status.message).toBe(`InvalidSpec: ${message}`);
    expect(status.cluster?.observedGeneration).toBe(2);
    expect(status.conditions).toContainEqual(
      expect.objectContaining({ type: 'InvalidSpec', status: true, reason: 'InvalidSpec', message }),
    );
    expect(status.stableRevision?.podTemplateHash).toBe(hashOf(blue));

    const yellow = withImage(blue, YELLOW);
    await h.rollouts.deployFromCluster(yellow, { uid: UID, generation: 3 });
    status = await h.pausedAt(1);
    expect(status.conditions.map((c) => c.type)).not.toContain('InvalidSpec');
    expect(status.cluster?.observedGeneration).toBe(3);
  });

  it('pauses and resumes by spec.paused, without a new revision', async () => {
    const blue = seedRollout();
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 });
    await h.healthyOn(hashOf(blue));
    const yellow = withImage(blue, YELLOW);
    await h.rollouts.deployFromCluster(yellow, { uid: UID, generation: 2 });
    await h.pausedAt(1);
    await h.rollouts.promote('rollouts-demo', 'myapp');
    await h.rollouts.deployFromCluster({ ...yellow, paused: true }, { uid: UID, generation: 3 });
    let status = await h.waitFor('paused by the user', (s) => s.paused);
    expect(status.revision).toBe(2);
    await h.rollouts.deployFromCluster({ ...yellow, paused: false }, { uid: UID, generation: 4 });
    status = await h.waitFor('resumed', (s) => !s.paused);
    expect(status.revision).toBe(2);
    expect(status.cluster?.observedGeneration).toBe(4);
  });

  it('follows a re-created object (a new uid) from its first generation', async () => {
    const blue = seedRollout();
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 5 });
    await h.healthyOn(hashOf(blue));
    const other = '6f1c2d9e-0000-4000-8000-000000000002';
    await h.rollouts.deployFromCluster(withImage(blue, YELLOW), { uid: other, generation: 1 });
    const status = await h.pausedAt(1);
    expect(status.cluster).toEqual({ uid: other, observedGeneration: 1 });
  });
});
