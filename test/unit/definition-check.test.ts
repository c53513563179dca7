// checkDefinition (core/definition-check.ts): a definition that arrives by signal or a hand-started
// workflow is refused naming the field, for the normalized templates apply attaches and for the
// manifests that definitions written before carry (saved histories, hand-sent payloads).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { AnalysisTemplate } from '../../core/analysis/types.js';
import { checkDefinition } from '../../core/definition-check.js';
import { loadManifests } from '../../core/manifest/index.js';
import type { RolloutDefinition } from '../../core/types.js';
import { seedDir } from '../support/paths.js';
import { seedRollout } from '../support/rollout-harness.js';

type Editable = RolloutDefinition & Record<string, unknown>;

function edited(def: RolloutDefinition, edit: (d: Editable) => void): unknown {
  const copy = JSON.parse(JSON.stringify(def)) as Editable;
  edit(copy);
  return copy;
}

/** The seed as `rollouts apply` sent it before templates were normalized: the manifest attached. */
function legacySeed(): RolloutDefinition {
  const file = path.join(seedDir, '04-analysistemplate.yaml');
  const templates = loadManifests(fs.readFileSync(file, 'utf8'), file).analysisTemplates;
  return { ...seedRollout(), analysisTemplates: templates };
}

const metric = (d: Editable) =>
  ((d.analysisTemplates as AnalysisTemplate[])[0]?.metrics[0] ?? {}) as Record<string, unknown>;

describe('checkDefinition', () => {
  it('accepts the seed, with its template normalized or as the manifest it was', () => {
    expect(checkDefinition(seedRollout())).toEqual([]);
    expect(checkDefinition(legacySeed())).toEqual([]);
  });

  it('accepts antiAffinity (either strategy) and scaleDownDelayRevisionLimit', () => {
    const both = (antiAffinity: RolloutDefinition['canary']['antiAffinity']) =>
      edited(seedRollout(), (d) => {
        d.canary.antiAffinity = antiAffinity;
        d.canary.scaleDownDelayRevisionLimit = 1;
      });
    expect(checkDefinition(both({ requiredDuringSchedulingIgnoredDuringExecution: {} }))).toEqual([]);
    expect(
      checkDefinition(both({ preferredDuringSchedulingIgnoredDuringExecution: { weight: 100 } })),
    ).toEqual([]);
  });

  it.each<[string, (d: Editable) => void, string]>([
    [
      'a weight',
      (d) => (d.canary.steps = [{ kind: 'setWeight', weight: 150 }]),
      'rollout.canary.steps[0].weight: 150 is not between 0 and 100',
    ],
    [
      'a restart time',
      (d) => (d.restartAt = 'tomorrow'),
      'rollout.restartAt: "tomorrow" is not an RFC 3339 time',
    ],
    [
      'a rollback window',
      (d) => (d.rollbackWindowRevisions = -2),
      'rollout.rollbackWindowRevisions: -2 is negative, expected a non-negative integer',
    ],
    ['a name', (d) => (d.name = 42 as never), 'rollout.name: 42 is an integer, expected a DNS-1123 name'],
    [
      'a missing template',
      (d) =>
        (d.canary.steps = [
          { kind: 'analysis', templates: [{ templateName: 'gone', clusterScope: false }], args: [] },
        ]),
      'rollout.canary.steps[0].analysis: AnalysisTemplate "gone" in namespace rollouts-demo not found',
    ],
    [
      "a VirtualService's namespace",
      (d) => {
        const vs = d.canary.trafficRouting!.istio.virtualServices[0]!;
        vs.namespace = 'Not_A_Namespace';
      },
      'rollout.canary.trafficRouting.istio.virtualServices[0].namespace: ',
    ],
    [
      'an antiAffinity weight',
      (d) => (d.canary.antiAffinity = { preferredDuringSchedulingIgnoredDuringExecution: { weight: 0 } }),
      'rollout.canary.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight: 0 is not between 1 and 100',
    ],
    [
      'an antiAffinity with neither strategy',
      (d) => (d.canary.antiAffinity = {} as never),
      'rollout.canary.antiAffinity: ',
    ],
    [
      "a Rollout analysis's retention rule without its limit",
      (d) =>
        (d.canary.analysis = {
          ...d.canary.analysis!,
          rules: { dryRun: [], measurementRetention: [{ metricName: '.*' } as never] },
        }),
      'rollout.canary.analysis.rules.measurementRetention[0].limit: missing',
    ],
    [
      'a negative scaleDownDelayRevisionLimit',
      (d) => (d.canary.scaleDownDelayRevisionLimit = -1),
      'rollout.canary.scaleDownDelayRevisionLimit: -1 is negative',
    ],
    [
      'a maxSurge with a router',
      (d) => (d.canary.maxSurge = '25%'),
      'rollout.canary.maxSurge: maxSurge can only be used without trafficRouting',
    ],
    [
      'a maxUnavailable that is no count',
      (d) => {
        delete d.canary.trafficRouting;
        d.canary.maxUnavailable = 'a lot';
      },
      'rollout.canary.maxUnavailable: "a lot" is not a percentage',
    ],
    [
      'a required arg',
      (d) => (d.canary.analysis = { ...d.canary.analysis!, args: [] }),
      'rollout.canary.analysis: analysis istio-success-rate: arg "service" of AnalysisTemplate istio-success-rate is required',
    ],
  ])('names the field of %s, whichever the template shape', (_, edit, expected) => {
    for (const def of [seedRollout(), legacySeed()]) {
      const errors = checkDefinition(edited(def, edit));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(expected);
    }
  });

  it.each<[string, (d: Editable) => void, string]>([
    [
      'no metrics',
      (d) => ((d.analysisTemplates as AnalysisTemplate[])[0]!.metrics = []),
      'rollout.analysisTemplates[0].metrics: the list is empty',
    ],
    [
      'an interval not in seconds',
      (d) => (metric(d).intervalSeconds = '5m'),
      'rollout.analysisTemplates[0].metrics[0].intervalSeconds: found "5m", expected a number of at least 0, or "{{args.name}}"',
    ],
    [
      'a negative limit',
      (d) => (metric(d).failureLimit = -2),
      'rollout.analysisTemplates[0].metrics[0].failureLimit: found -2, expected a number of at least -1',
    ],
    [
      'a fractional count',
      (d) => (metric(d).count = 1.5),
      'rollout.analysisTemplates[0].metrics[0].count: found 1.5, expected an integer',
    ],
    [
      'a condition that does not parse',
      (d) => (metric(d).successCondition = 'result ='),
      'rollout.analysisTemplates[0].metrics[0].successCondition: does not parse: unexpected token "="',
    ],
    [
      'no provider',
      (d) => (metric(d).provider = {}),
      'rollout.analysisTemplates[0].metrics[0].provider: found {}, expected exactly one of prometheus or web',
    ],
    [
      'a web method',
      (d) => (metric(d).provider = { web: { url: 'http://x', method: 'get' } }),
      'rollout.analysisTemplates[0].metrics[0].provider.web.method: found "get", expected GET, POST or PUT',
    ],
    [
      'a kind',
      (d) => ((d.analysisTemplates as AnalysisTemplate[])[0]!.kind = 'Template' as never),
      'rollout.analysisTemplates[0].kind: found "Template", expected AnalysisTemplate or ClusterAnalysisTemplate',
    ],
  ])('refuses a normalized template with %s', (_, edit, expected) => {
    const errors = checkDefinition(edited(seedRollout(), edit));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(expected);
  });

  it('refuses an undeclared arg in a normalized provider when the run is built', () => {
    const errors = checkDefinition(
      edited(
        seedRollout(),
        (d) => (metric(d).provider = { prometheus: { address: 'http://p', query: 'up{{args.nope}}' } }),
      ),
    );
    expect(errors).toEqual([
      'rollout.canary.analysis: AnalysisTemplate istio-success-rate: spec.metrics[0]: {{args.nope}} is not a declared arg',
    ]);
  });

  it('validates a template carried as its manifest as the manifest validator does, naming the template', () => {
    const legacy = legacySeed() as Editable;
    const spec = (d: Editable) =>
      (d.analysisTemplates as unknown as { spec: { metrics: Record<string, unknown>[] } }[])[0]!.spec;
    expect(checkDefinition(edited(legacy, (d) => (spec(d).metrics[0]!.interval = '5x')))).toEqual([
      'rollout.analysisTemplates[0]: AnalysisTemplate rollouts-demo/istio-success-rate: spec.metrics[0].interval: "5x" has an unknown unit "x" (ns, us, ms, s, m, h)',
    ]);
    expect(checkDefinition(edited(legacy, (d) => (spec(d).metrics = [])))).toEqual([
      'rollout.analysisTemplates[0]: AnalysisTemplate rollouts-demo/istio-success-rate: spec.metrics: the list is empty, expected a non-empty list of metrics',
    ]);
  });
});
