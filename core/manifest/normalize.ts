// A validated Rollout manifest → the RolloutDefinition the workflow runs: Argo's defaults applied
// (DEFAULTS in core/types.ts), durations in seconds, steps as tagged objects, one VirtualService list.

import { parseDuration } from '../duration.js';
import {
  DEFAULTS,
  type AnalysisArgument,
  type AntiAffinity,
  type CanaryStep,
  type CanaryStrategy,
  type IstioTrafficRouting,
  type IstioVirtualServiceRef,
  type PodMetadata,
  type PodTemplate,
  type RolloutAnalysis,
  type RolloutDefinition,
} from '../types.js';
import type {
  AnalysisArgumentManifest,
  CanaryStepManifest,
  CanaryStrategyManifest,
  IstioManifest,
  IstioVirtualServiceManifest,
  RolloutAnalysisManifest,
  RolloutManifest,
} from './argo-types.js';
import { splitVirtualServiceName } from './virtual-service-name.js';

export const DEFAULT_NAMESPACE = 'default';

export function normalizeRollout(
  manifest: RolloutManifest,
  defaultNamespace = DEFAULT_NAMESPACE,
): RolloutDefinition {
  const { metadata, spec } = manifest;
  return {
    name: metadata.name,
    namespace: metadata.namespace ?? defaultNamespace,
    labels: { ...metadata.labels },
    annotations: { ...metadata.annotations },
    replicas: spec.replicas ?? DEFAULTS.replicas,
    selector: { matchLabels: { ...spec.selector.matchLabels } },
    template: spec.template satisfies PodTemplate,
    revisionHistoryLimit: spec.revisionHistoryLimit ?? DEFAULTS.revisionHistoryLimit,
    progressDeadlineSeconds: spec.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds,
    progressDeadlineAbort: spec.progressDeadlineAbort ?? false,
    minReadySeconds: spec.minReadySeconds ?? 0,
    paused: spec.paused ?? false,
    canary: normalizeCanary(spec.strategy.canary),
    ...(spec.restartAt !== undefined ? { restartAt: spec.restartAt } : {}),
    ...(spec.rollbackWindow?.revisions ? { rollbackWindowRevisions: spec.rollbackWindow.revisions } : {}),
  };
}

function normalizeCanary(canary: CanaryStrategyManifest): CanaryStrategy {
  // Optional fields are left out rather than set to undefined: the definition travels as JSON.
  return {
    ...(canary.canaryService !== undefined ? { canaryService: canary.canaryService } : {}),
    ...(canary.stableService !== undefined ? { stableService: canary.stableService } : {}),
    steps: (canary.steps ?? []).map(normalizeStep),
    ...(canary.analysis !== undefined
      ? {
          analysis: {
            ...normalizeAnalysis(canary.analysis),
            startingStep: canary.analysis.startingStep ?? 0,
          },
        }
      : {}),
    ...(canary.trafficRouting !== undefined
      ? { trafficRouting: { istio: normalizeIstio(canary.trafficRouting.istio) } }
      : {}),
    scaleDownDelaySeconds: canary.scaleDownDelaySeconds ?? DEFAULTS.scaleDownDelaySeconds,
    // Argo's GetAbortScaleDownDelaySecondsOrDefault: without a router the canary goes at once (0).
    abortScaleDownDelaySeconds:
      canary.trafficRouting !== undefined
        ? (canary.abortScaleDownDelaySeconds ?? DEFAULTS.abortScaleDownDelaySeconds)
        : 0,
    dynamicStableScale: canary.dynamicStableScale ?? false,
    ...(canary.minPodsPerReplicaSet !== undefined
      ? { minPodsPerReplicaSet: canary.minPodsPerReplicaSet }
      : {}),
    ...(canary.antiAffinity !== undefined
      ? { antiAffinity: normalizeAntiAffinity(canary.antiAffinity) }
      : {}),
    ...(canary.scaleDownDelayRevisionLimit !== undefined
      ? { scaleDownDelayRevisionLimit: canary.scaleDownDelayRevisionLimit }
      : {}),
    // As written: unset, Argo's 25% applies (core/basic-canary.ts), and definitions written before
    // the fields were supported read the same.
    ...(canary.maxSurge !== undefined ? { maxSurge: canary.maxSurge } : {}),
    ...(canary.maxUnavailable !== undefined ? { maxUnavailable: canary.maxUnavailable } : {}),
    ...(canary.canaryMetadata !== undefined
      ? { canaryMetadata: normalizePodMetadata(canary.canaryMetadata) }
      : {}),
    ...(canary.stableMetadata !== undefined
      ? { stableMetadata: normalizePodMetadata(canary.stableMetadata) }
      : {}),
  };
}

/** Argo's PodTemplateMetadata; empty maps dropped (Go's omitempty), an empty one still counts as set. */
function normalizePodMetadata(metadata: NonNullable<CanaryStrategyManifest['canaryMetadata']>): PodMetadata {
  const { labels, annotations } = metadata;
  return {
    ...(labels && Object.keys(labels).length ? { labels: { ...labels } } : {}),
    ...(annotations && Object.keys(annotations).length ? { annotations: { ...annotations } } : {}),
  };
}

function normalizeAntiAffinity(
  antiAffinity: NonNullable<CanaryStrategyManifest['antiAffinity']>,
): AntiAffinity {
  const preferred = antiAffinity.preferredDuringSchedulingIgnoredDuringExecution;
  // validateCanary guarantees exactly one of the two
  return preferred !== undefined
    ? { preferredDuringSchedulingIgnoredDuringExecution: { weight: preferred.weight } }
    : { requiredDuringSchedulingIgnoredDuringExecution: {} };
}

function normalizeStep(step: CanaryStepManifest): CanaryStep {
  if (step.setWeight !== undefined) return { kind: 'setWeight', weight: step.setWeight };
  if (step.pause !== undefined) {
    const { duration } = step.pause;
    return duration === undefined
      ? { kind: 'pause' }
      : { kind: 'pause', durationSeconds: parseDuration(duration) };
  }
  if (step.setCanaryScale !== undefined) {
    const { replicas, weight, matchTrafficWeight } = step.setCanaryScale;
    if (replicas !== undefined) return { kind: 'setCanaryScale', replicas };
    if (weight !== undefined) return { kind: 'setCanaryScale', weight };
    if (matchTrafficWeight === true) return { kind: 'setCanaryScale', matchTrafficWeight };
  }
  if (step.analysis !== undefined) return { kind: 'analysis', ...normalizeAnalysis(step.analysis) };
  // validateStep guarantees exactly one kind; reaching here means it was bypassed
  throw new Error(`normalizeStep: not a validated step: ${JSON.stringify(step)}`);
}

function normalizeAnalysis(analysis: RolloutAnalysisManifest): RolloutAnalysis {
  return {
    templates: analysis.templates.map((ref) => ({
      templateName: ref.templateName,
      clusterScope: ref.clusterScope ?? false,
    })),
    args: (analysis.args ?? []).map(normalizeArgument),
    ...(analysis.dryRun?.length || analysis.measurementRetention?.length
      ? {
          rules: {
            dryRun: (analysis.dryRun ?? []).map(({ metricName }) => ({ metricName })),
            measurementRetention: (analysis.measurementRetention ?? []).map(({ metricName, limit }) => ({
              metricName,
              limit,
            })),
          },
        }
      : {}),
  };
}

function normalizeArgument(arg: AnalysisArgumentManifest): AnalysisArgument {
  if (arg.value !== undefined) return { name: arg.name, value: arg.value };
  const from = arg.valueFrom ?? {};
  if (from.fieldRef !== undefined)
    return { name: arg.name, valueFrom: { fieldRef: { fieldPath: from.fieldRef.fieldPath } } };
  if (from.podTemplateHashValue !== undefined) {
    return { name: arg.name, valueFrom: { podTemplateHashValue: from.podTemplateHashValue } };
  }
  if (from.secretKeyRef !== undefined) {
    const { name, key } = from.secretKeyRef;
    return { name: arg.name, valueFrom: { secretKeyRef: { name, key } } };
  }
  throw new Error(`normalizeArgument: not a validated argument: ${JSON.stringify(arg)}`);
}

function normalizeIstio(istio: IstioManifest): IstioTrafficRouting {
  const services =
    istio.virtualService !== undefined ? [istio.virtualService] : (istio.virtualServices ?? []);
  const routing: IstioTrafficRouting = { virtualServices: services.map(normalizeVirtualService) };
  if (istio.destinationRule !== undefined) {
    const { name, canarySubsetName, stableSubsetName } = istio.destinationRule;
    routing.destinationRule = { name, canarySubsetName, stableSubsetName };
  }
  return routing;
}

function normalizeVirtualService(service: IstioVirtualServiceManifest): IstioVirtualServiceRef {
  // Without a namespace in the name the reference stays as written (definitions compare equal).
  const { name, namespace } = splitVirtualServiceName(service.name);
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    routes: [...(service.routes ?? [])],
    tlsRoutes: (service.tlsRoutes ?? []).map((route) => ({
      ...(route.port !== undefined ? { port: route.port } : {}),
      ...(route.sniHosts !== undefined ? { sniHosts: [...route.sniHosts] } : {}),
    })),
    tcpRoutes: (service.tcpRoutes ?? []).map((route) =>
      route.port !== undefined ? { port: route.port } : {},
    ),
  };
}
