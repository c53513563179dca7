// AnalysisTemplates and ClusterAnalysisTemplates that a Rollout refers to but the applied files do
// not hold are looked up in the cluster (where Argo's CRDs, or the lab's, serve them), and validated
// exactly like templates from files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import type { TemplateKey } from '../core/analysis/attach.js';
import type { AnalysisTemplateManifest } from '../core/manifest/argo-types.js';
import { loadManifests } from '../core/manifest/index.js';
import { templatesMissing, type LoadedFiles } from '../core/manifest/pipeline.js';

/** A kubeconfig to use, or undefined when there is none (then only files count). */
export function kubeconfigPath(env: Record<string, string | undefined> = process.env): string | undefined {
  const candidates = env.KUBECONFIG
    ? env.KUBECONFIG.split(path.delimiter)
    : [path.join(os.homedir(), '.kube', 'config')];
  return candidates.find((file) => file && fs.existsSync(file));
}

export interface FetchedTemplates {
  templates: AnalysisTemplateManifest[];
  errors: string[];
}

/** Reads the templates `keys` name from the cluster (a kubeconfig's, or an API client's). */
export async function fetchAnalysisTemplates(
  keys: TemplateKey[],
  cluster: string | KubernetesObjectApi,
): Promise<FetchedTemplates> {
  let api = cluster;
  if (typeof api === 'string') {
    const config = new KubeConfig();
    config.loadFromFile(api);
    api = KubernetesObjectApi.makeApiClient(config);
  }
  const templates: AnalysisTemplateManifest[] = [];
  const errors: string[] = [];
  for (const key of keys) {
    const where = `${key.kind} ${key.namespace ? `${key.namespace}/` : ''}${key.name} (from the cluster)`;
    let object: KubernetesObject;
    try {
      object = await api.read({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: key.kind,
        metadata: { name: key.name, ...(key.namespace ? { namespace: key.namespace } : {}) },
      });
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      // 404: no such template, or no such kind (Argo's CRDs absent): the apply-time check names it.
      if (code === 404) continue;
      errors.push(`${where}: could not be read: ${(err as Error).message.slice(0, 200)}`);
      continue;
    }
    const { metadata, ...rest } = object as KubernetesObject & Record<string, unknown>;
    const clean = {
      ...rest,
      metadata: { name: metadata?.name, ...(metadata?.namespace ? { namespace: metadata.namespace } : {}) },
    };
    const loaded = loadManifests(JSON.stringify(clean), where);
    errors.push(...loaded.errors.map((e) => e.message));
    templates.push(...loaded.analysisTemplates);
  }
  return { templates, errors };
}

/**
 * The templates the loaded Rollouts use that their files do not hold, read by `fetch`: a template
 * found may include others (spec.templates), which are looked up too, each once.
 */
export async function clusterTemplatesFor(
  loaded: LoadedFiles,
  fetch: (keys: TemplateKey[]) => Promise<FetchedTemplates>,
): Promise<FetchedTemplates> {
  const found: FetchedTemplates = { templates: [], errors: [] };
  const asked = new Set<string>();
  const id = (key: TemplateKey) => `${key.kind}/${key.namespace}/${key.name}`;
  let wanted = loaded.missingTemplates;
  while (wanted.length) {
    wanted.forEach((key) => asked.add(id(key)));
    const fetched = await fetch(wanted);
    found.templates.push(...fetched.templates);
    found.errors.push(...fetched.errors);
    wanted = templatesMissing(loaded, found.templates).filter((key) => !asked.has(id(key)));
  }
  return found;
}
