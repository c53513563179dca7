// Secret args are the only `{{args.x}}` left in a provider when it reaches the activity (plain args are
// replaced when the analysis is resolved, core/analysis/resolve.ts, by the same rule: core/analysis/
// args.ts). Here they get their values, in every string of the provider: address, query, url, headers,
// body, jsonBody.
import { substituteArgs } from '../../core/analysis/args.js';
import type { MetricProvider } from '../../core/analysis/types.js';

export interface Substituted {
  provider: MetricProvider;
  /** Names of `{{args.x}}` with no value here (a bug upstream: resolve.ts replaces every plain arg). */
  unresolved: string[];
}

export function substituteSecretArgs(provider: MetricProvider, values: Record<string, string>): Substituted {
  const unresolved = new Set<string>();
  const substituted = substituteArgs(provider, (name, written) => {
    if (Object.hasOwn(values, name)) return values[name] as string;
    unresolved.add(name);
    return written;
  });
  return { provider: substituted, unresolved: [...unresolved] };
}
