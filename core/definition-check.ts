// A structural check of a normalized RolloutDefinition that arrives from outside the CLI (a signal
// sent by hand from the Temporal UI or `temporal workflow signal`): enough that the workflow never
// acts on a malformed one. Manifests from files go through the full validation in core/manifest.
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function checkStep(step: unknown, path: string): string | undefined {
  if (!isObject(step)) return `${path}: expected a step object`;
  switch (step.kind) {
    case 'setWeight':
      return isCount(step.weight) && (step.weight as number) <= 100
        ? undefined
        : `${path}.weight: expected 0..100`;
    case 'pause':
      return step.durationSeconds === undefined || isCount(step.durationSeconds)
        ? undefined
        : `${path}.durationSeconds: expected a non-negative integer`;
    case 'setCanaryScale':
    case 'analysis':
      return undefined;
    default:
      return `${path}.kind: expected setWeight, pause, setCanaryScale or analysis, found ${JSON.stringify(step.kind)}`;
  }
}

export function checkDefinition(def: unknown): string[] {
  if (!isObject(def)) return ['rollout: expected an object'];
  const errors: string[] = [];
  for (const field of ['name', 'namespace'] as const)
    if (typeof def[field] !== 'string' || def[field] === '')
      errors.push(`rollout.${field}: expected a non-empty string`);
  if (!isCount(def.replicas)) errors.push('rollout.replicas: expected a non-negative integer');
  for (const field of ['revisionHistoryLimit', 'progressDeadlineSeconds', 'minReadySeconds'] as const)
    if (!isCount(def[field])) errors.push(`rollout.${field}: expected a non-negative integer`);
  if (!isObject(def.selector) || !isObject(def.selector.matchLabels))
    errors.push('rollout.selector.matchLabels: expected a map of labels');
  const template = def.template;
  const containers = isObject(template) && isObject(template.spec) ? template.spec.containers : undefined;
  if (!Array.isArray(containers) || containers.length === 0)
    errors.push('rollout.template.spec.containers: expected a non-empty list');
  else
    containers.forEach((c: unknown, i) => {
      if (!isObject(c) || typeof c.name !== 'string' || typeof c.image !== 'string' || c.image === '')
        errors.push(`rollout.template.spec.containers[${i}]: expected {name, image}`);
    });
  const canary = def.canary;
  if (!isObject(canary) || !Array.isArray(canary.steps)) errors.push('rollout.canary.steps: expected a list');
  else
    canary.steps.forEach((step: unknown, i) => {
      const error = checkStep(step, `rollout.canary.steps[${i}]`);
      if (error) errors.push(error);
    });
  if (isObject(canary)) {
    for (const field of ['scaleDownDelaySeconds', 'abortScaleDownDelaySeconds'] as const)
      if (!isCount(canary[field])) errors.push(`rollout.canary.${field}: expected a non-negative integer`);
  }
  return errors;
}
