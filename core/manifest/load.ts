// loadManifests: one YAML file's text → validated Rollouts, AnalysisTemplates, everything else by name,
// and every error found. Pure, so `apply`, `lint` and the tests share it; the caller reads the file.

import type { RolloutDefinition } from '../types.js';
import type { AnalysisTemplateManifest } from './argo-types.js';
import { duplicateErrors, type ObjectSummary } from './duplicates.js';
import { Issues, type ManifestError } from './errors.js';
import { isObject } from '../json.js';
import { readString, type JsonMap } from './fields.js';
import { DEFAULT_NAMESPACE, normalizeRollout } from './normalize.js';
import { parseDocuments, type RawDocument } from './parse.js';
import { checkArgoKind } from './argo-kinds.js';
import { validateAnalysisTemplate } from './validate-analysis-template.js';
import { validateRollout } from './validate-rollout.js';

export interface LoadOptions {
  /** Namespace for objects that do not name one (kubectl's current namespace); 'default' by default. */
  defaultNamespace?: string;
}

export interface LoadResult {
  /** Valid Rollouts, normalized, in document order. */
  rollouts: RolloutDefinition[];
  /** Valid AnalysisTemplates and ClusterAnalysisTemplates, in document order. */
  analysisTemplates: AnalysisTemplateManifest[];
  /** Objects of other kinds (Service, VirtualService, Namespace, …): not ours to validate. */
  others: ObjectSummary[];
  /** Every object that has a kind, valid or not, in document order. */
  objects: ObjectSummary[];
  errors: ManifestError[];
}

/** Kinds without a namespace, so that summaries and messages do not invent one. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterAnalysisTemplate',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'PersistentVolume',
  'StorageClass',
  'PriorityClass',
  'IngressClass',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'APIService',
  'Node',
]);

export function loadManifests(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const defaultNamespace = options.defaultNamespace ?? DEFAULT_NAMESPACE;
  const parsed = parseDocuments(text, file);
  const result: LoadResult = {
    rollouts: [],
    analysisTemplates: [],
    others: [],
    objects: [],
    errors: [...parsed.errors],
  };

  for (const document of parsed.documents) {
    const issues = new Issues({
      file,
      document: document.index,
      kind: '',
      namespace: '',
      name: '',
      lineOf: document.lineOf,
    });
    const object = identify(document, issues, defaultNamespace);
    if (object !== undefined) {
      const { kind, namespace, name } = issues.context;
      const summary: ObjectSummary = { file, document: document.index, kind, namespace, name };
      result.objects.push(summary);
      load(object, summary, issues, defaultNamespace, result);
    }
    result.errors.push(...issues.errors);
  }
  result.errors.push(...duplicateErrors(result.objects));
  result.errors.sort((a, b) => a.document - b.document);
  return result;
}

/** Checks the document is an object with a kind, and names it in the context for every later message. */
function identify(document: RawDocument, issues: Issues, defaultNamespace: string): JsonMap | undefined {
  const { value } = document;
  if (!isObject(value)) {
    issues.wrongType([], value, 'a Kubernetes object: a map with apiVersion, kind and metadata');
    return undefined;
  }
  const kind = readString(issues, value.kind, ['kind'], 'the object kind, e.g. Rollout', {
    required: true,
    nonEmpty: true,
  });
  if (kind === undefined) return undefined;
  const metadata = isObject(value.metadata) ? value.metadata : {};
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : defaultNamespace;
  Object.assign(issues.context, {
    kind,
    name: typeof metadata.name === 'string' ? metadata.name : '',
    namespace: CLUSTER_SCOPED.has(kind) ? '' : namespace,
  });
  return value;
}

function load(
  object: JsonMap,
  summary: ObjectSummary,
  issues: Issues,
  defaultNamespace: string,
  result: LoadResult,
): void {
  switch (summary.kind) {
    case 'Rollout': {
      const manifest = validateRollout(object, issues);
      if (manifest !== undefined) result.rollouts.push(normalizeRollout(manifest, defaultNamespace));
      return;
    }
    case 'AnalysisTemplate':
    case 'ClusterAnalysisTemplate': {
      const template = validateAnalysisTemplate(object, issues, summary.kind);
      if (template !== undefined) result.analysisTemplates.push(template);
      return;
    }
    default: {
      // Not ours to validate, but kubectl would refuse it without an apiVersion.
      const apiVersion = readString(issues, object.apiVersion, ['apiVersion'], 'an apiVersion such as v1', {
        required: true,
        nonEmpty: true,
      });
      // A misspelt Argo kind (`kind: Rolout`) is not "someone else's object": it is one we would skip.
      if (apiVersion !== undefined && !checkArgoKind(issues, apiVersion, summary.kind)) return;
      result.others.push(summary);
    }
  }
}
