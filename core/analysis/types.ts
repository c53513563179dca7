// The analysis model (DESIGN.md §5): metrics resolved from AnalysisTemplates with their args, the
// measurements taken, and the phases that judge them. Plain JSON: it travels in workflow history.

export type MeasurementPhase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/** Ordered from best to worst: the run takes the worst of its metrics. */
export type AnalysisPhase = 'Successful' | 'Running' | 'Pending' | 'Inconclusive' | 'Error' | 'Failed';

/**
 * A metric value as it travels through history. JSON has no NaN or ±Inf (Temporal's converter would
 * turn them into null), so those are tagged; everything else is plain JSON.
 */
export type MetricValue =
  | number
  | string
  | boolean
  | null
  | { $float: 'NaN' | '+Inf' | '-Inf' }
  | MetricValue[]
  | { [key: string]: MetricValue };

export interface HeaderValue {
  key: string;
  value: string;
}

export interface PrometheusProvider {
  address: string;
  query: string;
  /** Seconds; the request gives up after it. */
  timeout?: number;
  headers?: HeaderValue[];
  /** Skip the TLS certificate check of an https:// address (Argo's `insecure`). */
  insecure?: boolean;
  /** Asks /api/v1/query_range instead: every sample of every series is the value (Argo's matrix). */
  rangeQuery?: RangeQuery;
  authentication?: ProviderAuthentication;
}

/** Argo's PrometheusRangeQueryArgs, as written. */
export interface RangeQuery {
  /** expr-lang expressions giving a time, evaluated at each measurement: `now() - duration("10m")`. */
  start: string;
  end: string;
  /** A Go duration: "30s", "1m30s". */
  step: string;
}

/** Argo's Authentication (sigv4 for Prometheus only: lint refuses it on a web metric). */
export interface ProviderAuthentication {
  oauth2?: OAuth2ClientCredentials;
  /** Argo's Sigv4Config less profile and roleArn (refused at lint): credentials from the worker's environment. */
  sigv4?: { region: string };
}

/** Argo's OAuth2Config: a client-credentials grant at tokenUrl, its token sent as the Authorization. */
export interface OAuth2ClientCredentials {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes?: string[];
}

export interface WebProvider {
  url: string;
  method: 'GET' | 'POST' | 'PUT';
  headers?: HeaderValue[];
  body?: string;
  jsonBody?: unknown;
  timeoutSeconds?: number;
  jsonPath?: string;
  insecure?: boolean;
  authentication?: ProviderAuthentication;
}

export interface MetricProvider {
  prometheus?: PrometheusProvider;
  web?: WebProvider;
}

/** An arg whose value is a Secret's key: read by the measuring activity, never put in history. */
export interface SecretArg {
  name: string;
  secretName: string;
  key: string;
}

/** What a measuring activity gets: plain args already substituted; secret args still `{{args.x}}`. */
export interface MeasureInput {
  namespace: string;
  metric: string;
  provider: MetricProvider;
  secretArgs: SecretArg[];
}

/** What it returns: a value, or the reason there is none (an Error measurement, not a retried activity). */
export interface MeasureResult {
  value?: MetricValue;
  error?: string;
}

export interface MetricSpec {
  name: string;
  /** Seconds between measurements; absent: measure once (unless count says more). */
  intervalSeconds?: number;
  initialDelaySeconds: number;
  /** Absent with an interval: measure until the run is ended. */
  count?: number;
  successCondition?: string;
  failureCondition?: string;
  /** -1 turns the limit off. */
  failureLimit: number;
  inconclusiveLimit: number;
  consecutiveErrorLimit: number;
  /** 0 = off. */
  consecutiveSuccessLimit: number;
  dryRun: boolean;
  /** How many measurements to keep in the status. */
  measurementRetention: number;
  provider: MetricProvider;
}

export type AnalysisTemplateKind = 'AnalysisTemplate' | 'ClusterAnalysisTemplate';

/** A template's own arg: a default value, a Secret's key, or neither (the Rollout must give it). */
export interface TemplateArg {
  name: string;
  value?: string;
  secretKeyRef?: { name: string; key: string };
}

/** A number as a template gives it, or exactly one `{{args.NAME}}` that gives it when a run starts. */
export type NumberOrArg = number | string;

/**
 * A template's metric as a run needs it, Argo's defaults applied: a MetricSpec whose numbers may
 * still be `{{args.NAME}}` and whose conditions and provider strings may hold placeholders.
 */
export interface TemplateMetric {
  name: string;
  intervalSeconds?: NumberOrArg;
  initialDelaySeconds: NumberOrArg;
  count?: NumberOrArg;
  successCondition?: string;
  failureCondition?: string;
  failureLimit: NumberOrArg;
  inconclusiveLimit: NumberOrArg;
  consecutiveErrorLimit: NumberOrArg;
  consecutiveSuccessLimit: NumberOrArg;
  dryRun: boolean;
  measurementRetention: number;
  provider: MetricProvider;
}

/**
 * An AnalysisTemplate or ClusterAnalysisTemplate normalized at apply (core/analysis/template.ts):
 * what a RolloutDefinition carries, so that the workflow reads no manifest.
 */
export interface AnalysisTemplate {
  kind: AnalysisTemplateKind;
  name: string;
  /** '' for a ClusterAnalysisTemplate. */
  namespace: string;
  args: TemplateArg[];
  /** Empty only when `templates` gives the run its metrics. */
  metrics: TemplateMetric[];
  /**
   * The spec's dryRun and measurementRetention lists as written: a run merges the rules of all its
   * templates and applies them to all its metrics, as Argo does (flatten.ts). Absent in templates
   * normalized before nested templates were supported: their metrics' own `dryRun` and
   * `measurementRetention` then stand, and their runs merge as they did (resolve.ts).
   */
  rules?: TemplateRules;
  /** `spec.templates`: other templates whose metrics and args this one includes (Argo's nesting). */
  templates?: NestedTemplateRef[];
}

export interface TemplateRules {
  dryRun: { metricName: string }[];
  measurementRetention: { metricName: string; limit: number }[];
}

/** An entry of `spec.templates`; a namespaced one is looked up in the Rollout's namespace, as in Argo. */
export interface NestedTemplateRef {
  templateName: string;
  clusterScope: boolean;
}

/**
 * How definitions carried templates before they were normalized at apply: the manifest as validated
 * (core/manifest/argo-types.ts `AnalysisTemplateManifest`). Saved histories, runs continued as new
 * and hand-sent payloads still hold it; `templateOf` in core/analysis/template.ts reads it.
 */
export interface LegacyAnalysisTemplate {
  kind: AnalysisTemplateKind;
  name: string;
  namespace: string;
  spec: { args: object[]; metrics: object[]; dryRun: object[]; measurementRetention: object[] };
}

export interface AnalysisSpec {
  /** e.g. "istio-success-rate" (several templates joined with "+"). */
  name: string;
  namespace: string;
  metrics: MetricSpec[];
  secretArgs: SecretArg[];
}

export interface Measurement {
  phase: MeasurementPhase;
  value?: MetricValue;
  message?: string;
  startedAt: string;
  finishedAt: string;
}

export interface MetricResult {
  name: string;
  phase: AnalysisPhase;
  dryRun: boolean;
  count: number;
  successful: number;
  failed: number;
  inconclusive: number;
  error: number;
  consecutiveError: number;
  consecutiveSuccess: number;
  message?: string;
  /** The last `measurementRetention` measurements, oldest first. */
  measurements: Measurement[];
}

export interface AnalysisRunStatus {
  name: string;
  phase: AnalysisPhase;
  message?: string;
  metrics: MetricResult[];
  startedAt: string;
  finishedAt?: string;
}
