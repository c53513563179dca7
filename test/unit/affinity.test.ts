// Argo's injected anti-affinity (core/affinity.ts): what GenerateReplicaSetAffinity adds to a new
// ReplicaSet's template, that the pod-template hash never sees it, and when Argo writes it again.
import { describe, expect, it } from '@jest/globals';
import {
  injectedAntiAffinityNeedsUpdate,
  replicaSetAffinity,
  replicaSetTemplate,
} from '../../core/affinity.js';
import { podTemplateHash } from '../../core/hash.js';
import type { AntiAffinity, PodTemplate } from '../../core/types.js';

const REQUIRED: AntiAffinity = { requiredDuringSchedulingIgnoredDuringExecution: {} };
const PREFERRED: AntiAffinity = { preferredDuringSchedulingIgnoredDuringExecution: { weight: 40 } };
const context = { namespace: 'demo', stableHash: 'stable1', newHash: 'canary1' };

const term = (stableHash: string) => ({
  labelSelector: {
    matchExpressions: [{ key: 'rollouts-pod-template-hash', operator: 'In', values: [stableHash] }],
  },
  namespaces: ['demo'],
  topologyKey: 'kubernetes.io/hostname',
});

const template = (affinity?: unknown): PodTemplate => ({
  metadata: { labels: { app: 'myapp' } },
  spec: { containers: [{ name: 'myapp', image: 'blue' }], ...(affinity !== undefined ? { affinity } : {}) },
});

describe('replicaSetAffinity (GenerateReplicaSetAffinity)', () => {
  it('adds a required term against the stable hash to a template without affinity', () => {
    expect(replicaSetAffinity(undefined, REQUIRED, context)).toEqual({
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('stable1')] },
    });
  });

  it('adds a weighted term for preferred', () => {
    expect(replicaSetAffinity(undefined, PREFERRED, context)).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 40, podAffinityTerm: term('stable1') }],
      },
    });
  });

  it("appends to the template's own terms and keeps its other affinity, without changing the template", () => {
    const own = {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('other')] },
    };
    const before = structuredClone(own);
    expect(replicaSetAffinity(own, REQUIRED, context)).toEqual({
      nodeAffinity: own.nodeAffinity,
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('other'), term('stable1')] },
    });
    expect(own).toEqual(before);
  });

  it('adds nothing without a strategy, without a stable, or for the stable itself', () => {
    const own = { podAffinity: { x: 1 } };
    expect(replicaSetAffinity(own, undefined, context)).toEqual(own);
    expect(
      replicaSetAffinity(undefined, REQUIRED, { namespace: 'demo', newHash: 'canary1' }),
    ).toBeUndefined();
    expect(replicaSetAffinity(own, REQUIRED, { ...context, newHash: 'stable1' })).toEqual(own);
  });
});

describe('replicaSetTemplate', () => {
  it("puts the affinity in the ReplicaSet's template; the Rollout's template and hash stay as they were", () => {
    const rollout = template();
    const hash = podTemplateHash(rollout);
    const forReplicaSet = replicaSetTemplate(rollout, PREFERRED, context);
    expect(forReplicaSet.spec.affinity).toEqual(replicaSetAffinity(undefined, PREFERRED, context));
    expect(rollout.spec.affinity).toBeUndefined();
    expect(podTemplateHash(rollout)).toBe(hash);
    expect(replicaSetTemplate(rollout, undefined, context)).toEqual(rollout);
  });
});

describe('injectedAntiAffinityNeedsUpdate (IfInjectedAntiAffinityRuleNeedsUpdate)', () => {
  const injected = (stableHash: string) =>
    replicaSetAffinity(undefined, REQUIRED, { ...context, stableHash });

  it('is true when the injected term avoids another stable than the current one', () => {
    expect(injectedAntiAffinityNeedsUpdate(injected('older'), REQUIRED, context)).toBe(true);
  });

  it('is false when it avoids the current stable, when there is none injected, or for the stable itself', () => {
    expect(injectedAntiAffinityNeedsUpdate(injected('stable1'), REQUIRED, context)).toBe(false);
    expect(injectedAntiAffinityNeedsUpdate(undefined, REQUIRED, context)).toBe(false);
    expect(
      injectedAntiAffinityNeedsUpdate(injected('older'), REQUIRED, { ...context, newHash: 'stable1' }),
    ).toBe(false);
  });

  it("looks only in the strategy's own list", () => {
    // a required term, but the strategy is preferred: Argo's HasInjectedAntiAffinityRule does not see it
    expect(injectedAntiAffinityNeedsUpdate(injected('older'), PREFERRED, context)).toBe(false);
    const preferred = replicaSetAffinity(undefined, PREFERRED, { ...context, stableHash: 'older' });
    expect(injectedAntiAffinityNeedsUpdate(preferred, PREFERRED, context)).toBe(true);
  });
});
