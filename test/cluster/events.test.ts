// The Events a change of status tells (core/cluster/events.ts), with Argo's reasons and messages.
import { describe, expect, it } from '@jest/globals';
import type { ArgoRolloutStatus } from '../../core/argo-status.js';
import { eventsBetween } from '../../core/cluster/events.js';

const steps = ['setWeight: 20', 'pause: until promoted', 'setWeight: 40', 'pause: 60s'];
const context = { revision: 2, steps };
const weights = (canary: number) => ({ canary: { weight: canary }, stable: { weight: 100 - canary } });

const healthyBlue: Partial<ArgoRolloutStatus> = {
  phase: 'Healthy',
  currentPodHash: 'blue',
  stableRS: 'blue',
  currentStepIndex: 4,
  canary: { weights: weights(0) },
};

describe('eventsBetween', () => {
  it('tells a first deploy as completed', () => {
    expect(eventsBetween(undefined, healthyBlue, { revision: 1, steps })).toEqual([
      { type: 'Normal', reason: 'TrafficWeightUpdated', message: 'Traffic weight updated to 0' },
      {
        type: 'Normal',
        reason: 'RolloutCompleted',
        message: 'Rollout completed update to revision 1 (blue): Completed all 4 canary steps',
      },
    ]);
  });

  it('tells nothing when nothing changed', () => {
    expect(eventsBetween(healthyBlue, { ...healthyBlue }, context)).toEqual([]);
  });

  it('tells a new revision, its first step, the weight and the pause', () => {
    const paused: Partial<ArgoRolloutStatus> = {
      ...healthyBlue,
      phase: 'Paused',
      currentPodHash: 'yellow',
      currentStepIndex: 1,
      pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-12-07T10:00:00Z' }],
      canary: { weights: weights(20) },
    };
    const updated = {
      ...healthyBlue,
      phase: 'Progressing' as const,
      currentPodHash: 'yellow',
      currentStepIndex: 0,
    };
    expect(eventsBetween(healthyBlue, updated, context).map((e) => e.reason)).toEqual(['RolloutUpdated']);
    expect(eventsBetween(updated, paused, context)).toEqual([
      {
        type: 'Normal',
        reason: 'RolloutStepCompleted',
        message: 'Rollout step 1/4 completed (setWeight: 20)',
      },
      { type: 'Normal', reason: 'TrafficWeightUpdated', message: 'Traffic weight updated from 0 to 20' },
      { type: 'Normal', reason: 'RolloutPaused', message: 'Rollout is paused (CanaryPauseStep)' },
    ]);
    const resumed = { ...paused, phase: 'Progressing' as const, currentStepIndex: 2, pauseConditions: [] };
    expect(eventsBetween(paused, resumed, context)).toEqual([
      {
        type: 'Normal',
        reason: 'RolloutStepCompleted',
        message: 'Rollout step 2/4 completed (pause: until promoted)',
      },
      { type: 'Normal', reason: 'RolloutResumed', message: 'Rollout is resumed' },
    ]);
  });

  it('tells an abort as a warning, with the status message, and no resume', () => {
    const paused = {
      ...healthyBlue,
      phase: 'Paused' as const,
      currentPodHash: 'yellow',
      currentStepIndex: 1,
      pauseConditions: [{ reason: 'CanaryPauseStep' as const, startTime: '2026-12-07T10:00:00Z' }],
      canary: { weights: weights(20) },
    };
    const aborted = {
      ...paused,
      phase: 'Degraded' as const,
      abort: true as const,
      currentStepIndex: 0,
      pauseConditions: undefined,
      message: 'RolloutAborted: Rollout aborted update to revision 2',
      canary: { weights: weights(0) },
    };
    expect(eventsBetween(paused, aborted, context)).toEqual([
      { type: 'Normal', reason: 'TrafficWeightUpdated', message: 'Traffic weight updated from 20 to 0' },
      {
        type: 'Warning',
        reason: 'RolloutAborted',
        message: 'RolloutAborted: Rollout aborted update to revision 2',
      },
    ]);
  });

  it('tells an AnalysisRun started and its verdict, a failure as a warning', () => {
    const running = {
      ...healthyBlue,
      canary: { currentBackgroundAnalysisRunStatus: { name: 'app-yellow-2', status: 'Running' } },
    };
    const failed = {
      ...healthyBlue,
      canary: { currentBackgroundAnalysisRunStatus: { name: 'app-yellow-2', status: 'Failed' } },
    };
    expect(eventsBetween(healthyBlue, running, context)).toEqual([
      {
        type: 'Normal',
        reason: 'AnalysisRunRunning',
        message: "Background Analysis Run 'app-yellow-2' Status New: 'Running' Previous: 'NoPreviousStatus'",
      },
    ]);
    expect(eventsBetween(running, failed, context)).toEqual([
      {
        type: 'Warning',
        reason: 'AnalysisRunFailed',
        message: "Background Analysis Run 'app-yellow-2' Status New: 'Failed' Previous: 'Running'",
      },
    ]);
  });

  it('tells an invalid spec once, as a warning, and nothing else with it', () => {
    const invalid: Partial<ArgoRolloutStatus> = {
      ...healthyBlue,
      phase: 'Degraded',
      message: 'InvalidSpec: steps[0].setWeight: expected 0-100',
      conditions: [
        {
          type: 'InvalidSpec',
          status: 'True',
          reason: 'InvalidSpec',
          message: 'x',
          lastUpdateTime: 't',
          lastTransitionTime: 't',
        },
      ],
    };
    expect(eventsBetween(healthyBlue, invalid, context)).toEqual([
      { type: 'Warning', reason: 'InvalidSpec', message: 'InvalidSpec: steps[0].setWeight: expected 0-100' },
    ]);
    expect(eventsBetween(invalid, { ...invalid }, context)).toEqual([]);
  });

  it('tells a promotion: the stable switched', () => {
    const last = {
      ...healthyBlue,
      phase: 'Progressing' as const,
      currentPodHash: 'yellow',
      currentStepIndex: 3,
      canary: { weights: weights(40) },
    };
    const done = {
      ...last,
      phase: 'Healthy' as const,
      stableRS: 'yellow',
      currentStepIndex: 4,
      canary: { weights: weights(0) },
    };
    expect(eventsBetween(last, done, context).map((e) => `${e.reason}: ${e.message}`)).toEqual([
      'RolloutStepCompleted: Rollout step 4/4 completed (pause: 60s)',
      'TrafficWeightUpdated: Traffic weight updated from 40 to 0',
      'RolloutCompleted: Rollout completed update to revision 2 (yellow): Completed all 4 canary steps',
    ]);
  });
});
