// Argo's ephemeral pod metadata (canaryMetadata, stableMetadata): labels and annotations the pods of a
// ReplicaSet carry while it is the canary or the stable, removed when it stops being one. Ported from
// Argo v1.10.2 (utils/replicaset/canary.go SyncEphemeralPodMetadata, SyncReplicaSetEphemeralPodMetadata,
// ParseExistingPodMetadata; rollout/ephemeralmetadata.go, rollout/sync.go). What was injected is
// remembered in the ReplicaSet's annotation, as Argo's, so only those keys are ever removed.
import type { CanaryStrategy, Labels, PodMetadata } from './types.js';

export type { PodMetadata };

/** Argo's annotation on a ReplicaSet: the metadata it injected into the pod template, as JSON. */
export const EPHEMERAL_METADATA_ANNOTATION = 'rollout.argoproj.io/ephemeral-metadata';

/** Argo's hasEphemeralMetadataConfigured: without either field Argo neither adds nor removes any. */
export function hasEphemeralMetadata(canary: CanaryStrategy): boolean {
  return canary.canaryMetadata !== undefined || canary.stableMetadata !== undefined;
}

/**
 * The metadata a ReplicaSet's pods carry (Argo's reconcileEphemeralMetadata and the creation in
 * sync.go): while a canary is in progress the new ReplicaSet carries canaryMetadata and the stable
 * stableMetadata; fully rolled out (or before any stable) the new one is the stable; every other
 * ReplicaSet carries none (null).
 */
export function ephemeralMetadataFor(
  canary: CanaryStrategy,
  hash: string,
  roles: { desiredHash: string; stableHash?: string },
): PodMetadata | null {
  const fullyRolledOut = roles.stableHash === undefined || roles.stableHash === roles.desiredHash;
  if (hash === roles.desiredHash)
    return (fullyRolledOut ? canary.stableMetadata : canary.canaryMetadata) ?? null;
  if (hash === roles.stableHash) return canary.stableMetadata ?? null;
  return null;
}

/** An object's labels and annotations (a pod's, or a pod template's). */
export interface ObjectMetadata {
  labels?: Labels;
  annotations?: Labels;
  [field: string]: unknown;
}

/** A merge patch of labels and annotations: a value sets the key, null removes it. */
export interface MetadataPatch {
  labels?: Record<string, string | null>;
  annotations?: Record<string, string | null>;
}

/**
 * Argo's SyncEphemeralPodMetadata as a patch: the desired keys set where they differ, the keys injected
 * before (`existing`) and no longer desired removed where present. Undefined when nothing changes.
 * Keys nobody injected (the template's own, another controller's) are never touched.
 */
export function ephemeralMetadataPatch(
  current: ObjectMetadata,
  existing: PodMetadata | null,
  desired: PodMetadata | null,
): MetadataPatch | undefined {
  const patch: MetadataPatch = {};
  for (const kind of ['annotations', 'labels'] as const) {
    const have = current[kind] ?? {};
    const want = desired?.[kind] ?? {};
    const changes: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(want)) if (have[key] !== value) changes[key] = value;
    for (const key of Object.keys(existing?.[kind] ?? {}))
      if ((desired === null || !(key in want)) && key in have) changes[key] = null;
    if (Object.keys(changes).length) patch[kind] = changes;
  }
  return patch.labels || patch.annotations ? patch : undefined;
}

/** The metadata with the patch applied (a copy; maps that end up empty stay, as in Go). */
export function applyMetadataPatch<T extends ObjectMetadata>(metadata: T, patch: MetadataPatch): T {
  const next = { ...metadata };
  for (const kind of ['annotations', 'labels'] as const) {
    const changes = patch[kind];
    if (!changes) continue;
    const map: Labels = { ...(next[kind] ?? {}) };
    for (const [key, value] of Object.entries(changes)) {
      if (value === null) delete map[key];
      else map[key] = value;
    }
    next[kind] = map;
  }
  return next;
}

/** Go's json.Marshal of a PodTemplateMetadata: labels then annotations, keys sorted, HTML escaped. */
export function encodeEphemeralMetadata(metadata: PodMetadata): string {
  const sorted = (map: Labels) =>
    Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const out: PodMetadata = {};
  if (metadata.labels && Object.keys(metadata.labels).length) out.labels = sorted(metadata.labels);
  if (metadata.annotations && Object.keys(metadata.annotations).length)
    out.annotations = sorted(metadata.annotations);
  return JSON.stringify(out).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Argo's ParseExistingPodMetadata: what a ReplicaSet says it injected; null when nothing or unreadable. */
export function parseEphemeralMetadata(annotations: Labels | undefined): PodMetadata | null {
  const text = annotations?.[EPHEMERAL_METADATA_ANNOTATION];
  if (text === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const { labels, annotations: injected } = parsed as Record<string, unknown>;
    const stringMap = (value: unknown): Labels | undefined =>
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === 'string')
        ? (value as Labels)
        : undefined;
    return {
      ...(stringMap(labels) ? { labels: stringMap(labels) } : {}),
      ...(stringMap(injected) ? { annotations: stringMap(injected) } : {}),
    };
  } catch {
    return null;
  }
}

/** A ReplicaSet's own annotations and its pod template's metadata: all the sync reads and writes. */
export interface ReplicaSetMetadata {
  annotations?: Labels;
  template: ObjectMetadata;
}

/**
 * Argo's SyncReplicaSetEphemeralPodMetadata: the template gets `desired` (what was injected before and
 * is no longer desired removed), and the ReplicaSet's annotation remembers `desired` (dropped for
 * null). Undefined when the template needs no change: the annotation is then left as it is, as Argo's.
 */
export function syncReplicaSetMetadata(
  rs: ReplicaSetMetadata,
  desired: PodMetadata | null,
): ReplicaSetMetadata | undefined {
  const patch = ephemeralMetadataPatch(rs.template, parseEphemeralMetadata(rs.annotations), desired);
  if (patch === undefined) return undefined;
  const annotations = { ...(rs.annotations ?? {}) };
  if (desired !== null) annotations[EPHEMERAL_METADATA_ANNOTATION] = encodeEphemeralMetadata(desired);
  else delete annotations[EPHEMERAL_METADATA_ANNOTATION];
  return { annotations, template: applyMetadataPatch(rs.template, patch) };
}

/** The same metadata, whatever order its keys were written in (for "already applied?"). */
export function sameEphemeralMetadata(a: PodMetadata | null, b: PodMetadata | null): boolean {
  if (a === null || b === null) return a === b;
  return encodeEphemeralMetadata(a) === encodeEphemeralMetadata(b);
}
