// The templates of one AnalysisRun (collect.ts gives them in Argo's order) merged into one, as Argo's
// FlattenTemplates (utils/analysis/helpers.go): the metrics of all in that order, a name twice refused;
// the args of all, each name once (a value given by one template fills an arg another leaves empty, two
// different values are refused); the dryRun and measurementRetention rules of all, a metric name twice
// refused, applied to every metric of the run as Argo's analysis controller does (a rule that matches
// no metric fails Argo's run, so it is refused here). Pure; errors name the template and field.
import { templateLabel } from './collect.js';
import { matches, METRIC_DEFAULTS } from './template.js';
import type { AnalysisTemplate, TemplateArg, TemplateMetric } from './types.js';

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
}

/** `templates` must carry their rules (templates normalized since nesting; template.ts). */
export function flattenTemplates(templates: readonly AnalysisTemplate[]): FlattenedTemplates {
  const metrics = flattenMetrics(templates);
  const dryRun = flattenRules(templates, 'dryRun');
  const retention = flattenRules(templates, 'measurementRetention');
  const args = flattenArgs(templates);
  if (metrics.length === 0)
    throw new TemplateFlattenError(
      `no metrics: ${templates.map((t) => templateLabel(t)).join(', ')} give none (Argo: "no metrics specified")`,
    );
  return {
    args,
    dryRun,
    measurementRetention: retention,
    metrics: metrics.map(({ metric, from, index }) => {
      // Argo keeps the last matching retention rule (GetMeasurementRetentionMetrics fills a map in order).
      const limit = retention.filter((r) => matches(r.rule.metricName, metric.name)).pop()?.rule.limit;
      return {
        metric: {
          ...metric,
          dryRun: dryRun.some((r) => matches(r.rule.metricName, metric.name)),
          measurementRetention: limit ?? METRIC_DEFAULTS.measurementRetention,
        },
        from,
        index,
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
  from: AnalysisTemplate;
  index: number;
}

type RuleList = 'dryRun' | 'measurementRetention';
type Rule<L extends RuleList> = NonNullable<AnalysisTemplate['rules']>[L][number];

/** Argo's flattenDryRunMetrics / flattenMeasurementRetentionMetrics: one rule per metric name. */
function flattenRules<L extends RuleList>(
  templates: readonly AnalysisTemplate[],
  list: L,
): FlatRule<Rule<L>>[] {
  const all: FlatRule<Rule<L>>[] = [];
  for (const from of templates)
    (from.rules?.[list] ?? []).forEach((rule: Rule<L>, index: number) => {
      const before = all.find((r) => r.rule.metricName === rule.metricName);
      if (before)
        throw new TemplateFlattenError(
          `${templateLabel(from)}: spec.${list}[${index}].metricName: "${rule.metricName}" has a rule in ${before.from === from ? 'this template' : templateLabel(before.from)} already: Argo refuses two ${list} rules for one metric name in a run`,
        );
      all.push({ rule, from, index });
    });
  return all;
}

/**
 * A rule that matches no metric fails Argo's run once it starts (its analysis controller, after the
 * args are merged): the caller asks this after giving the args their values, in Argo's order.
 */
export function checkRulesMatch(flat: FlattenedTemplates): void {
  const { metrics } = flat;
  for (const list of ['dryRun', 'measurementRetention'] as const)
    for (const { rule, from, index } of flat[list])
      if (!metrics.some(({ metric }) => matches(rule.metricName, metric.name)))
        throw new TemplateFlattenError(
          `${templateLabel(from)}: spec.${list}[${index}].metricName: "${rule.metricName}" matches no metric of the run (${metrics.map((m) => m.metric.name).join(', ')}): Argo's run would fail ("Rule didn't match any metric name(s)")`,
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
