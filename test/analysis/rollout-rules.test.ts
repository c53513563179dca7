// The dryRun and measurementRetention rules of a run (issue 11): a rule's metricName is a Go regular
// expression matched anywhere in a metric's name, as Argo's GetDryRunMetrics and
// GetMeasurementRetentionMetrics; the Rollout's own rules (RolloutAnalysis.dryRun, .measurementRetention)
// are merged before the templates', as Argo's newAnalysisRunFromRollout. Through the apply pipeline and
// resolveAnalysis; argo-flatten-differential.test.ts holds the same rules to Argo's own code.
import { describe, expect, it } from '@jest/globals';
import { resolveAnalysis } from '../../core/analysis/resolve.js';
import { attachTemplates, loadManifestFiles } from '../../core/manifest/pipeline.js';
import type { RolloutDefinition } from '../../core/types.js';

const rollout = (rules: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: app, namespace: demo}
spec:
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec: {containers: [{name: app, image: "x/app:1"}]}
  strategy:
    canary:
      steps:
      - setWeight: 20
      - analysis:
          templates: [{templateName: rates}]
${rules
  .split('\n')
  .filter(Boolean)
  .map((line) => `          ${line}`)
  .join('\n')}
`;

const template = (rules: string) => `
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: rates, namespace: demo}
spec:
${rules
  .split('\n')
  .filter(Boolean)
  .map((line) => `  ${line}`)
  .join('\n')}
  metrics:
  - {name: success-rate, provider: {prometheus: {address: "http://p", query: "up"}}}
  - {name: latency, provider: {prometheus: {address: "http://p", query: "up"}}}
  - {name: latency-p99, provider: {prometheus: {address: "http://p", query: "up"}}}
`;

function apply(rolloutRules: string, templateRules = '') {
  const loaded = loadManifestFiles([
    { path: 'rollout.yaml', text: rollout(rolloutRules) },
    { path: 'template.yaml', text: template(templateRules) },
  ]);
  if (loaded.errors.length) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  const attached = attachTemplates(loaded);
  return {
    rollout: attached.rollouts[0] as RolloutDefinition,
    errors: attached.errors.map((e) => e.message),
  };
}

/** Each metric of the run at the analysis step: [name, dryRun, measurementRetention]. */
function runOf(def: RolloutDefinition, rulesMatchedExactly = false) {
  const step = def.canary.steps[1];
  if (step?.kind !== 'analysis') throw new Error('step 1 is the analysis');
  const spec = resolveAnalysis(
    step.templates,
    step.args,
    {
      rollout: def,
      templates: def.analysisTemplates ?? [],
      canaryHash: 'c',
      ...(rulesMatchedExactly ? { rulesMatchedExactly } : {}),
    },
    step.rules,
  );
  return spec.metrics.map((m) => [m.name, m.dryRun, m.measurementRetention]);
}

const AT = 'rollout.yaml: Rollout demo/app: spec.strategy.canary.steps[1].analysis';

describe("the Rollout's own analysis rules", () => {
  it('makes the metrics it names dry-run and keeps their measurements, before the template rules', () => {
    const { rollout: def, errors } = apply(
      `dryRun: [{metricName: latency}]
measurementRetention: [{metricName: ".*", limit: 7}]`,
      'measurementRetention: [{metricName: success-rate, limit: 20}]',
    );
    expect(errors).toEqual([]);
    expect(def.canary.steps[1]).toMatchObject({
      rules: {
        dryRun: [{ metricName: 'latency' }],
        measurementRetention: [{ metricName: '.*', limit: 7 }],
      },
    });
    // `latency` covers latency-p99 too; the template's retention rule comes after the Rollout's and wins.
    expect(runOf(def)).toEqual([
      ['success-rate', false, 20],
      ['latency', true, 7],
      ['latency-p99', true, 7],
    ]);
  });

  it('refuses a metric name with a rule in both the Rollout and a template, naming both', () => {
    expect(apply('dryRun: [{metricName: latency}]', 'dryRun: [{metricName: latency}]').errors).toEqual([
      `${AT}: AnalysisTemplate demo/rates: spec.dryRun[0].metricName: "latency" has a rule in the Rollout's analysis: dryRun[0] already: Argo refuses two dryRun rules for one metric name in a run`,
    ]);
  });

  it('refuses a rule that matches no metric, as Argo fails such a run', () => {
    expect(apply('measurementRetention: [{metricName: errors, limit: 3}]').errors).toEqual([
      `${AT}: the Rollout's analysis: measurementRetention[0].metricName: "errors" matches no metric of the run (success-rate, latency, latency-p99): Argo's run would fail ("Rule didn't match any metric name(s)"; a metricName is a regular expression, ".*" for all)`,
    ]);
  });
});

describe('rule names as regular expressions (Argo regexp.MatchString)', () => {
  it('matches anywhere in the name, with anchors and alternatives', () => {
    const { rollout: def, errors } = apply('', 'dryRun: [{metricName: "^lat.*99$|success"}]');
    expect(errors).toEqual([]);
    expect(runOf(def).map(([name, dryRun]) => [name, dryRun])).toEqual([
      ['success-rate', true],
      ['latency', false],
      ['latency-p99', true],
    ]);
  });

  it('refuses `*`, which is no regular expression and matches nothing in Argo', () => {
    expect(apply('', 'dryRun: [{metricName: "*"}]').errors).toEqual([
      `${AT}: AnalysisTemplate demo/rates: spec.dryRun[0].metricName: "*" matches no metric of the run (success-rate, latency, latency-p99): Argo's run would fail ("Rule didn't match any metric name(s)"; a metricName is a regular expression, ".*" for all)`,
    ]);
  });

  it('keeps the exact names of runs begun before (patch analysis-rules-as-argo)', () => {
    const { rollout: def } = apply('', 'dryRun: [{metricName: latency}]');
    expect(runOf(def, true).map(([name, dryRun]) => [name, dryRun])).toEqual([
      ['success-rate', false],
      ['latency', true],
      ['latency-p99', false],
    ]);
  });
});
