// spec.rollbackWindow on the time-skipping server, activities faked: a rollback to one of the last N
// revisions skips the steps and their analysis and is promoted fully (Argo's isRollbackWithinWindow);
// further back, it is a canary like any new revision.
import { describe, expect, it } from '@jest/globals';
import { podTemplateHash } from '../../core/hash.js';
import type { RolloutDefinition } from '../../core/types.js';
import {
  timeSkippingServerPerTest,
  type RolloutHarness,
  seedRollout,
  withImage,
} from '../support/rollout-harness.js';

const BLUE = 'argoproj/rollouts-demo:blue';
const YELLOW = 'argoproj/rollouts-demo:yellow';
const GREEN = 'argoproj/rollouts-demo:green';

const server = timeSkippingServerPerTest();

const hashOf = (def: RolloutDefinition, image: string) => podTemplateHash(withImage(def, image).template);

/** Blue deployed, then each image in turn promoted fully (a canary to its first pause, then promote --full). */
async function promotedThrough(def: RolloutDefinition, images: string[]): Promise<RolloutHarness> {
  const h = server.harness(def);
  await h.start();
  await h.rollouts.apply(def);
  await h.healthyOn(hashOf(def, BLUE));
  for (const image of images) {
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', image);
    await h.pausedAt(1);
    await h.rollouts.promote(h.namespace, h.name, true);
    await h.healthyOn(hashOf(def, image));
  }
  h.cluster.calls = [];
  return h;
}

describe('spec.rollbackWindow', () => {
  it('a rollback within the window skips the steps and the analysis and is promoted fully', async () => {
    const def: RolloutDefinition = { ...seedRollout(), rollbackWindowRevisions: 1 };
    const h = await promotedThrough(def, [YELLOW]);
    const blue = hashOf(def, BLUE);
    const runsBefore = (await h.status()).analysisRuns.length;

    // Blue's ReplicaSet still waits for its delayed scale-down: it keeps its pod and becomes stable.
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', BLUE);
    const s = await h.healthyOn(blue);
    expect(s).toMatchObject({
      phase: 'Healthy',
      currentStepIndex: 8,
      aborted: false,
      stableRevision: { revision: 3, podTemplateHash: blue },
      weights: { canary: 0, stable: 100 },
    });
    expect(s.analysisRuns).toHaveLength(runsBefore);
    expect(s.conditions).toContainEqual(
      expect.objectContaining({ type: 'Progressing', reason: 'NewReplicaSetAvailable' }),
    );
    expect(h.cluster.calls.slice(0, 5)).toEqual([
      `ensureReplicaSet myapp-${blue} 1`,
      `setServiceSelector myapp-stable-svc ${hashOf(def, YELLOW)}`,
      `setServiceSelector myapp-canary-svc ${blue}`,
      `waitForReplicaSetAvailable myapp-${blue} 1`,
      `setServiceSelector myapp-stable-svc ${blue}`,
    ]);
    expect(h.cluster.callsOf('setTrafficWeight')).toEqual(['setTrafficWeight 0']);
    await h.saveHistories('rollback-window');
  });

  it('a rollback further back than the window runs the steps; one within it, mid-canary, skips them', async () => {
    const def: RolloutDefinition = { ...seedRollout(), rollbackWindowRevisions: 1 };
    const h = await promotedThrough(def, [YELLOW, GREEN]);
    const yellow = hashOf(def, YELLOW);

    // Blue is two revisions back: yellow's ReplicaSet lies between it and the stable (green).
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', BLUE);
    let s = await h.pausedAt(1);
    expect(s.weights).toMatchObject({ canary: 20, stable: 80 });
    expect(s.canaryRevision).toMatchObject({ revision: 4, podTemplateHash: hashOf(def, BLUE) });

    // Yellow is one back: the blue canary is abandoned and yellow promoted without steps.
    h.cluster.calls = [];
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    s = await h.healthyOn(yellow);
    expect(s.stableRevision).toMatchObject({ revision: 5, podTemplateHash: yellow });
    expect(s.currentStepIndex).toBe(8);
    expect(h.cluster.callsOf('setTrafficWeight')).toEqual(['setTrafficWeight 0', 'setTrafficWeight 0']);
    await h.saveHistories('rollback-window-outside');
  });

  it('without the window a rollback to the previous revision is a canary', async () => {
    const def = seedRollout();
    const h = await promotedThrough(def, [YELLOW]);
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', BLUE);
    const s = await h.pausedAt(1);
    expect(s.weights).toMatchObject({ canary: 20, stable: 80 });
  });
});
