// spec.strategy.canary: Services, steps, traffic routing, background analysis and the delays, with
// Argo's cross-field rules (ValidateRolloutStrategyCanary).

import { Issues, type FieldPath } from './errors.js';
import {
  checkKnownFields,
  describeSeveralSet,
  isAbsent,
  presentKeys,
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
 * Every field of Argo's CanaryStrategy. Those we do not implement (pingPong, …) are refused as not
 * supported yet (unsupported.ts); anything else is a typo.
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

  if (!isAbsent(canary.antiAffinity))
    validateAntiAffinity(issues, canary.antiAffinity, [...path, 'antiAffinity']);
  validateScaleDowns(issues, canary, path, hasTrafficRouting);
  validateSurge(issues, canary, path, hasTrafficRouting);
}

const INT_OR_PERCENT = 'a non-negative integer or a percentage like "25%"';

/** An IntOrString as Argo reads it: a count, or a percentage of spec.replicas. */
function readIntOrPercent(issues: Issues, value: unknown, path: FieldPath): number | string | undefined {
  if (isAbsent(value)) return undefined;
  if (typeof value === 'number' && Number.isInteger(value)) {
    if (value >= 0) return value;
    issues.add(path, value, INT_OR_PERCENT, `${value} is negative, expected ${INT_OR_PERCENT}`);
    return undefined;
  }
  if (typeof value === 'string' && /^[0-9]+%$/.test(value)) return value;
  // Argo's parser would read "3" as 3%, not 3 pods: refused rather than guessed.
  if (typeof value === 'string')
    issues.add(path, value, INT_OR_PERCENT, `"${value}" is not a percentage, expected ${INT_OR_PERCENT}`);
  else issues.wrongType(path, value, INT_OR_PERCENT);
  return undefined;
}

/**
 * maxSurge and maxUnavailable pace a canary without a router (Argo's basic canary); with one the
 * counts follow the weights, so they are refused rather than ignored. Both zero is Argo's
 * InvalidMaxSurgeMaxUnavailable (unset, each is 25%). core/definition-check.ts checks a normalized
 * definition with it too: the fields are carried as written.
 */
export function validateSurge(
  issues: Issues,
  canary: JsonMap,
  path: FieldPath,
  hasTrafficRouting: boolean,
): void {
  const surge = readIntOrPercent(issues, canary.maxSurge, [...path, 'maxSurge']);
  const unavailable = readIntOrPercent(issues, canary.maxUnavailable, [...path, 'maxUnavailable']);
  if (hasTrafficRouting) {
    for (const key of ['maxSurge', 'maxUnavailable']) {
      if (isAbsent(canary[key])) continue;
      issues.add(
        [...path, key],
        canary[key],
        'no trafficRouting in spec.strategy.canary',
        `${key} can only be used without trafficRouting (with a router the pod counts follow the weights)`,
      );
    }
    return;
  }
  const isZero = (value: number | string | undefined) => value === 0 || value === '0%';
  if (isZero(surge) && isZero(unavailable)) {
    issues.add(
      [...path, 'maxSurge'],
      canary.maxSurge,
      'maxSurge or maxUnavailable above zero',
      'maxSurge and maxUnavailable both can not be zero',
    );
  }
}

const PREFERRED = 'preferredDuringSchedulingIgnoredDuringExecution';
const REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution';
const ANTI_AFFINITY_EXPECTED = `exactly one of ${PREFERRED} (with a weight) or ${REQUIRED}: {}`;

/** Argo's ValidateRolloutStrategyAntiAffinity: exactly one of the two, a weight between 1 and 100. */
export function validateAntiAffinity(issues: Issues, value: unknown, path: FieldPath): void {
  const antiAffinity = readMap(issues, value, path, ANTI_AFFINITY_EXPECTED);
  if (antiAffinity === undefined) return;
  checkKnownFields(issues, antiAffinity, path, [PREFERRED, REQUIRED]);
  const set = presentKeys(antiAffinity, [PREFERRED, REQUIRED]);
  if (set.length === 0)
    issues.add(
      path,
      antiAffinity,
      ANTI_AFFINITY_EXPECTED,
      `nothing is set, expected ${ANTI_AFFINITY_EXPECTED}`,
    );
  else if (set.length > 1)
    issues.add(
      path,
      antiAffinity,
      ANTI_AFFINITY_EXPECTED,
      `${describeSeveralSet(set)}, expected ${ANTI_AFFINITY_EXPECTED}`,
    );

  const preferred = readMap(issues, antiAffinity[PREFERRED], [...path, PREFERRED], 'a map with a weight');
  if (preferred !== undefined) {
    checkKnownFields(issues, preferred, [...path, PREFERRED], ['weight']);
    readInteger(issues, preferred.weight, [...path, PREFERRED, 'weight'], {
      min: 1,
      max: 100,
      required: true,
    });
  }
  // Argo's RequiredDuringSchedulingIgnoredDuringExecution has no fields: anything in it is a typo.
  const required = readMap(issues, antiAffinity[REQUIRED], [...path, REQUIRED], 'an empty map, {}');
  if (required !== undefined) checkKnownFields(issues, required, [...path, REQUIRED], []);
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
  // Argo takes a negative limit as 0 (every old ReplicaSet at once); written so, it is refused.
  readInteger(issues, canary.scaleDownDelayRevisionLimit, [...path, 'scaleDownDelayRevisionLimit'], {
    min: 0,
  });
  const hasRevisionLimit = !isAbsent(canary.scaleDownDelayRevisionLimit);

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
    if (hasRevisionLimit) {
      issues.add(
        [...path, 'scaleDownDelayRevisionLimit'],
        canary.scaleDownDelayRevisionLimit,
        'trafficRouting in spec.strategy.canary',
        'scaleDownDelayRevisionLimit can only be used with trafficRouting (without it old ReplicaSets are scaled down at once, and Argo ignores it)',
      );
    }
  } else if (dynamicStableScale === true) {
    if (hasScaleDownDelay)
      issues.add(
        [...path, 'dynamicStableScale'],
        true,
        'dynamicStableScale or scaleDownDelaySeconds, not both',
        'dynamicStableScale cannot be used together with scaleDownDelaySeconds',
      );
    // With dynamicStableScale Argo scales every old ReplicaSet down at once and never reads the limit.
    if (hasRevisionLimit)
      issues.add(
        [...path, 'scaleDownDelayRevisionLimit'],
        canary.scaleDownDelayRevisionLimit,
        'dynamicStableScale or scaleDownDelayRevisionLimit, not both',
        'scaleDownDelayRevisionLimit cannot be used together with dynamicStableScale (old ReplicaSets are scaled down at once, and Argo ignores it)',
      );
  }
}

/**
 * canaryMetadata / stableMetadata: Argo's PodTemplateMetadata, string maps of labels and annotations.
 * A label the ReplicaSets select by (spec.selector.matchLabels, the pod-template hash) is refused:
 * Argo sets it on the template, and removes it when the role ends, and either way the pods no longer
 * match their ReplicaSet (the API server refuses the template, or the pods are orphaned and replaced).
 * core/definition-check.ts checks a normalized definition with it too (the same shape).
 */
export function validatePodMetadata(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  matchLabels: Labels,
): void {
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
