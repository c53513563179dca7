// What the kubectl-argo-rollouts plugin's status patches ask for (core/cluster/requests.ts), read
// against the values our last write acknowledged; each patch below is the plugin's own (v1.10.2
// pkg/kubectl-argo-rollouts/cmd/{abort,retry,promote}), applied to a status we wrote.
import { describe, expect, it } from '@jest/globals';
import { applyMergePatch } from '../../core/cluster/merge-patch.js';
import { acknowledgedOf, requestsIn, restoreAcknowledged } from '../../core/cluster/requests.js';

const PAUSE = [{ reason: 'CanaryPauseStep', startTime: '2026-12-07T10:00:00Z' }];

/** A status as our writer leaves it: Argo's fields and the stamp acknowledging the request fields. */
function written(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    ...fields,
    temporal: { workflowId: 'rollout:ns/app', sequence: 7, acknowledged: acknowledgedOf(fields) },
  };
}

const paused = written({
  phase: 'Paused',
  currentStepIndex: 1,
  pauseConditions: PAUSE,
  controllerPause: true,
});
const running = written({ phase: 'Progressing', currentStepIndex: 2 });
const aborted = written({
  phase: 'Degraded',
  currentStepIndex: 0,
  abort: true,
  abortedAt: '2026-12-07T10:00:00Z',
});

describe('requestsIn', () => {
  it('finds nothing in a status as we wrote it', () => {
    for (const status of [paused, running, aborted]) expect(requestsIn(status, 4)).toEqual([]);
  });

  it('finds nothing in a status without our stamp (never written by us, or the stamp pruned)', () => {
    expect(requestsIn({ abort: true, currentStepIndex: 3 }, 4)).toEqual([]);
  });

  it('abort: {"status":{"abort":true}}', () => {
    expect(requestsIn(applyMergePatch(running, { abort: true }), 4)).toEqual([{ kind: 'abort' }]);
  });

  it('retry: {"status":{"abort":false}}', () => {
    expect(requestsIn(applyMergePatch(aborted, { abort: false }), 4)).toEqual([{ kind: 'retry' }]);
  });

  it('promote of a pause: {"status":{"pauseConditions":null}}', () => {
    expect(requestsIn(applyMergePatch(paused, { pauseConditions: null }), 4)).toEqual([
      { kind: 'promote', full: false },
    ]);
  });

  it('promote of an inconclusive pause: pauseConditions null, controllerPause false, the step index one on', () => {
    const patch = { pauseConditions: null, controllerPause: false, currentStepIndex: 2 };
    expect(requestsIn(applyMergePatch(paused, patch), 4)).toEqual([
      { kind: 'promote', full: false, skipTo: 2 },
    ]);
  });

  it('promote mid-step: {"status":{"pauseConditions":null, "currentStepIndex":3}}', () => {
    const patch = { pauseConditions: null, currentStepIndex: 3 };
    expect(requestsIn(applyMergePatch(running, patch), 4)).toEqual([
      { kind: 'promote', full: false, skipTo: 3 },
    ]);
  });

  it('promote --full: {"status":{"promoteFull":true}}, or every step skipped', () => {
    expect(requestsIn(applyMergePatch(paused, { promoteFull: true }), 4)).toEqual([
      { kind: 'promote', full: true },
    ]);
    expect(requestsIn(applyMergePatch(running, { currentStepIndex: 4 }), 4)).toEqual([
      { kind: 'promote', full: true },
    ]);
  });
});

describe('restoreAcknowledged', () => {
  it('puts back the request fields a refused request changed, and only those', () => {
    const asked = applyMergePatch(running, { currentStepIndex: 3, pauseConditions: null });
    expect(restoreAcknowledged(asked)).toEqual({ currentStepIndex: 2 });
    const unpaused = applyMergePatch(paused, { pauseConditions: null });
    expect(restoreAcknowledged(unpaused)).toEqual({ pauseConditions: PAUSE });
    expect(restoreAcknowledged(applyMergePatch(aborted, { abort: false }))).toEqual({ abort: true });
    expect(restoreAcknowledged(running)).toBeUndefined();
  });
});
