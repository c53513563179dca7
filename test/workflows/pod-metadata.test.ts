// canaryMetadata and stableMetadata (Argo's ephemeral pod metadata) through the rollout workflow on the
// time-skipping server: which ReplicaSet's pod template carries which role's labels and annotations at
// the first deploy, while a canary runs, after the promotion, after an abort, and when a deploy changes
// only the metadata. The fake cluster applies them to the templates as the real activity does.
import { describe, expect, it } from '@jest/globals';
import { podTemplateHash } from '../../core/hash.js';
import { EPHEMERAL_METADATA_ANNOTATION } from '../../core/pod-metadata.js';
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

function withMetadata(): RolloutDefinition {
  const def = seedRollout();
  return {
    ...def,
    canary: {
      ...def.canary,
      canaryMetadata: { labels: { role: 'canary' }, annotations: { 'example.com/canary': 'yes' } },
      stableMetadata: { labels: { role: 'stable' } },
    },
  };
}

const hashOf = (def: RolloutDefinition, image: string) => podTemplateHash(withImage(def, image).template);

function template(h: RolloutHarness, hash: string) {
  const rs = h.cluster.replicaSets.get(`myapp-${hash}`);
  if (!rs) throw new Error(`no ReplicaSet myapp-${hash}`);
  return { ...rs.template, injected: rs.annotations[EPHEMERAL_METADATA_ANNOTATION] };
}

async function blueThenYellowCanary(def: RolloutDefinition): Promise<RolloutHarness> {
  const h = server.harness(def);
  await h.start();
  await h.rollouts.apply(def);
  await h.healthyOn(hashOf(def, BLUE));
  h.cluster.calls = [];
  await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
  await h.pausedAt(1);
  return h;
}

describe('canaryMetadata and stableMetadata', () => {
  it('first deploy: stable metadata; the canary ReplicaSet: canary metadata; promoted: stable metadata', async () => {
    const def = withMetadata();
    const blue = hashOf(def, BLUE);
    const yellow = hashOf(def, YELLOW);
    const h = await blueThenYellowCanary(def);

    // The name's hash is the Rollout template's: the ephemeral labels are not part of it.
    expect(h.cluster.replicaSets.has(`myapp-${blue}`)).toBe(true);
    expect(template(h, blue)).toEqual({
      labels: { app: 'myapp', 'rollouts-pod-template-hash': blue, role: 'stable' },
      injected: '{"labels":{"role":"stable"}}',
    });
    expect(template(h, yellow)).toEqual({
      labels: { app: 'myapp', 'rollouts-pod-template-hash': yellow, role: 'canary' },
      annotations: { 'example.com/canary': 'yes' },
      injected: '{"labels":{"role":"canary"},"annotations":{"example.com/canary":"yes"}}',
    });
    // Created with the canary's metadata at once: no separate sync while the roles hold.
    expect(h.cluster.callsOf('syncPodMetadata')).toEqual([]);

    await h.rollouts.promote(h.namespace, h.name, true);
    await h.healthyOn(yellow);
    // The new stable trades the canary's keys for stableMetadata; the old stable loses its own.
    expect(h.cluster.callsOf('syncPodMetadata')).toEqual([
      `syncPodMetadata myapp-${yellow} {"labels":{"role":"stable"}}`,
      `syncPodMetadata myapp-${blue} null`,
    ]);
    expect(template(h, yellow)).toEqual({
      labels: { app: 'myapp', 'rollouts-pod-template-hash': yellow, role: 'stable' },
      annotations: {},
      injected: '{"labels":{"role":"stable"}}',
    });
    expect(template(h, blue)).toEqual({
      labels: { app: 'myapp', 'rollouts-pod-template-hash': blue },
      injected: undefined,
    });
    await h.saveHistories('pod-metadata-promote');
  });

  it('abort: the canary keeps canary metadata and the stable its stable metadata', async () => {
    const def = withMetadata();
    const blue = hashOf(def, BLUE);
    const yellow = hashOf(def, YELLOW);
    const h = await blueThenYellowCanary(def);
    await h.rollouts.abort(h.namespace, h.name);
    await h.waitFor('aborted', (s) => s.aborted && s.weights.canary === 0);
    expect(h.cluster.callsOf('syncPodMetadata')).toEqual([]);
    expect(template(h, blue).labels?.role).toBe('stable');
    expect(template(h, yellow).labels?.role).toBe('canary');
  });

  it('a canary abandoned for a newer revision loses canaryMetadata; the newer one gets it', async () => {
    const def = withMetadata();
    const yellow = hashOf(def, YELLOW);
    const green = hashOf(def, GREEN);
    const h = await blueThenYellowCanary(def);
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', GREEN);
    await h.waitFor(
      'green paused at step 1',
      (st) => st.canaryRevision?.podTemplateHash === green && st.pauseConditions.length > 0,
    );
    expect(h.cluster.callsOf('syncPodMetadata')).toEqual([`syncPodMetadata myapp-${yellow} null`]);
    expect(template(h, yellow).labels?.role).toBeUndefined();
    expect(template(h, yellow).injected).toBeUndefined();
    expect(template(h, green).labels?.role).toBe('canary');
    await h.saveHistories('pod-metadata-abandon');
  });

  it('a deploy that changes only the metadata relabels the stable of a Healthy rollout', async () => {
    const def = withMetadata();
    const blue = hashOf(def, BLUE);
    const h = server.harness(def);
    await h.start();
    await h.rollouts.apply(def);
    await h.healthyOn(blue);
    const changed: RolloutDefinition = {
      ...def,
      canary: { ...def.canary, stableMetadata: { labels: { tier: 'stable' } } },
    };
    expect((await h.rollouts.apply(changed)).message).toContain(
      'its pods get the new canaryMetadata/stableMetadata',
    );
    await h.waitFor('stable relabelled', () => template(h, blue).labels?.tier === 'stable');
    expect(h.cluster.callsOf('syncPodMetadata')).toEqual([
      `syncPodMetadata myapp-${blue} {"labels":{"tier":"stable"}}`,
    ]);
    // role was injected before and is no longer wanted: removed; the template's own labels stay.
    expect(template(h, blue).labels).toEqual({
      app: 'myapp',
      'rollouts-pod-template-hash': blue,
      tier: 'stable',
    });
    await h.saveHistories('pod-metadata-only');
  });

  it('without either field no ReplicaSet gets any, and no sync is made', async () => {
    const def = seedRollout();
    const h = await blueThenYellowCanary(def);
    await h.rollouts.promote(h.namespace, h.name, true);
    await h.healthyOn(hashOf(def, YELLOW));
    expect(h.cluster.callsOf('syncPodMetadata')).toEqual([]);
    expect(template(h, hashOf(def, YELLOW)).injected).toBeUndefined();
  });
});
