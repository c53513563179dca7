// Canary steps: each one a map with exactly one step kind (Argo's hasMultipleStepsType and
// InvalidStepMessage), each kind with its own value rules.

import { Issues, type FieldPath } from './errors.js';
import {
  checkKnownFields,
  describeSeveralSet,
  presentKeys,
  readBoolean,
  readDuration,
  readInteger,
  readMap,
} from './fields.js';
import { validateRolloutAnalysis } from './validate-analysis-ref.js';

export const SUPPORTED_STEP_KINDS = ['setWeight', 'pause', 'setCanaryScale', 'analysis'] as const;
/** Argo step kinds that this project does not run yet. */
const UNSUPPORTED_STEP_KINDS = ['setHeaderRoute', 'setMirrorRoute', 'experiment', 'plugin'];

const KINDS_TEXT = SUPPORTED_STEP_KINDS.join(', ');
const STEP_EXPECTED = `a map with exactly one of ${KINDS_TEXT}`;
const SCALE_KINDS = ['replicas', 'weight', 'matchTrafficWeight'];
const SCALE_EXPECTED = 'exactly one of replicas, weight or matchTrafficWeight: true';

const VALUE_EXPECTED = {
  setWeight: 'an integer between 0 and 100',
  pause: 'a map: {} to wait until promoted, or {duration: 60s}',
  setCanaryScale: `a map with ${SCALE_EXPECTED}`,
  analysis: 'a map with templates and args',
} as const;

/** What a known step kind's value must be; undefined for unknown kinds (own keys only: not "toString"). */
function expectedValue(kind: string): string | undefined {
  return Object.hasOwn(VALUE_EXPECTED, kind)
    ? VALUE_EXPECTED[kind as keyof typeof VALUE_EXPECTED]
    : undefined;
}

export interface StepContext {
  /** setCanaryScale only makes sense when traffic weight and pod count are separate. */
  hasTrafficRouting: boolean;
}

export function validateStep(issues: Issues, value: unknown, path: FieldPath, context: StepContext): void {
  const step = readMap(issues, value, path, STEP_EXPECTED, { required: true });
  if (step === undefined) return;
  const kinds = Object.keys(step);
  if (kinds.length === 0) {
    issues.add(path, step, STEP_EXPECTED, `the step is empty, expected exactly one of ${KINDS_TEXT}`);
  } else if (kinds.length > 1) {
    issues.add(
      path,
      step,
      STEP_EXPECTED,
      `the step sets ${kinds.join(' and ')}, expected exactly one step kind per step`,
    );
  }

  for (const kind of kinds) {
    const at = [...path, kind];
    const stepValue = step[kind];
    if (UNSUPPORTED_STEP_KINDS.includes(kind)) {
      issues.notSupported(at, stepValue, `the ${kind} step`, `supported steps: ${KINDS_TEXT}`);
      continue;
    }
    const expected = expectedValue(kind);
    if (expected === undefined) {
      issues.add(
        at,
        kind,
        `one of ${KINDS_TEXT}`,
        `unknown step kind "${kind}", expected one of ${KINDS_TEXT}`,
      );
      continue;
    }
    if (stepValue === null) {
      // `- pause:` with nothing after it: YAML null, which Argo reads as "no step at all"
      issues.add(at, null, expected, `no value, expected ${expected}`);
      continue;
    }
    switch (kind) {
      case 'setWeight':
        readInteger(issues, stepValue, at, { min: 0, max: 100 });
        break;
      case 'pause':
        validatePause(issues, stepValue, at);
        break;
      case 'setCanaryScale':
        validateSetCanaryScale(issues, stepValue, at, context);
        break;
      case 'analysis':
        validateRolloutAnalysis(issues, stepValue, at);
        break;
    }
  }
}

function validatePause(issues: Issues, value: unknown, path: FieldPath): void {
  const pause = readMap(issues, value, path, VALUE_EXPECTED.pause);
  if (pause === undefined) return;
  checkKnownFields(issues, pause, path, ['duration']);
  readDuration(issues, pause.duration, [...path, 'duration']);
}

function validateSetCanaryScale(issues: Issues, value: unknown, path: FieldPath, context: StepContext): void {
  const scale = readMap(issues, value, path, VALUE_EXPECTED.setCanaryScale);
  if (scale === undefined) return;
  checkKnownFields(issues, scale, path, SCALE_KINDS);
  readInteger(issues, scale.replicas, [...path, 'replicas'], { min: 0 });
  readInteger(issues, scale.weight, [...path, 'weight'], { min: 0, max: 100 });
  const matchTrafficWeight = readBoolean(issues, scale.matchTrafficWeight, [...path, 'matchTrafficWeight']);

  // matchTrafficWeight: false sets nothing, so it does not count as the one choice
  const set = presentKeys(scale, ['replicas', 'weight']);
  if (matchTrafficWeight === true) set.push('matchTrafficWeight');
  if (set.length === 0) {
    issues.add(path, scale, SCALE_EXPECTED, `nothing is set, expected ${SCALE_EXPECTED}`);
  } else if (set.length > 1) {
    issues.add(path, scale, SCALE_EXPECTED, `${describeSeveralSet(set)}, expected ${SCALE_EXPECTED}`);
  }
  if (!context.hasTrafficRouting) {
    issues.add(
      path,
      scale,
      'trafficRouting in spec.strategy.canary',
      'setCanaryScale needs spec.strategy.canary.trafficRouting: without it the pod count is the traffic weight',
    );
  }
}
