// canaryMetadata and stableMetadata in a Rollout manifest: Argo's PodTemplateMetadata (string maps of
// labels and annotations) carried into the definition, and each wrong value refused naming the field
// and what was expected; a label the ReplicaSets select by is refused (its removal would orphan pods).
import { describe, expect, it } from '@jest/globals';
import { checkDefinition } from '../../core/definition-check.js';
import { loadManifests } from '../../core/manifest/index.js';

const C = 'spec.strategy.canary';

function rollout(canaryExtra: Record<string, unknown>) {
  return JSON.stringify({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'myapp', namespace: 'demo' },
    spec: {
      selector: { matchLabels: { app: 'myapp' } },
      template: {
        metadata: { labels: { app: 'myapp' } },
        spec: { containers: [{ name: 'myapp', image: 'argoproj/rollouts-demo:blue' }] },
      },
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }], ...canaryExtra } },
    },
  });
}

const errorsOf = (canaryExtra: Record<string, unknown>) =>
  loadManifests(rollout(canaryExtra), 'r.yaml').errors.map((e) => ({ path: e.path, message: e.message }));

describe('canaryMetadata and stableMetadata', () => {
  it('are carried into the definition; empty maps dropped, an empty one still set', () => {
    const { rollouts, errors } = loadManifests(
      rollout({
        canaryMetadata: { labels: { role: 'canary' }, annotations: { 'example.com/a': 'x' } },
        stableMetadata: { labels: {}, annotations: {} },
      }),
      'r.yaml',
    );
    expect(errors).toEqual([]);
    expect(rollouts[0]?.canary.canaryMetadata).toEqual({
      labels: { role: 'canary' },
      annotations: { 'example.com/a': 'x' },
    });
    expect(rollouts[0]?.canary.stableMetadata).toEqual({});
    const def = rollouts[0];
    expect(def && checkDefinition(def)).toEqual([]);
  });

  it.each([
    [
      'not a map',
      { canaryMetadata: 'role=canary' },
      `${C}.canaryMetadata`,
      'a map with labels and annotations',
    ],
    [
      'an unknown field',
      { stableMetadata: { label: { role: 'stable' } } },
      `${C}.stableMetadata.label`,
      'unknown field',
    ],
    [
      'a number as a label value',
      { canaryMetadata: { labels: { version: 2 } } },
      `${C}.canaryMetadata.labels.version`,
      'a string (quote it)',
    ],
    [
      'an invalid label value',
      { canaryMetadata: { labels: { role: 'a canary' } } },
      `${C}.canaryMetadata.labels.role`,
      'is not a valid label value',
    ],
    [
      'a number as an annotation',
      { stableMetadata: { annotations: { weight: 3 } } },
      `${C}.stableMetadata.annotations.weight`,
      'a string (quote it)',
    ],
    [
      'a selector label',
      { stableMetadata: { labels: { app: 'myapp' } } },
      `${C}.stableMetadata.labels.app`,
      'is a label of spec.selector.matchLabels',
    ],
    [
      'the hash label',
      { canaryMetadata: { labels: { 'rollouts-pod-template-hash': 'x' } } },
      `${C}.canaryMetadata.labels.rollouts-pod-template-hash`,
      'is the pod-template hash label',
    ],
  ])('%s is refused naming the field', (_, extra, path, message) => {
    const errors = errorsOf(extra);
    expect(errors.map((e) => e.path)).toEqual([path]);
    expect(errors[0]?.message).toContain(message);
  });

  it('a definition sent by hand is checked the same way', () => {
    const { rollouts } = loadManifests(rollout({}), 'r.yaml');
    const def = rollouts[0];
    if (!def) throw new Error('loads');
    const withLabels = (labels: Record<string, unknown>) => ({
      ...def,
      canary: { ...def.canary, stableMetadata: { labels } },
    });
    expect(checkDefinition(withLabels({ n: 1 }))).toEqual([
      expect.stringContaining('rollout.canary.stableMetadata.labels.n'),
    ]);
    expect(checkDefinition(withLabels({ app: 'x' }))).toEqual([
      expect.stringContaining('rollout.canary.stableMetadata.labels.app'),
    ]);
  });
});
