// Argo's ephemeral pod metadata rules (utils/replicaset/canary.go, rollout/ephemeralmetadata.go and
// sync.go, v1.10.2) as core/pod-metadata.ts has them: which role's metadata a ReplicaSet carries, the
// patch that moves a template or a pod from one role to the next, and the annotation remembering it.
import { describe, expect, it } from '@jest/globals';
import {
  EPHEMERAL_METADATA_ANNOTATION,
  applyMetadataPatch,
  encodeEphemeralMetadata,
  ephemeralMetadataFor,
  ephemeralMetadataPatch,
  hasEphemeralMetadata,
  parseEphemeralMetadata,
  sameEphemeralMetadata,
  syncReplicaSetMetadata,
} from '../../core/pod-metadata.js';
import type { CanaryStrategy } from '../../core/types.js';

const CANARY = { labels: { role: 'canary' }, annotations: { note: 'canary' } };
const STABLE = { labels: { role: 'stable' } };
const strategy = (extra: Partial<CanaryStrategy>): CanaryStrategy => ({
  steps: [],
  scaleDownDelaySeconds: 30,
  abortScaleDownDelaySeconds: 30,
  dynamicStableScale: false,
  ...extra,
});
const both = strategy({ canaryMetadata: CANARY, stableMetadata: STABLE });

describe('which metadata a ReplicaSet carries (reconcileEphemeralMetadata)', () => {
  it.each([
    ['no stable yet: the new one will be the stable', 'new', { desiredHash: 'new' }, STABLE],
    ['fully rolled out: the new one is the stable', 'new', { desiredHash: 'new', stableHash: 'new' }, STABLE],
    [
      'a canary in progress: the new one is the canary',
      'new',
      { desiredHash: 'new', stableHash: 'old' },
      CANARY,
    ],
    ['a canary in progress: the stable', 'old', { desiredHash: 'new', stableHash: 'old' }, STABLE],
    ['any other ReplicaSet: none', 'older', { desiredHash: 'new', stableHash: 'old' }, null],
    ['an old one after the promotion: none', 'old', { desiredHash: 'new', stableHash: 'new' }, null],
  ])('%s', (_, hash, roles, expected) => {
    expect(ephemeralMetadataFor(both, hash, roles)).toEqual(expected);
  });

  it('a role whose field is not set carries none, and only either field turns it on', () => {
    const onlyStable = strategy({ stableMetadata: STABLE });
    expect(ephemeralMetadataFor(onlyStable, 'new', { desiredHash: 'new', stableHash: 'old' })).toBeNull();
    expect(hasEphemeralMetadata(onlyStable)).toBe(true);
    expect(hasEphemeralMetadata(strategy({}))).toBe(false);
    expect(hasEphemeralMetadata(strategy({ canaryMetadata: {} }))).toBe(true);
  });
});

describe('the patch from one role to the next (SyncEphemeralPodMetadata)', () => {
  const pod = { labels: { app: 'myapp', role: 'canary' }, annotations: { note: 'canary', other: 'x' } };

  it('canary → stable: the canary keys go, the stable keys come; keys nobody injected stay', () => {
    const patch = ephemeralMetadataPatch(pod, CANARY, STABLE);
    expect(patch).toEqual({ labels: { role: 'stable' }, annotations: { note: null } });
    expect(applyMetadataPatch(pod, patch ?? {})).toEqual({
      labels: { app: 'myapp', role: 'stable' },
      annotations: { other: 'x' },
    });
  });

  it('to none (null): every injected key goes, even one the template also had', () => {
    expect(ephemeralMetadataPatch(pod, CANARY, null)).toEqual({
      labels: { role: null },
      annotations: { note: null },
    });
  });

  it('nothing to change: undefined (no write); a key injected before but already gone: no removal', () => {
    expect(ephemeralMetadataPatch(pod, CANARY, CANARY)).toBeUndefined();
    expect(ephemeralMetadataPatch({ labels: { app: 'myapp' } }, CANARY, null)).toBeUndefined();
  });

  it('nothing known to have been injected: only adds, never removes', () => {
    expect(ephemeralMetadataPatch(pod, null, STABLE)).toEqual({ labels: { role: 'stable' } });
    expect(ephemeralMetadataPatch({}, null, { annotations: { a: 'b' } })).toEqual({
      annotations: { a: 'b' },
    });
  });
});

describe("the ReplicaSet's annotation (SyncReplicaSetEphemeralPodMetadata, ParseExistingPodMetadata)", () => {
  it("encodes as Go's json.Marshal: labels first, keys sorted, HTML characters escaped", () => {
    expect(encodeEphemeralMetadata({ annotations: { b: '1', a: '<&>' }, labels: { z: 'z', y: 'y' } })).toBe(
      '{"labels":{"y":"y","z":"z"},"annotations":{"a":"\\u003c\\u0026\\u003e","b":"1"}}',
    );
    expect(encodeEphemeralMetadata({ labels: {} })).toBe('{}');
  });

  it('reads back what it wrote; unreadable or absent is null', () => {
    const text = encodeEphemeralMetadata(CANARY);
    expect(parseEphemeralMetadata({ [EPHEMERAL_METADATA_ANNOTATION]: text })).toEqual(CANARY);
    expect(parseEphemeralMetadata({ [EPHEMERAL_METADATA_ANNOTATION]: 'not json' })).toBeNull();
    expect(parseEphemeralMetadata({})).toBeNull();
    expect(parseEphemeralMetadata(undefined)).toBeNull();
  });

  it('a template moved to a new role remembers the new one; to none, the annotation goes', () => {
    const rs = {
      annotations: { 'rollout.argoproj.io/revision': '2' },
      template: { labels: { app: 'myapp' } },
    };
    const canary = syncReplicaSetMetadata(rs, CANARY);
    expect(canary).toEqual({
      annotations: {
        'rollout.argoproj.io/revision': '2',
        [EPHEMERAL_METADATA_ANNOTATION]: '{"labels":{"role":"canary"},"annotations":{"note":"canary"}}',
      },
      template: { labels: { app: 'myapp', role: 'canary' }, annotations: { note: 'canary' } },
    });
    const stable = syncReplicaSetMetadata(canary ?? rs, STABLE);
    expect(stable?.template).toEqual({ labels: { app: 'myapp', role: 'stable' }, annotations: {} });
    expect(stable?.annotations?.[EPHEMERAL_METADATA_ANNOTATION]).toBe('{"labels":{"role":"stable"}}');
    const none = syncReplicaSetMetadata(stable ?? rs, null);
    expect(none).toEqual({
      annotations: { 'rollout.argoproj.io/revision': '2' },
      template: { labels: { app: 'myapp' }, annotations: {} },
    });
  });

  it('unchanged template: no write, the annotation left as it is (as Argo)', () => {
    const rs = { annotations: {}, template: { labels: { app: 'myapp', role: 'stable' } } };
    expect(syncReplicaSetMetadata(rs, STABLE)).toBeUndefined();
  });

  it('the same metadata whatever the key order; {} is not none', () => {
    expect(sameEphemeralMetadata({ labels: { a: '1', b: '2' } }, { labels: { b: '2', a: '1' } })).toBe(true);
    expect(sameEphemeralMetadata({}, null)).toBe(false);
    expect(sameEphemeralMetadata(null, null)).toBe(true);
  });
});
