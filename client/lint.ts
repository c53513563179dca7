// `rollouts lint`: validate manifest files without a cluster. Reading goes through the caller's
// readFile so that tests (and stdin) need no file system.

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
    objects.push(...result.objects);
  }
  // Within a file loadManifests has reported repeats; across files only lint sees them.
  errors.push(...duplicateErrors(objects, { acrossFilesOnly: true }));
  return { errors, objects };
}

function unreadable(path: string, error: unknown): ManifestError {
  const reason = error instanceof Error ? error.message : String(error);
  return {
    file: path,
    document: 0,
    kind: '',
    namespace: '',
    name: '',
    path: '',
    found: reason,
    expected: 'a readable file',
    message: `${path}: cannot read the file: ${reason}`,
  };
}
