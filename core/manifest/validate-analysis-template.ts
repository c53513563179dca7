// AnalysisTemplate and ClusterAnalysisTemplate: structural checks (Argo's ValidateMetrics plus types),
// and that each success/failure condition parses as expr-lang. Whether a query answers, or a condition
// holds for what it returns, is the analysis run's business.

import type {
  AnalysisTemplateKind,
  AnalysisTemplateManifest,
  MetricManifest,
  TemplateArgumentManifest,
} from './argo-types.js';
import { argReferences, hasArgReference, isWholeArgReference } from '../analysis/args.js';
import { ExpressionSyntaxError, parseExpression } from '../expr/index.js';
import { mapStrings } from '../json.js';
import { Issues, render, type FieldPath } from './errors.js';
import {
  DURATION_EXPECTED,
  checkIntegerRange,
  checkKnownFields,
  checkUnique,
  describeInteger,
  describeSeveralSet,
  dropNulls,
  isAbsent,
  presentKeys,
  readBoolean,
  readDuration,
  readInteger,
  readList,
  readMap,
  readString,
  type JsonMap,
} from './fields.js';
import { readName } from './names.js';
import { checkArgoApiVersion, checkTopLevelFields, validateMetadata } from './validate-metadata.js';

const SPEC_FIELDS = ['metrics', 'args', 'dryRun', 'measurementRetention'];
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
/** Argo's metric providers; prometheus and web are the ones this project measures with. */
const PROVIDERS = [
  'prometheus',
  'web',
  'job',
  'datadog',
  'newRelic',
  'wavefront',
  'kayenta',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
  'plugin',
];
const PROVIDERS_TEXT = `exactly one of ${PROVIDERS.join(', ')}`;

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
  if (spec !== undefined) validateSpec(issues, spec);
  if (issues.count !== before || spec === undefined) return undefined;

  const metadata = object.metadata as { name: string };
  return {
    kind,
    name: metadata.name,
    namespace: issues.context.namespace,
    spec: {
      args: dropNulls(spec.args ?? []) as TemplateArgumentManifest[],
      metrics: dropNulls(spec.metrics) as MetricManifest[],
      dryRun: dropNulls(spec.dryRun ?? []) as { metricName: string }[],
      measurementRetention: dropNulls(spec.measurementRetention ?? []) as {
        metricName: string;
        limit: number;
      }[],
    },
  };
}

function validateSpec(issues: Issues, spec: JsonMap): void {
  checkKnownFields(issues, spec, ['spec'], SPEC_FIELDS);

  const args = readList(issues, spec.args, ['spec', 'args'], 'a list of {name, value?, valueFrom?}');
  const argNames =
    args?.map((arg, index) => validateTemplateArgument(issues, arg, ['spec', 'args', index])) ?? [];
  checkUnique(issues, argNames, (index) => ['spec', 'args', index, 'name'], 'argument name');
  // With a broken args list, placeholders cannot be checked against it.
  const declared = isAbsent(spec.args) || args !== undefined ? new Set(argNames) : undefined;

  const metrics = readList(issues, spec.metrics, ['spec', 'metrics'], 'a non-empty list of metrics', {
    required: true,
    nonEmpty: true,
  });
  const metricNames =
    metrics?.map((metric, index) => validateMetric(issues, metric, ['spec', 'metrics', index], declared)) ??
    [];
  checkUnique(issues, metricNames, (index) => ['spec', 'metrics', index, 'name'], 'metric name');

  const dryRun = readList(issues, spec.dryRun, ['spec', 'dryRun'], 'a list of {metricName}');
  dryRun?.forEach((entry, index) => {
    const at = ['spec', 'dryRun', index];
    const item = readMap(issues, entry, at, 'a map with metricName', { required: true });
    if (item === undefined) return;
    checkKnownFields(issues, item, at, ['metricName']);
    readString(
      issues,
      item.metricName,
      [...at, 'metricName'],
      'a metric name (or a regular expression such as ".*")',
      {
        required: true,
        nonEmpty: true,
      },
    );
  });

  const retention = readList(
    issues,
    spec.measurementRetention,
    ['spec', 'measurementRetention'],
    'a list of {metricName, limit}',
  );
  retention?.forEach((entry, index) => {
    const at = ['spec', 'measurementRetention', index];
    const item = readMap(issues, entry, at, 'a map with metricName and limit', { required: true });
    if (item === undefined) return;
    checkKnownFields(issues, item, at, ['metricName', 'limit']);
    readString(issues, item.metricName, [...at, 'metricName'], 'a metric name', {
      required: true,
      nonEmpty: true,
    });
    readInteger(issues, item.limit, [...at, 'limit'], { min: 0, required: true });
  });
}

function validateTemplateArgument(issues: Issues, value: unknown, path: FieldPath): string | undefined {
  const arg = readMap(issues, value, path, 'a map with name, and optionally value or valueFrom', {
    required: true,
  });
  if (arg === undefined) return undefined;
  checkKnownFields(issues, arg, path, ['name', 'value', 'valueFrom']);
  const name = readString(issues, arg.name, [...path, 'name'], 'a non-empty argument name', {
    required: true,
    nonEmpty: true,
  });
  readString(issues, arg.value, [...path, 'value'], 'a string (quote numbers and booleans)');
  if (arg.value !== undefined && arg.value !== null && !isAbsent(arg.valueFrom)) {
    issues.add(
      path,
      arg,
      'value or valueFrom, not both',
      'both value and valueFrom are set, expected at most one',
    );
  }

  const fromPath = [...path, 'valueFrom'];
  const valueFrom = readMap(issues, arg.valueFrom, fromPath, 'a map with secretKeyRef or fieldRef');
  if (valueFrom === undefined) return name;
  checkKnownFields(issues, valueFrom, fromPath, ['secretKeyRef', 'fieldRef']);
  const sources = presentKeys(valueFrom, ['secretKeyRef', 'fieldRef']);
  if (sources.length !== 1) {
    const expected = 'exactly one of secretKeyRef or fieldRef';
    const problem =
      sources.length === 0
        ? `nothing is set, expected ${expected}`
        : `${describeSeveralSet(sources)}, expected one`;
    issues.add(fromPath, valueFrom, expected, problem);
  }
  const secret = readMap(
    issues,
    valueFrom.secretKeyRef,
    [...fromPath, 'secretKeyRef'],
    'a map with name and key',
  );
  if (secret !== undefined) {
    checkKnownFields(issues, secret, [...fromPath, 'secretKeyRef'], ['name', 'key']);
    readName(issues, secret.name, [...fromPath, 'secretKeyRef', 'name'], 'subdomain', 253);
    readString(issues, secret.key, [...fromPath, 'secretKeyRef', 'key'], 'a key of the Secret', {
      required: true,
      nonEmpty: true,
    });
  }
  const field = readMap(issues, valueFrom.fieldRef, [...fromPath, 'fieldRef'], 'a map with fieldPath');
  if (field !== undefined) {
    checkKnownFields(issues, field, [...fromPath, 'fieldRef'], ['fieldPath']);
    readString(
      issues,
      field.fieldPath,
      [...fromPath, 'fieldRef', 'fieldPath'],
      'a field path such as metadata.namespace',
      {
        required: true,
        nonEmpty: true,
      },
    );
  }
  return name;
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

function validateProvider(issues: Issues, value: unknown, path: FieldPath): void {
  const provider = readMap(issues, value, path, `a map with ${PROVIDERS_TEXT}`, { required: true });
  if (provider === undefined) return;
  checkKnownFields(issues, provider, path, PROVIDERS);
  const set = presentKeys(provider, PROVIDERS);
  // A misspelt provider is reported as an unknown field already; "none set" would only repeat it.
  const misspelt = Object.keys(provider).some((key) => !PROVIDERS.includes(key));
  if (set.length > 1 || (set.length === 0 && !misspelt)) {
    const problem =
      set.length === 0
        ? `no provider is set, expected ${PROVIDERS_TEXT}`
        : `${describeSeveralSet(set)}, expected ${PROVIDERS_TEXT}`;
    issues.add(path, provider, PROVIDERS_TEXT, problem);
  }
  for (const key of set) {
    const at = [...path, key];
    if (key === 'prometheus') validatePrometheus(issues, provider[key], at);
    else if (key === 'web') validateWeb(issues, provider[key], at);
    // Argo's other providers are known (no "unknown field"), but nothing here measures with them.
    else issues.notSupported(at, provider[key], `the ${key} provider`, 'use prometheus or web');
  }
}

function validatePrometheus(issues: Issues, value: unknown, path: FieldPath): void {
  const prometheus = readMap(issues, value, path, 'a map with address and query');
  if (prometheus === undefined) return;
  // Required: there is no default Prometheus to ask (an AnalysisRun without one could never measure).
  readString(issues, prometheus.address, [...path, 'address'], 'a URL such as http://prometheus:9090', {
    required: true,
    nonEmpty: true,
  });
  readString(issues, prometheus.query, [...path, 'query'], 'a PromQL query', {
    required: true,
    nonEmpty: true,
  });
  validateHeaders(issues, prometheus.headers, [...path, 'headers']);
}

function validateWeb(issues: Issues, value: unknown, path: FieldPath): void {
  const web = readMap(issues, value, path, 'a map with url');
  if (web === undefined) return;
  readString(issues, web.url, [...path, 'url'], 'a URL', { required: true, nonEmpty: true });
  const method = readString(issues, web.method, [...path, 'method'], 'GET, POST or PUT');
  if (method !== undefined && !['GET', 'POST', 'PUT'].includes(method)) {
    issues.add([...path, 'method'], method, 'GET, POST or PUT');
  }
  readString(issues, web.jsonPath, [...path, 'jsonPath'], 'a JSONPath such as {$.data.ok}');
  readInteger(issues, web.timeoutSeconds, [...path, 'timeoutSeconds'], { min: 0 });
  readBoolean(issues, web.insecure, [...path, 'insecure']);
  validateHeaders(issues, web.headers, [...path, 'headers']);
}

function validateHeaders(issues: Issues, value: unknown, path: FieldPath): void {
  const headers = readList(issues, value, path, 'a list of {key, value}');
  headers?.forEach((entry, index) => {
    const header = readMap(issues, entry, [...path, index], 'a map with key and value', { required: true });
    if (header === undefined) return;
    readString(issues, header.key, [...path, index, 'key'], 'a header name', {
      required: true,
      nonEmpty: true,
    });
    readString(issues, header.value, [...path, index, 'value'], 'a header value (a string)', {
      required: true,
    });
  });
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

/** Every `{{args.x}}` in the metric must name an argument the template declares (args.ts: Argo's rule). */
function checkArgReferences(
  issues: Issues,
  metric: JsonMap,
  path: FieldPath,
  declared: ReadonlySet<string | undefined>,
): void {
  mapStrings(metric, (text, at) => {
    for (const { written, name } of argReferences(text))
      if (!declared.has(name))
        issues.add(
          [...path, ...at],
          written,
          'a name from spec.args',
          `${written} refers to an argument that spec.args does not declare`,
        );
    return text;
  });
}
