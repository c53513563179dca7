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

/** A kubeconfig to use, or undefined when there is none (then only files count). */
export function kubeconfigPath(env: Record<string, string | undefined> = process.env): string | undefined {
  const candidates = env.KUBECONFIG
    ? env.KUBECONFIG.split(path.delimiter)
    : [path.join(os.homedir(), '.kube', 'config')];
  return candidates.find((file) => file && fs.existsSync(file));
}

export async function fetchAnalysisTemplates(
  keys: TemplateKey[],
  kubeconfig: string,
): Promise<{ templates: AnalysisTemplateManifest[]; errors: string[] }> {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  const api = KubernetesObjectApi.makeApiClient(config);
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
