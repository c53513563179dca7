// From a Rollout's analysis reference to a runnable AnalysisSpec: find the templates, merge their
// metrics, give every arg its value (the Rollout's `value`, a `fieldRef` into the Rollout, a pod
// template hash; a `secretKeyRef` stays a reference for the measuring activity), substitute
// `{{args.x}}`, and apply Argo's defaults. Pure: the client runs it at apply time to report a
// missing arg at once, the workflow runs it when a run starts.
import { parseDuration } from '../duration.js';
import { ExpressionSyntaxError, parseExpression } from '../expr/index.js';
import type {
  AnalysisTemplateManifest,
  MetricManifest,
  TemplateArgumentManifest,
} from '../manifest/argo-types.js';
import type { AnalysisArgument, AnalysisTemplateRef, RolloutDefinition } from '../types.js';
import type { AnalysisSpec, MetricProvider, MetricSpec, SecretArg } from './types.js';

export class AnalysisResolveError extends Error {}

export interface ResolveContext {
  rollout: RolloutDefinition;
  templates: AnalysisTemplateManifest[];
  stableHash?: string;
  canaryHash: string;
}

const METRIC_DEFAULTS = {
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  consecutiveSuccessLimit: 0,
  measurementRetention: 10,
} as const;

function findTemplate(ref: AnalysisTemplateRef, ctx: ResolveContext): AnalysisTemplateManifest {
  const kind = ref.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
  const found = ctx.templates.find(
    (t) =>
      t.kind === kind &&
      t.name === ref.templateName &&
      (ref.clusterScope || t.namespace === ctx.rollout.namespace),
  );
  if (!found)
    throw new AnalysisResolveError(
      `${kind} "${ref.templateName}"${ref.clusterScope ? '' : ` in namespace ${ctx.rollout.namespace}`} not found: give it to apply -f with the Rollout`,
    );
  return found;
}

/** `metadata.namespace`, `metadata.name`, `metadata.labels['app']`, `metadata.annotations['x']`. */
function fieldRefValue(path: string, rollout: RolloutDefinition): string | undefined {
  if (path === 'metadata.namespace') return rollout.namespace;
  if (path === 'metadata.name') return rollout.name;
  const match = /^metadata\.(labels|annotations)\[['"]?([^'"\]]+)['"]?\]$/.exec(path);
  if (match) return (match[1] === 'labels' ? rollout.labels : rollout.annotations)[match[2] as string];
  return undefined;
}

type ArgValue = { value: string } | { secret: SecretArg };

function argFromRollout(arg: AnalysisArgument, ctx: ResolveContext, where: string): ArgValue {
  if (arg.value !== undefined) return { value: arg.value };
  const from = arg.valueFrom;
  if (from?.fieldRef) {
    const value = fieldRefValue(from.fieldRef.fieldPath, ctx.rollout);
    if (value === undefined)
      throw new AnalysisResolveError(
        `${where}: arg "${arg.name}": fieldRef ${from.fieldRef.fieldPath} has no value on the Rollout`,
      );
    return { value };
  }
  if (from?.podTemplateHashValue) {
    const hash = from.podTemplateHashValue === 'Stable' ? ctx.stableHash : ctx.canaryHash;
    if (!hash)
      throw new AnalysisResolveError(
        `${where}: arg "${arg.name}": there is no ${from.podTemplateHashValue} revision yet`,
      );
    return { value: hash };
  }
  if (from?.secretKeyRef)
    return { secret: { name: arg.name, secretName: from.secretKeyRef.name, key: from.secretKeyRef.key } };
  throw new AnalysisResolveError(`${where}: arg "${arg.name}" has no value`);
}

function argFromTemplate(arg: TemplateArgumentManifest): ArgValue | undefined {
  if (arg.value !== undefined) return { value: arg.value };
  const secret = arg.valueFrom?.secretKeyRef;
  if (secret) return { secret: { name: arg.name, secretName: secret.name, key: secret.key } };
  return undefined;
}

/** Replaces `{{args.x}}` in every string of a JSON value; secret args keep their placeholder. */
function substitute<T>(value: T, plain: Map<string, string>, secrets: Set<string>, where: string): T {
  if (typeof value === 'string')
    return value.replace(/\{\{\s*args\.([\w-]+)\s*\}\}/g, (whole, name: string) => {
      if (plain.has(name)) return plain.get(name) as string;
      if (secrets.has(name)) return whole;
      throw new AnalysisResolveError(`${where}: {{args.${name}}} is not a declared arg`);
    }) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => substitute(v, plain, secrets, where)) as T;
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substitute(v as unknown, plain, secrets, where)]),
    ) as T;
  return value;
}

function toInt(
  value: number | string | undefined,
  fallback: number | undefined,
  where: string,
): number | undefined {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n))
    throw new AnalysisResolveError(`${where}: ${JSON.stringify(value)} is not an integer`);
  return n;
}

function toSeconds(value: number | string | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDuration(value);
  } catch (err) {
    throw new AnalysisResolveError(`${where}: ${(err as Error).message}`);
  }
}

function provider(metric: MetricManifest, where: string): MetricProvider {
  const { prometheus, web } = metric.provider;
  if (prometheus) {
    if (!prometheus.address) throw new AnalysisResolveError(`${where}.provider.prometheus.address: required`);
    const timeout = prometheus.timeout;
    return {
      prometheus: {
        address: prometheus.address,
        query: prometheus.query,
        ...(typeof timeout === 'number' ? { timeout } : {}),
        ...(prometheus.headers ? { headers: prometheus.headers } : {}),
      },
    };
  }
  if (web) {
    const method = (web.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST' && method !== 'PUT')
      throw new AnalysisResolveError(`${where}.provider.web.method: ${web.method} is not GET, POST or PUT`);
    return {
      web: {
        url: web.url,
        method,
        ...(web.headers ? { headers: web.headers } : {}),
        ...(typeof web.body === 'string' ? { body: web.body } : {}),
        ...(web.jsonBody !== undefined ? { jsonBody: web.jsonBody } : {}),
        ...(web.timeoutSeconds !== undefined ? { timeoutSeconds: web.timeoutSeconds } : {}),
        ...(web.jsonPath !== undefined ? { jsonPath: web.jsonPath } : {}),
        ...(web.insecure === true ? { insecure: true } : {}),
      },
    };
  }
  const kinds = Object.keys(metric.provider).join(', ');
  throw new AnalysisResolveError(`${where}.provider: ${kinds} is not supported yet (prometheus and web are)`);
}

/**
 * A condition with `{{args.x}}` in it is only known once the args are in (lint parses the rest): it
 * must parse then, or every measurement of the run would be an Error.
 */
function checkCondition(text: string | undefined, written: string | undefined, where: string): void {
  if (text === undefined || text === written) return;
  try {
    parseExpression(text);
  } catch (err) {
    if (!(err instanceof ExpressionSyntaxError)) throw err;
    throw new AnalysisResolveError(`${where}: ${JSON.stringify(text)} does not parse: ${err.message}`);
  }
}

function matches(pattern: string, name: string): boolean {
  if (pattern === '*' || pattern === '.*') return true;
  return pattern === name;
}

/** Builds the AnalysisSpec for a run of `refs` with the Rollout's `args`. */
export function resolveAnalysis(
  refs: AnalysisTemplateRef[],
  args: AnalysisArgument[],
  ctx: ResolveContext,
): AnalysisSpec {
  const templates = refs.map((ref) => findTemplate(ref, ctx));
  const name = templates.map((t) => t.name).join('+');
  const where = `analysis ${name}`;

  // Every template arg gets a value: the Rollout's first, then the template's own default.
  const values = new Map<string, ArgValue>();
  for (const template of templates) {
    for (const arg of template.spec.args) {
      const fromRollout = args.find((a) => a.name === arg.name);
      const value = fromRollout ? argFromRollout(fromRollout, ctx, where) : argFromTemplate(arg);
      if (!value)
        throw new AnalysisResolveError(
          `${where}: arg "${arg.name}" of ${template.kind} ${template.name} is required: give it in the Rollout's analysis args`,
        );
      values.set(arg.name, value);
    }
  }
  const plain = new Map<string, string>();
  const secretArgs: SecretArg[] = [];
  for (const [argName, value] of values) {
    if ('value' in value) plain.set(argName, value.value);
    else secretArgs.push(value.secret);
  }
  const secretNames = new Set(secretArgs.map((s) => s.name));

  const metrics: MetricSpec[] = [];
  for (const template of templates) {
    template.spec.metrics.forEach((raw, index) => {
      const at = `${template.kind} ${template.name}: spec.metrics[${index}]`;
      if (metrics.some((m) => m.name === raw.name))
        throw new AnalysisResolveError(`${at}.name: metric "${raw.name}" appears in more than one template`);
      const { provider: rawProvider, ...fields } = raw;
      const m = substitute(fields, plain, new Set(), at);
      checkCondition(m.successCondition, raw.successCondition, `${at}.successCondition`);
      checkCondition(m.failureCondition, raw.failureCondition, `${at}.failureCondition`);
      const retention = template.spec.measurementRetention.find((r) => matches(r.metricName, raw.name));
      const intervalSeconds = toSeconds(m.interval, `${at}.interval`);
      const count = toInt(m.count, undefined, `${at}.count`);
      metrics.push({
        name: raw.name,
        ...(intervalSeconds !== undefined ? { intervalSeconds } : {}),
        initialDelaySeconds: toSeconds(m.initialDelay, `${at}.initialDelay`) ?? 0,
        ...(count !== undefined ? { count } : {}),
        ...(m.successCondition ? { successCondition: m.successCondition } : {}),
        ...(m.failureCondition ? { failureCondition: m.failureCondition } : {}),
        failureLimit: toInt(m.failureLimit, METRIC_DEFAULTS.failureLimit, `${at}.failureLimit`) as number,
        inconclusiveLimit: toInt(
          m.inconclusiveLimit,
          METRIC_DEFAULTS.inconclusiveLimit,
          `${at}.inconclusiveLimit`,
        ) as number,
        consecutiveErrorLimit: toInt(
          m.consecutiveErrorLimit,
          METRIC_DEFAULTS.consecutiveErrorLimit,
          `${at}.consecutiveErrorLimit`,
        ) as number,
        consecutiveSuccessLimit: toInt(
          m.consecutiveSuccessLimit,
          METRIC_DEFAULTS.consecutiveSuccessLimit,
          `${at}.consecutiveSuccessLimit`,
        ) as number,
        dryRun: template.spec.dryRun.some((d) => matches(d.metricName, raw.name)),
        measurementRetention: retention?.limit ?? METRIC_DEFAULTS.measurementRetention,
        provider: provider({ ...m, provider: substitute(rawProvider, plain, secretNames, at) }, at),
      });
    });
  }
  return { name, namespace: ctx.rollout.namespace, metrics, secretArgs };
}
