// Argo's `argoproj.io/v1alpha1` objects as written, typed for the fields we read (optional where Argo's
// Go types have pointers or omitempty). A validated document is read through these types; fields we
// accept and ignore are left out. Argo's own definitions: pkg/apis/rollouts/v1alpha1/types.go.

import type { AnalysisTemplateKind } from '../analysis/types.js';
import type { AnalysisArgument, Labels, PodTemplate } from '../types.js';

export const ARGO_API_VERSION = 'argoproj.io/v1alpha1';

export interface ObjectMetaManifest {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Labels;
}

export interface RolloutManifest {
  apiVersion: typeof ARGO_API_VERSION;
  kind: 'Rollout';
  metadata: ObjectMetaManifest;
  spec: RolloutSpecManifest;
}

export interface RolloutSpecManifest {
  replicas?: number;
  selector: { matchLabels: Labels };
  template: PodTemplate;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  progressDeadlineAbort?: boolean;
  paused?: boolean;
  rollbackWindow?: { revisions?: number };
  restartAt?: string;
  strategy: { canary: CanaryStrategyManifest };
}

export interface CanaryStrategyManifest {
  canaryService?: string;
  stableService?: string;
  steps?: CanaryStepManifest[];
  analysis?: RolloutAnalysisManifest & { startingStep?: number };
  trafficRouting?: { istio: IstioManifest };
  scaleDownDelaySeconds?: number;
  abortScaleDownDelaySeconds?: number;
  dynamicStableScale?: boolean;
  minPodsPerReplicaSet?: number;
  antiAffinity?: {
    preferredDuringSchedulingIgnoredDuringExecution?: { weight: number };
    requiredDuringSchedulingIgnoredDuringExecution?: Record<string, never>;
  };
  scaleDownDelayRevisionLimit?: number;
  maxSurge?: number | string;
  maxUnavailable?: number | string;
  canaryMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  stableMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

/** Exactly one of the fields is set (validated). */
export interface CanaryStepManifest {
  setWeight?: number;
  pause?: { duration?: number | string };
  setCanaryScale?: { replicas?: number; weight?: number; matchTrafficWeight?: boolean };
  analysis?: RolloutAnalysisManifest;
}

export interface RolloutAnalysisManifest {
  templates: { templateName: string; clusterScope?: boolean }[];
  args?: AnalysisArgumentManifest[];
  dryRun?: { metricName: string }[];
  measurementRetention?: { metricName: string; limit: number }[];
}

/** A Rollout's analysis arg: the definition carries it as the manifest gives it. */
export type AnalysisArgumentManifest = AnalysisArgument;

export interface IstioManifest {
  virtualService?: IstioVirtualServiceManifest;
  virtualServices?: IstioVirtualServiceManifest[];
  destinationRule?: { name: string; canarySubsetName: string; stableSubsetName: string };
}

export interface IstioVirtualServiceManifest {
  name: string;
  routes?: string[];
  tlsRoutes?: { port?: number; sniHosts?: string[] }[];
  tcpRoutes?: { port?: number }[];
}

export type { AnalysisTemplateKind };

/**
 * An AnalysisTemplate or ClusterAnalysisTemplate after structural validation: the spec as written, with
 * the optional lists present. Limits and durations may still hold `{{args.name}}` placeholders (Argo
 * resolves them when it creates the AnalysisRun), so they stay as written; see parseDuration.
 */
export interface AnalysisTemplateManifest {
  kind: AnalysisTemplateKind;
  name: string;
  /** '' for a ClusterAnalysisTemplate. */
  namespace: string;
  spec: {
    args: TemplateArgumentManifest[];
    metrics: MetricManifest[];
    dryRun: { metricName: string }[];
    measurementRetention: { metricName: string; limit: number }[];
    /** `spec.templates`, clusterScope defaulted to false (absent in manifests carried before nesting). */
    templates?: { templateName: string; clusterScope: boolean }[];
  };
}

/** A template argument; without value or valueFrom it is required from the Rollout. */
export interface TemplateArgumentManifest {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    fieldRef?: { fieldPath: string };
  };
}

/** An integer, or a string that is exactly one `{{args.name}}` placeholder. */
export type IntOrArg = number | string;
/** An Argo duration (see parseDuration), or exactly one `{{args.name}}` placeholder. */
export type DurationOrArg = number | string;

export interface MetricManifest {
  name: string;
  interval?: DurationOrArg;
  initialDelay?: DurationOrArg;
  count?: IntOrArg;
  successCondition?: string;
  failureCondition?: string;
  failureLimit?: IntOrArg;
  inconclusiveLimit?: IntOrArg;
  consecutiveErrorLimit?: IntOrArg;
  consecutiveSuccessLimit?: IntOrArg;
  /** Exactly one provider is set. */
  provider: MetricProviderManifest;
}

export interface HeaderManifest {
  key: string;
  value: string;
}

/** Validated: tokenUrl, clientId and clientSecret are set; sigv4 only with a region (Prometheus only). */
export interface AuthenticationManifest {
  oauth2?: { tokenUrl: string; clientId: string; clientSecret: string; scopes?: string[] };
  sigv4?: { region: string };
}

export interface PrometheusProviderManifest {
  address?: string;
  query: string;
  headers?: HeaderManifest[];
  insecure?: boolean;
  rangeQuery?: { start: string; end: string; step: string };
  authentication?: AuthenticationManifest;
  [field: string]: unknown;
}

export interface WebProviderManifest {
  url: string;
  method?: string;
  headers?: HeaderManifest[];
  jsonPath?: string;
  timeoutSeconds?: number;
  authentication?: AuthenticationManifest;
  [field: string]: unknown;
}

export interface MetricProviderManifest {
  prometheus?: PrometheusProviderManifest;
  web?: WebProviderManifest;
  /** Other providers Argo knows (job, datadog, …), checked only to be maps. */
  [provider: string]: unknown;
}
