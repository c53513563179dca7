// spec.strategy.canary: Services, steps, traffic routing, background analysis and the delays, with
// Argo's cross-field rules (ValidateRolloutStrategyCanary).

import { Issues, type FieldPath } from './errors.js';
import {
  checkKnownFields,
  isAbsent,
  readBoolean,
  readInteger,
  readList,
  readMap,
  type JsonMap,
} from './fields.js';
import { readAnnotations, readLabels, readName } from './names.js';
import { POD_TEMPLATE_HASH_LABEL, type Labels } from '../types.js';
import { validateRolloutAnalysis } from './validate-analysis-ref.js';
import { validateStep } from './validate-steps.js';
import { validateTrafficRouting } from './validate-traffic-routing.js';
import { UNSUPPORTED_CANARY, refuseUnsupported } from './unsupported.js';

/**
 * Every field of Argo's CanaryStrategy. Those we do not implement (maxSurge, antiAffinity,
 * pingPong, …) are refused as not supported yet (unsupported.ts); anything else is a typo.
 */
const CANARY_FIELDS = [
  'canaryService',
  'stableService',
  'steps',
  'trafficRouting',
  'analysis',
  'scaleDownDelaySeconds',
  'abortScaleDownDelaySeconds',
  'dynamicStableScale',
  'maxSurge',
  'maxUnavailable',
  'antiAffinity',
  'canaryMetadata',
  'stableMetadata',
  'scaleDownDelayRevisionLimit',
  'pingPong',
  'minPodsPerReplicaSet',
  'replicaProgressThreshold',
];

/** `matchLabels`: the Rollout's selector when valid (ephemeral labels must stay off its keys). */
export function validateCanary(
  issues: Issues,
  canary: JsonMap,
  path: FieldPath,
  matchLabels: Labels = {},
): void {
  checkKnownFields(issues, canary, path, CANARY_FIELDS);
  refuseUnsupported(issues, canary, path, UNSUPPORTED_CANARY);
  for (const field of ['canaryMetadata', 'stableMetadata'])
    validatePodMetadata(issues, canary[field], [...path, field], matchLabels);

  const canaryService = readName(issues, canary.canaryService, [...path, 'canaryService'], 'service', 63, {
    required: false,
  });
  const stableService = readName(issues, canary.stableService, [...path, 'stableService'], 'service', 63, {
    required: false,
  });
  if (canaryService !== undefined && canaryService === stableService) {
    issues.add(
      [...path, 'stableService'],
      stableService,
      'a Service other than canaryService',
      `"${stableService}" is also the canaryService, expected two different Services`,
    );
  }

  const hasTrafficRouting = !isAbsent(canary.trafficRouting);
  const routing = readMap(issues, canary.trafficRouting, [...path, 'trafficRouting'], 'a map with istio');
  if (
    routing !== undefined &&
    validateTrafficRouting(issues, routing, [...path, 'trafficRouting']).hostLevelIstio
  ) {
    for (const key of ['canaryService', 'stableService']) {
      if (isAbsent(canary[key])) {
        issues.add(
          [...path, key],
          undefined,
          'a Service name',
          'missing: trafficRouting.istio without a destinationRule routes by host, so it needs both canaryService and stableService',
        );
      }
    }
  }

  const steps = readList(issues, canary.steps, [...path, 'steps'], 'a list of steps');
  steps?.forEach((step, index) =>
    validateStep(issues, step, [...path, 'steps', index], { hasTrafficRouting }),
  );

  if (!isAbsent(canary.analysis)) {
    const stepCount = isAbsent(canary.steps) ? 0 : steps?.length;
    validateRolloutAnalysis(issues, canary.analysis, [...path, 'analysis'], { background: { stepCount } });
  }

  validateScaleDowns(issues, canary, path, hasTrafficRouting);
}

/** The scale-down fields, and which of them need a traffic router (Argo's validation and defaults). */
function validateScaleDowns(
  issues: Issues,
  canary: JsonMap,
  path: FieldPath,
  hasTrafficRouting: boolean,
): void {
  readInteger(issues, canary.scaleDownDelaySeconds, [...path, 'scaleDownDelaySeconds'], { min: 0 });
  readInteger(issues, canary.abortScaleDownDelaySeconds, [...path, 'abortScaleDownDelaySeconds'], { min: 0 });
  const dynamicStableScale = readBoolean(issues, canary.dynamicStableScale, [...path, 'dynamicStableScale']);
  const hasScaleDownDelay = !isAbsent(canary.scaleDownDelaySeconds);
  readInteger(issues, canary.minPodsPerReplicaSet, [...path, 'minPodsPerReplicaSet'], { min: 0 });

  if (!hasTrafficRouting) {
    // Argo ignores it without a router (the canary is scaled down at once): refused, never ignored.
    if (!isAbsent(canary.abortScaleDownDelaySeconds)) {
      issues.add(
        [...path, 'abortScaleDownDelaySeconds'],
        canary.abortScaleDownDelaySeconds,
        'trafficRouting in spec.strategy.canary',
        'abortScaleDownDelaySeconds can only be used with trafficRouting (without it an abort scales the canary down at once)',
      );
    }
    if (hasScaleDownDelay) {
      issues.add(
        [...path, 'scaleDownDelaySeconds'],
        canary.scaleDownDelaySeconds,
        'trafficRouting in spec.strategy.canary',
        'scaleDownDelaySeconds can only be used with trafficRouting',
      );
    }
    if (dynamicStableScale === true) {
      issues.add(
        [...path, 'dynamicStableScale'],
        true,
        'trafficRouting in spec.strategy.canary',
        'dynamicStableScale can only be used with trafficRouting',
      );
    }
    if (!isAbsent(canary.minPodsPerReplicaSet)) {
      issues.add(
        [...path, 'minPodsPerReplicaSet'],
        canary.minPodsPerReplicaSet,
        'trafficRouting in spec.strategy.canary',
        'minPodsPerReplicaSet can only be used with trafficRouting (Argo ignores it without)',
      );
    }
  } else if (hasScaleDownDelay && dynamicStableScale === true) {
    issues.add(
      [...path, 'dynamicStableScale'],
      true,
      'dynamicStableScale or scaleDownDelaySeconds, not both',
      'dynamicStableScale cannot be used together with scaleDownDelaySeconds',
    );
  }
}

/**
 * canaryMetadata / stableMetadata: Argo's PodTemplateMetadata, string maps of labels and annotations.
 * A label the ReplicaSets select by (spec.selector.matchLabels, the pod-template hash) is refused:
 * Argo sets it on the template, and removes it when the role ends, and either way the pods no longer
 * match their ReplicaSet (the API server refuses the template, or the pods are orphaned and replaced).
 */
function validatePodMetadata(issues: Issues, value: unknown, path: FieldPath, matchLabels: Labels): void {
  const metadata = readMap(issues, value, path, 'a map with labels and annotations');
  if (metadata === undefined) return;
  checkKnownFields(issues, metadata, path, ['labels', 'annotations']);
  readAnnotations(issues, metadata.annotations, [...path, 'annotations']);
  const labels = readLabels(issues, metadata.labels, [...path, 'labels']);
  for (const key of Object.keys(labels ?? {})) {
    const selected = key === POD_TEMPLATE_HASH_LABEL ? 'the pod-template hash label' : undefined;
    const inSelector = key in matchLabels ? 'a label of spec.selector.matchLabels' : undefined;
    const why = selected ?? inSelector;
    if (why === undefined) continue;
    issues.add(
      [...path, 'labels', key],
      labels?.[key],
      'a label the selector does not use',
      `"${key}" is ${why}: ephemeral labels are set and removed with the role, so the pods would stop matching their ReplicaSet; expected a label the selector does not use (such as role)`,
    );
  }
}
