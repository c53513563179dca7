// Secret args are the only `{{args.x}}` left in a provider when it reaches the activity (plain args are
// replaced when the analysis is resolved, core/analysis/resolve.ts, with the same pattern). Here they
// get their values, in every string of the provider: address, query, url, headers, body, jsonBody.
import type { MetricProvider } from '../../core/analysis/types.js';

const ARG = /\{\{\s*args\.([\w-]+)\s*\}\}/g;

export interface Substituted {
  provider: MetricProvider;
  /** Names of `{{args.x}}` with no value here (a bug upstream: resolve.ts replaces every plain arg). */
  unresolved: string[];
}

export function substituteSecretArgs(provider: MetricProvider, values: Record<string, string>): Substituted {
  const unresolved = new Set<string>();
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string')
      return value.replace(ARG, (whole, name: string) => {
        if (Object.hasOwn(values, name)) return values[name] as string;
        unresolved.add(name);
        return whole;
      });
    if (Array.isArray(value)) return value.map(walk);
    if (value !== null && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return { provider: walk(provider) as MetricProvider, unresolved: [...unresolved] };
}
