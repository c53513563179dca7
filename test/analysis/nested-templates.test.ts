// AnalysisTemplates that include others (`spec.templates`, issue 11): which templates a run is made
// of (core/analysis/collect.ts, Argo's getAnalysisTemplatesFromRefs) and how they merge into one run
// (core/analysis/flatten.ts, Argo's FlattenTemplates), through the apply pipeline and resolveAnalysis.
import { describe, expect, it } from '@jest/globals';
import { lintFiles } from '../../client/lint.js';
import { resolveAnalysis } from '../../core/analysis/resolve.js';
import { attachTemplates, loadManifestFiles } from '../../core/manifest/pipeline.js';
import type { AnalysisTemplate } from '../../core/analysis/types.js';
import type { RolloutDefinition } from '../../core/types.js';
import { checkDefinition } from '../../core/definition-check.js';

const ROLLOUT = `
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
          templates: REFS
          args: ARGS
`;

interface T {
  name: string;
  cluster?: boolean;
  metrics?: string[];
  args?: string;
  nested?: string;
  dryRun?: string[];
  retention?: [string, number][];
}

/** A template YAML: each metric a Prometheus query; `nested` is the spec.templates flow list. */
function template(t: T): string {
  const metrics = (t.metrics ?? [])
    .map((m) => `  - {name: ${m}, provider: {prometheus: {address: "http://p", query: "up"}}}`)
    .join('\n');
  return [
    'apiVersion: argoproj.io/v1alpha1',
    `kind: ${t.cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'}`,
    `metadata: {name: ${t.name}${t.cluster ? '' : ', namespace: demo'}}`,
    'spec:',
    ...(t.args ? [`  args: ${t.args}`] : []),
    ...(t.nested ? [`  templates: ${t.nested}`] : []),
    ...(t.dryRun ? [`  dryRun: [${t.dryRun.map((m) => `{metricName: "${m}"}`).join(', ')}]`] : []),
    ...(t.retention
      ? [
          `  measurementRetention: [${t.retention.map(([m, l]) => `{metricName: "${m}", limit: ${l}}`).join(', ')}]`,
        ]
      : []),
    ...(metrics ? ['  metrics:', metrics] : []),
  ].join('\n');
}

function files(refs: string, templates: T[], args = '[]') {
  return [
    { path: 'rollout.yaml', text: ROLLOUT.replace('REFS', refs).replace('ARGS', args) },
    { path: 'templates.yaml', text: templates.map(template).join('\n---\n') },
  ];
}

/** What apply would send (or its errors), with no cluster to look in. */
function apply(refs: string, templates: T[], args?: string) {
  const loaded = loadManifestFiles(files(refs, templates, args));
  if (loaded.errors.length) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  const attached = attachTemplates(loaded);
  return {
    rollout: attached.rollouts[0] as RolloutDefinition,
    errors: attached.errors.map((e) => e.message),
  };
}

/** The run the workflow starts at the analysis step of an applied Rollout. */
function run(rollout: RolloutDefinition) {
  const step = rollout.canary.steps[1];
  if (step?.kind !== 'analysis') throw new Error('step 1 is the analysis');
  return resolveAnalysis(step.templates, step.args, {
    rollout,
    templates: rollout.analysisTemplates ?? [],
    canaryHash: 'c',
  });
}

const AT = 'rollout.yaml: Rollout demo/app: spec.strategy.canary.steps[1].analysis';

describe('the templates of a run (Argo getAnalysisTemplatesFromRefs)', () => {
  it('includes nested templates: AnalysisTemplates first, then ClusterAnalysisTemplates, depth first, each once', () => {
    const { rollout, errors } = apply('[{templateName: c1, clusterScope: true}, {templateName: a}]', [
      { name: 'c1', cluster: true, metrics: ['m-c1'], nested: '[{templateName: a}]' },
      { name: 'a', metrics: ['m-a'], nested: '[{templateName: b}, {templateName: c2, clusterScope: true}]' },
      { name: 'b', metrics: ['m-b'], nested: '[{templateName: d}]' },
      { name: 'c2', cluster: true, metrics: ['m-c2'], nested: '[{templateName: d}]' },
      { name: 'd', metrics: ['m-d'] },
      { name: 'unused', metrics: ['m-u'] },
    ]);
    expect(errors).toEqual([]);
    expect(rollout.analysisTemplates?.map((t) => t.name)).toEqual(['c1', 'a', 'b', 'c2', 'd']);
    const spec = run(rollout);
    expect(spec.name).toBe('c1+a');
    expect(spec.metrics.map((m) => m.name)).toEqual(['m-a', 'm-b', 'm-d', 'm-c1', 'm-c2']);
  });

  it('a template made only of others runs their metrics', () => {
    const { rollout, errors } = apply('[{templateName: suite}]', [
      { name: 'suite', nested: '[{templateName: x}, {templateName: y}]' },
      { name: 'x', metrics: ['latency'] },
      { name: 'y', metrics: ['errors'] },
    ]);
    expect(errors).toEqual([]);
    expect(run(rollout).metrics.map((m) => m.name)).toEqual(['latency', 'errors']);
  });

  it('refuses a cycle, naming the reference and the chain', () => {
    const { errors } = apply('[{templateName: a}]', [
      { name: 'a', metrics: ['m-a'], nested: '[{templateName: b}]' },
      { name: 'b', metrics: ['m-b'], nested: '[{templateName: c}]' },
      { name: 'c', metrics: ['m-c'], nested: '[{templateName: a}]' },
    ]);
    expect(errors).toEqual([
      `${AT}: AnalysisTemplate demo/c: spec.templates[0].templateName: "a" makes a cycle: AnalysisTemplate demo/a → AnalysisTemplate demo/b → AnalysisTemplate demo/c → AnalysisTemplate demo/a; remove one of these references (Argo's controller would recurse without end)`,
    ]);
  });

  it('refuses a nested template that is missing, naming the field', () => {
    const { errors } = apply('[{templateName: a}]', [
      { name: 'a', metrics: ['m-a'], nested: '[{templateName: b, clusterScope: true}]' },
    ]);
    expect(errors).toEqual([
      `${AT}: AnalysisTemplate demo/a: spec.templates[0].templateName: ClusterAnalysisTemplate "b" not found: give it to apply -f with the Rollout`,
    ]);
  });

  it("looks a namespaced one up in the Rollout's namespace, from a ClusterAnalysisTemplate too", () => {
    const { rollout, errors } = apply('[{templateName: c, clusterScope: true}]', [
      { name: 'c', cluster: true, metrics: ['m-c'], nested: '[{templateName: local}]' },
      { name: 'local', metrics: ['m-local'] },
    ]);
    expect(errors).toEqual([]);
    expect(run(rollout).metrics.map((m) => m.name)).toEqual(['m-local', 'm-c']);
  });
});

describe('merging them into one run (Argo FlattenTemplates)', () => {
  it('refuses a metric name that two templates use, naming both', () => {
    const { errors } = apply('[{templateName: a}]', [
      { name: 'a', metrics: ['rate'], nested: '[{templateName: b}]' },
      { name: 'b', metrics: ['rate'] },
    ]);
    expect(errors).toEqual([
      `${AT}: AnalysisTemplate demo/b: spec.metrics[0].name: metric "rate" appears in more than one template (also in AnalysisTemplate demo/a)`,
    ]);
  });

  it('fills an arg one template leaves without a value from another, in the order first met', () => {
    const { rollout, errors } = apply('[{templateName: a}]', [
      {
        name: 'a',
        args: '[{name: svc}, {name: port, value: "80"}]',
        metrics: ['m-a'],
        nested: '[{templateName: b}]',
      },
      {
        name: 'b',
        args: '[{name: extra, value: "e"}, {name: svc, value: "web"}, {name: port, value: "80"}]',
        metrics: ['m-b'],
      },
    ]);
    expect(errors).toEqual([]);
    expect(rollout.analysisTemplates?.length).toBe(2);
    expect(run(rollout).secretArgs).toEqual([]);
  });

  it('refuses an arg that two templates give different values, even when the Rollout gives it', () => {
    const { errors } = apply(
      '[{templateName: a}]',
      [
        { name: 'a', args: '[{name: port, value: "80"}]', metrics: ['m-a'], nested: '[{templateName: b}]' },
        { name: 'b', args: '[{name: port, value: "8080"}]', metrics: ['m-b'] },
      ],
      '[{name: port, value: "9090"}]',
    );
    expect(errors).toEqual([
      `${AT}: AnalysisTemplate demo/b: spec.args[0].value: arg "port" is "8080" here and "80" in AnalysisTemplate demo/a: Argo refuses an arg that the templates of one run give two values; give both the same, or leave it to one`,
    ]);
  });

  it('still requires an arg that no template and not the Rollout gives', () => {
    const { errors } = apply('[{templateName: a}]', [
      { name: 'a', args: '[{name: svc}]', metrics: ['m-a'], nested: '[{templateName: b}]' },
      { name: 'b', args: '[{name: svc}]', metrics: ['m-b'] },
    ]);
    expect(errors).toEqual([
      `${AT}: analysis a: arg "svc" of AnalysisTemplate b is required: give it in the Rollout's analysis args`,
    ]);
  });

  it("applies every template's dryRun and retention rules to every metric of the run, the last retention rule winning", () => {
    const { rollout, errors } = apply('[{templateName: a}]', [
      {
        name: 'a',
        metrics: ['m-a'],
        nested: '[{templateName: b}]',
        dryRun: ['m-b'],
        retention: [['.*', 3]],
      },
      { name: 'b', metrics: ['m-b', 'm-b2'], retention: [['m-b', 20]] },
    ]);
    expect(errors).toEqual([]);
    expect(
      run(rollout).metrics.map(({ name, dryRun, measurementRetention }) => [
        name,
        dryRun,
        measurementRetention,
      ]),
    ).toEqual([
      // A rule's metricName is a regular expression found anywhere in the name, as Argo's: `m-b`
      // covers m-b2 too (and its retention rule comes after `.*`, so it wins).
      ['m-a', false, 3],
      ['m-b', true, 20],
      ['m-b2', true, 20],
    ]);
  });

  it('refuses two rules for one metric name, and a rule that matches no metric of the run', () => {
    expect(
      apply('[{templateName: a}]', [
        { name: 'a', metrics: ['m-a'], nested: '[{templateName: b}]', dryRun: ['m-a'] },
        { name: 'b', metrics: ['m-b'], dryRun: ['m-a'] },
      ]).errors,
    ).toEqual([
      `${AT}: AnalysisTemplate demo/b: spec.dryRun[0].metricName: "m-a" has a rule in AnalysisTemplate demo/a: spec.dryRun[0] already: Argo refuses two dryRun rules for one metric name in a run`,
    ]);
    expect(
      apply('[{templateName: a}]', [{ name: 'a', metrics: ['m-a'], retention: [['m-typo', 5]] }]).errors,
    ).toEqual([
      `${AT}: AnalysisTemplate demo/a: spec.measurementRetention[0].metricName: "m-typo" matches no metric of the run (m-a): Argo's run would fail ("Rule didn't match any metric name(s)"; a metricName is a regular expression, ".*" for all)`,
    ]);
  });
});

describe('templates carried before nesting (no rules): runs merge as they did', () => {
  it('keeps the references’ order and the later default, as the run would have been', () => {
    const { rollout } = apply('[{templateName: c, clusterScope: true}, {templateName: a}]', [
      { name: 'c', cluster: true, args: '[{name: p, value: "1"}]', metrics: ['m-c'] },
      { name: 'a', args: '[{name: p, value: "2"}]', metrics: ['m-a'] },
    ]);
    const legacy = {
      ...rollout,
      analysisTemplates: (rollout.analysisTemplates as AnalysisTemplate[]).map(({ rules: _, ...old }) => old),
    };
    expect(run(legacy).metrics.map((m) => m.name)).toEqual(['m-c', 'm-a']);
    // …where a definition applied now is refused, as Argo refuses it
    expect(
      apply('[{templateName: c, clusterScope: true}, {templateName: a}]', [
        { name: 'c', cluster: true, args: '[{name: p, value: "1"}]', metrics: ['m-c'] },
        { name: 'a', args: '[{name: p, value: "2"}]', metrics: ['m-a'] },
      ]).errors,
    ).toHaveLength(1);
  });
});

describe('a definition that arrives by signal (core/definition-check.ts)', () => {
  const applied = () =>
    apply('[{templateName: a}]', [
      { name: 'a', metrics: ['m-a'], nested: '[{templateName: b}]' },
      { name: 'b', metrics: ['m-b'] },
    ]).rollout;

  it('accepts what apply made', () => {
    expect(checkDefinition(applied())).toEqual([]);
  });

  it('refuses nested templates without their rules, and a mix of both shapes', () => {
    const def = applied();
    const [a, b] = def.analysisTemplates as AnalysisTemplate[];
    const { rules: _, ...aWithout } = a as AnalysisTemplate;
    expect(checkDefinition({ ...def, analysisTemplates: [aWithout, b] })).toEqual([
      'rollout.analysisTemplates[0].rules: missing, expected a map with dryRun and measurementRetention, beside templates',
    ]);
    const { rules: __, ...bWithout } = b as AnalysisTemplate;
    expect(checkDefinition({ ...def, analysisTemplates: [a, bWithout] })).toEqual([
      'rollout.analysisTemplates[1].rules: missing, expected rules, as the other templates carry them',
    ]);
  });

  it('refuses a cycle among carried templates, as apply does', () => {
    const def = applied();
    const [a, b] = def.analysisTemplates ?? [];
    const cyclic = {
      ...(b as NonNullable<typeof b>),
      templates: [{ templateName: 'a', clusterScope: false }],
    };
    expect(checkDefinition({ ...def, analysisTemplates: [a, cyclic] })).toEqual([
      expect.stringContaining(
        '"a" makes a cycle: AnalysisTemplate demo/a → AnalysisTemplate demo/b → AnalysisTemplate demo/a',
      ),
    ]);
  });
});

describe('lint', () => {
  const lint = (refs: string, templates: T[]) => {
    const texts = Object.fromEntries(files(refs, templates).map((f) => [f.path, f.text]));
    return lintFiles(Object.keys(texts), (p) => texts[p] as string).errors.map((e) => e.message);
  };

  it('reports a cycle when the files hold every template of it', () => {
    expect(
      lint('[{templateName: a}]', [
        { name: 'a', metrics: ['m-a'], nested: '[{templateName: b}]' },
        { name: 'b', metrics: ['m-b'], nested: '[{templateName: a}]' },
      ]),
    ).toEqual([expect.stringContaining('spec.templates[0].templateName: "a" makes a cycle')]);
  });

  it('leaves a nested template the files do not hold to apply, as a top-level one (it may be in the cluster)', () => {
    expect(
      lint('[{templateName: a}]', [{ name: 'a', metrics: ['m-a'], nested: '[{templateName: b}]' }]),
    ).toEqual([]);
  });
});
