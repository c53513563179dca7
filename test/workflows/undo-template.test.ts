// The plugin's undo writes a ReplicaSet's template back into the Rollout as the API server stored it,
// with Kubernetes' defaults filled in. Argo's FindNewReplicaSet still finds that ReplicaSet (it
// compares templates with the defaults applied), so an undo to the stable skips the steps and an undo
// to an older revision brings its own ReplicaSet back instead of a second one with the same pods.
import { describe, expect, it } from '@jest/globals';
import { podTemplateHash } from '../../core/hash.js';
import { withPodTemplateDefaults } from '../../core/pod-template-defaults.js';
import type { RolloutDefinition } from '../../core/types.js';
import { timeSkippingServerPerTest, seedRollout, withImage } from '../support/rollout-harness.js';

const YELLOW = 'argoproj/rollouts-demo:yellow';
const UID = '6f1c2d9e-0000-4000-8000-00000000000b';

const server = timeSkippingServerPerTest();
const hashOf = (def: RolloutDefinition) => podTemplateHash(def.template);

function seed(): RolloutDefinition {
  const def = seedRollout();
  const { analysis: _analysis, ...canary } = def.canary;
  return { ...def, replicas: 2, canary };
}

/** What `kubectl argo rollouts undo` writes: the ReplicaSet's stored template, its hash label removed. */
function undoneTo(def: RolloutDefinition): RolloutDefinition {
  const stored = withPodTemplateDefaults(def.template);
  const template = { ...stored, metadata: { ...stored.metadata, creationTimestamp: null } };
  return { ...def, template };
}

describe('a template copied back from a ReplicaSet (the plugin’s undo)', () => {
  it('is the stable’s own when undone to mid-canary: no steps, no new ReplicaSet', async () => {
    const blue = seed();
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 });
    await h.healthyOn(hashOf(blue));
    const yellow = withImage(blue, YELLOW);
    await h.rollouts.deployFromCluster(yellow, { uid: UID, generation: 2 });
    await h.pausedAt(1);

    const undo = undoneTo(blue);
    expect(hashOf(undo)).not.toBe(hashOf(blue)); // written otherwise: its own hash differs
    const result = await h.rollouts.deployFromCluster(undo, { uid: UID, generation: 3 });
    expect(result.message).toContain(`back to the stable template (${hashOf(blue)})`);
    const status = await h.healthyOn(hashOf(blue));
    expect(status.revision).toBe(3);
    expect([...h.cluster.replicaSets.keys()].sort()).toEqual(
      [`myapp-${hashOf(blue)}`, `myapp-${hashOf(yellow)}`].sort(),
    );
    // The same template again (a sync re-applying it) is no new revision either.
    const again = await h.rollouts.deployFromCluster(undo, { uid: UID, generation: 4 });
    expect(again.message).toContain('is unchanged');
    await h.saveHistories('template-matches-replica-set');
  });

  it('counts every step as done when undone to the stable after an abort (Argo: step 8/8)', async () => {
    const blue = seed();
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 });
    await h.healthyOn(hashOf(blue));
    await h.rollouts.deployFromCluster(withImage(blue, YELLOW), { uid: UID, generation: 2 });
    await h.pausedAt(1);
    await h.rollouts.abort('rollouts-demo', 'myapp');
    await h.waitFor('aborted', (s) => s.aborted);

    await h.rollouts.deployFromCluster(undoneTo(blue), { uid: UID, generation: 3 });
    const status = await h.healthyOn(hashOf(blue));
    expect(status.currentStepIndex).toBe(blue.canary.steps.length);
    expect(status.aborted).toBeFalsy();
    await h.saveHistories('back-to-stable-finishes-steps');
  });

  it('brings an older revision’s ReplicaSet back when undone to after a promotion', async () => {
    const blue = seed();
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 });
    await h.healthyOn(hashOf(blue));
    const yellow = withImage(blue, YELLOW);
    await h.rollouts.deployFromCluster(yellow, { uid: UID, generation: 2 });
    await h.pausedAt(1);
    await h.rollouts.promote('rollouts-demo', 'myapp', true);
    await h.healthyOn(hashOf(yellow));

    await h.rollouts.deployFromCluster(undoneTo(blue), { uid: UID, generation: 3 });
    const paused = await h.pausedAt(1);
    expect(paused.revision).toBe(3);
    // The canary is blue's own ReplicaSet, scaled up again: no second ReplicaSet with its pods.
    expect(h.cluster.replicaSets.get(`myapp-${hashOf(blue)}`)?.replicas).toBe(1);
    expect(h.cluster.replicaSets.size).toBe(2);
  });

  it('is a new revision when it differs by more than the defaults', async () => {
    const blue = seed();
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 });
    await h.healthyOn(hashOf(blue));
    const changed = undoneTo(withImage(blue, YELLOW));
    await h.rollouts.deployFromCluster(changed, { uid: UID, generation: 2 });
    await h.pausedAt(1);
    expect(h.cluster.replicaSets.has(`myapp-${hashOf(changed)}`)).toBe(true);
  });
});
