import { describe, expect, it } from '@jest/globals';
import type { RolloutStatus } from '../../core/status.js';
import { currentDetails } from '../../workflows/current-details.js';

const base: RolloutStatus = {
  name: 'myapp',
  namespace: 'rollouts-demo',
  phase: 'Paused',
  message: 'CanaryPauseStep: waiting for promote',
  currentStepIndex: 1,
  steps: [
    { index: 0, text: 'setWeight: 20' },
    { index: 1, text: 'pause: until promoted' },
  ],
  pauseConditions: [],
  paused: false,
  aborted: false,
  stableRevision: { revision: 1, podTemplateHash: 'aaa', images: { myapp: 'argoproj/rollouts-demo:blue' } },
  canaryRevision: { revision: 2, podTemplateHash: 'bbb', images: { myapp: 'argoproj/rollouts-demo:yellow' } },
  weights: { canary: 20, stable: 80 },
  replicas: 1,
  replicaSets: [],
  conditions: [],
  analysisRuns: [],
  revision: 2,
  updatedAt: '2026-11-26T00:00:00.000Z',
};

describe('currentDetails (the Temporal UI summary of a rollout)', () => {
  it('says phase and reason, step and weight, and both images during a canary', () => {
    expect(currentDetails(base)).toBe(
      [
        '**Paused**: CanaryPauseStep: waiting for promote',
        'step 1/2 (pause: until promoted), canary weight 20%',
        'stable: argoproj/rollouts-demo:blue (revision 1)',
        'canary: argoproj/rollouts-demo:yellow (revision 2)',
      ].join('\n\n'),
    );
  });

  it('after the last step: the step count, no step text, no canary', () => {
    const { canaryRevision: _, ...healthy } = base;
    expect(
      currentDetails({
        ...healthy,
        phase: 'Healthy',
        message: '',
        currentStepIndex: 2,
        weights: { canary: 0, stable: 100 },
      }),
    ).toBe(
      ['**Healthy**', 'step 2/2, canary weight 0%', 'stable: argoproj/rollouts-demo:blue (revision 1)'].join(
        '\n\n',
      ),
    );
  });

  it('before any canary (first deploy): no step line', () => {
    const { canaryRevision: _, stableRevision: __, ...first } = base;
    expect(
      currentDetails({
        ...first,
        phase: 'Progressing',
        message: 'deploying revision 1',
        currentStepIndex: null,
      }),
    ).toBe('**Progressing**: deploying revision 1');
  });
});
