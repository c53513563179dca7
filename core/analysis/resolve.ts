// From a Rollout's analysis reference to a runnable AnalysisSpec: find the templates (normalized at
// apply, template.ts) and those they include (collect.ts), merge them (flatten.ts), give every arg its value (the Rollout's `value`, a
// `fieldRef` into the Rollout, a pod template hash; a `secretKeyRef` stays a reference for the
// measuring activity), substitute `{{args.x}}` (args.ts), and read the numbers the args gave. Pure:
// the client runs it at apply time to report a missing arg at once, the workflow runs it when a run
// starts.
import { parseDuration } from '../duration.js';
import { ExpressionSyntaxError, parseExpression } from '../expr/index.js';
import type { AnalysisArgument, AnalysisTemplateRef, RolloutDefinition } from '../types.js';
import { placeholder, substituteArgs } from './args.js';
import { collectTemplates, notFoundMessage, refKind, TemplateCollectError } from './collect.js';
import {
  checkRulesMatch,
  flattenTemplates,
  matchesAsArgo,
  matchesExactly,
  mergeRolloutRules,
  TemplateFlattenError,
  type FlattenedTemplates,
} from './flatten.js';
import { templateOf } from './template.js';
import type {
  AnalysisSpec,
  AnalysisTemplate,
  LegacyAnalysisTemplate,
  MetricProvider,
  MetricSpec,
  NumberOrArg,
  SecretArg,
  TemplateArg,
  TemplateMetric,
  TemplateRules,
} from './types.js';

export class AnalysisResolveError extends Error {}

export interface ResolveContext {
  rollout: RolloutDefinition;
  /** The definition's templates; a legacy one (as written, from before apply normalized) is read too. */
  templates: readonly (AnalysisTemplate | LegacyAnalysisTemplate)[];
  stableHash?: string;
  canaryHash: string;
  /**
   * Rules matched by name as runs begun before patch 'analysis-rules-as-argo' did (flatten.ts
   * matchesExactly); otherwise as Argo's regular expressions.
   */
  rulesMatchedExactly?: boolean;
}

function findTemplate(ref: AnalysisTemplateRef, ctx: ResolveContext): AnalysisTemplate {
  const found = ctx.templates.find((t) => sameTemplate(t as AnalysisTemplate, ref, ctx.rollout.namespace));
  if (!found) throw new AnalysisResolveError(notFoundMessage(ref, ctx.rollout.namespace));
  return templateOf(found);
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

function argFromTemplate(arg: TemplateArg): ArgValue | undefined {
  if (arg.value !== undefined) return { value: arg.value };
  const secret = arg.secretKeyRef;
  if (secret) return { secret: { name: arg.name, secretName: secret.name, key: secret.key } };
  return undefined;
}

/**
 * Replaces `{{args.x}}` in every string of a JSON value. Secret args keep their placeholder in the
 * provider (the measuring activity reads the Secret); anywhere else they are refused.
 */
function substitute<T>(
  value: T,
  plain: Map<string, string>,
  secrets: { names: Set<string>; allowed: boolean },
  where: string,
): T {
  return substituteArgs(value, (name, written) => {
    if (plain.has(name)) return plain.get(name) as string;
    if (secrets.names.has(name)) {
      if (secrets.allowed) return written;
      throw new AnalysisResolveError(`${where}: ${secretOutsideProvider(name)}`);
    }
    throw new AnalysisResolveError(`${where}: ${placeholder(name)} is not a declared arg`);
  });
}

/**
 * Argo resolves the whole metric with the Secret's value (analysis.go resolveArgs), so a condition may
 * hold it; here a condition is judged in the workflow, whose history must never hold a secret.
 */
function secretOutsideProvider(name: string): string {
  return (
    `${placeholder(name)} is a secret arg (valueFrom.secretKeyRef), which can be used only in the ` +
    "provider (query, url, headers, body): Argo puts the Secret's value here too, but conditions and " +
    "limits are kept in the rollout's history, which must not hold secrets; give this arg a plain value"
  );
}

/** The manifest's name for a field of TemplateMetric, for messages. */
const MANIFEST_FIELD: Record<string, string> = {
  intervalSeconds: 'interval',
  initialDelaySeconds: 'initialDelay',
};

/** Every field but the provider, each with its own path in messages; secret args are refused. */
function substituteFields<T extends object>(
  fields: T,
  plain: Map<string, string>,
  secrets: Set<string>,
  at: string,
): T {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields))
    result[key] = substitute(
      value,
      plain,
      { names: secrets, allowed: false },
      `${at}.${MANIFEST_FIELD[key] ?? key}`,
    );
  return result as T;
}

function toInt(value: NumberOrArg, where: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n))
    throw new AnalysisResolveError(`${where}: ${JSON.stringify(value)} is not an integer`);
  return n;
}

/** Seconds as normalized, or a duration an arg gave. */
function toSeconds(value: NumberOrArg | undefined, where: string): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  try {
    return parseDuration(value);
  } catch (err) {
    throw new AnalysisResolveError(`${where}: ${(err as Error).message}`);
  }
}

/** The provider with the run's plain args in; secret args stay placeholders for the activity. */
function provider(
  template: MetricProvider,
  plain: Map<string, string>,
  secrets: Set<string>,
  where: string,
): MetricProvider {
  const resolved = substitute(template, plain, { names: secrets, allowed: true }, where);
  if (resolved.prometheus && !resolved.prometheus.address)
    throw new AnalysisResolveError(`${where}.provider.prometheus.address: required`);
  return resolved;
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

/**
 * Builds the AnalysisSpec for a run of `refs` with the Rollout's `args`. Templates normalized since
 * nested templates were supported (they carry `rules`) are put together as Argo does (collect.ts,
 * flatten.ts); those a definition carried before merge as they did then, so that a running rollout's
 * next run is the run it would have been.
 */
export function resolveAnalysis(
  refs: AnalysisTemplateRef[],
  args: AnalysisArgument[],
  ctx: ResolveContext,
  rolloutRules?: TemplateRules,
): AnalysisSpec {
  const templates = refs.map((ref) => findTemplate(ref, ctx));
  if (templates.every((t) => t.rules !== undefined))
    return resolveAsArgo(refs, templates, args, ctx, rolloutRules);
  const name = templates.map((t) => t.name).join('+');
  const where = `analysis ${name}`;

  // Every template arg gets a value: the Rollout's first, then the template's own default.
  const values = new Map<string, ArgValue>();
  for (const template of templates) {
    for (const arg of template.args) {
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

  const metrics: MetricSpec[] = [];
  for (const template of templates) {
    template.metrics.forEach((metric, index) => {
      const at = `${template.kind} ${template.name}: spec.metrics[${index}]`;
      if (metrics.some((m) => m.name === metric.name))
        throw new AnalysisResolveError(
          `${at}.name: metric "${metric.name}" appears in more than one template`,
        );
      metrics.push(resolveMetric(metric, at, plain, new Set(secretArgs.map((s) => s.name))));
    });
  }
  return { name, namespace: ctx.rollout.namespace, metrics, secretArgs };
}

/** The run of `refs` as Argo builds it: nested templates included, args and rules merged. */
function resolveAsArgo(
  refs: AnalysisTemplateRef[],
  top: AnalysisTemplate[],
  args: AnalysisArgument[],
  ctx: ResolveContext,
  rolloutRules: TemplateRules | undefined,
): AnalysisSpec {
  const name = top.map((t) => t.name).join('+');
  const where = `analysis ${name}`;
  let flat: FlattenedTemplates;
  try {
    const carried = ctx.templates.map(templateOf);
    const templates = collectTemplates(refs, ctx.rollout.namespace, (ref) =>
      carried.find((t) => sameTemplate(t, ref, ctx.rollout.namespace)),
    );
    flat = flattenTemplates(templates, ctx.rulesMatchedExactly ? matchesExactly : matchesAsArgo);
  } catch (err) {
    if (err instanceof TemplateCollectError || err instanceof TemplateFlattenError)
      throw new AnalysisResolveError(err.message);
    throw err;
  }

  // Every arg gets a value: the Rollout's first, then the templates' own (merged by flatten.ts).
  const plain = new Map<string, string>();
  const secretArgs: SecretArg[] = [];
  for (const { arg, from } of flat.args) {
    const fromRollout = args.find((a) => a.name === arg.name);
    const value = fromRollout ? argFromRollout(fromRollout, ctx, where) : argFromTemplate(arg);
    if (!value)
      throw new AnalysisResolveError(
        `${where}: arg "${arg.name}" of ${from.kind} ${from.name} is required: give it in the Rollout's analysis args`,
      );
    if ('value' in value) plain.set(arg.name, value.value);
    else secretArgs.push(value.secret);
  }
  try {
    if (rolloutRules) flat = mergeRolloutRules(flat, rolloutRules);
    checkRulesMatch(flat);
  } catch (err) {
    if (err instanceof TemplateFlattenError) throw new AnalysisResolveError(err.message);
    throw err;
  }
  const secrets = new Set(secretArgs.map((s) => s.name));
  const metrics = flat.metrics.map(({ metric, from, index }) =>
    resolveMetric(metric, `${from.kind} ${from.name}: spec.metrics[${index}]`, plain, secrets),
  );
  return { name, namespace: ctx.rollout.namespace, metrics, secretArgs };
}

/** `ref` names `t`, a namespaced template being looked up in the Rollout's namespace (as Argo). */
function sameTemplate(t: AnalysisTemplate, ref: AnalysisTemplateRef, namespace: string): boolean {
  return (
    t.kind === refKind(ref) && t.name === ref.templateName && (ref.clusterScope || t.namespace === namespace)
  );
}

/** One metric with the run's args in: a secret arg may appear only in the provider. */
function resolveMetric(
  metric: TemplateMetric,
  at: string,
  plain: Map<string, string>,
  secrets: Set<string>,
): MetricSpec {
  const { provider: written, ...fields } = metric;
  const m = substituteFields(fields, plain, secrets, at);
  checkCondition(m.successCondition, metric.successCondition, `${at}.successCondition`);
  checkCondition(m.failureCondition, metric.failureCondition, `${at}.failureCondition`);
  const intervalSeconds = toSeconds(m.intervalSeconds, `${at}.interval`);
  const count = m.count === undefined ? undefined : toInt(m.count, `${at}.count`);
  return {
    name: metric.name,
    ...(intervalSeconds !== undefined ? { intervalSeconds } : {}),
    initialDelaySeconds: toSeconds(m.initialDelaySeconds, `${at}.initialDelay`) ?? 0,
    ...(count !== undefined ? { count } : {}),
    ...(m.successCondition ? { successCondition: m.successCondition } : {}),
    ...(m.failureCondition ? { failureCondition: m.failureCondition } : {}),
    failureLimit: toInt(m.failureLimit, `${at}.failureLimit`),
    inconclusiveLimit: toInt(m.inconclusiveLimit, `${at}.inconclusiveLimit`),
    consecutiveErrorLimit: toInt(m.consecutiveErrorLimit, `${at}.consecutiveErrorLimit`),
    consecutiveSuccessLimit: toInt(m.consecutiveSuccessLimit, `${at}.consecutiveSuccessLimit`),
    dryRun: metric.dryRun,
    measurementRetention: metric.measurementRetention,
    provider: provider(written, plain, secrets, at),
  };
}
