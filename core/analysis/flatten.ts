// The templates of one AnalysisRun (collect.ts gives them in Argo's order) merged into one, as Argo's
// FlattenTemplates (utils/analysis/helpers.go): the metrics of all in that order, a name twice refused;
// the args of all, each name once (a value given by one template fills an arg another leaves empty, two
// different values are refused); the dryRun and measurementRetention rules of all, a metric name twice
// refused, the Rollout's own rules merged before them (mergeRolloutRules), applied to every metric of
// the run as Argo's analysis controller does: a rule's metricName is a Go regular expression that
// matches anywhere in a name (a rule that matches no metric fails Argo's run, so it is refused here).
// Pure; errors name the template or the Rollout's field.
import { ExpressionEvalError } from '../expr/errors.js';
import { compileRegexp } from '../expr/regexp.js';
import { templateLabel } from './collect.js';
import { matches as matchesAsBefore, METRIC_DEFAULTS } from './template.js';
import type { AnalysisTemplate, TemplateArg, TemplateMetric, TemplateRules } from './types.js';

export class TemplateFlattenError extends Error {}

/** A merged arg, and the template it was last taken from (for messages). */
export interface FlatArg {
  arg: TemplateArg;
  from: AnalysisTemplate;
}

/** A metric of the run with the merged rules applied, and where it is written (for messages). */
export interface FlatMetric {
  metric: TemplateMetric;
  from: AnalysisTemplate;
  index: number;
}

export interface FlattenedTemplates {
  args: FlatArg[];
  metrics: FlatMetric[];
  dryRun: FlatRule<{ metricName: string }>[];
  measurementRetention: FlatRule<{ metricName: string; limit: number }>[];
  /** How a rule's metricName is matched against a metric's name. */
  match: NameMatcher;
}

/** Whether a rule's `pattern` covers metric `name`. */
export type NameMatcher = (pattern: string, name: string) => boolean;

/**
 * Argo's: regexp.MatchString(pattern, name), so `success` covers `success-rate` and `.*` all; a pattern
 * that is no Go regular expression (`*`) covers nothing.
 */
export function matchesAsArgo(pattern: string, name: string): boolean {
  try {
    return compileRegexp(pattern)(name);
  } catch (err) {
    if (err instanceof ExpressionEvalError) return false;
    throw err;
  }
}

/**
 * The rule of runs begun before the rules matched as Argo's (patch 'analysis-rules-as-argo'): a name
 * equal to the metric's, or `*` / `.*` for all.
 */
export const matchesExactly: NameMatcher = matchesAsBefore;

/** `templates` must carry their rules (templates normalized since nesting; template.ts). */
export function flattenTemplates(
  templates: readonly AnalysisTemplate[],
  match: NameMatcher = matchesAsArgo,
): FlattenedTemplates {
  const metrics = flattenMetrics(templates);
  const dryRun = flattenRules(templates, 'dryRun');
  const measurementRetention = flattenRules(templates, 'measurementRetention');
  const args = flattenArgs(templates);
  if (metrics.length === 0)
    throw new TemplateFlattenError(
      `no metrics: ${templates.map((t) => templateLabel(t)).join(', ')} give none (Argo: "no metrics specified")`,
    );
  return withRules({ args, metrics, dryRun, measurementRetention, match });
}

/**
 * The Rollout's own analysis rules merged before the templates' (Argo's mergeDryRunMetrics and
 * mergeMeasurementRetentionMetrics, after the args are merged): a metric name that has a rule in both
 * is refused.
 */
export function mergeRolloutRules(flat: FlattenedTemplates, rules: TemplateRules): FlattenedTemplates {
  const own = <R extends { metricName: string }>(list: RuleList, items: readonly R[]): FlatRule<R>[] =>
    items.map((rule, index) => ({ rule, where: `the Rollout's analysis: ${list}[${index}]` }));
  const dryRun = [...own('dryRun', rules.dryRun), ...flat.dryRun];
  const measurementRetention = [
    ...own('measurementRetention', rules.measurementRetention),
    ...flat.measurementRetention,
  ];
  refuseRepeats('dryRun', dryRun);
  refuseRepeats('measurementRetention', measurementRetention);
  return withRules({ ...flat, dryRun, measurementRetention });
}

/** Every metric with the run's rules applied (Argo keeps the last matching retention rule). */
function withRules(flat: FlattenedTemplates): FlattenedTemplates {
  const { dryRun, measurementRetention, match } = flat;
  return {
    ...flat,
    metrics: flat.metrics.map((entry) => {
      const { name } = entry.metric;
      const limit = measurementRetention.filter((r) => match(r.rule.metricName, name)).pop()?.rule.limit;
      return {
        ...entry,
        metric: {
          ...entry.metric,
          dryRun: dryRun.some((r) => match(r.rule.metricName, name)),
          measurementRetention: limit ?? METRIC_DEFAULTS.measurementRetention,
        },
      };
    }),
  };
}

function flattenMetrics(templates: readonly AnalysisTemplate[]): FlatMetric[] {
  const all: FlatMetric[] = [];
  for (const from of templates)
    from.metrics.forEach((metric, index) => {
      const before = all.find((m) => m.metric.name === metric.name);
      if (before)
        throw new TemplateFlattenError(
          `${templateLabel(from)}: spec.metrics[${index}].name: metric "${metric.name}" appears in more than one template (also in ${templateLabel(before.from)})`,
        );
      all.push({ metric, from, index });
    });
  return all;
}

export interface FlatRule<R> {
  rule: R;
  /** Where it is written, for messages: `AnalysisTemplate t: spec.dryRun[0]`. */
  where: string;
}

type RuleList = 'dryRun' | 'measurementRetention';
type Rule<L extends RuleList> = TemplateRules[L][number];

/** Argo's flattenDryRunMetrics / flattenMeasurementRetentionMetrics: one rule per metric name. */
function flattenRules<L extends RuleList>(
  templates: readonly AnalysisTemplate[],
  list: L,
): FlatRule<Rule<L>>[] {
  const all: FlatRule<Rule<L>>[] = templates.flatMap((from) =>
    (from.rules?.[list] ?? []).map((rule: Rule<L>, index: number) => ({
      rule,
      where: `${templateLabel(from)}: spec.${list}[${index}]`,
    })),
  );
  refuseRepeats(list, all);
  return all;
}

function refuseRepeats(list: RuleList, rules: readonly FlatRule<{ metricName: string }>[]): void {
  rules.forEach(({ rule, where }, index) => {
    const before = rules.slice(0, index).find((r) => r.rule.metricName === rule.metricName);
    if (before)
      throw new TemplateFlattenError(
        `${where}.metricName: "${rule.metricName}" has a rule in ${before.where} already: Argo refuses two ${list} rules for one metric name in a run`,
      );
  });
}

/**
 * A rule that matches no metric fails Argo's run once it starts (its analysis controller, after the
 * args are merged): the caller asks this after giving the args their values, in Argo's order.
 */
export function checkRulesMatch(flat: FlattenedTemplates): void {
  const { metrics, match } = flat;
  for (const list of ['dryRun', 'measurementRetention'] as const)
    for (const { rule, where } of flat[list])
      if (!metrics.some(({ metric }) => match(rule.metricName, metric.name)))
        throw new TemplateFlattenError(
          `${where}.metricName: "${rule.metricName}" matches no metric of the run (${metrics.map((m) => m.metric.name).join(', ')}): Argo's run would fail ("Rule didn't match any metric name(s)"; a metricName is a regular expression, ".*" for all)`,
        );
}

/** Argo's flattenArgs: one arg per name, in the order first met. */
function flattenArgs(templates: readonly AnalysisTemplate[]): FlatArg[] {
  const all: FlatArg[] = [];
  for (const from of templates)
    from.args.forEach((arg, index) => {
      const before = all.find((a) => a.arg.name === arg.name);
      if (!before) {
        all.push({ arg, from });
        return;
      }
      const [was, now] = [before.arg.value, arg.value];
      if (was !== undefined && now !== undefined && was !== now)
        throw new TemplateFlattenError(
          `${templateLabel(from)}: spec.args[${index}].value: arg "${arg.name}" is ${JSON.stringify(now)} here and ${JSON.stringify(was)} in ${templateLabel(before.from)}: Argo refuses an arg that the templates of one run give two values; give both the same, or leave it to one`,
        );
      // An arg without a value (required, or a Secret's key) takes the later one whole, as Argo's does.
      if (was === undefined) Object.assign(before, { arg, from });
    });
  return all;
}
