// Building AnalysisRuns from templates and args (DESIGN.md §5), and the apply-time check.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { lintFiles } from '../../client/lint.js';
import { attachAnalysisTemplates } from '../../core/analysis/attach.js';
import { resolveAnalysis } from '../../core/analysis/resolve.js';
import { normalizeTemplate } from '../../core/analysis/template.js';
import type { AnalysisTemplateManifest } from '../../core/manifest/argo-types.js';
import { loadManifests } from '../../core/manifest/index.js';
import type { RolloutDefinition } from '../../core/types.js';
import { seedDir } from '../support/paths.js';
import { seedRollout } from '../support/rollout-harness.js';

function templatesFrom(yaml: string): AnalysisTemplateManifest[] {
  const loaded = loadManifests(yaml, 'inline.yaml');
  if (loaded.errors.length) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  return loaded.analysisTemplates;
}

const seedTemplate = () =>
  templatesFrom(fs.readFileSync(path.join(seedDir, '04-analysistemplate.yaml'), 'utf8'));

/** A template with secret, required and default args, dryRun and retention. */
const templates = templatesFrom(`
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: web-check, namespace: rollouts-demo}
spec:
  args:
  - name: token
    valueFrom: {secretKeyRef: {name: api-token, key: token}}
  - name: hash
  - name: threshold
    value: "5"
  - name: period
    value: "5s"
  dryRun: [{metricName: shadow}]
  measurementRetention: [{metricName: ok, limit: 3}]
  metrics:
  - name: ok
    interval: "{{args.period}}"
    count: "{{args.threshold}}"
    failureLimit: 2
    successCondition: result == "ok"
    provider:
      web:
        url: http://checker/{{args.hash}}
        headers: [{key: Authorization, value: "Bearer {{args.token}}"}]
        jsonPath: "{$.status}"
  - name: shadow
    provider:
      prometheus: {address: "http://p:9090", query: "up"}
`);

describe('resolveAnalysis', () => {
  it("builds the seed's run: args from value and fieldRef, Argo's defaults, durations in seconds", () => {
    const rollout = seedRollout();
    const analysis = rollout.canary.analysis;
    if (!analysis) throw new Error('the seed has background analysis');
    const spec = resolveAnalysis(analysis.templates, analysis.args, {
      rollout,
      templates: seedTemplate(),
      canaryHash: 'abc',
    });
    expect(spec.name).toBe('istio-success-rate');
    expect(spec.namespace).toBe('rollouts-demo');
    expect(spec.secretArgs).toEqual([]);
    const [metric] = spec.metrics;
    expect(metric).toMatchObject({
      name: 'success-rate',
      initialDelaySeconds: 60,
      intervalSeconds: 20,
      successCondition: 'len(result) == 0 || result[0] > 0.90',
      failureLimit: 3,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      consecutiveSuccessLimit: 0,
      dryRun: false,
      measurementRetention: 10,
    });
    expect(metric?.count).toBeUndefined();
    const query = metric?.provider.prometheus?.query ?? '';
    expect(metric?.provider.prometheus?.address).toBe('http://prometheus.istio-system:9090');
    expect(query).toContain('destination_service=~"myapp-canary-svc.rollouts-demo.svc.cluster.local"');
    expect(query).not.toContain('{{');
  });

  const rollout = { ...seedRollout(), labels: { team: 'web' } } as RolloutDefinition;

  it('keeps secret args as references, takes hashes and template defaults, applies dryRun and retention', () => {
    const spec = resolveAnalysis(
      [{ templateName: 'web-check', clusterScope: false }],
      [{ name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' } }],
      { rollout, templates, canaryHash: 'c4n4ry', stableHash: 'st4bl3' },
    );
    expect(spec.secretArgs).toEqual([{ name: 'token', secretName: 'api-token', key: 'token' }]);
    const [ok, shadow] = spec.metrics;
    expect(ok).toMatchObject({
      intervalSeconds: 5,
      count: 5,
      failureLimit: 2,
      measurementRetention: 3,
      dryRun: false,
    });
    expect(ok?.provider.web).toEqual({
      url: 'http://checker/c4n4ry',
      method: 'GET',
      headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
      jsonPath: '{$.status}',
    });
    expect(shadow).toMatchObject({ dryRun: true, measurementRetention: 10 });
  });

  it('names a required arg without a value, and a template that is missing', () => {
    expect(() =>
      resolveAnalysis([{ templateName: 'web-check', clusterScope: false }], [], {
        rollout,
        templates,
        canaryHash: 'c',
      }),
    ).toThrow(
      'analysis web-check: arg "hash" of AnalysisTemplate web-check is required: give it in the Rollout\'s analysis args',
    );
    expect(() =>
      resolveAnalysis([{ templateName: 'nope', clusterScope: false }], [], {
        rollout,
        templates,
        canaryHash: 'c',
      }),
    ).toThrow(
      'AnalysisTemplate "nope" in namespace rollouts-demo not found: give it to apply -f with the Rollout',
    );
    expect(() =>
      resolveAnalysis([{ templateName: 'web-check', clusterScope: true }], [], {
        rollout,
        templates,
        canaryHash: 'c',
      }),
    ).toThrow('ClusterAnalysisTemplate "web-check" not found');
  });

  it('reads labels and annotations through fieldRef', () => {
    const spec = resolveAnalysis(
      [{ templateName: 'web-check', clusterScope: false }],
      [{ name: 'hash', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } }],
      { rollout, templates, canaryHash: 'c' },
    );
    expect(spec.metrics[0]?.provider.web?.url).toBe('http://checker/web');
  });
});

describe('attachAnalysisTemplates (apply time)', () => {
  it('attaches only the templates a Rollout uses', () => {
    const rollout = seedRollout();
    const { analysisTemplates: _, ...bare } = rollout;
    const other = templatesFrom(`
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: unrelated, namespace: rollouts-demo}
spec:
  metrics: [{name: m, provider: {prometheus: {address: "http://p", query: up}}}]
`);
    const attached = attachAnalysisTemplates(bare, [...seedTemplate(), ...other]);
    expect(attached.errors).toEqual([]);
    expect(attached.rollout.analysisTemplates?.map((t) => t.name)).toEqual(['istio-success-rate']);
    expect(attached.rollout.analysisTemplates).toEqual(seedTemplate().map(normalizeTemplate));
  });

  it('reports a Rollout applied without its template, naming the field', () => {
    const { analysisTemplates: _, ...bare } = seedRollout();
    expect(attachAnalysisTemplates(bare, []).errors).toEqual([
      'Rollout rollouts-demo/myapp: spec.strategy.canary.analysis: AnalysisTemplate "istio-success-rate" in namespace rollouts-demo not found: give it to apply -f with the Rollout',
    ]);
  });
});

describe('templates normalized at apply (core/analysis/template.ts)', () => {
  const refs = [{ templateName: 'web-check', clusterScope: false }];
  const args = [{ name: 'hash', valueFrom: { podTemplateHashValue: 'Latest' as const } }];
  const rollout = seedRollout();

  it('carries durations in seconds, limits with defaults, dryRun and retention per metric', () => {
    expect(normalizeTemplate(templates[0] as AnalysisTemplateManifest)).toEqual({
      kind: 'AnalysisTemplate',
      name: 'web-check',
      namespace: 'rollouts-demo',
      args: [
        { name: 'token', secretKeyRef: { name: 'api-token', key: 'token' } },
        { name: 'hash' },
        { name: 'threshold', value: '5' },
        { name: 'period', value: '5s' },
      ],
      metrics: [
        {
          name: 'ok',
          intervalSeconds: '{{args.period}}',
          initialDelaySeconds: 0,
          count: '{{args.threshold}}',
          successCondition: 'result == "ok"',
          failureLimit: 2,
          inconclusiveLimit: 0,
          consecutiveErrorLimit: 4,
          consecutiveSuccessLimit: 0,
          dryRun: false,
          measurementRetention: 3,
          provider: {
            web: {
              url: 'http://checker/{{args.hash}}',
              method: 'GET',
              headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
              jsonPath: '{$.status}',
            },
          },
        },
        {
          name: 'shadow',
          initialDelaySeconds: 0,
          failureLimit: 0,
          inconclusiveLimit: 0,
          consecutiveErrorLimit: 4,
          consecutiveSuccessLimit: 0,
          dryRun: true,
          measurementRetention: 10,
          provider: { prometheus: { address: 'http://p:9090', query: 'up' } },
        },
      ],
      rules: {
        dryRun: [{ metricName: 'shadow' }],
        measurementRetention: [{ metricName: 'ok', limit: 3 }],
      },
    });
  });

  it('resolves a template carried as its manifest (a definition from before) to the very same spec', () => {
    const ctx = { rollout, canaryHash: 'c4n4ry', stableHash: 'st4bl3' };
    const normalized = resolveAnalysis(refs, args, { ...ctx, templates: templates.map(normalizeTemplate) });
    const legacy = resolveAnalysis(refs, args, { ...ctx, templates });
    expect(JSON.stringify(legacy)).toBe(JSON.stringify(normalized));
    const seed = seedRollout();
    const analysis = seed.canary.analysis;
    if (!analysis) throw new Error('the seed has background analysis');
    expect(
      JSON.stringify(
        resolveAnalysis(analysis.templates, analysis.args, { ...ctx, templates: seedTemplate() }),
      ),
    ).toBe(
      JSON.stringify(
        resolveAnalysis(analysis.templates, analysis.args, {
          ...ctx,
          rollout: seed,
          templates: seed.analysisTemplates ?? [],
        }),
      ),
    );
  });

  it('gives the same errors for values args give', () => {
    const ctx = { rollout, canaryHash: 'c' };
    const bad = [
      { name: 'hash', value: 'h' },
      { name: 'threshold', value: 'x' },
    ];
    for (const t of [templates, templates.map(normalizeTemplate)])
      expect(() => resolveAnalysis(refs, bad, { ...ctx, templates: t })).toThrow(
        'AnalysisTemplate web-check: spec.metrics[0].count: "x" is not an integer',
      );
  });
});

describe('a secret arg outside the provider (issue 11, bullet 7)', () => {
  const secretInCondition = templatesFrom(`
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: secret-threshold, namespace: rollouts-demo}
spec:
  args:
  - name: threshold
    valueFrom: {secretKeyRef: {name: thresholds, key: min}}
  metrics:
  - name: ok
    successCondition: result[0] > {{args.threshold}}
    provider:
      prometheus: {address: "http://p:9090", query: "up"}
`);
  const refs = [{ templateName: 'secret-threshold', clusterScope: false }];
  const ctx = { rollout: seedRollout(), canaryHash: 'c', templates: secretInCondition };

  it('says the arg is a secret one, usable only in the provider, and what Argo does instead', () => {
    expect(() => resolveAnalysis(refs, [], ctx)).toThrow(
      'AnalysisTemplate secret-threshold: spec.metrics[0].successCondition: {{args.threshold}} is a secret arg (valueFrom.secretKeyRef), which can be used only in the provider',
    );
    expect(() => resolveAnalysis(refs, [], ctx)).toThrow('Argo puts the Secret');
    expect(() => resolveAnalysis(refs, [], ctx)).not.toThrow('not a declared arg');
  });

  it('is reported by lint, naming the field', () => {
    const rollout = fs
      .readFileSync(path.join(seedDir, '05-rollout.yaml'), 'utf8')
      .replace('templateName: istio-success-rate', 'templateName: secret-threshold');
    const template = `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: secret-threshold, namespace: rollouts-demo}
spec:
  args:
  - name: service
  - name: namespace
  - name: threshold
    valueFrom: {secretKeyRef: {name: thresholds, key: min}}
  metrics:
  - name: ok
    failureCondition: result[0] < {{args.threshold}}
    provider:
      prometheus: {address: "http://p:9090", query: "up{service=\\"{{args.service}}\\"}"}
`;
    const files: Record<string, string> = { 'rollout.yaml': rollout, 'template.yaml': template };
    const { errors } = lintFiles(Object.keys(files), (file) => files[file] as string);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining(
        'spec.metrics[0].failureCondition: {{args.threshold}} is a secret arg (valueFrom.secretKeyRef), which can be used only in the provider',
      ),
    ]);
  });

  it('accepts the same template when the Rollout gives the arg a plain value', () => {
    const spec = resolveAnalysis(refs, [{ name: 'threshold', value: '0.9' }], ctx);
    expect(spec.metrics[0]?.successCondition).toBe('result[0] > 0.9');
  });
});
