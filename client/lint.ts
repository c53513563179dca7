// `rollouts lint` as a library call: validate manifest files without a cluster, through the same
// pipeline as apply (core/manifest/pipeline.ts). Reading goes through the caller's readFile so that
// tests (and stdin) need no file system.

import type { LoadOptions, ManifestError, ObjectSummary } from '../core/manifest/index.js';
import {
  attachTemplates,
  fileError,
  loadManifestFiles,
  type ManifestFile,
} from '../core/manifest/pipeline.js';

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
  const unreadable: ManifestError[] = [];
  const files: ManifestFile[] = [];
  for (const path of paths) {
    try {
      files.push({ path, text: readFile(path) });
    } catch (error) {
      unreadable.push(unreadableError(path, error));
    }
  }
  const loaded = loadManifestFiles(files, { ...options, rejectEmptyFiles: true });
  // What apply would refuse when it attaches the templates (a required arg without a value, an arg
  // that makes a condition or an interval invalid), checked when the files hold every template the
  // Rollout uses; a template that is not in the files may be in the cluster.
  const attached = attachTemplates(loaded, { skipIncomplete: true });
  return { errors: [...unreadable, ...loaded.errors, ...attached.errors], objects: loaded.objects };
}

function unreadableError(path: string, error: unknown): ManifestError {
  const reason = error instanceof Error ? error.message : String(error);
  return fileError(path, reason, 'a readable file', `${path}: cannot read the file: ${reason}`);
}
