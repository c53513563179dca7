// The ReplicaSet status the pod simulator writes, against what Kubernetes' ReplicaSet controller writes
// (calculateStatus): status.replicas counts the pods that exist and are not terminating, readyReplicas
// the ready ones, availableReplicas those ready for minReadySeconds. Argo's Rollout status sums these
// (rollout/sync.go calculateBaseStatus), so the lab shows what a cluster would.
import { describe, expect, it } from '@jest/globals';
import type { V1ReplicaSet } from '@kubernetes/client-node';
import { planPods, type PlanPod, type PlanReplicaSet, type ReplicaSetCounts } from '../../lab/pods/plan.js';
import { StatusOnlySimulation } from '../../lab/pods/status-only.js';

const NOW = 5_000_000;
const LABELS = { app: 'web', 'rollouts-pod-template-hash': 'abc' };

const replicaSet = (extra: Partial<PlanReplicaSet>): PlanReplicaSet => ({
  namespace: 'ns',
  name: 'web-abc',
  uid: 'rs-1',
  replicas: 3,
  generation: 2,
  minReadySeconds: 0,
  selector: { matchLabels: LABELS },
  templateLabels: LABELS,
  status: {
    replicas: 0,
    fullyLabeledReplicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    observedGeneration: 1,
  },
  deleting: false,
  startupDelayMs: 1000,
  ...extra,
});

let n = 0;
const pod = (extra: Partial<PlanPod>): PlanPod => ({
  namespace: 'ns',
  name: `web-abc-${++n}`,
  uid: `pod-${n}`,
  labels: LABELS,
  controllerUid: 'rs-1',
  nodeName: 'lab-node',
  createdAt: NOW - 60_000,
  terminating: false,
  awaitingKubelet: false,
  finished: false,
  ...extra,
});

const countsOf = (rs: PlanReplicaSet, pods: PlanPod[]) =>
  planPods({ replicaSets: [rs], pods, now: NOW, nodeName: 'lab-node', listedAll: true }).replicaSets[0]
    ?.counts;

describe('pods: the status of a ReplicaSet as its controller counts it', () => {
  it('minReadySeconds: a pod ready for less is ready, not available', () => {
    const pods = [
      pod({ readySince: NOW - 20_000 }),
      pod({ readySince: NOW - 5_000 }),
      pod({ createdAt: NOW - 500 }), // starting: exists, not ready
    ];
    expect(countsOf(replicaSet({ minReadySeconds: 10 }), pods)).toMatchObject({
      replicas: 3,
      readyReplicas: 2,
      availableReplicas: 1,
    });
  });

  it('a scale-down: the surplus (unready first) goes at once; terminating pods count for nothing', () => {
    const pods = [
      pod({ readySince: NOW - 20_000 }),
      pod({ readySince: NOW - 20_000 }),
      pod({ createdAt: NOW - 500 }),
      pod({ readySince: NOW - 20_000, terminating: true }),
    ];
    expect(countsOf(replicaSet({ replicas: 2 }), pods)).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
  });
});

describe('pods: false: the same counts without Pod objects', () => {
  const rsObject = (replicas: number, minReadySeconds: number, status?: Partial<ReplicaSetCounts>) =>
    ({
      metadata: { namespace: 'ns', name: 'web-abc', uid: 'rs-1', generation: 2 },
      spec: { replicas, minReadySeconds },
      ...(status ? { status } : {}),
    }) as V1ReplicaSet;

  const simulation = () => {
    const writes: ReplicaSetCounts[] = [];
    const sim = new StatusOnlySimulation(
      () => 1000,
      (_rs, counts) => Promise.resolve(void writes.push(counts)),
    );
    return { sim, writes };
  };

  it('ready after the start-up delay, available minReadySeconds later', async () => {
    const { sim, writes } = simulation();
    let rs = rsObject(2, 3);
    expect(await sim.sync([rs], NOW, 250)).toBe(250); // the delay is 1000, polled every 250
    expect(writes).toEqual([]);
    expect(await sim.sync([rs], NOW + 1000, 250)).toBe(250);
    expect(writes.at(-1)).toEqual({
      replicas: 2,
      fullyLabeledReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 0,
      observedGeneration: 2,
    });
    rs = { ...rs, status: writes.at(-1) };
    await sim.sync([rs], NOW + 2000, 5000);
    expect(writes).toHaveLength(1); // nothing new to say: ready, not yet available
    expect(await sim.sync([rs], NOW + 3000, 5000)).toBe(1000);
    await sim.sync([rs], NOW + 4000, 5000);
    expect(writes.at(-1)).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(writes).toHaveLength(2);
  });

  it('without minReadySeconds: one write with all three, as before', async () => {
    const { sim, writes } = simulation();
    const rs = rsObject(2, 0);
    await sim.sync([rs], NOW, 250);
    await sim.sync([rs], NOW + 1000, 250);
    expect(writes).toEqual([
      { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 2 },
    ]);
  });

  it('a scale-down at once: the surplus is deleted, not waited for', async () => {
    const { sim, writes } = simulation();
    const rs = rsObject(1, 0, { replicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    await sim.sync([rs], NOW, 250);
    expect(writes).toEqual([
      { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 2 },
    ]);
  });
});
