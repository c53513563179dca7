// The rollout model as the workflow sees it: Argo's `argoproj.io/v1alpha1` Rollout after validation,
// with defaults applied and durations in seconds. Plain JSON only (it travels in workflow history).

import type { AnalysisTemplate, LegacyAnalysisTemplate, TemplateRules } from './analysis/types.js';
import type { IntOrPercent } from './basic-canary.js';

export type Labels = Record<string, string>;

export interface Container {
  name: string;
  image: string;
  [field: string]: unknown;
}

/** A Kubernetes PodTemplateSpec, kept as the user wrote it apart from the fields we read. */
export interface PodTemplate {
  metadata?: { labels?: Labels; annotations?: Labels; [field: string]: unknown };
  spec: { containers: Container[]; [field: string]: unknown };
}

export interface SetWeightStep {
  kind: 'setWeight';
  weight: number;
}

export interface PauseStep {
  kind: 'pause';
  /** Absent: wait until promoted. */
  durationSeconds?: number;
}

/** `setCanaryScale`: pod count apart from the traffic weight. Exactly one of the three is set. */
export interface SetCanaryScaleStep {
  kind: 'setCanaryScale';
  replicas?: number;
  weight?: number;
  matchTrafficWeight?: boolean;
}

export interface AnalysisTemplateRef {
  templateName: string;
  clusterScope: boolean;
}

export interface AnalysisArgument {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    podTemplateHashValue?: 'Stable' | 'Latest';
    secretKeyRef?: { name: string; key: string };
  };
}

export interface RolloutAnalysis {
  templates: AnalysisTemplateRef[];
  args: AnalysisArgument[];
  /** The Rollout's own rules, merged before the templates' (absent when none: older definitions). */
  rules?: TemplateRules;
}

export interface AnalysisStep extends RolloutAnalysis {
  kind: 'analysis';
}

export type CanaryStep = SetWeightStep | PauseStep | SetCanaryScaleStep | AnalysisStep;
export type StepKind = CanaryStep['kind'];

/** One VirtualService and the routes in it whose weights we own. */
export interface IstioVirtualServiceRef {
  name: string;
  /**
   * Set when the manifest wrote `name.namespace` (Argo's shorthand, core/manifest/virtual-service-name.ts);
   * absent: the Rollout's namespace. Definitions from before may hold `name.namespace` in `name`.
   */
  namespace?: string;
  /** HTTP route names; empty means "the only HTTP route" (allowed when the VirtualService has one). */
  routes: string[];
  tlsRoutes: { port?: number; sniHosts?: string[] }[];
  tcpRoutes: { port?: number }[];
}

export interface IstioDestinationRuleRef {
  name: string;
  canarySubsetName: string;
  stableSubsetName: string;
}

export interface IstioTrafficRouting {
  virtualServices: IstioVirtualServiceRef[];
  destinationRule?: IstioDestinationRuleRef;
}

export interface TrafficRouting {
  istio: IstioTrafficRouting;
}

/**
 * Argo's AntiAffinity: exactly one of the two (validated). The new ReplicaSet's pods avoid the nodes of
 * the stable ReplicaSet's pods (core/affinity.ts).
 */
export type AntiAffinity =
  | { preferredDuringSchedulingIgnoredDuringExecution: { weight: number } }
  | { requiredDuringSchedulingIgnoredDuringExecution: Record<string, never> };

/** Argo's PodTemplateMetadata: labels and annotations a role's pods carry (core/pod-metadata.ts). */
export interface PodMetadata {
  labels?: Labels;
  annotations?: Labels;
}

export interface CanaryStrategy {
  canaryService?: string;
  stableService?: string;
  steps: CanaryStep[];
  /** Background analysis: runs from `startingStep` until the steps finish. */
  analysis?: RolloutAnalysis & { startingStep: number };
  trafficRouting?: TrafficRouting;
  scaleDownDelaySeconds: number;
  /** 0 means never scale the aborted canary down. */
  abortScaleDownDelaySeconds: number;
  dynamicStableScale: boolean;
  /** With a router, a ReplicaSet that gets pods gets at least this many (capped at replicas). */
  minPodsPerReplicaSet?: number;
  /** Absent: no anti-affinity is injected. */
  antiAffinity?: AntiAffinity;
  /**
   * With a router: how many old ReplicaSets may wait for their delayed scale-down at once, newest
   * first; the rest go at once. Absent: no limit (core/scale-down-limit.ts).
   */
  scaleDownDelayRevisionLimit?: number;
  /** Without a router: pods above spec.replicas while a step scales (Argo's default 25%). */
  maxSurge?: IntOrPercent;
  /** Without a router: pods of spec.replicas that may be unavailable while a step scales (25%). */
  maxUnavailable?: IntOrPercent;

  /** On the canary's pods while it is the canary; absent in definitions from before. */
  canaryMetadata?: PodMetadata;
  /** On the stable's pods while it is the stable. */
  stableMetadata?: PodMetadata;
}

/** A validated Rollout: everything the workflow needs, nothing it must default. */
export interface RolloutDefinition {
  name: string;
  namespace: string;
  labels: Labels;
  annotations: Labels;
  replicas: number;
  selector: { matchLabels: Labels };
  template: PodTemplate;
  revisionHistoryLimit: number;
  progressDeadlineSeconds: number;
  progressDeadlineAbort: boolean;
  minReadySeconds: number;
  /** `spec.paused`: the rollout does not advance while true. */
  paused: boolean;
  canary: CanaryStrategy;
  /**
   * `spec.rollbackWindow.revisions`: a rollback to one of this many revisions before the stable skips
   * the steps (Argo's isRollbackWithinWindow). Absent or 0: no window (definitions from before lack it).
   */
  rollbackWindowRevisions?: number;
  /** `spec.restartAt` (RFC 3339): the rollout's pods created before it are restarted once it passes. */
  restartAt?: string;
  /**
   * The AnalysisTemplates the analysis refers to, given to `apply` with the Rollout and normalized
   * there; definitions written before hold them as the manifests were written (LegacyAnalysisTemplate).
   */
  analysisTemplates?: (AnalysisTemplate | LegacyAnalysisTemplate)[];
}

/** Argo's defaults, in one place. */
export const DEFAULTS = {
  replicas: 1,
  revisionHistoryLimit: 10,
  progressDeadlineSeconds: 600,
  scaleDownDelaySeconds: 30,
  abortScaleDownDelaySeconds: 30,
} as const;

/** Label on ReplicaSets and key added to Service selectors and DestinationRule subsets. */
export const POD_TEMPLATE_HASH_LABEL = 'rollouts-pod-template-hash';
