// AnalysisTemplates that `rollouts apply` does not get as files are read from the cluster (a real
// kube-apiserver with Argo's analysis CRDs, lab/crds/argo-analysis.yaml) and validated like files.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { attachAnalysisTemplates, missingTemplates } from '../../core/analysis/attach.js';
import { normalizeTemplate } from '../../core/analysis/template.js';
import { fetchAnalysisTemplates } from '../../client/cluster-templates.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { seedDir } from '../support/paths.js';
import { seedRollout } from '../support/rollout-harness.js';

let cp: ControlPlane;

beforeAll(async () => {
  cp = await ControlPlane.start('cluster-templates');
  await cp.apply(path.join(seedDir, '00-namespace.yaml'), path.join(seedDir, '04-analysistemplate.yaml'));
  await cp.applyObjects(
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ClusterAnalysisTemplate',
      metadata: { name: 'always-ok' },
      spec: { metrics: [{ name: 'ok', provider: { web: { url: 'http://checker/ok' } } }] },
    } as never,
    {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 'broken', namespace: 'rollouts-demo' },
      spec: {
        metrics: [
          { name: 'm', failureLimit: 'many', provider: { prometheus: { address: 'http://p', query: 'up' } } },
        ],
      },
    } as never,
  );
}, 120_000);

afterAll(async () => {
  await cp?.stop();
});

describe('AnalysisTemplates from the cluster', () => {
  it("finds the seed's template the Rollout refers to and attaches it", async () => {
    const { analysisTemplates: _, ...rollout } = seedRollout();
    const missing = missingTemplates(rollout, []);
    expect(missing).toEqual([
      { kind: 'AnalysisTemplate', namespace: 'rollouts-demo', name: 'istio-success-rate' },
    ]);
    const fetched = await fetchAnalysisTemplates(missing, cp.kubeconfigPath);
    expect(fetched.errors).toEqual([]);
    expect(fetched.templates.map(normalizeTemplate)).toEqual(seedRollout().analysisTemplates);
    const attached = attachAnalysisTemplates(rollout, fetched.templates);
    expect(attached.errors).toEqual([]);
    expect(attached.rollout.analysisTemplates?.[0]?.name).toBe('istio-success-rate');
  });

  it('reads ClusterAnalysisTemplates, skips what is not there, and validates what it reads', async () => {
    const fetched = await fetchAnalysisTemplates(
      [
        { kind: 'ClusterAnalysisTemplate', namespace: '', name: 'always-ok' },
        { kind: 'AnalysisTemplate', namespace: 'rollouts-demo', name: 'nowhere' },
        { kind: 'AnalysisTemplate', namespace: 'rollouts-demo', name: 'broken' },
      ],
      cp.kubeconfigPath,
    );
    expect(fetched.templates.map((t) => `${t.kind}/${t.name}`)).toEqual([
      'ClusterAnalysisTemplate/always-ok',
    ]);
    expect(fetched.errors).toHaveLength(1);
    expect(fetched.errors[0]).toContain('AnalysisTemplate rollouts-demo/broken (from the cluster)');
    expect(fetched.errors[0]).toContain('spec.metrics[0].failureLimit');
  });
});
