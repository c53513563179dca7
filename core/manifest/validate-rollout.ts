// A Rollout document: apiVersion, metadata, and the spec (replicas, selector, pod template, limits,
// strategy). Collects every problem; returns the typed manifest only when there are none.

import { type RolloutManifest } from './argo-types.js';
import { Issues, type FieldPath } from './errors.js';
import {
  checkKnownFields,
  checkUnique,
  dropNulls,
  isAbsent,
  readBoolean,
  readInteger,
  readList,
  readMap,
  readString,
  type JsonMap,
} from './fields.js';
import { readRestartAt } from './restart-at.js';
import { imageProblem, readAnnotations, readLabels, readName } from './names.js';
import { UNSUPPORTED_ROLLOUT_SPEC, refuseUnsupported } from './unsupported.js';
import { validateCanary } from './validate-canary.js';
import { checkArgoApiVersion, checkTopLevelFields, validateMetadata } from './validate-metadata.js';
import { DEFAULTS, type Labels } from '../types.js';

/** Every field of Argo's RolloutSpec; analysis is refused (unsupported.ts). */
const SPEC_FIELDS = [
  'replicas',
  'selector',
  'template',
  'workloadRef',
  'minReadySeconds',
  'revisionHistoryLimit',
  'progressDeadlineSeconds',
  'progressDeadlineAbort',
  'paused',
  'strategy',
  'restartAt',
  'rollbackWindow',
  'analysis',
];

/**
 * ReplicaSet names are `<rollout>-<pod-template-hash>`; keeping the Rollout's name to a DNS label's
 * length leaves room for the hash and for the pod names built on it.
 */
const MAX_ROLLOUT_NAME = 63;

export function validateRollout(object: JsonMap, issues: Issues): RolloutManifest | undefined {
  const before = issues.count;
  checkArgoApiVersion(issues, object);
  checkTopLevelFields(issues, object);
  validateMetadata(issues, object, {
    nameRule: 'subdomain',
    maxNameLength: MAX_ROLLOUT_NAME,
    namespaced: true,
  });
  const spec = readMap(issues, object.spec, ['spec'], 'a map (the Rollout spec)', { required: true });
  if (spec !== undefined) validateSpec(issues, spec);
  // Validated, so the typed view holds; nulls go, as they would in Kubernetes.
  return issues.count === before ? (dropNulls(object) as RolloutManifest) : undefined;
}

function validateSpec(issues: Issues, spec: JsonMap): void {
  checkKnownFields(issues, spec, ['spec'], SPEC_FIELDS);
  refuseUnsupported(issues, spec, ['spec'], UNSUPPORTED_ROLLOUT_SPEC);
  readInteger(issues, spec.replicas, ['spec', 'replicas'], { min: 0 });

  let matchLabels: Labels | undefined;
  if (!isAbsent(spec.workloadRef)) {
    // Without the template in the Rollout the workflow could not hash or compare revisions.
    issues.notSupported(
      ['spec', 'workloadRef'],
      spec.workloadRef,
      'spec.workloadRef',
      'write the pod template in spec.template',
    );
  } else {
    matchLabels = validateSelector(issues, spec.selector);
    validateTemplate(issues, spec.template, matchLabels);
  }

  const minReady = readInteger(issues, spec.minReadySeconds, ['spec', 'minReadySeconds'], { min: 0 });
  readInteger(issues, spec.revisionHistoryLimit, ['spec', 'revisionHistoryLimit'], { min: 0 });
  const deadline = readInteger(issues, spec.progressDeadlineSeconds, ['spec', 'progressDeadlineSeconds'], {
    min: 1,
  });
  const effectiveDeadline = isAbsent(spec.progressDeadlineSeconds)
    ? DEFAULTS.progressDeadlineSeconds
    : deadline;
  if (minReady !== undefined && effectiveDeadline !== undefined && effectiveDeadline <= minReady) {
    issues.add(
      ['spec', 'progressDeadlineSeconds'],
      effectiveDeadline,
      `more than minReadySeconds (${minReady})`,
      `${effectiveDeadline} is not more than minReadySeconds (${minReady}): a pod could never become available in time`,
    );
  }
  readBoolean(issues, spec.progressDeadlineAbort, ['spec', 'progressDeadlineAbort']);
  readBoolean(issues, spec.paused, ['spec', 'paused']);
  validateRollbackWindow(issues, spec.rollbackWindow);
  readRestartAt(issues, spec.restartAt, ['spec', 'restartAt']);

  validateStrategy(issues, spec.strategy, matchLabels);
}

/** RollbackWindowSpec: `revisions`, Argo's int32; 0 (or absent) is no window, as in Argo. */
function validateRollbackWindow(issues: Issues, value: unknown): void {
  const path: FieldPath = ['spec', 'rollbackWindow'];
  const window = readMap(
    issues,
    value,
    path,
    'a map with revisions (how many revisions back a rollback skips the steps)',
  );
  if (window === undefined) return;
  checkKnownFields(issues, window, path, ['revisions']);
  readInteger(issues, window.revisions, [...path, 'revisions'], { min: 0 });
}

/** Returns the selector's labels when they are valid, for the template check. */
function validateSelector(issues: Issues, value: unknown): Labels | undefined {
  const selector = readMap(issues, value, ['spec', 'selector'], 'a map with matchLabels', { required: true });
  if (selector === undefined) return undefined;
  checkKnownFields(issues, selector, ['spec', 'selector'], ['matchLabels', 'matchExpressions']);
  if (!isAbsent(selector.matchExpressions)) {
    // Services and ReplicaSets are matched by labels plus the pod-template hash; expressions do not fit.
    issues.notSupported(
      ['spec', 'selector', 'matchExpressions'],
      selector.matchExpressions,
      'matchExpressions',
      'use matchLabels',
    );
  }
  return readLabels(issues, selector.matchLabels, ['spec', 'selector', 'matchLabels'], {
    required: true,
    nonEmpty: true,
  });
}

function validateTemplate(issues: Issues, value: unknown, matchLabels: Labels | undefined): void {
  const path: FieldPath = ['spec', 'template'];
  const template = readMap(
    issues,
    value,
    path,
    'a pod template: a map with metadata.labels and spec.containers',
    {
      required: true,
    },
  );
  if (template === undefined) return;

  const metadata = readMap(issues, template.metadata, [...path, 'metadata'], 'a map with labels');
  const labels = readLabels(issues, metadata?.labels, [...path, 'metadata', 'labels']);
  readAnnotations(issues, metadata?.annotations, [...path, 'metadata', 'annotations']);
  const labelsWritten = !isAbsent(metadata?.labels);
  if (matchLabels !== undefined && (labels !== undefined || !labelsWritten)) {
    checkSelectorMatches(issues, matchLabels, labels ?? {}, labelsWritten);
  }

  const podSpec = readMap(issues, template.spec, [...path, 'spec'], 'a pod spec: a map with containers', {
    required: true,
  });
  if (podSpec === undefined) return;
  const containersPath = [...path, 'spec', 'containers'];
  const containers = readList(issues, podSpec.containers, containersPath, 'a non-empty list of containers', {
    required: true,
    nonEmpty: true,
  });
  if (containers === undefined) return;
  const names = containers.map((container, index) =>
    validateContainer(issues, container, [...containersPath, index]),
  );
  checkUnique(issues, names, (index) => [...containersPath, index, 'name'], 'container name');
}

/** Every matchLabels pair must be on the pods, or the Rollout would not select its own ReplicaSets. */
function checkSelectorMatches(
  issues: Issues,
  matchLabels: Labels,
  labels: Labels,
  labelsWritten: boolean,
): void {
  const labelsPath: FieldPath = ['spec', 'template', 'metadata', 'labels'];
  const wanted = Object.entries(matchLabels)
    .map(([key, value]) => `${key}: ${value}`)
    .join(', ');
  if (!labelsWritten) {
    issues.add(labelsPath, undefined, `labels including ${wanted} (spec.selector.matchLabels)`);
    return;
  }
  for (const [key, value] of Object.entries(matchLabels)) {
    const found = labels[key];
    if (found === value) continue;
    const problem =
      found === undefined
        ? `missing, expected "${value}" to match spec.selector.matchLabels`
        : `"${found}" does not match spec.selector.matchLabels value "${value}"`;
    issues.add([...labelsPath, key], found, `"${value}" (from spec.selector.matchLabels)`, problem);
  }
}

function validateContainer(issues: Issues, value: unknown, path: FieldPath): string | undefined {
  const container = readMap(issues, value, path, 'a container: a map with name and image', {
    required: true,
  });
  if (container === undefined) return undefined;
  const name = readName(issues, container.name, [...path, 'name'], 'label', 63);
  const image = readString(
    issues,
    container.image,
    [...path, 'image'],
    'a container image such as argoproj/rollouts-demo:blue',
    {
      required: true,
      nonEmpty: true,
    },
  );
  // The workflow refuses a definition with such an image: say so here, not after apply.
  const problem = image === undefined ? undefined : imageProblem(image);
  if (problem) issues.add([...path, 'image'], image, 'a container image reference', problem);
  return name;
}

function validateStrategy(issues: Issues, value: unknown, matchLabels: Labels | undefined): void {
  const path: FieldPath = ['spec', 'strategy'];
  const strategy = readMap(issues, value, path, 'a map with canary', { required: true });
  if (strategy === undefined) return;
  for (const key of Object.keys(strategy)) {
    if (key === 'blueGreen') {
      issues.notSupported([...path, key], key, 'the blueGreen strategy', 'use spec.strategy.canary');
    } else if (key !== 'canary') {
      issues.add([...path, key], key, 'canary', `unknown field "${key}", expected canary`);
    }
  }
  if (!isAbsent(strategy.blueGreen) && isAbsent(strategy.canary)) return;
  const canary = readMap(issues, strategy.canary, [...path, 'canary'], 'a map (the canary strategy)', {
    required: true,
  });
  if (canary !== undefined) validateCanary(issues, canary, [...path, 'canary'], matchLabels);
}
