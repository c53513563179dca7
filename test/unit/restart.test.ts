// Argo's pod restart decisions (rollout/restart.go; utils/replicaset NeedsRestart, MaxUnavailable).
import { describe, expect, it } from '@jest/globals';
import { canaryMaxUnavailable, planRestart, restartPending, type RestartPod } from '../../core/restart.js';

const AT = '2026-01-01T00:00:00Z';
const at = Date.parse(AT);
const pod = (name: string, createdAt: number, extra: Partial<RestartPod> = {}): RestartPod => ({
  name,
  createdAt,
  available: true,
  terminating: false,
  ...extra,
});

describe('restartPending', () => {
  it('is pending while restartedAt does not record the same time', () => {
    expect(restartPending(undefined, undefined)).toBe(false);
    expect(restartPending(AT, undefined)).toBe(true);
    expect(restartPending(AT, '2026-01-01T00:00:00.000Z')).toBe(false);
    expect(restartPending(AT, '2025-12-01T00:00:00Z')).toBe(true);
  });
});

describe('canaryMaxUnavailable (default 25 %, rounded down)', () => {
  it.each([
    [0, 0],
    [1, 0],
    [3, 0],
    [4, 1],
    [8, 2],
    [10, 2],
  ])('%i replicas → %i', (replicas, expected) => expect(canaryMaxUnavailable(replicas)).toBe(expected));

  it("takes a basic canary's own maxUnavailable, and Argo's fencepost when both are zero", () => {
    expect(canaryMaxUnavailable(10, { maxUnavailable: 3 })).toBe(3);
    expect(canaryMaxUnavailable(10, { maxUnavailable: '50%' })).toBe(5);
    expect(canaryMaxUnavailable(10, { maxUnavailable: 20 })).toBe(10);
    expect(canaryMaxUnavailable(10, { maxSurge: 0, maxUnavailable: '5%' })).toBe(1);
  });

  it('lets as many pods go at once in a restart round', () => {
    const pods = Array.from({ length: 10 }, (_, i) => ({
      name: `p${i}`,
      createdAt: Date.parse(AT) - 1000,
      available: true,
      terminating: false,
    }));
    const plan = planRestart({ restartAt: AT, replicas: 10, totalReplicas: 10, maxUnavailable: 4, pods });
    expect(plan.budget).toBe(4);
  });
});

describe('planRestart', () => {
  it('restarts one pod at a time while every pod is needed, and only pods created before restartAt', () => {
    const plan = planRestart({
      restartAt: AT,
      replicas: 3,
      totalReplicas: 3,
      pods: [pod('a', at - 10), pod('b', at), pod('c', at + 10)],
    });
    // b was created at restartAt exactly: Argo leaves it (After or Equal).
    expect(plan).toEqual({ needsRestart: 1, candidates: ['a'], budget: 1 });
  });

  it('waits while a pod is unavailable or terminating, still counting the terminating one', () => {
    const plan = planRestart({
      restartAt: AT,
      replicas: 3,
      totalReplicas: 3,
      pods: [pod('a', at - 10, { terminating: true, available: false }), pod('b', at - 5), pod('c', at + 10)],
    });
    expect(plan).toEqual({ needsRestart: 2, candidates: ['b'], budget: 0 });
  });

  it('with 8 replicas restarts two at a time (maxUnavailable 25 %)', () => {
    const pods = Array.from({ length: 8 }, (_, i) => pod(`p${i}`, at - 100 + i));
    expect(planRestart({ restartAt: AT, replicas: 8, totalReplicas: 8, pods }).budget).toBe(2);
  });

  it("keeps the larger of replicas and the ReplicaSets' total (a canary mid-step)", () => {
    const pods = Array.from({ length: 5 }, (_, i) => pod(`p${i}`, at - 100 + i));
    expect(planRestart({ restartAt: AT, replicas: 4, totalReplicas: 5, pods }).budget).toBe(1);
  });
});
