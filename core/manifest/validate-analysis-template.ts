// AnalysisTemplate and ClusterAnalysisTemplate: structural checks (Argo's ValidateMetrics plus types),
// and that each success/failure condition parses as expr-lang. Whether a query answers, or a condition
// holds for what it returns, is the analysis run's business. Providers: validate-metric-provider.ts.

import type {
  AnalysisTemplateKind,
  AnalysisTemplateManifest,
  MetricManifest,
  TemplateArgumentManifest,
} from './argo-types.js';
import { hasArgReference, isWholeArgReference } from '../analysis/args.js';
import { ExpressionSyntaxError, parseExpression } from '../expr/index.js';
import { isObject } from '../json.js';
import { Issues, render, type FieldPath } from './errors.js';
import {
  DURATION_EXPECTED,
  checkIntegerRange,
  checkKnownFields,
  checkUnique,
  describeInteger,
  dropNulls,
  isAbsent,
  readDuration,
  readInteger,
  readList,
  readMap,
  readString,
  type JsonMap,
} from './fields.js';
import { validateTemplateRef } from './validate-analysis-ref.js';
import { validateAnalysisRules } from './validate-analysis-rules.js';
import { checkArgoApiVersion, checkTopLevelFields, validateMetadata } from './validate-metadata.js';
import { validateProvider } from './validate-metric-provider.js';
import { checkArgReferences, validateTemplateArgument } from './validate-template-args.js';

const SPEC_FIELDS = ['metrics', 'args', 'dryRun', 'measurementRetention', 'templates'];
const METRIC_FIELDS = [
  'name',
  'interval',
  'initialDelay',
  'count',
  'successCondition',
  'failureCondition',
  'failureLimit',
  'inconclusiveLimit',
  'consecutiveErrorLimit',
  'consecutiveSuccessLimit',
  'provider',
];

export function validateAnalysisTemplate(
  object: JsonMap,
  issues: Issues,
  kind: AnalysisTemplateKind,
): AnalysisTemplateManifest | undefined {
  const before = issues.count;
  checkArgoApiVersion(issues, object);
  checkTopLevelFields(issues, object);
  validateMetadata(issues, object, {
    nameRule: 'subdomain',
    maxNameLength: 253,
    namespaced: kind === 'AnalysisTemplate',
  });
  const spec = readMap(issues, object.spec, ['spec'], 'a map with metrics and args', { required: true });
  const name = (object.metadata as { name?: unknown } | undefined)?.name;
  if (spec !== undefined) validateSpec(issues, spec, { kind, name: typeof name === 'string' ? name : '' });
  if (issues.count !== before || spec === undefined) return undefined;

  const metadata = object.metadata as { name: string };
  return {
    kind,
    name: metadata.name,
    namespace: issues.context.namespace,
    spec: {
      args: dropNulls(spec.args ?? []) as TemplateArgumentManifest[],
      metrics: dropNulls(spec.metrics ?? []) as MetricManifest[],
      dryRun: dropNulls(spec.dryRun ?? []) as { metricName: string }[],
      measurementRetention: dropNulls(spec.measurementRetention ?? []) as {
        metricName: string;
        limit: number;
      }[],
      ...nestedRefs(spec.templates),
    },
  };
}

/** `spec.templates` with clusterScope defaulted, only when it holds any (as templates before it). */
function nestedRefs(value: unknown): { templates?: { templateName: string; clusterScope: boolean }[] } {
  const refs = dropNulls(value ?? []) as { templateName: string; clusterScope?: boolean | null }[];
  if (refs.length === 0) return {};
  return {
    templates: refs.map((ref) => ({
      templateName: ref.templateName,
      clusterScope: ref.clusterScope === true,
    })),
  };
}

function validateSpec(issues: Issues, spec: JsonMap, self: TemplateKey): void {
  checkKnownFields(issues, spec, ['spec'], SPEC_FIELDS);
  const nested = validateNestedTemplates(issues, spec.templates, self);

  const args = readList(issues, spec.args, ['spec', 'args'], 'a list of {name, value?, valueFrom?}');
  const argNames =
    args?.map((arg, index) => validateTemplateArgument(issues, arg, ['spec', 'args', index])) ?? [];
  checkUnique(issues, argNames, (index) => ['spec', 'args', index, 'name'], 'argument name');
  // With a broken args list, placeholders cannot be checked against it.
  const declared = isAbsent(spec.args) || args !== undefined ? new Set(argNames) : undefined;

  // Metrics may all come from spec.templates (Argo's Metrics is omitempty); a run without any is
  // refused when the templates are put together (flatten.ts).
  const metrics = readList(issues, spec.metrics, ['spec', 'metrics'], 'a non-empty list of metrics', {
    required: !nested,
    nonEmpty: !nested,
  });
  const metricNames =
    metrics?.map((metric, index) => validateMetric(issues, metric, ['spec', 'metrics', index], declared)) ??
    [];
  checkUnique(issues, metricNames, (index) => ['spec', 'metrics', index, 'name'], 'metric name');

  validateAnalysisRules(issues, spec, ['spec']);
}

interface TemplateKey {
  kind: AnalysisTemplateKind;
  name: string;
}

/**
 * `spec.templates`: each a reference like a Rollout's (a namespaced one is looked up in the Rollout's
 * namespace when a run starts). A template that includes itself is refused here; longer cycles and
 * missing templates are found when a Rollout's templates are put together (collect.ts). Returns
 * whether the list holds any reference.
 */
function validateNestedTemplates(issues: Issues, value: unknown, self: TemplateKey): boolean {
  const at = ['spec', 'templates'];
  const refs = readList(issues, value, at, 'a list of {templateName, clusterScope?}');
  refs?.forEach((ref, index) => {
    validateTemplateRef(issues, ref, [...at, index]);
    if (!isObject(ref) || ref.templateName !== self.name || self.name === '') return;
    const kind = ref.clusterScope === true ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    if (kind !== self.kind) return;
    issues.add(
      [...at, index, 'templateName'],
      ref.templateName,
      'the name of another template',
      `"${self.name}" is this ${kind} itself: a template cannot include itself (Argo's controller would recurse without end)`,
    );
  });
  return refs !== undefined && refs.length > 0;
}

/** Checks one metric and returns its name when it has one. */
function validateMetric(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  declaredArgs: ReadonlySet<string | undefined> | undefined,
): string | undefined {
  const metric = readMap(issues, value, path, 'a metric: a map with name and provider', { required: true });
  if (metric === undefined) return undefined;
  checkKnownFields(issues, metric, path, METRIC_FIELDS);
  const name = readString(issues, metric.name, [...path, 'name'], 'a non-empty metric name', {
    required: true,
    nonEmpty: true,
  });

  readDurationOrArg(issues, metric.interval, [...path, 'interval']);
  readDurationOrArg(issues, metric.initialDelay, [...path, 'initialDelay']);
  const count = readIntOrArg(issues, metric.count, [...path, 'count'], { min: 0 });
  // -1 turns the failure limit off (DESIGN.md §5)
  const failureLimit = readIntOrArg(issues, metric.failureLimit, [...path, 'failureLimit'], { min: -1 });
  const inconclusiveLimit = readIntOrArg(issues, metric.inconclusiveLimit, [...path, 'inconclusiveLimit'], {
    min: 0,
  });
  readIntOrArg(issues, metric.consecutiveErrorLimit, [...path, 'consecutiveErrorLimit'], { min: 0 });
  readIntOrArg(issues, metric.consecutiveSuccessLimit, [...path, 'consecutiveSuccessLimit'], { min: 0 });
  readCondition(issues, metric.successCondition, [...path, 'successCondition'], 'result[0] > 0.9');
  readCondition(issues, metric.failureCondition, [...path, 'failureCondition'], 'result[0] < 0.5');

  // Argo's ValidateMetric: a count bounds the limits, and several measurements need an interval.
  if (count !== undefined && count > 0) {
    for (const [key, limit] of [
      ['failureLimit', failureLimit],
      ['inconclusiveLimit', inconclusiveLimit],
    ] as const) {
      if (limit !== undefined && limit > count) {
        issues.add(
          [...path, key],
          limit,
          `at most count (${count})`,
          `${limit} is more than count (${count}), so it could never be reached`,
        );
      }
    }
  }
  if (count !== undefined && count > 1 && isAbsent(metric.interval)) {
    issues.add(
      [...path, 'interval'],
      undefined,
      DURATION_EXPECTED,
      `missing: count is ${count}, so an interval between measurements is needed`,
    );
  }

  validateProvider(issues, metric.provider, [...path, 'provider']);
  if (declaredArgs !== undefined) checkArgReferences(issues, metric, path, declaredArgs);
  return name;
}

/** A condition must be a string that parses as expr-lang (core/expr), as Argo compiles it. */
function readCondition(issues: Issues, value: unknown, path: FieldPath, example: string): void {
  const expected = `an expr-lang condition such as ${example}`;
  const text = readString(issues, value, path, expected);
  // With {{args.x}} in it, the text is only known once the run substitutes the arguments.
  if (text === undefined || hasArgReference(text)) return;
  try {
    parseExpression(text);
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    issues.add(
      path,
      text,
      expected,
      `${render(text)} does not parse: ${error.message}, expected ${expected}`,
    );
  }
}

function readDurationOrArg(issues: Issues, value: unknown, path: FieldPath): void {
  if (typeof value === 'string' && isWholeArgReference(value)) return;
  readDuration(issues, value, path);
}

/** An integer (or a digits-only string, which Argo's IntOrString accepts) or an args placeholder. */
function readIntOrArg(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  range: { min: number },
): number | undefined {
  if (typeof value === 'string') {
    if (isWholeArgReference(value)) return undefined;
    if (/^-?\d+$/.test(value)) {
      const number = Number(value);
      return checkIntegerRange(issues, number, path, range) ? number : undefined;
    }
    const expected = `${describeInteger(range)} or "{{args.name}}"`;
    issues.add(path, value, expected, `"${value}" is not ${expected}`);
    return undefined;
  }
  return readInteger(issues, value, path, range);
}
