// Secret args: read from their Secrets by the measuring activity, at measurement time, so their values
// never enter workflow inputs, results or history (STYLE.md). The mask keeps them out of every
// message and value a measurement returns, in case a server echoes them back or a URL carries one.
import type { V1Secret } from '@kubernetes/client-node';
import type { MetricValue, SecretArg } from '../../core/analysis/types.js';
import type { Kube } from '../kube.js';

export class SecretArgError extends Error {}

/** Each arg's value, by arg name. A missing Secret or key throws a SecretArgError naming it. */
export async function readSecretArgs(
  kube: Kube,
  namespace: string,
  args: SecretArg[],
): Promise<Record<string, string>> {
  const secrets = new Map<string, Promise<V1Secret | undefined>>();
  const values: Record<string, string> = {};
  for (const arg of args) {
    const what = `Secret ${namespace}/${arg.secretName}`;
    let pending = secrets.get(arg.secretName);
    if (!pending) {
      pending = kube.readIfExists<V1Secret>({
        apiVersion: 'v1',
        kind: 'Secret',
        namespace,
        name: arg.secretName,
      });
      secrets.set(arg.secretName, pending);
    }
    let secret: V1Secret | undefined;
    try {
      secret = await pending;
    } catch (err) {
      // Kube's failures already name the Secret ("Secret ns/name: ECONNREFUSED (…)").
      throw new SecretArgError(`arg "${arg.name}": ${(err as Error).message}`);
    }
    if (!secret) throw new SecretArgError(`arg "${arg.name}": ${what} not found`);
    const encoded = secret.data?.[arg.key];
    if (encoded === undefined) throw new SecretArgError(`arg "${arg.name}": ${what} has no key "${arg.key}"`);
    values[arg.name] = Buffer.from(encoded, 'base64').toString('utf8');
  }
  return values;
}

export const MASK = '***';

/** Replaces secret values (as written, and URL-encoded) with ***. */
export class SecretMask {
  private forms: string[] = [];

  constructor(secrets: string[] = []) {
    this.add(secrets);
  }

  add(secrets: string[]): void {
    const forms = new Set(this.forms);
    for (const secret of secrets) {
      if (secret === '') continue;
      forms.add(secret);
      forms.add(encodeURIComponent(secret));
      forms.add(encodeURI(secret));
    }
    // Longest first, so that a secret containing another is masked whole.
    this.forms = [...forms].sort((a, b) => b.length - a.length);
  }

  text(text: string): string {
    let result = text;
    for (const form of this.forms) result = result.split(form).join(MASK);
    return result;
  }

  value(value: MetricValue): MetricValue {
    if (this.forms.length === 0) return value;
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value !== null && typeof value === 'object' && !('$float' in value))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [this.text(k), this.value(v)]));
    return value;
  }
}
