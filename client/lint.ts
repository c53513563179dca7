// `rollouts lint`: validate manifest files without a cluster. Reading goes through the caller's
// readFile so that tests (and stdin) need no file system.

import { attachAnalysisTemplates, missingTemplates } from '../core/analysis/attach.js';
import type { AnalysisTemplateManifest } from '../core/manifest/argo-types.js';
import type { RolloutDefinition } from '../core/types.js';
import {
  duplicateErrors,
  loadManifests,
  type LoadOptions,
  type ManifestError,
  type ObjectSummary,
} from '../core/manifest/index.js';

export interface LintResult {
  errors: ManifestError[];
  /** Every object found, valid or not, in file and document order. */
  objects: ObjectSummary[];
}

export function lintFiles(
  paths: string[],
  readFile: (path: string) => string,
  options: LoadOptions = {},
): LintResult {
  const errors: ManifestError[] = [];
  const objects: ObjectSummary[] = [];
  const rollouts: { file: string; def: RolloutDefinition }[] = [];
  const templates: AnalysisTemplateManifest[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = readFile(path);
    } catch (error) {
      errors.push(unreadable(path, error));
      continue;
    }
    const result = loadManifests(text, path, options);
    errors.push(...result.errors);
    // An empty file is most likely the wrong file (kubectl apply refuses it: "no objects passed").
    if (result.objects.length === 0 && result.errors.length === 0) errors.push(empty(path));
    objects.push(...result.objects);
    rollouts.push(...result.rollouts.map((def) => ({ file: path, def })));
    templates.push(...result.analysisTemplates);
  }
  // Within a file loadManifests has reported repeats; across files only lint sees them.
  errors.push(...duplicateErrors(objects, { acrossFilesOnly: true }));
  // What apply would refuse when it attaches the templates (a required arg without a value, an arg
  // that makes a condition or an interval invalid), checked when the files hold every template the
  // Rollout uses; a template that is not in the files may be in the cluster.
  for (const { file, def } of rollouts) {
    if (missingTemplates(def, templates).length) continue;
    for (const message of attachAnalysisTemplates(def, templates).errors)
      errors.push({
        file,
        document:
          objects.find((o) => o.file === file && o.kind === 'Rollout' && o.name === def.name)?.document ?? 0,
        kind: 'Rollout',
        namespace: def.namespace,
        name: def.name,
        path: message.split(': ')[1] ?? '',
        found: '',
        expected: 'AnalysisTemplates and args that resolve',
        message: `${file}: ${message}`,
      });
  }
  return { errors, objects };
}

/** An error about a whole file, not an object in it. */
function fileError(path: string, found: string, expected: string, message: string): ManifestError {
  return { file: path, document: 0, kind: '', namespace: '', name: '', path: '', found, expected, message };
}

function empty(path: string): ManifestError {
  return fileError(
    path,
    'no objects',
    'at least one Kubernetes object',
    `${path}: no Kubernetes objects in the file, expected at least one`,
  );
}

function unreadable(path: string, error: unknown): ManifestError {
  const reason = error instanceof Error ? error.message : String(error);
  return fileError(path, reason, 'a readable file', `${path}: cannot read the file: ${reason}`);
}
