// A Rollout object as the watcher sees it → the definition its workflow runs, through the same
// pipeline as `rollouts apply -f` (validated, normalized, AnalysisTemplates attached, those the object
// does not hold read from the cluster), or the one message of everything wrong with it (InvalidSpec).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { TemplateKey } from '../../core/analysis/attach.js';
import { attachTemplates, loadManifestFiles } from '../../core/manifest/pipeline.js';
import type { RolloutDefinition } from '../../core/types.js';
import { clusterTemplatesFor, type FetchedTemplates } from '../../client/cluster-templates.js';

export interface RolloutObject extends KubernetesObject {
  spec?: unknown;
  status?: Record<string, unknown>;
}

export type ReadRollout = { definition: RolloutDefinition } | { invalid: string };

/** At most this many errors are named in the InvalidSpec message (the rest are counted). */
const ERRORS_SHOWN = 5;

/** `Rollout rollouts-demo/myapp (generation 3)`: where each of its errors is, in every message. */
export function objectLabel(object: RolloutObject): string {
  const { namespace, name, generation } = object.metadata ?? {};
  return `Rollout ${namespace ?? ''}/${name ?? ''} (generation ${generation ?? '?'})`;
}

/**
 * Only what the user wrote: the server's metadata (uid, resourceVersion, managedFields…) and the status
 * are not part of the manifest and would be refused as unknown fields.
 */
function manifestOf(object: RolloutObject): object {
  const { name, namespace, labels, annotations } = object.metadata ?? {};
  return {
    apiVersion: object.apiVersion,
    kind: object.kind,
    metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) },
    spec: object.spec,
  };
}

export async function readRolloutObject(
  object: RolloutObject,
  fetchTemplates: (keys: TemplateKey[]) => Promise<FetchedTemplates>,
): Promise<ReadRollout> {
  const label = objectLabel(object);
  const loaded = loadManifestFiles([{ path: label, text: JSON.stringify(manifestOf(object)) }]);
  const errors = loaded.errors.map((e) => e.message);
  const found = errors.length ? undefined : await clusterTemplatesFor(loaded, fetchTemplates);
  if (found) errors.push(...found.errors);
  if (!errors.length) {
    const attached = attachTemplates(loaded, { moreTemplates: found?.templates ?? [] });
    errors.push(...attached.errors.map((e) => e.message));
    const definition = attached.rollouts[0];
    if (!errors.length && definition) return { definition };
  }
  if (!errors.length) errors.push(`${label}: not a Rollout`);
  const more = errors.length > ERRORS_SHOWN ? ` (and ${errors.length - ERRORS_SHOWN} more)` : '';
  return { invalid: `${errors.slice(0, ERRORS_SHOWN).join('; ')}${more}` };
}
