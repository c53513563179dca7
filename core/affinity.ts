// Argo's injected anti-affinity (utils/replicaset: GenerateReplicaSetAffinity, HasInjectedAntiAffinityRule,
// IfInjectedAntiAffinityRuleNeedsUpdate): with spec.strategy.canary.antiAffinity, a new ReplicaSet's pods
// avoid the nodes running the stable ReplicaSet's pods. The term is added to the pod template the
// ReplicaSet is created with, never to the Rollout's template, so the pod-template hash does not see it.
import { isObject } from './json.js';
import { POD_TEMPLATE_HASH_LABEL, type AntiAffinity, type PodTemplate } from './types.js';

type Json = Record<string, unknown>;

/** What Argo's rule is built from: the Rollout's namespace, its stable hash and the new ReplicaSet's. */
export interface AntiAffinityContext {
  namespace: string;
  /** Absent: no stable yet (the first deploy), nothing to avoid. */
  stableHash?: string;
  newHash: string;
}

const isPreferred = (
  strategy: AntiAffinity,
): strategy is { preferredDuringSchedulingIgnoredDuringExecution: { weight: number } } =>
  'preferredDuringSchedulingIgnoredDuringExecution' in strategy;

/** CreateInjectedAntiAffinityRule: the pods of the stable ReplicaSet, on the same node. */
export function injectedAntiAffinityTerm(namespace: string, stableHash: string): Json {
  return {
    labelSelector: {
      matchExpressions: [{ key: POD_TEMPLATE_HASH_LABEL, operator: 'In', values: [stableHash] }],
    },
    namespaces: [namespace],
    topologyKey: 'kubernetes.io/hostname',
  };
}

/**
 * GenerateReplicaSetAffinity: the template's own affinity, plus the injected term when there is a
 * strategy and a stable other than the new ReplicaSet. Undefined when the template has none and nothing
 * is injected. The template's affinity is copied, never changed.
 */
export function replicaSetAffinity(
  templateAffinity: unknown,
  strategy: AntiAffinity | undefined,
  { namespace, stableHash, newHash }: AntiAffinityContext,
): Json | undefined {
  const affinity = isObject(templateAffinity) ? (structuredClone(templateAffinity) as Json) : undefined;
  if (strategy === undefined || !stableHash || stableHash === newHash) return affinity;
  const term = injectedAntiAffinityTerm(namespace, stableHash);
  const result: Json = affinity ?? {};
  const anti: Json = isObject(result.podAntiAffinity) ? result.podAntiAffinity : {};
  result.podAntiAffinity = anti;
  const key = isPreferred(strategy)
    ? 'preferredDuringSchedulingIgnoredDuringExecution'
    : 'requiredDuringSchedulingIgnoredDuringExecution';
  const item = isPreferred(strategy)
    ? { weight: strategy.preferredDuringSchedulingIgnoredDuringExecution.weight, podAffinityTerm: term }
    : term;
  const existing = anti[key];
  anti[key] = Array.isArray(existing) ? [...(existing as unknown[]), item] : [item];
  return result;
}

/** The pod template a new ReplicaSet is created with: the Rollout's, with Argo's affinity. */
export function replicaSetTemplate(
  template: PodTemplate,
  strategy: AntiAffinity | undefined,
  context: AntiAffinityContext,
): PodTemplate {
  const { affinity: own, ...spec } = template.spec;
  const affinity = replicaSetAffinity(own, strategy, context);
  return { ...template, spec: { ...spec, ...(affinity !== undefined ? { affinity } : {}) } };
}

/** HasInjectedAntiAffinityRule: the first term of the strategy's list that selects by our hash label. */
function injectedTerm(affinity: unknown, strategy: AntiAffinity): Json | undefined {
  if (!isObject(affinity) || !isObject(affinity.podAntiAffinity)) return undefined;
  const anti = affinity.podAntiAffinity;
  const list = isPreferred(strategy)
    ? anti.preferredDuringSchedulingIgnoredDuringExecution
    : anti.requiredDuringSchedulingIgnoredDuringExecution;
  if (!Array.isArray(list)) return undefined;
  for (const item of list as unknown[]) {
    const term = isPreferred(strategy) ? (isObject(item) ? item.podAffinityTerm : undefined) : item;
    if (isObject(term) && selectorExpressions(term).some((e) => e.key === POD_TEMPLATE_HASH_LABEL))
      return term;
  }
  return undefined;
}

function selectorExpressions(term: Json): Json[] {
  const selector = term.labelSelector;
  if (!isObject(selector) || !Array.isArray(selector.matchExpressions)) return [];
  return (selector.matchExpressions as unknown[]).filter(isObject);
}

/**
 * IfInjectedAntiAffinityRuleNeedsUpdate: a ReplicaSet (not the stable) whose injected term avoids
 * another stable than the current one. Argo then writes GenerateReplicaSetAffinity into it again.
 */
export function injectedAntiAffinityNeedsUpdate(
  liveAffinity: unknown,
  strategy: AntiAffinity | undefined,
  { stableHash, newHash }: AntiAffinityContext,
): boolean {
  if (strategy === undefined) return false;
  const term = injectedTerm(liveAffinity, strategy);
  if (term === undefined || (stableHash ?? '') === newHash) return false;
  return selectorExpressions(term).some(
    (e) =>
      e.key === POD_TEMPLATE_HASH_LABEL &&
      Array.isArray(e.values) &&
      e.values.length > 0 &&
      e.values[0] !== (stableHash ?? ''),
  );
}
