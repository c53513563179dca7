// An AnalysisRun workflow mirrored as the `argoproj.io/v1alpha1` AnalysisRun object Argo's controller
// would make (rollout/analysis.go newAnalysisRunFromRollout, utils/analysis/factory.go), so that
// `kubectl argo rollouts get rollout` and `kubectl get analysisruns` show it. Only fields whose JSON
// decodes into Argo's Go types (pkg/apis/rollouts/v1alpha1/analysis_types.go) are written: the plugin
// decodes every AnalysisRun of the namespace, and one mismatch breaks its whole list. The workflow's
// history stays the source of truth. Pure: the workflow builds what to write, the activity writes it.
import { metaTime } from '../argo-status.js';
import { rolloutControllerRef } from './owner.js';
import type {
  AnalysisPhase,
  AnalysisRunStatus,
  AnalysisSpec,
  Measurement,
  MetricProvider,
  MetricResult,
  MetricSpec,
  MetricValue,
  PrometheusProvider,
  ProviderAuthentication,
  WebProvider,
} from '../analysis/types.js';
import { METRIC_DEFAULTS } from '../analysis/template.js';
import { isPlainObject } from '../json.js';
import { POD_TEMPLATE_HASH_LABEL, type Labels } from '../types.js';

export const ANALYSIS_RUN_API_VERSION = 'argoproj.io/v1alpha1';
export const ANALYSIS_RUN_KIND = 'AnalysisRun';
export const ANALYSIS_RUN_PLURAL = 'analysisruns';

/** v1alpha1.RolloutTypeLabel and RolloutCanaryStepIndexLabel. */
export const ROLLOUT_TYPE_LABEL = 'rollout-type';
export const STEP_INDEX_LABEL = 'step-index';
/** annotations.RevisionAnnotation: the plugin places a run under this revision of its tree. */
export const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';
/** The AnalysisRun workflow the object mirrors: a run of another workflow of the same name is not ours. */
export const WORKFLOW_ID_ANNOTATION = 'rollouts.temporal.io/workflow-id';
/**
 * The first run of that workflow (the same across continue-as-new): a workflow id used again, by a
 * rollout workflow started anew for the same Rollout object, is another run's.
 */
export const RUN_ID_ANNOTATION = 'rollouts.temporal.io/run-id';
/** Rises with every write of one object: an older write never lands over a newer one. */
export const SEQUENCE_ANNOTATION = 'rollouts.temporal.io/sequence';

/** Argo's default successfulRunHistoryLimit and unsuccessfulRunHistoryLimit (utils/defaults). */
export const DEFAULT_RUN_HISTORY_LIMITS = { successful: 5, unsuccessful: 5 } as const;

/**
 * The Rollout object an AnalysisRun belongs to, and its place in it: what the AnalysisRun workflow is
 * given (AnalysisRunInput.object) when its rollout is driven by a Rollout object.
 */
export interface AnalysisRunTarget {
  /** The Rollout's name; its namespace is the run's. */
  rollout: string;
  uid: string;
  /** spec.selector.matchLabels: Argo puts them on its runs. */
  selector: Labels;
  /** The canary ReplicaSet's pod-template hash. */
  podHash: string;
  revision: number;
  kind: 'background' | 'step';
  stepIndex?: number;
}

/** `<rollout>-<podHash>-<revision>`, and `-<stepIndex>` for a step's run (newAnalysisRunFromRollout). */
export function analysisRunBaseName(target: AnalysisRunTarget): string {
  const parts = [target.rollout, target.podHash, String(target.revision)];
  if (target.kind === 'step' && target.stepIndex !== undefined) parts.push(String(target.stepIndex));
  return parts.join('-');
}

/** CreateWithCollisionCounter: the base name, then `<base>.1`, `<base>.2`, … while the name is taken. */
export function collisionName(base: string, collision: number): string {
  return collision === 0 ? base : `${base}.${collision}`;
}

/** BackgroundLabels / StepLabels, then the Rollout's selector over them (as Argo adds it last). */
export function analysisRunLabels(target: AnalysisRunTarget): Labels {
  return {
    [POD_TEMPLATE_HASH_LABEL]: target.podHash,
    [ROLLOUT_TYPE_LABEL]: target.kind === 'step' ? 'Step' : 'Background',
    ...(target.kind === 'step' && target.stepIndex !== undefined
      ? { [STEP_INDEX_LABEL]: String(target.stepIndex) }
      : {}),
    ...target.selector,
  };
}

export function analysisRunAnnotations(target: AnalysisRunTarget): Record<string, string> {
  return { [REVISION_ANNOTATION]: String(target.revision) };
}

// ---- numbers and times as Go writes them

/** strconv.FormatFloat(v, 'f', -1, 64): the shortest digits, never an exponent; NaN, +Inf, -Inf. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Object.is(value, -0)) return '-0';
  // toExponential() without digits gives the shortest that reads back as the same double.
  const [mantissa = '0', exponentText = '0'] = Math.abs(value).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const point = Number(exponentText) + 1; // digits before the decimal point
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) text = digits + '0'.repeat(point - digits.length);
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return value < 0 ? `-${text}` : text;
}

/** A tagged or plain number as Go's float64 (values.ts tags NaN and ±Inf). */
function floatOf(value: MetricValue): number | undefined {
  if (typeof value === 'number') return value;
  if (isPlainObject(value) && typeof value.$float === 'string')
    return { NaN: NaN, '+Inf': Infinity, '-Inf': -Infinity }[value.$float];
  return undefined;
}

const GO_JSON_ESCAPES: Readonly<Record<string, string>> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** encoding/json.Marshal of a decoded JSON value: map keys sorted, HTML characters escaped. */
export function goJson(value: MetricValue): string {
  if (Array.isArray(value)) return `[${value.map(goJson).join(',')}]`;
  const float = floatOf(value);
  // Go cannot marshal NaN or ±Inf (Argo's web provider would fail): shown as Prometheus shows them.
  if (float !== undefined) return Number.isFinite(float) ? JSON.stringify(float) : formatFloat(float);
  if (typeof value === 'string')
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => GO_JSON_ESCAPES[c] ?? c);
  if (isPlainObject(value)) {
    const map = value as Record<string, MetricValue>;
    const keys = Object.keys(map).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((key) => `${goJson(key)}:${goJson(map[key] ?? null)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * A measured value as Argo's providers put it in Measurement.value (a string): Prometheus a scalar as
 * `0.99` and a vector or matrix as `[0.99,0.98]` (sampleValuesToResultStr), the web provider the JSON
 * of what jsonPath selected (getValue).
 */
export function measurementValueText(value: MetricValue, provider: MetricProvider): string {
  if (provider.prometheus) {
    const float = floatOf(value);
    if (float !== undefined) return formatFloat(float);
    if (Array.isArray(value)) {
      const items = value.map((item) => floatOf(item));
      if (items.every((item) => item !== undefined)) return `[${items.map(formatFloat).join(',')}]`;
    }
  }
  return goJson(value);
}

/** metav1.Time (one rule for the Rollout's status and its AnalysisRuns). */
export { metaTime };

/** A Go duration string for whole or fractional seconds (`20s`, `0.5s`). */
function goDuration(seconds: number): string {
  return `${formatFloat(seconds)}s`;
}

/** regexp.QuoteMeta, anchored: a dryRun/measurementRetention rule matching exactly this metric. */
function exactly(name: string): string {
  return `^${name.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')}$`;
}

// ---- spec

function authenticationOf(auth: ProviderAuthentication | undefined): Record<string, unknown> | undefined {
  if (!auth) return undefined;
  const result: Record<string, unknown> = {};
  if (auth.sigv4) result.sigv4 = { region: auth.sigv4.region };
  // The client secret stays out: an object anyone who may list AnalysisRuns reads.
  if (auth.oauth2)
    result.oauth2 = {
      tokenUrl: auth.oauth2.tokenUrl,
      clientId: auth.oauth2.clientId,
      ...(auth.oauth2.scopes?.length ? { scopes: [...auth.oauth2.scopes] } : {}),
    };
  return Object.keys(result).length ? result : undefined;
}

/** A whole number for a Go int64 field, else nothing (a fraction would break the plugin's decoding). */
function int64(value: number | undefined): number | undefined {
  return value !== undefined && Number.isInteger(value) ? value : undefined;
}

function defined(entries: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined));
}

function prometheusOf(p: PrometheusProvider): Record<string, unknown> {
  return defined({
    address: p.address || undefined,
    query: p.query || undefined,
    authentication: authenticationOf(p.authentication),
    timeout: int64(p.timeout),
    insecure: p.insecure === true ? true : undefined,
    headers: p.headers?.length ? p.headers.map(({ key, value }) => ({ key, value })) : undefined,
    rangeQuery: p.rangeQuery
      ? defined({
          start: p.rangeQuery.start || undefined,
          end: p.rangeQuery.end || undefined,
          step: p.rangeQuery.step || undefined,
        })
      : undefined,
  });
}

function webOf(w: WebProvider): Record<string, unknown> {
  return defined({
    method: w.method,
    url: w.url,
    headers: w.headers?.length ? w.headers.map(({ key, value }) => ({ key, value })) : undefined,
    body: w.body || undefined,
    timeoutSeconds: int64(w.timeoutSeconds) || undefined,
    jsonPath: w.jsonPath || undefined,
    insecure: w.insecure === true ? true : undefined,
    jsonBody: w.jsonBody,
    authentication: authenticationOf(w.authentication),
  });
}

/** Metric.provider: Prometheus and web, the two this controller measures with. */
export function argoProvider(provider: MetricProvider): Record<string, unknown> {
  return defined({
    prometheus: provider.prometheus ? prometheusOf(provider.prometheus) : undefined,
    web: provider.web ? webOf(provider.web) : undefined,
  });
}

/** v1alpha1.Metric as JSON: durations as Go duration strings, limits as numbers (IntOrString). */
export function argoMetric(metric: MetricSpec): Record<string, unknown> {
  return defined({
    name: metric.name,
    interval: metric.intervalSeconds !== undefined ? goDuration(metric.intervalSeconds) : undefined,
    initialDelay: metric.initialDelaySeconds > 0 ? goDuration(metric.initialDelaySeconds) : undefined,
    count: metric.count,
    successCondition: metric.successCondition || undefined,
    failureCondition: metric.failureCondition || undefined,
    failureLimit: metric.failureLimit,
    inconclusiveLimit: metric.inconclusiveLimit,
    consecutiveErrorLimit: metric.consecutiveErrorLimit,
    provider: argoProvider(metric.provider),
    consecutiveSuccessLimit: metric.consecutiveSuccessLimit > 0 ? metric.consecutiveSuccessLimit : undefined,
  });
}

/**
 * v1alpha1.AnalysisRunSpec: the run's metrics, its dryRun and measurementRetention rules (one per metric
 * they concern, matching it exactly), `terminate` once the rollout ended the run. Args are left out:
 * their values are already in the metrics, and a secret's must never be written.
 */
export function argoAnalysisRunSpec(spec: AnalysisSpec, terminate = false): Record<string, unknown> {
  const dryRun = spec.metrics.filter((m) => m.dryRun).map((m) => ({ metricName: exactly(m.name) }));
  const retention = spec.metrics
    .filter((m) => m.measurementRetention !== METRIC_DEFAULTS.measurementRetention)
    .map((m) => ({ metricName: exactly(m.name), limit: m.measurementRetention }));
  return {
    metrics: spec.metrics.map(argoMetric),
    ...(terminate ? { terminate: true } : {}),
    ...(dryRun.length ? { dryRun } : {}),
    ...(retention.length ? { measurementRetention: retention } : {}),
  };
}

// ---- status

/** Go's omitempty on an int32: zero is left out. */
function counts(fields: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(fields).filter(([, n]) => n !== 0));
}

function argoMeasurement(measurement: Measurement, provider: MetricProvider): Record<string, unknown> {
  return {
    phase: measurement.phase,
    ...(measurement.message ? { message: measurement.message } : {}),
    startedAt: metaTime(measurement.startedAt),
    finishedAt: metaTime(measurement.finishedAt),
    ...(measurement.value !== undefined ? { value: measurementValueText(measurement.value, provider) } : {}),
  };
}

function argoMetricResult(result: MetricResult, metric: MetricSpec | undefined): Record<string, unknown> {
  const provider = metric?.provider ?? {};
  return {
    name: result.name,
    phase: result.phase,
    ...(result.measurements.length
      ? { measurements: result.measurements.map((m) => argoMeasurement(m, provider)) }
      : {}),
    ...(result.message ? { message: result.message } : {}),
    ...counts({
      count: result.count,
      successful: result.successful,
      failed: result.failed,
      inconclusive: result.inconclusive,
      error: result.error,
      consecutiveError: result.consecutiveError,
    }),
    ...(result.dryRun ? { dryRun: true } : {}),
    ...counts({ consecutiveSuccess: result.consecutiveSuccess }),
  };
}

/**
 * Argo's RunSummary of some metrics (assessRunStatus): `count` metrics, and each completed one under
 * its phase (a metric still running or pending is counted only in `count`).
 */
function summary(metrics: MetricResult[]): Record<string, number> {
  const of = (phase: AnalysisPhase) => metrics.filter((m) => m.phase === phase).length;
  return counts({
    count: metrics.length,
    successful: of('Successful'),
    failed: of('Failed'),
    inconclusive: of('Inconclusive'),
    error: of('Error'),
  });
}

/**
 * v1alpha1.AnalysisRunStatus as JSON. A metric has a result once it has measured (Argo makes it with
 * its first measurement); `dryRunSummary` is there as Argo always sets it, empty without dry-run metrics.
 */
export function argoAnalysisRunStatus(
  spec: AnalysisSpec,
  status: AnalysisRunStatus,
): Record<string, unknown> {
  // Argo makes a metric's result with its first measurement.
  const results = status.metrics.filter(
    (m) => !(m.phase === 'Pending' && m.measurements.length === 0 && m.count === 0 && m.error === 0),
  );
  const decisive = status.metrics.filter((m) => !m.dryRun);
  const dryRuns = status.metrics.filter((m) => m.dryRun);
  return {
    phase: status.phase,
    ...(status.message ? { message: status.message } : {}),
    ...(results.length
      ? {
          metricResults: results.map((r) =>
            argoMetricResult(
              r,
              spec.metrics.find((m) => m.name === r.name),
            ),
          ),
        }
      : {}),
    startedAt: metaTime(status.startedAt),
    runSummary: summary(decisive),
    dryRunSummary: summary(dryRuns),
    ...(status.finishedAt ? { completedAt: metaTime(status.finishedAt) } : {}),
  };
}

/** Everything but the object's name and our annotations: what the workflow compares and sends. */
export interface AnalysisRunContent {
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

export function analysisRunContent(
  spec: AnalysisSpec,
  status: AnalysisRunStatus,
  terminated: boolean,
): AnalysisRunContent {
  return { spec: argoAnalysisRunSpec(spec, terminated), status: argoAnalysisRunStatus(spec, status) };
}

export interface AnalysisRunObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels: Labels;
    annotations: Record<string, string>;
    ownerReferences: ReturnType<typeof rolloutControllerRef>[];
  };
  spec: Record<string, unknown>;
  status: Record<string, unknown>;
}

/** The whole object, as created: Argo's metadata, our two annotations, the content. */
export function analysisRunObject(
  target: AnalysisRunTarget,
  where: { namespace: string; name: string; workflowId: string; runId: string; sequence: number },
  content: AnalysisRunContent,
): AnalysisRunObject {
  return {
    apiVersion: ANALYSIS_RUN_API_VERSION,
    kind: ANALYSIS_RUN_KIND,
    metadata: {
      name: where.name,
      namespace: where.namespace,
      labels: analysisRunLabels(target),
      annotations: {
        ...analysisRunAnnotations(target),
        [WORKFLOW_ID_ANNOTATION]: where.workflowId,
        [RUN_ID_ANNOTATION]: where.runId,
        [SEQUENCE_ANNOTATION]: String(where.sequence),
      },
      ownerReferences: [rolloutControllerRef(target)],
    },
    spec: content.spec,
    status: content.status,
  };
}

// ---- keeping a few (FilterAnalysisRunsToDelete)

/** What the history limits look at of each run of the rollout (the runs still current left out). */
export interface KeptRun {
  name: string;
  /** The rollouts-pod-template-hash label; absent: none. */
  podHash?: string;
  phase?: string;
  /** metadata.creationTimestamp (RFC 3339). */
  createdAt: string;
  /** The rollout.argoproj.io/revision annotation, when it is a number. */
  revision?: number;
}

/**
 * utils/analysis FilterAnalysisRunsToDelete: newest first, a run without a pod hash, or whose ReplicaSet
 * is gone or going (`replicaSets`: hash → being deleted), is deleted; beyond that the `successful`
 * newest Successful runs and the `unsuccessful` newest Failed, Error or Inconclusive ones are kept, and
 * the older ones deleted. Runs still running are kept. Ties in creation time (whole seconds) go by
 * revision, then by name (the later `.N` counted newer).
 */
export function analysisRunsToDelete(
  runs: readonly KeptRun[],
  replicaSets: ReadonlyMap<string, boolean>,
  limits: { successful: number; unsuccessful: number } = DEFAULT_RUN_HISTORY_LIMITS,
): string[] {
  const newestFirst = [...runs].sort((a, b) => {
    const byTime = Date.parse(b.createdAt) - Date.parse(a.createdAt);
    if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
    const byRevision = (b.revision ?? 0) - (a.revision ?? 0);
    return byRevision !== 0 ? byRevision : b.name.localeCompare(a.name, 'en', { numeric: true });
  });
  let successful = 0;
  let unsuccessful = 0;
  const deleted: string[] = [];
  for (const run of newestFirst) {
    const going = run.podHash === undefined ? undefined : replicaSets.get(run.podHash);
    if (going === undefined || going) {
      deleted.push(run.name);
      continue;
    }
    if (run.phase === 'Successful') {
      if (successful < limits.successful) successful += 1;
      else deleted.push(run.name);
    } else if (run.phase === 'Failed' || run.phase === 'Error' || run.phase === 'Inconclusive') {
      if (unsuccessful < limits.unsuccessful) unsuccessful += 1;
      else deleted.push(run.name);
    }
  }
  return deleted;
}
