// `{{args.NAME}}` by one rule (core/analysis/args.ts, Argo's utils/template): what the validator
// accepts is exactly what the resolver and the measuring activity replace.
import { describe, expect, it } from '@jest/globals';
import { attachAnalysisTemplates } from '../../core/analysis/attach.js';
import { argReferences, isWholeArgReference, substituteArgs } from '../../core/analysis/args.js';
import { resolveAnalysis } from '../../core/analysis/resolve.js';
import { loadManifests } from '../../core/manifest/index.js';
import { substituteSecretArgs } from '../../activities/metrics/substitute.js';
import { seedRollout } from '../support/rollout-harness.js';

function template(args: string, query: string) {
  return loadManifests(
    `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: t, namespace: rollouts-demo}
spec:
  args: ${args}
  metrics:
  - name: m
    provider:
      prometheus: {address: "http://p:9090", query: ${JSON.stringify(query)}}
`,
    't.yaml',
  );
}

describe('the {{args.NAME}} rule', () => {
  it("takes the text up to the next }}, trimmed, as the name (Argo's fasttemplate tag)", () => {
    expect(argReferences('a {{args.x}} b {{ args.my.arg }} {{args.pod-hash}}{{args.x y}}')).toEqual([
      { written: '{{args.x}}', name: 'x' },
      { written: '{{ args.my.arg }}', name: 'my.arg' },
      { written: '{{args.pod-hash}}', name: 'pod-hash' },
      { written: '{{args.x y}}', name: 'x y' },
    ]);
    expect(argReferences('{{args.a}}}} {{other}} {args.b}')).toEqual([{ written: '{{args.a}}', name: 'a' }]);
  });

  it('knows a value that is exactly one placeholder', () => {
    expect(isWholeArgReference('{{args.count}}')).toBe(true);
    expect(isWholeArgReference(' {{ args.count }}')).toBe(false);
    expect(isWholeArgReference('{{args.a}}{{args.b}}')).toBe(false);
    expect(isWholeArgReference('{{args.n}}m')).toBe(false);
  });

  it('replaces in every string of a value, keeping what the callback keeps', () => {
    const value = { a: ['{{args.x}}', 1, { b: 'x={{ args.x }} y={{args.y}}' }], c: null };
    expect(substituteArgs(value, (name, written) => (name === 'x' ? 'X' : written))).toEqual({
      a: ['X', 1, { b: 'x=X y={{args.y}}' }],
      c: null,
    });
  });
});

describe('a name with a dot: accepted by lint and replaced (it was accepted and left in the query)', () => {
  it('is replaced when the run is resolved', () => {
    const loaded = template('[{name: my.arg, value: "v1"}]', 'up{version="{{args.my.arg}}"}');
    expect(loaded.errors).toEqual([]);
    const rollout = seedRollout();
    const spec = resolveAnalysis([{ templateName: 't', clusterScope: false }], [], {
      rollout,
      templates: loaded.analysisTemplates,
      canaryHash: 'c',
    });
    expect(spec.metrics[0]?.provider.prometheus?.query).toBe('up{version="v1"}');
  });

  it('and by the measuring activity for a secret arg', () => {
    const { provider, unresolved } = substituteSecretArgs(
      {
        prometheus: { address: 'http://p', query: 'q', headers: [{ key: 'T', value: '{{args.api.token}}' }] },
      },
      { 'api.token': 's3cr3t' },
    );
    expect(unresolved).toEqual([]);
    expect(provider.prometheus?.headers).toEqual([{ key: 'T', value: 's3cr3t' }]);
  });
});

describe('a name with a space: refused at lint (it was accepted and never replaced)', () => {
  it('names the placeholder and the field', () => {
    const loaded = template('[{name: x, value: "1"}]', 'up{a="{{args.x y}}"}');
    expect(loaded.errors.map((e) => e.message)).toEqual([
      't.yaml: AnalysisTemplate rollouts-demo/t: spec.metrics[0].provider.prometheus.query: {{args.x y}} refers to an argument that spec.args does not declare',
    ]);
  });

  it('unless the template declares that very name, as Argo would replace it', () => {
    const loaded = template('[{name: "x y", value: "1"}]', 'up{a="{{args.x y}}"}');
    expect(loaded.errors).toEqual([]);
    const { analysis: _, ...canary } = seedRollout().canary;
    const rollout = {
      ...seedRollout(),
      canary: {
        ...canary,
        steps: [
          { kind: 'analysis' as const, templates: [{ templateName: 't', clusterScope: false }], args: [] },
        ],
      },
    };
    const attached = attachAnalysisTemplates(rollout, loaded.analysisTemplates);
    expect(attached.errors).toEqual([]);
  });
});
