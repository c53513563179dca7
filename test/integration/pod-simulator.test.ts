// The pod simulator on a real kube-apiserver, in place of the ReplicaSet controller, the kubelets and the
// garbage collector: it makes each ReplicaSet's pods from its template (labels, owner, the fake node), marks
// them Running and Ready after the start-up delay and writes the ReplicaSet's status from them; it scales
// up and down, replaces a pod deleted or evicted by someone else, deletes the pods of a deleted ReplicaSet,
// leaves relabelled and foreign pods alone, looks only where it is asked to, writes nothing once things
// are settled or it is stopped, and carries on through an API server outage. `pods: false`: status only.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CoreV1Api, type KubernetesObjectApi, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import { LAB_NODE_NAME, PodSimulator, type PodSimulatorOptions } from '../../lab/pod-simulator.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { waitUntil } from '../support/temporal-env.js';

let cp: ControlPlane;
let api: KubernetesObjectApi;
let core: CoreV1Api;
let sim: PodSimulator | undefined;

beforeAll(async () => {
  cp = await ControlPlane.start('pod-simulator');
  api = cp.objectApi();
  core = cp.kubeConfig().makeApiClient(CoreV1Api);
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  await cp?.stop();
}, 60_000);

afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

function simulator(options: Omit<PodSimulatorOptions, 'kubeConfig'>): PodSimulator {
  sim = new PodSimulator({ kubeConfig: cp.kubeconfigPath, pollMs: 50, ...options });
  sim.start();
  return sim;
}

let counter = 0;

/** A namespace of its own for each test, so that one test's ReplicaSets are not the next one's. */
async function namespace(): Promise<string> {
  const name = `sim-${++counter}`;
  await cp.applyObjects({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

async function createReplicaSet(
  namespace: string,
  replicas: number,
  { image = 'nginx:1', labels = {} }: { image?: string; labels?: Record<string, string> } = {},
): Promise<string> {
  const name = `rs-${++counter}`;
  const podLabels = { app: name, 'rollouts-pod-template-hash': `h${counter}` };
  await api.create<V1ReplicaSet>({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: podLabels },
      template: {
        metadata: { labels: podLabels, annotations: { 'example.com/note': 'from the template' } },
        spec: { containers: [{ name: 'app', image }] },
      },
    },
  });
  return name;
}

function read(namespace: string, name: string): Promise<V1ReplicaSet> {
  return api.read<V1ReplicaSet>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace } });
}

async function patchSpec(namespace: string, name: string, spec: Record<string, unknown>): Promise<void> {
  const rs = await read(namespace, name);
  await api.replace<V1ReplicaSet>({ ...rs, spec: { ...rs.spec, ...spec } as V1ReplicaSet['spec'] });
}

/** The pods the ReplicaSet controls (by ownerReference), terminating ones too unless `live`. */
async function podsOf(namespace: string, name: string, live = true): Promise<V1Pod[]> {
  const pods = (await core.listNamespacedPod({ namespace })).items.filter((p) =>
    p.metadata?.ownerReferences?.some((o) => o.controller && o.name === name),
  );
  return live ? pods.filter((p) => !p.metadata?.deletionTimestamp) : pods;
}

const isReady = (pod: V1Pod) =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const available = (rs: V1ReplicaSet) => rs.status?.availableReplicas ?? 0;

function availableAt(
  namespace: string,
  name: string,
  replicas: number,
  timeoutMs = 10_000,
): Promise<V1ReplicaSet> {
  return waitUntil(
    () => read(namespace, name),
    (rs) =>
      available(rs) === replicas &&
      (rs.status?.replicas ?? 0) === replicas &&
      (rs.status?.observedGeneration ?? 0) === rs.metadata?.generation &&
      rs.spec?.replicas === replicas,
    `${namespace}/${name} available at ${replicas}`,
    timeoutMs,
  );
}

function podsAt(namespace: string, name: string, count: number, ready: boolean): Promise<V1Pod[]> {
  return waitUntil(
    () => podsOf(namespace, name, false),
    (pods) =>
      pods.length === count && pods.every((p) => isReady(p) === ready && !p.metadata?.deletionTimestamp),
    `${count} pods of ${namespace}/${name}, ${ready ? '' : 'not '}ready`,
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pod simulator: pods', () => {
  it('creates the pods from the template at once and marks them ready after the start-up delay, not before', async () => {
    const ns = await namespace();
    const name = await createReplicaSet(ns, 2, { image: 'argoproj/rollouts-demo:blue' });
    const rs = await read(ns, name);
    const started = Date.now();
    simulator({ namespaces: [ns], startupDelayMs: 700 });

    const pending = await podsAt(ns, name, 2, false);
    expect(Date.now() - started).toBeLessThan(700);
    for (const pod of pending) {
      expect(pod.metadata?.name).toMatch(new RegExp(`^${name}-[a-z0-9]{5}$`));
      expect(pod.metadata?.labels).toEqual(rs.spec?.template?.metadata?.labels);
      expect(pod.metadata?.labels?.['rollouts-pod-template-hash']).toBeDefined();
      expect(pod.metadata?.annotations).toEqual({ 'example.com/note': 'from the template' });
      expect(pod.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name,
          uid: rs.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
      expect(pod.spec?.nodeName).toBe(LAB_NODE_NAME);
      expect(pod.spec?.containers).toEqual([
        expect.objectContaining({ name: 'app', image: 'argoproj/rollouts-demo:blue' }),
      ]);
      expect(pod.status?.phase).toBe('Pending');
    }
    // Meanwhile the status counts them, none ready.
    const counting = await waitUntil(
      () => read(ns, name),
      (r) => r.status?.replicas === 2,
      'status.replicas 2',
    );
    expect(counting.status?.readyReplicas ?? 0).toBe(0);
    await pause(Math.max(0, 350 - (Date.now() - started)));
    expect(available(await read(ns, name))).toBe(0);

    const done = await availableAt(ns, name, 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(done.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      fullyLabeledReplicas: 2,
      observedGeneration: done.metadata?.generation,
    });
    expect(done.spec?.replicas).toBe(2); // status went through the status subresource
    const ready = await podsOf(ns, name);
    expect(ready.map((p) => p.metadata?.uid).sort()).toEqual(pending.map((p) => p.metadata?.uid).sort());
    for (const pod of ready) {
      expect(pod.status).toMatchObject({
        phase: 'Running',
        hostIP: expect.stringMatching(/^10\./),
        podIP: expect.stringMatching(/^10\./),
        startTime: expect.any(Date),
      });
      for (const type of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'])
        expect(pod.status?.conditions).toContainEqual(
          expect.objectContaining({ type, status: 'True', lastTransitionTime: expect.any(Date) }),
        );
      expect(pod.status?.containerStatuses).toEqual([
        expect.objectContaining({
          name: 'app',
          image: 'argoproj/rollouts-demo:blue',
          ready: true,
          started: true,
          state: { running: { startedAt: expect.any(Date) } },
        }),
      ]);
    }
    expect(new Set(ready.map((p) => p.status?.podIP)).size).toBe(2);
    expect(sim?.updates).toEqual([`${ns}/${name}=0`, `${ns}/${name}=2`]);
    expect(sim?.podWrites.filter((w) => w.startsWith('create'))).toHaveLength(2);
    expect(sim?.podWrites.filter((w) => w.startsWith('ready'))).toHaveLength(2);
  });

  it('scales up (only the new pods wait), a new generation at the same count is at once, scales down', async () => {
    const ns = await namespace();
    const name = await createReplicaSet(ns, 1);
    simulator({ namespaces: [ns], startupDelayMs: 500 });
    await availableAt(ns, name, 1);
    const [first] = await podsOf(ns, name);

    await patchSpec(ns, name, { replicas: 3 });
    const scaled = Date.now();
    await pause(250);
    expect(available(await read(ns, name))).toBe(1);
    const scaling = await podsOf(ns, name);
    expect(scaling).toHaveLength(3); // made at once; the two new ones not ready yet
    expect(scaling.filter(isReady)).toHaveLength(1);
    await availableAt(ns, name, 3);
    expect(Date.now() - scaled).toBeGreaterThanOrEqual(500);
    expect((await podsOf(ns, name)).map((p) => p.metadata?.uid)).toContain(first?.metadata?.uid);

    // A template change at the same count (generation 3): the pods stay, as a ReplicaSet's do.
    const rs = await read(ns, name);
    const template = rs.spec!.template!;
    await patchSpec(ns, name, {
      template: { ...template, metadata: { ...template.metadata, annotations: { changed: 'yes' } } },
    });
    const changed = Date.now();
    const regenerated = await availableAt(ns, name, 3);
    expect(regenerated.metadata?.generation).toBe(3);
    expect(Date.now() - changed).toBeLessThan(500);
    const three = await podsOf(ns, name);
    expect(three).toHaveLength(3);
    expect(three.every((p) => p.metadata?.annotations?.changed === undefined)).toBe(true);

    await patchSpec(ns, name, { replicas: 1 });
    await availableAt(ns, name, 1);
    const left = await podsAt(ns, name, 1, true);
    expect(three.map((p) => p.metadata?.uid)).toContain(left[0]?.metadata?.uid);
    await patchSpec(ns, name, { replicas: 0 });
    await availableAt(ns, name, 0);
    expect(await podsOf(ns, name, false)).toEqual([]);
  });

  it('replaces a pod deleted or evicted by someone else; the new one waits the delay again', async () => {
    const ns = await namespace();
    const name = await createReplicaSet(ns, 2);
    simulator({ namespaces: [ns], startupDelayMs: 1000 });
    await availableAt(ns, name, 2, 15_000);
    const before = await podsOf(ns, name);

    // A plain delete: the pod is bound to a node, so the API server waits for that node's kubelet.
    const victim = before[0]!.metadata!.name!;
    await core.deleteNamespacedPod({ name: victim, namespace: ns });
    const replaced = await waitUntil(
      () => podsOf(ns, name),
      (pods) => pods.length === 2 && !pods.some((p) => p.metadata?.name === victim),
      'a replacement',
    );
    const fresh = replaced.find((p) => !before.some((b) => b.metadata?.uid === p.metadata?.uid))!;
    expect(isReady(fresh)).toBe(false);
    expect(available(await read(ns, name))).toBeLessThan(2);
    await availableAt(ns, name, 2, 15_000);
    // The deleted one is gone altogether (its deletion finished), not left terminating.
    expect((await podsOf(ns, name, false)).map((p) => p.metadata?.name)).not.toContain(victim);

    // An eviction (what spec.restartAt does): the same.
    const evicted = before[1]!.metadata!.name!;
    await core.createNamespacedPodEviction({
      name: evicted,
      namespace: ns,
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: evicted, namespace: ns } },
    });
    await waitUntil(
      () => podsOf(ns, name, false),
      (pods) => pods.length === 2 && !pods.some((p) => p.metadata?.name === evicted),
      'the evicted pod replaced and gone',
    );
    await availableAt(ns, name, 2, 15_000);
  }, 60_000);

  it('deletes the pods of a deleted ReplicaSet, and none of another', async () => {
    const ns = await namespace();
    const doomed = await createReplicaSet(ns, 2);
    const kept = await createReplicaSet(ns, 1);
    simulator({ namespaces: [ns], startupDelayMs: 0 });
    await availableAt(ns, doomed, 2);
    await availableAt(ns, kept, 1);
    const keptPods = await podsOf(ns, kept);

    await api.delete({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: doomed, namespace: ns },
    });
    await waitUntil(
      () => podsOf(ns, doomed, false),
      (pods) => pods.length === 0,
      'the pods of the deleted ReplicaSet gone',
    );
    expect((await podsOf(ns, kept)).map((p) => p.metadata?.uid)).toEqual(
      keptPods.map((p) => p.metadata?.uid),
    );
  });

  it('with a label selector: deletes the pods of a deleted ReplicaSet it saw, leaves ReplicaSets it does not see', async () => {
    const ns = await namespace();
    const mine = await createReplicaSet(ns, 1, { labels: { simulated: 'yes' } });
    const other = await createReplicaSet(ns, 1);
    simulator({ namespaces: [ns], labelSelector: 'simulated=yes', startupDelayMs: 0 });
    await availableAt(ns, mine, 1);
    await pause(300);
    expect(await podsOf(ns, other, false)).toEqual([]);
    await api.delete({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: mine, namespace: ns } });
    await waitUntil(
      () => podsOf(ns, mine, false),
      (pods) => pods.length === 0,
      'the pods of the deleted ReplicaSet gone',
    );
  });

  it('leaves a relabelled pod as it is (no new one), takes a hand-made pod it controls, ignores one it does not', async () => {
    const ns = await namespace();
    const name = await createReplicaSet(ns, 2);
    const rs = await read(ns, name);
    const labels = rs.spec!.template!.metadata!.labels!;
    // Made by hand before the simulator runs: one controlled by the ReplicaSet (as pod-restart.test.ts and
    // pod-metadata.test.ts make them), one with the same labels and no owner.
    const owned = await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: {
          name: `${name}-byhand`,
          labels,
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid: rs.metadata!.uid!, controller: true },
          ],
        },
        spec: { containers: [{ name: 'app', image: 'nginx:1' }] },
      },
    });
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'stray', labels },
        spec: { containers: [{ name: 'app', image: 'nginx:1' }] },
      },
    });
    simulator({ namespaces: [ns], startupDelayMs: 0 });
    await availableAt(ns, name, 2);
    const pods = await podsOf(ns, name);
    expect(pods.map((p) => p.metadata?.name)).toContain(owned.metadata?.name); // counted, and made ready
    expect(pods.every(isReady)).toBe(true);
    const stray = await core.readNamespacedPod({ name: 'stray', namespace: ns });
    expect(isReady(stray)).toBe(false);
    expect(stray.metadata?.ownerReferences).toBeUndefined();

    // Ephemeral metadata: the template and a pod relabelled (beyond the selector's labels).
    const template = rs.spec!.template!;
    await patchSpec(ns, name, {
      template: { ...template, metadata: { ...template.metadata, labels: { ...labels, role: 'stable' } } },
    });
    const pod = await core.readNamespacedPod({ name: pods[0]!.metadata!.name!, namespace: ns });
    await core.replaceNamespacedPod({
      name: pod.metadata!.name!,
      namespace: ns,
      body: { ...pod, metadata: { ...pod.metadata, labels: { ...labels, role: 'canary' } } },
    });
    const relabelled = await waitUntil(
      () => read(ns, name),
      (r) =>
        r.status?.observedGeneration === r.metadata?.generation &&
        (r.status?.fullyLabeledReplicas ?? 0) === 0,
      'the status of the new generation',
    );
    expect(relabelled.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
    await pause(300);
    const after = await podsOf(ns, name, false);
    expect(after.map((p) => p.metadata?.uid).sort()).toEqual(pods.map((p) => p.metadata?.uid).sort());
    expect(after.find((p) => p.metadata?.name === pod.metadata?.name)?.metadata?.labels?.role).toBe('canary');
  });

  it('counts availability from minReadySeconds after the pods are ready', async () => {
    const ns = await namespace();
    const name = await createReplicaSet(ns, 1);
    await patchSpec(ns, name, { minReadySeconds: 2 });
    simulator({ namespaces: [ns], startupDelayMs: 0 });
    const ready = await waitUntil(
      () => read(ns, name),
      (r) => r.status?.readyReplicas === 1,
      'ready',
    );
    expect(ready.status?.availableReplicas ?? 0).toBe(0);
    await availableAt(ns, name, 1);
  });
});

describe('pod simulator: where, when and how often', () => {
  it('looks only at the namespaces it is given, and holds back pods the delay function says to', async () => {
    const [a, b] = [await namespace(), await namespace()];
    const other = await createReplicaSet(b, 1);
    const held = await createReplicaSet(a, 2);
    const free = await createReplicaSet(a, 1);
    simulator({
      namespaces: [a],
      startupDelayMs: (rs) => (rs.name === held ? Infinity : 0),
    });
    await availableAt(a, free, 1);
    await podsAt(a, held, 2, false);
    await pause(300);
    expect(available(await read(a, held))).toBe(0);
    expect((await read(a, held)).status).toMatchObject({ replicas: 2 });
    expect((await podsOf(a, held)).every((p) => !isReady(p) && p.status?.phase === 'Pending')).toBe(true);
    expect(available(await read(b, other))).toBe(0);
    expect(await podsOf(b, other, false)).toEqual([]);
  });

  it('with no namespaces, looks at all of them', async () => {
    const [a, b] = [await namespace(), await namespace()];
    const x = await createReplicaSet(a, 1);
    const y = await createReplicaSet(b, 1);
    simulator({ startupDelayMs: 0 });
    await availableAt(a, x, 1);
    await availableAt(b, y, 1);
  });

  it('polls at its interval (no busy loop), writes nothing once settled, nor once stopped', async () => {
    const ns = await namespace();
    const name = await createReplicaSet(ns, 2);
    const s = simulator({ namespaces: [ns], startupDelayMs: 0, pollMs: 100 });
    await availableAt(ns, name, 2);
    await pause(200);
    const passes = s.passes;
    const writes = [...s.podWrites, ...s.updates].length;
    await pause(1000);
    // About 10 passes in a second at 100 ms; a busy loop would make hundreds.
    expect(s.passes - passes).toBeGreaterThanOrEqual(5);
    expect(s.passes - passes).toBeLessThanOrEqual(12);
    expect([...s.podWrites, ...s.updates]).toHaveLength(writes);

    await s.stop();
    const stoppedAt = s.passes;
    await patchSpec(ns, name, { replicas: 3 });
    await pause(400);
    expect(s.passes).toBe(stoppedAt);
    expect(await podsOf(ns, name)).toHaveLength(2);
    expect(available(await read(ns, name))).toBe(2);

    s.start(); // and again
    await availableAt(ns, name, 3);
  });

  it('carries on through an API server outage', async () => {
    const ns = await namespace();
    const errors: unknown[] = [];
    const s = simulator({ namespaces: [ns], startupDelayMs: 0, onError: (e) => errors.push(e) });
    await cp.stopApiserver();
    await waitUntil(
      () => Promise.resolve(errors.length),
      (n) => n > 0,
      'a failed pass',
    );
    await cp.startApiserver();
    const name = await createReplicaSet(ns, 2);
    await availableAt(ns, name, 2);
    expect(s.updates).toContain(`${ns}/${name}=2`);
    expect(await podsOf(ns, name)).toHaveLength(2);
  }, 60_000);
});

describe('pod simulator: pods: false (status only)', () => {
  it('writes the status after the delay, again for a new count, and makes no pods', async () => {
    const ns = await namespace();
    const name = await createReplicaSet(ns, 2);
    const started = Date.now();
    simulator({ namespaces: [ns], startupDelayMs: 500, pods: false });
    await pause(250);
    expect(available(await read(ns, name))).toBe(0);
    await availableAt(ns, name, 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    await patchSpec(ns, name, { replicas: 3 });
    await availableAt(ns, name, 3);
    expect(await podsOf(ns, name, false)).toEqual([]);
    expect(sim?.updates).toEqual([`${ns}/${name}=2`, `${ns}/${name}=3`]);
    expect(sim?.podWrites).toEqual([]);
  });
});
