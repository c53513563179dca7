// A validated AnalysisTemplate manifest → the AnalysisTemplate a RolloutDefinition carries: Argo's
// metric defaults applied, durations in seconds, dryRun and measurementRetention given to each metric,
// the provider in the shape the measuring activity reads. A value that is `{{args.NAME}}` stays so
// until a run has its args (resolve.ts). Pure; apply and lint run it (attach.ts), and the workflow on
// the manifests that definitions written before carry (`templateOf`).
import { parseDuration } from '../duration.js';
import type {
  AnalysisTemplateManifest,
  AuthenticationManifest,
  DurationOrArg,
  MetricManifest,
  TemplateArgumentManifest,
} from '../manifest/argo-types.js';
import { isWholeArgReference } from './args.js';
import type {
  AnalysisTemplate,
  LegacyAnalysisTemplate,
  MetricProvider,
  NumberOrArg,
  ProviderAuthentication,
  TemplateArg,
  TemplateMetric,
} from './types.js';

/** Argo's defaults for a metric (pkg/apis/rollouts/v1alpha1/analysis_types.go). */
export const METRIC_DEFAULTS = {
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  consecutiveSuccessLimit: 0,
  measurementRetention: 10,
} as const;

export function normalizeTemplate(manifest: AnalysisTemplateManifest): AnalysisTemplate {
  const { dryRun, measurementRetention, templates = [] } = manifest.spec;
  return {
    ...normalizeOwn(manifest),
    rules: {
      dryRun: dryRun.map(({ metricName }) => ({ metricName })),
      measurementRetention: measurementRetention.map(({ metricName, limit }) => ({ metricName, limit })),
    },
    ...(templates.length
      ? { templates: templates.map(({ templateName, clusterScope }) => ({ templateName, clusterScope })) }
      : {}),
  };
}

/**
 * A carried template in either shape, normalized. A legacy one (validated when it was carried) stays
 * without `rules`, so that its runs merge templates as they did when it was carried (resolve.ts).
 */
export function templateOf(stored: AnalysisTemplate | LegacyAnalysisTemplate): AnalysisTemplate {
  return 'spec' in stored ? normalizeOwn(stored as unknown as AnalysisTemplateManifest) : stored;
}

/** The template on its own: each metric with the dryRun and retention of this template's rules. */
function normalizeOwn(manifest: AnalysisTemplateManifest): AnalysisTemplate {
  const { spec } = manifest;
  return {
    kind: manifest.kind,
    name: manifest.name,
    namespace: manifest.namespace,
    args: spec.args.map(normalizeArg),
    metrics: spec.metrics.map((metric) => {
      const retention = spec.measurementRetention.find((r) => matches(r.metricName, metric.name));
      return normalizeMetric(metric, {
        dryRun: spec.dryRun.some((d) => matches(d.metricName, metric.name)),
        measurementRetention: retention?.limit ?? METRIC_DEFAULTS.measurementRetention,
      });
    }),
  };
}

/** A `metricName` of dryRun or measurementRetention: a name, or Argo's wildcard. */
export function matches(pattern: string, name: string): boolean {
  if (pattern === '*' || pattern === '.*') return true;
  return pattern === name;
}

/** A template arg's `fieldRef` is not read: such an arg must come from the Rollout, as before. */
function normalizeArg(arg: TemplateArgumentManifest): TemplateArg {
  if (arg.value !== undefined) return { name: arg.name, value: arg.value };
  const secret = arg.valueFrom?.secretKeyRef;
  return secret
    ? { name: arg.name, secretKeyRef: { name: secret.name, key: secret.key } }
    : { name: arg.name };
}

function normalizeMetric(
  metric: MetricManifest,
  given: { dryRun: boolean; measurementRetention: number },
): TemplateMetric {
  const intervalSeconds = seconds(metric.interval);
  const count = integer(metric.count);
  return {
    name: metric.name,
    ...(intervalSeconds !== undefined ? { intervalSeconds } : {}),
    initialDelaySeconds: seconds(metric.initialDelay) ?? 0,
    ...(count !== undefined ? { count } : {}),
    ...(metric.successCondition !== undefined ? { successCondition: metric.successCondition } : {}),
    ...(metric.failureCondition !== undefined ? { failureCondition: metric.failureCondition } : {}),
    failureLimit: integer(metric.failureLimit) ?? METRIC_DEFAULTS.failureLimit,
    inconclusiveLimit: integer(metric.inconclusiveLimit) ?? METRIC_DEFAULTS.inconclusiveLimit,
    consecutiveErrorLimit: integer(metric.consecutiveErrorLimit) ?? METRIC_DEFAULTS.consecutiveErrorLimit,
    consecutiveSuccessLimit:
      integer(metric.consecutiveSuccessLimit) ?? METRIC_DEFAULTS.consecutiveSuccessLimit,
    ...given,
    provider: normalizeProvider(metric),
  };
}

function seconds(value: DurationOrArg | undefined): NumberOrArg | undefined {
  if (value === undefined || (typeof value === 'string' && isWholeArgReference(value))) return value;
  return parseDuration(value);
}

/** Argo's IntOrString: a digits-only string is the number. */
function integer(value: NumberOrArg | undefined): NumberOrArg | undefined {
  if (typeof value === 'string' && !isWholeArgReference(value)) return Number(value);
  return value;
}

/** oauth2 and sigv4's region (lint refuses the rest); an empty authentication, which Argo acts on in no way, is dropped. */
function normalizeAuthentication(authentication: AuthenticationManifest | undefined): {
  authentication?: ProviderAuthentication;
} {
  const normalized: ProviderAuthentication = {};
  const oauth2 = authentication?.oauth2;
  if (oauth2) {
    const { tokenUrl, clientId, clientSecret, scopes } = oauth2;
    normalized.oauth2 = { tokenUrl, clientId, clientSecret, ...(scopes ? { scopes: [...scopes] } : {}) };
  }
  if (authentication?.sigv4) normalized.sigv4 = { region: authentication.sigv4.region };
  return Object.keys(normalized).length > 0 ? { authentication: normalized } : {};
}

function normalizeProvider(metric: MetricManifest): MetricProvider {
  const { prometheus, web } = metric.provider;
  if (prometheus) {
    const { address, query, timeout, headers, insecure, rangeQuery, authentication } = prometheus;
    return {
      prometheus: {
        address: address ?? '',
        query,
        ...(typeof timeout === 'number' ? { timeout } : {}),
        ...(headers ? { headers } : {}),
        ...(insecure === true ? { insecure: true as const } : {}),
        ...(rangeQuery
          ? { rangeQuery: { start: rangeQuery.start, end: rangeQuery.end, step: rangeQuery.step } }
          : {}),
        ...normalizeAuthentication(authentication),
      },
    };
  }
  if (web) {
    return {
      web: {
        url: web.url,
        method: (web.method ?? 'GET').toUpperCase() as 'GET' | 'POST' | 'PUT',
        ...(web.headers ? { headers: web.headers } : {}),
        ...(typeof web.body === 'string' ? { body: web.body } : {}),
        ...(web.jsonBody !== undefined ? { jsonBody: web.jsonBody } : {}),
        // Argo takes 0 or less as its default (10 s): carried as absent, which means the same.
        ...(web.timeoutSeconds !== undefined && web.timeoutSeconds > 0
          ? { timeoutSeconds: web.timeoutSeconds }
          : {}),
        ...(web.jsonPath !== undefined ? { jsonPath: web.jsonPath } : {}),
        ...(web.insecure === true ? { insecure: true as const } : {}),
        ...normalizeAuthentication(web.authentication),
      },
    };
  }
  // validateAnalysisTemplate refuses every other provider; reaching here means it was bypassed
  throw new Error(`normalizeTemplate: not a validated provider: ${Object.keys(metric.provider).join(', ')}`);
}
