// What `rollouts apply -f` and the library's `applyFiles` send: the Rollouts of manifest files, each
// with the AnalysisTemplates it uses. The pure pipeline (core/manifest/pipeline.ts) plus its I/O: the
// files read here, and templates the files do not hold looked up in the cluster when there is one.
import fs from 'node:fs';
import {
  attachTemplates,
  loadManifestFiles,
  type LoadedTemplate,
  type ManifestFile,
} from '../core/manifest/pipeline.js';
import type { RolloutDefinition } from '../core/types.js';

/** A file that cannot be read: nothing else is looked at. */
export class UnreadableFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: cannot read the file (${reason})`);
  }
}

/** The manifests have errors, each naming its file, object and field: nothing may be applied. */
export class ManifestFilesError extends Error {
  constructor(readonly errors: string[]) {
    super(`${errors.join('\n')}\n${errors.length} error(s) in the manifests`);
  }
}

export interface RolloutFilesOptions {
  /** For objects that name none; default "default". */
  defaultNamespace?: string;
  /** The command line's -n: a Rollout naming another namespace is an error (as kubectl). */
  namespaceFlag?: string;
  /** Where to look for templates the files do not hold: default $KUBECONFIG or ~/.kube/config; '' nowhere. */
  kubeconfig?: string;
}

export interface RolloutFiles {
  rollouts: RolloutDefinition[];
  /** Every error, one line each; when there is one, nothing should be applied. */
  errors: string[];
}

/** Reads, validates and attaches; throws UnreadableFileError, and returns the manifests' errors. */
export async function readRolloutFiles(
  paths: string[],
  options: RolloutFilesOptions = {},
): Promise<RolloutFiles> {
  const files = paths.map(readManifestFile);
  const loaded = loadManifestFiles(files, {
    ...(options.defaultNamespace !== undefined ? { defaultNamespace: options.defaultNamespace } : {}),
    ...(options.namespaceFlag !== undefined ? { namespaceFlag: options.namespaceFlag } : {}),
  });
  const errors = loaded.errors.map((e) => e.message);
  const fromCluster: LoadedTemplate[] = [];
  const kubeconfig = options.kubeconfig ?? (loaded.missingTemplates.length ? await defaultKubeconfig() : '');
  if (loaded.missingTemplates.length && kubeconfig) {
    // Loaded only when needed: the Kubernetes client takes a second to load.
    const { clusterTemplatesFor, fetchAnalysisTemplates } = await import('./cluster-templates.js');
    const found = await clusterTemplatesFor(loaded, (keys) => fetchAnalysisTemplates(keys, kubeconfig));
    fromCluster.push(...found.templates);
    errors.push(...found.errors);
  }
  const attached = attachTemplates(loaded, { moreTemplates: fromCluster });
  errors.push(...attached.errors.map((e) => e.message));
  return { rollouts: attached.rollouts, errors };
}

/** The Rollouts of the files, or a ManifestFilesError listing every error (for scripts). */
export async function loadRolloutFiles(
  paths: string[],
  options: RolloutFilesOptions = {},
): Promise<RolloutDefinition[]> {
  const { rollouts, errors } = await readRolloutFiles(paths, options);
  if (errors.length) throw new ManifestFilesError(errors);
  return rollouts;
}

async function defaultKubeconfig(): Promise<string> {
  const { kubeconfigPath } = await import('./cluster-templates.js');
  return kubeconfigPath() ?? '';
}

function readManifestFile(path: string): ManifestFile {
  try {
    return { path, text: fs.readFileSync(path, 'utf8') };
  } catch (err) {
    throw new UnreadableFileError(path, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  }
}
