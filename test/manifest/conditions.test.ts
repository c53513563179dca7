// Lint parses each metric's successCondition and failureCondition (core/expr); the bad fixtures show
// the errors, these show what passes.
import { describe, expect, it } from '@jest/globals';
import { loadManifests } from '../../core/manifest/index.js';

const template = (field: string, condition: string): string => `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: checks
  namespace: rollouts-demo
spec:
  args:
  - name: threshold
  metrics:
  - name: check
    ${field}: ${JSON.stringify(condition)}
    provider:
      prometheus:
        address: http://prometheus:9090
        query: up
`;

describe('conditions in AnalysisTemplates', () => {
  it.each([
    'result[0] >= 0.95',
    'len(result) == 0 || result[0] > 0.90',
    'all(result, {# > 0.9})',
    'isNaN(result) || result >= 0.95',
    'default(result, 0) < 0.05',
    "result == 'true'",
    'result.data.ok',
  ])('accepts %s', (condition) => {
    for (const field of ['successCondition', 'failureCondition']) {
      expect(loadManifests(template(field, condition), 't.yaml').errors).toEqual([]);
    }
  });

  it('leaves a condition with {{args.x}} to be checked once the run substitutes it', () => {
    const yaml = template('successCondition', 'result[0] >= {{args.threshold}}');
    expect(loadManifests(yaml, 't.yaml').errors).toEqual([]);
  });

  it('reports a failureCondition that does not parse, with found and expected', () => {
    const [error, ...rest] = loadManifests(template('failureCondition', 'result[0] <'), 't.yaml').errors;
    expect(rest).toEqual([]);
    expect(error).toMatchObject({
      path: 'spec.metrics[0].failureCondition',
      found: '"result[0] <"',
      expected: 'an expr-lang condition such as result[0] < 0.5',
      line: 11,
    });
    expect(error?.message).toContain(
      '"result[0] <" does not parse: unexpected end of expression at column 12',
    );
  });
});
