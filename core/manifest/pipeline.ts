// The one manifest pipeline behind `rollouts apply`, `rollouts lint` and the client library: the texts
// of several files → load each (parse, validate, normalize) → the same object in two files →
// AnalysisTemplates attached to each Rollout (a missing template or an arg that does not resolve is an
// error now, not an abort later). Pure: the caller reads the files, and looks in the cluster for the
// templates the files do not hold between the two steps (`loadManifestFiles`, then `attachTemplates`).

import { attachAnalysisTemplates, missingTemplates, type TemplateKey } from '../analysis/attach.js';
import type { RolloutDefinition } from '../types.js';
import { duplicateErrors, type ObjectSummary } from './duplicates.js';
import type { ManifestError } from './errors.js';
import { loadManifests, type LoadOptions, type LoadResult } from './load.js';

/** An AnalysisTemplate as loading gives it, and as attaching takes it. */
export type LoadedTemplate = LoadResult['analysisTemplates'][number];

export interface ManifestFile {
  /** As the user gave it: every message repeats it. */
  path: string;
  text: string;
}

export interface LoadFilesOptions extends LoadOptions {
  /** A file without any object is an error (lint; kubectl apply refuses it: "no objects passed"). */
  rejectEmptyFiles?: boolean;
  /**
   * The namespace given with `-n`: as kubectl, `-n` does not move an object that names another
   * namespace, so such a Rollout is an error. Also the default namespace, unless that is given.
   */
  namespaceFlag?: string;
}

export interface LoadedRollout {
  file: string;
  /** 0-based index of its YAML document in the file. */
  document: number;
  definition: RolloutDefinition;
}

export interface LoadedFiles {
  /** Valid Rollouts, normalized, in file and document order; templates not attached yet. */
  rollouts: LoadedRollout[];
  /** Valid AnalysisTemplates and ClusterAnalysisTemplates found in the files. */
  analysisTemplates: LoadedTemplate[];
  /** Every object found, valid or not, in file and document order. */
  objects: ObjectSummary[];
  errors: ManifestError[];
  /** Templates the Rollouts use that the files do not hold: the caller may find them in the cluster. */
  missingTemplates: TemplateKey[];
}

export interface AttachedFiles {
  /** Every valid Rollout with the AnalysisTemplates it uses. */
  rollouts: RolloutDefinition[];
  /** What attaching found: a missing template, a required arg without a value, … */
  errors: ManifestError[];
}

/** Step one: load every file, then report an object that two files both hold. */
export function loadManifestFiles(files: ManifestFile[], options: LoadFilesOptions = {}): LoadedFiles {
  const { rejectEmptyFiles, namespaceFlag, ...loadOptions } = options;
  if (namespaceFlag !== undefined) loadOptions.defaultNamespace ??= namespaceFlag;
  const loaded: LoadedFiles = {
    rollouts: [],
    analysisTemplates: [],
    objects: [],
    errors: [],
    missingTemplates: [],
  };
  for (const { path, text } of files) {
    const result = loadManifests(text, path, loadOptions);
    loaded.errors.push(...result.errors);
    if (rejectEmptyFiles && result.objects.length === 0 && result.errors.length === 0)
      loaded.errors.push(fileError(path, 'no objects', 'at least one Kubernetes object', emptyMessage(path)));
    loaded.objects.push(...result.objects);
    loaded.analysisTemplates.push(...result.analysisTemplates);
    for (const definition of result.rollouts)
      loaded.rollouts.push({ file: path, document: documentOf(result.objects, definition), definition });
  }
  // Within a file loadManifests has reported repeats; across files only the pipeline sees them.
  loaded.errors.push(...duplicateErrors(loaded.objects, { acrossFilesOnly: true }));
  if (namespaceFlag !== undefined)
    for (const rollout of loaded.rollouts)
      if (rollout.definition.namespace !== namespaceFlag)
        loaded.errors.push(namespaceError(rollout, namespaceFlag));
  loaded.missingTemplates = templatesMissing(loaded);
  return loaded;
}

/**
 * The templates the Rollouts use, directly or through other templates' `spec.templates`, that neither
 * the files nor `more` hold: found in the cluster, a template may include yet others to look for.
 */
export function templatesMissing(loaded: LoadedFiles, more: readonly LoadedTemplate[] = []): TemplateKey[] {
  const available = [...loaded.analysisTemplates, ...more];
  const missing: TemplateKey[] = [];
  const seen = new Set<string>();
  for (const { definition } of loaded.rollouts)
    for (const key of missingTemplates(definition, available)) {
      const id = `${key.kind}/${key.namespace}/${key.name}`;
      if (!seen.has(id)) missing.push(key);
      seen.add(id);
    }
  return missing;
}

export interface AttachOptions {
  /** Templates from elsewhere (the cluster), beside those of the files. */
  moreTemplates?: LoadedTemplate[];
  /**
   * Leave out a Rollout whose templates are not all at hand (lint: they may be in the cluster); by
   * default a missing template is an error naming it.
   */
  skipIncomplete?: boolean;
}

/** Step two: give each Rollout the templates it uses, trying every AnalysisRun it will start. */
export function attachTemplates(loaded: LoadedFiles, options: AttachOptions = {}): AttachedFiles {
  const templates = [...loaded.analysisTemplates, ...(options.moreTemplates ?? [])];
  const attached: AttachedFiles = { rollouts: [], errors: [] };
  for (const rollout of loaded.rollouts) {
    if (options.skipIncomplete && missingTemplates(rollout.definition, templates).length) continue;
    const result = attachAnalysisTemplates(rollout.definition, templates);
    attached.rollouts.push(result.rollout);
    attached.errors.push(...result.errors.map((message) => attachError(rollout, message)));
  }
  return attached;
}

function documentOf(objects: ObjectSummary[], def: RolloutDefinition): number {
  return (
    objects.find((o) => o.kind === 'Rollout' && o.namespace === def.namespace && o.name === def.name)
      ?.document ?? 0
  );
}

/** `message` is attach's "Rollout ns/name: field: problem". */
function attachError(rollout: LoadedRollout, message: string): ManifestError {
  const { file, document, definition } = rollout;
  return {
    file,
    document,
    kind: 'Rollout',
    namespace: definition.namespace,
    name: definition.name,
    path: message.split(': ')[1] ?? '',
    found: '',
    expected: 'AnalysisTemplates and args that resolve',
    message: `${file}: ${message}`,
  };
}

function namespaceError(rollout: LoadedRollout, namespaceFlag: string): ManifestError {
  const { file, document, definition } = rollout;
  const { namespace, name } = definition;
  return {
    file,
    document,
    kind: 'Rollout',
    namespace,
    name,
    path: 'metadata.namespace',
    found: JSON.stringify(namespace),
    expected: `namespace ${namespaceFlag}`,
    message: `${file}: Rollout ${namespace}/${name}: metadata.namespace: "${namespace}" does not match -n ${namespaceFlag}`,
  };
}

function emptyMessage(path: string): string {
  return `${path}: no Kubernetes objects in the file, expected at least one`;
}

/** An error about a whole file, not an object in it (also for the caller's unreadable file). */
export function fileError(path: string, found: string, expected: string, message: string): ManifestError {
  return { file: path, document: 0, kind: '', namespace: '', name: '', path: '', found, expected, message };
}
