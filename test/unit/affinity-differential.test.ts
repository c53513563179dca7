// Argo's injected anti-affinity against Argo's own: generated Rollouts (a template with or without
// affinity of its own, either strategy or none, a stable or none) go through core/affinity.ts and
// through Argo v1.10.2's utils/replicaset.GenerateReplicaSetAffinity and
// IfInjectedAntiAffinityRuleNeedsUpdate (argo-oracle, tools/argo-oracle/affinity.go).
import { describe, expect, it } from '@jest/globals';
import { injectedAntiAffinityNeedsUpdate, replicaSetAffinity } from '../../core/affinity.js';
import type { AntiAffinity } from '../../core/types.js';
import { seededRandom, type Random } from '../../lab/mesh/random.js';
import { askOracle, type OracleAnswer } from '../support/argo-oracle.js';

interface AffinityCase {
  namespace: string;
  stableRS: string;
  strategy?: AntiAffinity;
  templateAffinity?: Record<string, unknown>;
  liveAffinity?: unknown;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const userTerm = (app: string) => ({ labelSelector: { matchLabels: { app } }, topologyKey: 'zone' });
const NODE = {
  requiredDuringSchedulingIgnoredDuringExecution: {
    nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
  },
};

function randomAffinity(random: Random): Record<string, unknown> | undefined {
  if (random() < 0.3) return undefined;
  const affinity: Record<string, unknown> = {};
  if (random() < 0.4) affinity.nodeAffinity = NODE;
  if (random() < 0.3)
    affinity.podAffinity = {
      preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: userTerm('db') }],
    };
  if (random() < 0.6) {
    const anti: Record<string, unknown> = {};
    if (random() < 0.5)
      anti.requiredDuringSchedulingIgnoredDuringExecution = [userTerm('x'), userTerm('y')].slice(
        0,
        1 + Math.floor(random() * 2),
      );
    if (random() < 0.5)
      anti.preferredDuringSchedulingIgnoredDuringExecution = [{ weight: 10, podAffinityTerm: userTerm('z') }];
    affinity.podAntiAffinity = anti;
  }
  return affinity;
}

function randomStrategy(random: Random): AntiAffinity | undefined {
  const roll = random();
  if (roll < 0.2) return undefined;
  if (roll < 0.6) return { requiredDuringSchedulingIgnoredDuringExecution: {} };
  return { preferredDuringSchedulingIgnoredDuringExecution: { weight: 1 + Math.floor(random() * 100) } };
}

export function affinityCases(seed = 11, count = 2000): AffinityCase[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const namespace = pick(random, ['demo', 'payments']);
    const stableRS = pick(random, ['', 'stable1', 'other']);
    const strategy = randomStrategy(random);
    const templateAffinity = randomAffinity(random);
    // What a live ReplicaSet may carry: nothing, the template's own, or an injected term against
    // some stable under either strategy.
    const roll = random();
    const injectedBy = pick<AntiAffinity>(random, [
      { requiredDuringSchedulingIgnoredDuringExecution: {} },
      { preferredDuringSchedulingIgnoredDuringExecution: { weight: 3 } },
    ]);
    const liveAffinity =
      roll < 0.2
        ? undefined
        : roll < 0.35
          ? templateAffinity
          : replicaSetAffinity(templateAffinity, injectedBy, {
              namespace,
              stableHash: pick(random, ['stable1', 'older']),
              newHash: 'new',
            });
    return {
      namespace,
      stableRS,
      ...(strategy ? { strategy } : {}),
      ...(templateAffinity ? { templateAffinity } : {}),
      ...(liveAffinity ? { liveAffinity } : {}),
    };
  });
}

/** Ours; the new ReplicaSet's hash is never a stable's here (core's unit tests cover that case). */
function ours(c: AffinityCase): OracleAnswer {
  const context = {
    namespace: c.namespace,
    ...(c.stableRS !== '' ? { stableHash: c.stableRS } : {}),
    newHash: 'not-a-stable-hash',
  };
  const affinity = replicaSetAffinity(c.templateAffinity, c.strategy, context);
  return {
    ...(affinity !== undefined ? { affinity } : {}),
    needsUpdate: injectedAntiAffinityNeedsUpdate(c.liveAffinity, c.strategy, context),
  };
}

function argoCase(c: AffinityCase): object {
  return {
    op: 'replicaSetAffinity',
    rollout: {
      metadata: { name: 'myapp', namespace: c.namespace },
      spec: {
        template: {
          metadata: { labels: { app: 'myapp' } },
          spec: {
            containers: [{ name: 'myapp', image: 'blue' }],
            ...(c.templateAffinity ? { affinity: c.templateAffinity } : {}),
          },
        },
        strategy: { canary: { ...(c.strategy ? { antiAffinity: c.strategy } : {}) } },
      },
      status: { stableRS: c.stableRS },
    },
    ...(c.liveAffinity !== undefined ? { liveAffinity: c.liveAffinity } : {}),
  };
}

describe("injected anti-affinity against Argo v1.10.2's (utils/replicaset)", () => {
  it('gives the same affinity and the same "needs update" on every generated case', async () => {
    const cases = affinityCases();
    const argo = await askOracle(cases.map(argoCase));
    const disagreements: string[] = [];
    cases.forEach((c, index) => {
      const theirs = argo[index] as OracleAnswer;
      const mine = ours(c);
      if (theirs.error !== undefined)
        disagreements.push(`${JSON.stringify(c)}: oracle error ${theirs.error}`);
      else if (JSON.stringify(sorted(theirs)) !== JSON.stringify(sorted(mine)))
        disagreements.push(
          `${JSON.stringify(c)}: Argo ${JSON.stringify(theirs)}, ours ${JSON.stringify(mine)}`,
        );
    });
    console.log(`argo-affinity: ${cases.length} cases, ${cases.length - disagreements.length} agreed`);
    expect(disagreements.slice(0, 5)).toEqual([]);
    // every kind of answer is among the cases
    expect(argo.some((a) => a.needsUpdate === true)).toBe(true);
    expect(argo.some((a) => a.needsUpdate === false)).toBe(true);
    expect(argo.some((a) => a.affinity === undefined)).toBe(true);
    expect(argo.some((a) => JSON.stringify(a.affinity ?? {}).includes('rollouts-pod-template-hash'))).toBe(
      true,
    );
  });
});

/** Keys in order, so that Go's field order and ours compare equal. */
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sorted(v)]),
  );
}
