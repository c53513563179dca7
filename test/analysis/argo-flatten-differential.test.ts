// Merging a run's templates against Argo's own: generated template sets (metric names shared between
// templates, args with and without values, Secret args, dryRun and measurementRetention rules, some
// repeated, some matching nothing) and Rollout args and rules go through our flattenTemplates (the templates in
// the order collect.ts gives) and through Argo v1.10.2's utils/analysis.NewAnalysisRunFromTemplates,
// GetDryRunMetrics and GetMeasurementRetentionMetrics (argo-oracle). Both must refuse the same sets for
// the same reason, and otherwise give the same metrics in the same order, the same dryRun and
// retention per metric, and the same args. The Rollout never gives a value to an arg a template reads
// from a Secret: Argo's MergeArgs keeps the Secret then (its valueFrom wins), ours the Rollout's value.
import { describe, expect, it } from '@jest/globals';
import {
  checkRulesMatch,
  flattenTemplates,
  mergeRolloutRules,
  TemplateFlattenError,
} from '../../core/analysis/flatten.js';
import { normalizeTemplate } from '../../core/analysis/template.js';
import type { TemplateRules } from '../../core/analysis/types.js';
import type { AnalysisTemplateManifest, TemplateArgumentManifest } from '../../core/manifest/argo-types.js';
import { seededRandom, type Random } from '../../lab/mesh/random.js';
import { askOracle, type OracleAnswer } from '../support/argo-oracle.js';

const METRICS = ['a', 'b', 'c', 'd', 'e', 'f', 'ab'];
const ARGS = ['x', 'y', 'z', 'w'];
// Rule names are Go regular expressions matched anywhere in a metric's name, as Argo's: `*` and `[` are
// none (they match nothing), `a|b`, `^c` and `b$` cover some names, `a` covers `a0` and `ab` too.
const RULES = [...METRICS, '.*', 'q', '*', 'a|b', '^c', 'b$', '['];

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const some = <T>(random: Random, items: readonly T[], max: number): T[] =>
  Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(random, items));
const unique = <T>(items: T[]) => [...new Set(items)];

interface FlattenCase {
  templates: AnalysisTemplateManifest[];
  rolloutArgs: { name: string; value: string }[];
  /** The Rollout's own analysis rules, merged before the templates'. */
  rolloutRules?: TemplateRules;
}

function randomTemplate(random: Random, index: number): AnalysisTemplateManifest {
  const cluster = random() < 0.3;
  const args = unique(some(random, ARGS, 3)).map((name): TemplateArgumentManifest => {
    const roll = random();
    if (roll < 0.35) return { name };
    if (roll < 0.5) return { name, valueFrom: { secretKeyRef: { name: `s-${name}`, key: 'k' } } };
    return { name, value: pick(random, ['1', '2']) };
  });
  return {
    kind: cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate',
    name: `t${index}`,
    namespace: cluster ? '' : 'demo',
    spec: {
      args,
      metrics: unique(some(random, METRICS, 3)).map((name) => ({
        name,
        provider: { prometheus: { address: 'http://p', query: 'up' } },
      })),
      // Mostly one rule per name in a template (a repeat within one is refused too, and tested rarely).
      dryRun: (random() < 0.9 ? unique(some(random, RULES, 2)) : some(random, RULES, 2)).map(
        (metricName) => ({
          metricName,
        }),
      ),
      measurementRetention: unique(some(random, RULES, 2)).map((metricName) => ({
        metricName,
        limit: 1 + Math.floor(random() * 30),
      })),
    },
  };
}

function flattenCases(seed = 11, count = 800): FlattenCase[] {
  const random = seededRandom(seed); // the same seed, the same cases
  return Array.from({ length: count }, () => {
    const templates = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, i) =>
      randomTemplate(random, i),
    );
    // Half the sets are tidy, so that most of them merge: metric names of their own, each rule name
    // once in the set and naming a metric of any template (or all), args that agree when given.
    if (random() < 0.5) tidy(random, templates);
    if (templates.every((t) => t.spec.metrics.length === 0))
      templates[0]?.spec.metrics.push({
        name: 'm',
        provider: { prometheus: { address: 'http://p', query: 'up' } },
      });
    const secret = new Set(
      templates.flatMap((t) => t.spec.args.filter((a) => a.valueFrom).map((a) => a.name)),
    );
    const rolloutArgs = unique(some(random, ARGS, 2))
      .filter((name) => !secret.has(name))
      .map((name) => ({ name, value: '9' }));
    // collect.ts's order: AnalysisTemplates first, then ClusterAnalysisTemplates
    const ordered = [
      ...templates.filter((t) => t.kind === 'AnalysisTemplate'),
      ...templates.filter((t) => t.kind === 'ClusterAnalysisTemplate'),
    ];
    // A third of the Rollouts give rules of their own.
    const rolloutRules =
      random() < 0.33
        ? {
            dryRun: unique(some(random, RULES, 2)).map((metricName) => ({ metricName })),
            measurementRetention: unique(some(random, RULES, 1)).map((metricName) => ({
              metricName,
              limit: 1 + Math.floor(random() * 30),
            })),
          }
        : undefined;
    return { templates: ordered, rolloutArgs, ...(rolloutRules ? { rolloutRules } : {}) };
  });
}

function tidy(random: Random, templates: AnalysisTemplateManifest[]): void {
  templates.forEach((t, i) => t.spec.metrics.forEach((m) => (m.name = `${m.name}${i}`)));
  const names = [...templates.flatMap((t) => t.spec.metrics.map((m) => m.name)), '.*'];
  const used = { dryRun: new Set<string>(), measurementRetention: new Set<string>() };
  for (const t of templates) {
    for (const list of ['dryRun', 'measurementRetention'] as const) {
      const rules = t.spec[list].map((rule) => ({ ...rule, metricName: pick(random, names) }));
      t.spec[list] = rules.filter(
        (r) => !used[list].has(r.metricName) && used[list].add(r.metricName),
      ) as never;
    }
    for (const arg of t.spec.args) if (arg.value !== undefined && random() < 0.9) arg.value = '1';
  }
}

/** As Argo's types read them from JSON. */
function oracleCase(c: FlattenCase): object {
  const asArgo = (t: AnalysisTemplateManifest) => ({
    metadata: { name: t.name, ...(t.namespace ? { namespace: t.namespace } : {}) },
    spec: {
      args: t.spec.args,
      metrics: t.spec.metrics.map((m) => ({ name: m.name })),
      dryRun: t.spec.dryRun,
      measurementRetention: t.spec.measurementRetention,
    },
  });
  return {
    op: 'flatten',
    templates: c.templates.filter((t) => t.kind === 'AnalysisTemplate').map(asArgo),
    clusterTemplates: c.templates.filter((t) => t.kind === 'ClusterAnalysisTemplate').map(asArgo),
    args: c.rolloutArgs,
    dryRun: c.rolloutRules?.dryRun ?? [],
    measurementRetention: c.rolloutRules?.measurementRetention ?? [],
  };
}

/** Why a set is refused, in words both sides' messages share. */
function reasonOf(message: string): string {
  const reasons: [RegExp, string][] = [
    [/two metrics have the same name|appears in more than one template/, 'metric twice'],
    [/two Dry-Run metric rules|two dryRun rules/, 'dryRun rule twice'],
    [/two Measurement Retention metric rules|two measurementRetention rules/, 'retention rule twice'],
    [/specified multiple times with different values|give both the same/, 'arg with two values'],
    [/was not resolved|has no value/, 'arg without value'],
    [
      /^dryRun\[\d+\]: Rule didn't match|(^|\W)dryRun\[\d+\]\.metricName: .* matches no metric/,
      'dryRun rule matches nothing',
    ],
    [
      /^measurementRetention\[\d+\]: Rule didn't match|measurementRetention\[\d+\]\.metricName: .* matches no metric/,
      'retention rule matches nothing',
    ],
  ];
  return reasons.find(([pattern]) => pattern.test(message))?.[1] ?? `unknown: ${message}`;
}

interface Outcome {
  reason?: string;
  metrics?: [string, boolean, number][];
  args?: [string, string][];
}

function ours(c: FlattenCase): Outcome {
  try {
    let flat = flattenTemplates(c.templates.map(normalizeTemplate));
    const args = flat.args.map(({ arg }): [string, string] => {
      const given = c.rolloutArgs.find((a) => a.name === arg.name)?.value ?? arg.value;
      if (given !== undefined) return [arg.name, given];
      if (arg.secretKeyRef) return [arg.name, `secret:${arg.secretKeyRef.name}`];
      throw new TemplateFlattenError(`arg "${arg.name}" has no value`);
    });
    if (c.rolloutRules) flat = mergeRolloutRules(flat, c.rolloutRules);
    checkRulesMatch(flat);
    return {
      metrics: flat.metrics.map(({ metric }) => [metric.name, metric.dryRun, metric.measurementRetention]),
      args,
    };
  } catch (err) {
    if (!(err instanceof TemplateFlattenError)) throw err;
    return { reason: reasonOf(err.message) };
  }
}

function argos(answer: OracleAnswer): Outcome {
  if (answer.error !== undefined) return { reason: reasonOf(answer.error) };
  return {
    metrics: (answer.metrics ?? []).map((name) => [
      name,
      answer.dryRun?.[name] ?? false,
      answer.retention?.[name] ?? 10,
    ]),
    args: (answer.args ?? []).map((a): [string, string] => [
      a.name,
      a.valueFrom?.secretKeyRef ? `secret:${a.valueFrom.secretKeyRef.name}` : (a.value ?? ''),
    ]),
  };
}

describe("merging a run's templates, against Argo's FlattenTemplates (argo-oracle)", () => {
  it('refuses the same sets for the same reason, and merges the others the same', async () => {
    const cases = flattenCases();
    const answers = await askOracle(cases.map(oracleCase));
    const outcomes = cases.map((c, i) => ({ ours: ours(c), argo: argos(answers[i] as OracleAnswer) }));
    const differing = outcomes.filter((o) => JSON.stringify(o.ours) !== JSON.stringify(o.argo));
    expect(differing.slice(0, 3)).toEqual([]);
    // The generator reaches every outcome, each often enough to mean something.
    const counts = new Map<string, number>();
    for (const { argo } of outcomes)
      counts.set(argo.reason ?? 'merged', (counts.get(argo.reason ?? 'merged') ?? 0) + 1);
    for (const reason of [
      'merged',
      'metric twice',
      'dryRun rule twice',
      'retention rule twice',
      'arg with two values',
      'arg without value',
      'dryRun rule matches nothing',
      'retention rule matches nothing',
    ])
      expect([reason, (counts.get(reason) ?? 0) >= 10]).toEqual([reason, true]);
  });
});
