// The pod simulator's pure parts (lab/pods): what it creates, deletes, marks ready and writes as the
// ReplicaSet's status from one list of ReplicaSets and one of pods; label selectors; the pod it makes from
// a template and the status it reports for it.
import { describe, expect, it } from '@jest/globals';
import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { planPod } from '../../lab/pods/convert.js';
import { LAB_NODE_IP, podFromReplicaSet, podIP, runningStatus } from '../../lab/pods/objects.js';
import {
  planPods,
  statusAfter,
  type PlanInput,
  type PlanPod,
  type PlanReplicaSet,
} from '../../lab/pods/plan.js';
import { hasLabels, selectorMatches } from '../../lab/pods/selector.js';

const NOW = 1_000_000;
const NODE = 'lab-node';
const LABELS = { app: 'web', 'rollouts-pod-template-hash': 'abc' };

function rs(extra: Partial<PlanReplicaSet> = {}): PlanReplicaSet {
  return {
    namespace: 'ns',
    name: 'web-abc',
    uid: 'rs-1',
    replicas: 2,
    generation: 1,
    minReadySeconds: 0,
    selector: { matchLabels: LABELS },
    templateLabels: LABELS,
    status: {
      replicas: 0,
      fullyLabeledReplicas: 0,
      readyReplicas: 0,
      availableReplicas: 0,
      observedGeneration: 0,
    },
    deleting: false,
    startupDelayMs: 1000,
    ...extra,
  };
}

let n = 0;
function pod(extra: Partial<PlanPod> = {}): PlanPod {
  n++;
  return {
    namespace: 'ns',
    name: `web-abc-${n}`,
    uid: `pod-${n}`,
    labels: LABELS,
    controllerUid: 'rs-1',
    nodeName: NODE,
    createdAt: NOW - 5000,
    terminating: false,
    awaitingKubelet: false,
    finished: false,
    readySince: NOW - 4000,
    ...extra,
  };
}

const plan = (input: Partial<PlanInput>) =>
  planPods({ replicaSets: [], pods: [], now: NOW, nodeName: NODE, listedAll: true, ...input });

const settled = (replicas: number, generation = 1) => ({
  replicas,
  fullyLabeledReplicas: replicas,
  readyReplicas: replicas,
  availableReplicas: replicas,
  observedGeneration: generation,
});

describe('planPods, per ReplicaSet', () => {
  it('creates the missing pods and counts them (not ready) in the status', () => {
    const p = plan({ replicaSets: [rs()] });
    expect(p.replicaSets).toHaveLength(1);
    expect(p.replicaSets[0]).toMatchObject({
      create: 2,
      delete: [],
      markReady: [],
      counts: {
        replicas: 2,
        fullyLabeledReplicas: 2,
        readyReplicas: 0,
        availableReplicas: 0,
        observedGeneration: 1,
      },
    });
    expect(p.nextDueIn).toBe(Infinity); // nothing listed is waiting yet: the new pods are seen next pass
  });

  it('marks a pod ready once its start-up delay has passed, not before, and says when the next is due', () => {
    const due = pod({ createdAt: NOW - 1000, readySince: undefined });
    const waiting = pod({ createdAt: NOW - 300, readySince: undefined });
    const p = plan({ replicaSets: [rs()], pods: [due, waiting] });
    expect(p.replicaSets[0]?.markReady).toEqual([due]);
    expect(p.replicaSets[0]?.counts).toMatchObject({ replicas: 2, readyReplicas: 1, availableReplicas: 1 });
    expect(p.nextDueIn).toBe(700);
  });

  it('holds pods back for ever with an Infinity delay', () => {
    const held = pod({ createdAt: 0, readySince: undefined });
    const p = plan({ replicaSets: [rs({ replicas: 1, startupDelayMs: Infinity })], pods: [held] });
    expect(p.replicaSets[0]?.markReady).toEqual([]);
    expect(p.replicaSets[0]?.counts).toMatchObject({ replicas: 1, readyReplicas: 0 });
    expect(p.nextDueIn).toBe(Infinity);
  });

  it('counts a pod available minReadySeconds after it became ready', () => {
    const fresh = pod({ readySince: NOW - 400 });
    const old = pod({ readySince: NOW - 5000 });
    const p = plan({ replicaSets: [rs({ minReadySeconds: 1 })], pods: [fresh, old] });
    expect(p.replicaSets[0]?.counts).toMatchObject({ readyReplicas: 2, availableReplicas: 1 });
    expect(p.nextDueIn).toBe(600);
  });

  it('does nothing (no plan) when the pods and the status already agree', () => {
    const p = plan({ replicaSets: [rs({ status: settled(2) })], pods: [pod(), pod()] });
    expect(p).toEqual({ replicaSets: [], finalize: [], orphans: [], nextDueIn: Infinity });
  });

  it('writes the status again for a new generation whose pods are already up', () => {
    const p = plan({ replicaSets: [rs({ generation: 2, status: settled(2) })], pods: [pod(), pod()] });
    expect(p.replicaSets[0]).toMatchObject({ create: 0, delete: [], markReady: [], counts: settled(2, 2) });
  });

  it('scales down: not ready pods first, then the newest', () => {
    const oldReady = pod({ createdAt: NOW - 9000 });
    const newReady = pod({ createdAt: NOW - 3000 });
    const notReady = pod({ createdAt: NOW - 9500, readySince: undefined });
    const p = plan({ replicaSets: [rs({ replicas: 1 })], pods: [oldReady, newReady, notReady] });
    expect(p.replicaSets[0]?.delete).toEqual([notReady, newReady]);
    expect(p.replicaSets[0]?.counts).toMatchObject({ replicas: 1, readyReplicas: 1 });
    expect(plan({ replicaSets: [rs({ replicas: 0 })], pods: [oldReady] }).replicaSets[0]?.delete).toEqual([
      oldReady,
    ]);
  });

  it('replaces a terminating (evicted) pod, and finishes its deletion as the kubelet', () => {
    const evicted = pod({ terminating: true, awaitingKubelet: true });
    const p = plan({ replicaSets: [rs({ replicas: 2, status: settled(2) })], pods: [pod(), evicted] });
    expect(p.replicaSets[0]).toMatchObject({ create: 1, counts: { replicas: 2, readyReplicas: 1 } });
    expect(p.finalize).toEqual([evicted]);
  });

  it('finishes deletions only on its node, and only while the API server waits for the kubelet', () => {
    const elsewhere = pod({ terminating: true, awaitingKubelet: true, nodeName: 'node-2' });
    const finalizing = pod({ terminating: true, awaitingKubelet: false }); // grace 0: a finalizer holds it
    expect(plan({ pods: [elsewhere, finalizing] }).finalize).toEqual([]);
  });

  it('does not count a finished pod, nor one that no longer matches the selector, nor one it does not control', () => {
    const p = plan({
      replicaSets: [rs({ replicas: 1 })],
      pods: [
        pod({ finished: true }),
        pod({ labels: { app: 'other' } }),
        pod({ controllerUid: undefined }),
        pod({ controllerUid: 'rs-2' }),
        pod({ namespace: 'elsewhere' }),
      ],
      listedAll: false,
    });
    expect(p.replicaSets[0]?.create).toBe(1);
    expect(p.orphans).toEqual([]);
  });

  it('keeps a pod relabelled away from the template (ephemeral metadata): fully labelled counts it out', () => {
    const relabelled = pod({ labels: { ...LABELS, role: 'canary' } });
    const plain = pod();
    const p = plan({
      replicaSets: [rs({ templateLabels: { ...LABELS, role: 'stable' }, status: settled(2) })],
      pods: [relabelled, plain],
    });
    expect(p.replicaSets[0]).toMatchObject({
      create: 0,
      delete: [],
      counts: { replicas: 2, fullyLabeledReplicas: 0, readyReplicas: 2 },
    });
  });

  it('leaves a ReplicaSet that is being deleted alone', () => {
    expect(plan({ replicaSets: [rs({ deleting: true })], pods: [pod()] }).replicaSets).toEqual([]);
  });
});

describe('planPods, orphans', () => {
  it('deletes the pods of a ReplicaSet that is gone, when every ReplicaSet was listed', () => {
    const orphan = pod({ controllerUid: 'rs-gone' });
    const going = pod({ controllerUid: 'rs-gone', terminating: true });
    const stray = pod({ controllerUid: undefined });
    expect(plan({ pods: [orphan, going, stray] }).orphans).toEqual([orphan]);
  });

  it('with only some ReplicaSets listed, only those of owners known to be gone', () => {
    const orphan = pod({ controllerUid: 'rs-gone' });
    const unlisted = pod({ controllerUid: 'rs-unlisted' });
    expect(
      plan({ pods: [orphan, unlisted], listedAll: false, goneOwners: new Set(['rs-gone']) }).orphans,
    ).toEqual([orphan]);
  });
});

describe('statusAfter', () => {
  it('is the planned status, or nothing when that is the one listed', () => {
    const [step] = plan({ replicaSets: [rs()] }).replicaSets;
    expect(statusAfter(step!)).toEqual(step?.counts);
    const [same] = plan({
      replicaSets: [rs({ generation: 2, status: settled(2) })],
      pods: [pod(), pod()],
    }).replicaSets;
    expect(statusAfter({ ...same!, replicaSet: rs({ status: settled(2, 2) }) })).toBeUndefined();
  });

  it('leaves out pods that were not created or not marked ready', () => {
    const [step] = plan({
      replicaSets: [rs({ replicas: 3 })],
      pods: [pod({ readySince: undefined }), pod({ readySince: undefined })],
    }).replicaSets;
    expect(step?.counts).toMatchObject({ replicas: 3, readyReplicas: 2, availableReplicas: 2 });
    expect(statusAfter(step!, { notCreated: 1, notReady: 1 })).toEqual({
      replicas: 2,
      fullyLabeledReplicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
      observedGeneration: 1,
    });
  });
});

describe('label selectors', () => {
  it('matchLabels and every matchExpressions operator', () => {
    const labels = { app: 'web', tier: 'front' };
    expect(selectorMatches({ matchLabels: { app: 'web' } }, labels)).toBe(true);
    expect(selectorMatches({ matchLabels: { app: 'api' } }, labels)).toBe(false);
    expect(selectorMatches({}, labels)).toBe(true);
    expect(selectorMatches(undefined, labels)).toBe(false);
    const expr = (operator: string, values?: string[]) =>
      selectorMatches(
        { matchExpressions: [{ key: 'tier', operator, ...(values ? { values } : {}) }] },
        labels,
      );
    expect(expr('In', ['front', 'back'])).toBe(true);
    expect(expr('In', ['back'])).toBe(false);
    expect(expr('NotIn', ['back'])).toBe(true);
    expect(expr('NotIn', ['front'])).toBe(false);
    expect(expr('Exists')).toBe(true);
    expect(expr('DoesNotExist')).toBe(false);
    expect(expr('Gt', ['1'])).toBe(false);
    expect(hasLabels(labels, { app: 'web' })).toBe(true);
    expect(hasLabels(labels, { app: 'web', role: 'canary' })).toBe(false);
  });
});

describe('the objects', () => {
  const replicaSet: V1ReplicaSet = {
    metadata: { name: 'web-abc', namespace: 'ns', uid: 'rs-1' },
    spec: {
      replicas: 1,
      selector: { matchLabels: LABELS },
      template: {
        metadata: { labels: LABELS, annotations: { note: 'kept' } },
        spec: {
          initContainers: [{ name: 'init', image: 'busybox:1' }],
          containers: [{ name: 'web', image: 'argoproj/rollouts-demo:blue' }],
        },
      },
    },
  };

  it('a pod from the template, named by generateName, controlled by the ReplicaSet, on the node', () => {
    expect(podFromReplicaSet(replicaSet, NODE)).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: 'web-abc-',
        namespace: 'ns',
        labels: LABELS,
        annotations: { note: 'kept' },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: 'web-abc',
            uid: 'rs-1',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { ...replicaSet.spec?.template?.spec, nodeName: NODE },
    });
  });

  it('the running status: every condition True, each container running and ready', () => {
    const now = new Date(NOW);
    const made = podFromReplicaSet(replicaSet, NODE);
    const created: V1Pod = {
      ...made,
      metadata: { ...made.metadata, name: 'web-abc-x2b4z', uid: 'pod-1' },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    };
    const status = runningStatus(created, now, podIP(0));
    expect(status).toMatchObject({
      phase: 'Running',
      qosClass: 'BestEffort',
      podIP: '10.244.0.1',
      podIPs: [{ ip: '10.244.0.1' }],
      hostIP: LAB_NODE_IP,
      startTime: now,
    });
    expect(status.conditions?.map((c) => [c.type, c.status])).toEqual(
      expect.arrayContaining([
        ['PodScheduled', 'True'],
        ['Initialized', 'True'],
        ['ContainersReady', 'True'],
        ['Ready', 'True'],
      ]),
    );
    expect(status.containerStatuses).toEqual([
      expect.objectContaining({
        name: 'web',
        image: 'argoproj/rollouts-demo:blue',
        ready: true,
        started: true,
        state: { running: { startedAt: now } },
      }),
    ]);
    expect(status.initContainerStatuses?.[0]?.state?.terminated).toMatchObject({
      exitCode: 0,
      reason: 'Completed',
    });
    expect(podIP(253)).toBe('10.244.0.254');
    expect(podIP(254)).toBe('10.244.1.1');

    // Read back, it is a ready pod of the ReplicaSet.
    const planned = planPod({ ...created, status });
    expect(planned).toMatchObject({
      controllerUid: 'rs-1',
      nodeName: NODE,
      readySince: NOW,
      terminating: false,
    });
  });
});
