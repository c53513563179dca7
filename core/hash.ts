// Pod-template hash: the same template always yields the same ReplicaSet name, which makes "create the
// canary ReplicaSet" idempotent under activity retries. Like Argo: FNV-1a (32 bit) over the template,
// the decimal digits then mapped onto Kubernetes' "safe" alphabet (no vowels, no look-alikes).
import type { PodTemplate } from './types.js';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted, so key order in the user's YAML does not change the hash. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

function utf8Bytes(text: string): number[] {
  const bytes: number[] = [];
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp < 0x80) bytes.push(cp);
    else if (cp < 0x800) bytes.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
    else if (cp < 0x10000) bytes.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
    else bytes.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  }
  return bytes;
}

export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8Bytes(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export function safeEncode(text: string): string {
  return [...text].map((c) => SAFE_ALPHABET[c.charCodeAt(0) % SAFE_ALPHABET.length]).join('');
}

/**
 * The hash of a pod template. Our own hash label is left out of the input, so hashing a template
 * that already carries it gives the same answer.
 */
export function podTemplateHash(template: PodTemplate): string {
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels['rollouts-pod-template-hash'];
  const input = { ...template, metadata: { ...(template.metadata ?? {}), labels } };
  return safeEncode(String(fnv1a32(canonicalJson(input))));
}

/** container name → image, for status and the CLI. */
export function templateImages(template: PodTemplate): Record<string, string> {
  return Object.fromEntries(template.spec.containers.map((c) => [c.name, c.image]));
}
