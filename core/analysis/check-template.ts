// A template carried in a definition that arrives from outside the CLI (core/definition-check.ts):
// the normalized AnalysisTemplate (types.ts), each field of the type and range that resolve.ts and the
// AnalysisRun assume. A legacy one (the manifest as written, from definitions made before apply
// normalized templates) is validated as the manifest it is, by the manifest validator, as before.
import { ExpressionSyntaxError, parseExpression } from '../expr/index.js';
import { describeObject, Issues, type FieldPath } from '../manifest/errors.js';
import { readBoolean, readInteger, readList, readMap, readString, type JsonMap } from '../manifest/fields.js';
import { validateAnalysisTemplate } from '../manifest/validate-analysis-template.js';
import { hasArgReference, isWholeArgReference } from './args.js';

export function checkCarriedTemplate(issues: Issues, value: unknown, path: FieldPath): void {
  const template = readMap(
    issues,
    value,
    path,
    'an AnalysisTemplate: a map with kind, name, args and metrics',
    {
      required: true,
    },
  );
  if (!template) return;
  const kind = template.kind;
  if (kind !== 'AnalysisTemplate' && kind !== 'ClusterAnalysisTemplate')
    issues.add([...path, 'kind'], kind, 'AnalysisTemplate or ClusterAnalysisTemplate');
  else if ('spec' in template) checkLegacyTemplate(issues, template, kind, path);
  else checkTemplate(issues, template, path);
}

function checkTemplate(issues: Issues, template: JsonMap, path: FieldPath): void {
  readString(issues, template.name, [...path, 'name'], 'a template name', { required: true, nonEmpty: true });
  readString(issues, template.namespace, [...path, 'namespace'], "a namespace ('' when cluster-scoped)", {
    required: true,
  });
  const args = readList(issues, template.args, [...path, 'args'], 'a list of {name, value?, secretKeyRef?}', {
    required: true,
  });
  args?.forEach((arg, i) => checkArg(issues, arg, [...path, 'args', i]));
  const nested = checkNested(issues, template, path);
  const metrics = readList(issues, template.metrics, [...path, 'metrics'], 'a non-empty list of metrics', {
    required: true,
    nonEmpty: !nested,
  });
  metrics?.forEach((m, i) => checkMetric(issues, m, [...path, 'metrics', i]));
}

/**
 * `rules` (absent in templates carried before nesting) and `templates`, which only a template with
 * rules may have: without them its runs would merge as before nesting and leave the nested ones out.
 * Returns whether it includes other templates.
 */
function checkNested(issues: Issues, template: JsonMap, path: FieldPath): boolean {
  checkRules(issues, template.rules, [...path, 'rules']);
  const at = [...path, 'templates'];
  const refs = readList(issues, template.templates, at, 'a list of {templateName, clusterScope}');
  refs?.forEach((r, i) => {
    const ref = readMap(issues, r, [...at, i], 'a map with templateName and clusterScope', {
      required: true,
    });
    if (!ref) return;
    readString(issues, ref.templateName, [...at, i, 'templateName'], 'a template name', {
      required: true,
      nonEmpty: true,
    });
    readBoolean(issues, ref.clusterScope, [...at, i, 'clusterScope'], { required: true });
  });
  const nested = refs !== undefined && refs.length > 0;
  if (nested && template.rules === undefined)
    issues.add([...path, 'rules'], undefined, 'a map with dryRun and measurementRetention, beside templates');
  return nested;
}

/** Carried dryRun and measurementRetention rules (a template's, or a Rollout analysis's own). */
export function checkRules(issues: Issues, value: unknown, path: FieldPath): void {
  const rules = readMap(issues, value, path, 'a map with dryRun and measurementRetention');
  if (!rules) return;
  const dryRun = readList(issues, rules.dryRun, [...path, 'dryRun'], 'a list of {metricName}', {
    required: true,
  });
  dryRun?.forEach((r, i) => checkRule(issues, r, [...path, 'dryRun', i], false));
  const retention = readList(
    issues,
    rules.measurementRetention,
    [...path, 'measurementRetention'],
    'a list of {metricName, limit}',
    { required: true },
  );
  retention?.forEach((r, i) => checkRule(issues, r, [...path, 'measurementRetention', i], true));
}

function checkRule(issues: Issues, value: unknown, path: FieldPath, withLimit: boolean): void {
  const rule = readMap(
    issues,
    value,
    path,
    withLimit ? 'a map with metricName and limit' : 'a map with metricName',
    {
      required: true,
    },
  );
  if (!rule) return;
  readString(issues, rule.metricName, [...path, 'metricName'], 'a metric name', {
    required: true,
    nonEmpty: true,
  });
  if (withLimit) readInteger(issues, rule.limit, [...path, 'limit'], { min: 0, required: true });
}

/** A template's own arg: a name, and a default value or a Secret's key (or neither: required). */
function checkArg(issues: Issues, value: unknown, path: FieldPath): void {
  const arg = readMap(issues, value, path, 'a map with name', { required: true });
  if (!arg) return;
  readString(issues, arg.name, [...path, 'name'], 'an argument name', { required: true, nonEmpty: true });
  readString(issues, arg.value, [...path, 'value'], 'a string');
  const secret = readMap(issues, arg.secretKeyRef, [...path, 'secretKeyRef'], 'a map with name and key');
  for (const field of ['name', 'key'])
    if (secret)
      readString(issues, secret[field], [...path, 'secretKeyRef', field], 'a string', {
        required: true,
        nonEmpty: true,
      });
}

/** The lowest value of each number a metric has (-1 turns the failure limit off). */
const NUMBERS = {
  intervalSeconds: 0,
  initialDelaySeconds: 0,
  count: 0,
  failureLimit: -1,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 0,
  consecutiveSuccessLimit: 0,
} as const;
/** Absent: measure once (no interval), or until the run ends (no count). */
const OPTIONAL = ['intervalSeconds', 'count'];

function checkMetric(issues: Issues, value: unknown, path: FieldPath): void {
  const metric = readMap(issues, value, path, 'a metric: a map with name, limits and provider', {
    required: true,
  });
  if (!metric) return;
  readString(issues, metric.name, [...path, 'name'], 'a metric name', { required: true, nonEmpty: true });
  for (const [field, min] of Object.entries(NUMBERS)) {
    const number = metric[field];
    if (typeof number === 'string' && isWholeArgReference(number)) continue;
    const expected = `a number of at least ${min}, or "{{args.name}}"`;
    if (number === undefined && OPTIONAL.includes(field)) continue;
    if (typeof number !== 'number' || !(number >= min)) issues.add([...path, field], number, expected);
    else if (!field.endsWith('Seconds') && !Number.isInteger(number))
      issues.add([...path, field], number, 'an integer');
  }
  for (const field of ['successCondition', 'failureCondition'])
    checkCondition(issues, metric[field], [...path, field]);
  readBoolean(issues, metric.dryRun, [...path, 'dryRun'], { required: true });
  readInteger(issues, metric.measurementRetention, [...path, 'measurementRetention'], {
    min: 0,
    required: true,
  });
  checkProvider(issues, metric.provider, [...path, 'provider']);
}

function checkCondition(issues: Issues, value: unknown, path: FieldPath): void {
  const text = readString(issues, value, path, 'an expr-lang condition');
  // With {{args.x}} in it, the text is only known once a run has its args (resolve.ts parses it then).
  if (text === undefined || hasArgReference(text)) return;
  try {
    parseExpression(text);
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError)) throw error;
    issues.add(path, text, 'an expr-lang condition', `does not parse: ${error.message}`);
  }
}

/** Prometheus or web, as the measuring activity reads them (types.ts MetricProvider). */
function checkProvider(issues: Issues, value: unknown, path: FieldPath): void {
  const provider = readMap(issues, value, path, 'a map with prometheus or web', { required: true });
  if (!provider) return;
  const kinds = Object.keys(provider);
  if (kinds.length !== 1 || (kinds[0] !== 'prometheus' && kinds[0] !== 'web')) {
    issues.add(path, provider, 'exactly one of prometheus or web');
    return;
  }
  const at = [...path, kinds[0]];
  const fields = readMap(issues, provider[kinds[0]], at, 'a map', { required: true });
  if (!fields) return;
  const text = (field: string, required = false) =>
    readString(issues, fields[field], [...at, field], 'a string', { required, nonEmpty: required });
  if (kinds[0] === 'prometheus') {
    text('address', true);
    text('query', true);
    if (fields.timeout !== undefined && typeof fields.timeout !== 'number')
      issues.add([...at, 'timeout'], fields.timeout, 'seconds, a number');
    readBoolean(issues, fields.insecure, [...at, 'insecure']);
    const range = readMap(issues, fields.rangeQuery, [...at, 'rangeQuery'], 'a map with start, end and step');
    for (const field of ['start', 'end', 'step'])
      if (range)
        readString(issues, range[field], [...at, 'rangeQuery', field], 'a string', { required: true });
  } else {
    text('url', true);
    if (!['GET', 'POST', 'PUT'].includes(fields.method as string))
      issues.add([...at, 'method'], fields.method, 'GET, POST or PUT');
    text('body');
    text('jsonPath');
    readInteger(issues, fields.timeoutSeconds, [...at, 'timeoutSeconds'], { min: 0 });
    readBoolean(issues, fields.insecure, [...at, 'insecure']);
  }
  checkAuthentication(issues, fields.authentication, [...at, 'authentication']);
  const headers = readList(issues, fields.headers, [...at, 'headers'], 'a list of {key, value}');
  headers?.forEach((h, i) => {
    const header = readMap(issues, h, [...at, 'headers', i], 'a map with key and value', { required: true });
    for (const field of ['key', 'value'])
      if (header)
        readString(issues, header[field], [...at, 'headers', i, field], 'a string', { required: true });
  });
}

/** oauth2 (the three strings the token request needs) and sigv4's region: what lint lets through. */
function checkAuthentication(issues: Issues, value: unknown, path: FieldPath): void {
  const authentication = readMap(issues, value, path, 'a map with oauth2 or sigv4');
  if (!authentication) return;
  const keys = Object.keys(authentication);
  if (keys.some((key) => key !== 'oauth2' && key !== 'sigv4'))
    issues.add(path, authentication, 'a map with oauth2 or sigv4 only');
  const sigv4 = readMap(issues, authentication.sigv4, [...path, 'sigv4'], 'a map with region');
  if (sigv4)
    readString(issues, sigv4.region, [...path, 'sigv4', 'region'], 'a string', {
      required: true,
      nonEmpty: true,
    });
  const oauth2 = readMap(
    issues,
    authentication.oauth2,
    [...path, 'oauth2'],
    'a map with tokenUrl, clientId and clientSecret',
  );
  if (!oauth2) return;
  for (const field of ['tokenUrl', 'clientId', 'clientSecret'])
    readString(issues, oauth2[field], [...path, 'oauth2', field], 'a string', {
      required: true,
      nonEmpty: true,
    });
  const scopes = readList(issues, oauth2.scopes, [...path, 'oauth2', 'scopes'], 'a list of strings');
  scopes?.forEach((scope, i) =>
    readString(issues, scope, [...path, 'oauth2', 'scopes', i], 'a string', { required: true }),
  );
}

/** A template as its manifest was written: the first problem the manifest validator finds in it. */
function checkLegacyTemplate(
  issues: Issues,
  template: JsonMap,
  kind: 'AnalysisTemplate' | 'ClusterAnalysisTemplate',
  path: FieldPath,
): void {
  const manifest: JsonMap = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind,
    metadata: {
      name: template.name,
      ...(kind === 'AnalysisTemplate' ? { namespace: template.namespace } : {}),
    },
    spec: template.spec,
  };
  const context = {
    file: 'template',
    document: 0,
    kind,
    namespace: typeof template.namespace === 'string' ? template.namespace : '',
    name: typeof template.name === 'string' ? template.name : '',
  };
  // Messages start at the object (`AnalysisTemplate ns/name: spec…`): the definition names the field.
  const inner = new Issues(context, (c, at) => `${describeObject(c)}: ${at === '' ? '' : `${at}: `}`);
  validateAnalysisTemplate(manifest, inner, kind);
  const first = inner.errors[0];
  if (first) issues.add(path, template.name, 'a valid AnalysisTemplate', first.message);
  // The manifest shape predates nesting, and its runs merge as they did then (resolve.ts).
  const nested = (template.spec as { templates?: unknown } | undefined)?.templates;
  if (!first && Array.isArray(nested) && nested.length > 0)
    issues.add(
      [...path, 'spec', 'templates'],
      nested,
      'a template normalized by rollouts apply (with rules), for a template that includes others',
    );
}
