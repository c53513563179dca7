// The pod simulator on a real kube-apiserver: it writes ReplicaSet status through the status subresource
// after the start-up delay, again for each new replica count, only where it is asked to look, not while
// stopped, and it carries on through an API server outage.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubernetesObjectApi, V1ReplicaSet } from '@kubernetes/client-node';
import { PodSimulator, type PodSimulatorOptions } from '../../lab/pod-simulator.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { waitUntil } from '../support/temporal-env.js';

let cp: ControlPlane;
let api: KubernetesObjectApi;
let sim: PodSimulator | undefined;

beforeAll(async () => {
  cp = await ControlPlane.start('pod-simulator');
  api = cp.objectApi();
  await cp.applyObjects(
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sim-a' } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sim-b' } },
  );
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

async function createReplicaSet(namespace: string, replicas: number, image = 'nginx:1'): Promise<string> {
  const name = `rs-${++counter}`;
  await api.create<V1ReplicaSet>({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image }] } },
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

const available = (rs: V1ReplicaSet) => rs.status?.availableReplicas ?? 0;

function availableAt(namespace: string, name: string, replicas: number): Promise<V1ReplicaSet> {
  return waitUntil(
    () => read(namespace, name),
    (rs) =>
      available(rs) === replicas &&
      (rs.status?.observedGeneration ?? 0) === rs.metadata?.generation &&
      rs.spec?.replicas === replicas,
    `${namespace}/${name} available at ${replicas}`,
    10_000,
  );
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('pod simulator', () => {
  it('marks a new ReplicaSet ready and available after the start-up delay, not before', async () => {
    const name = await createReplicaSet('sim-a', 2);
    const started = Date.now();
    simulator({ namespaces: ['sim-a'], startupDelayMs: 700 });

    await pause(350);
    expect(available(await read('sim-a', name))).toBe(0);

    const rs = await availableAt('sim-a', name, 2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
    expect(rs.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      fullyLabeledReplicas: 2,
      observedGeneration: rs.metadata?.generation,
    });
    // Status went through the status subresource: the spec is untouched.
    expect(rs.spec?.replicas).toBe(2);
    expect(sim?.updates).toEqual([`sim-a/${name}=2`]);
  });

  it('waits the delay again for a new replica count; a new generation at the same count is immediate', async () => {
    const name = await createReplicaSet('sim-a', 1);
    simulator({ namespaces: ['sim-a'], startupDelayMs: 500 });
    await availableAt('sim-a', name, 1);

    await patchSpec('sim-a', name, { replicas: 3 });
    const scaled = Date.now();
    await pause(250);
    expect(available(await read('sim-a', name))).toBe(1);
    await availableAt('sim-a', name, 3);
    expect(Date.now() - scaled).toBeGreaterThanOrEqual(500);

    // A spec change that keeps the count (generation 3): the pods are already up.
    await patchSpec('sim-a', name, { minReadySeconds: 1 });
    const changed = Date.now();
    const rs = await availableAt('sim-a', name, 3);
    expect(rs.metadata?.generation).toBe(3);
    expect(Date.now() - changed).toBeLessThan(500);
  });

  it('looks only at the namespaces it is given, and holds back pods the delay function says to', async () => {
    const other = await createReplicaSet('sim-b', 1);
    const held = await createReplicaSet('sim-a', 1);
    const free = await createReplicaSet('sim-a', 1);
    simulator({
      namespaces: ['sim-a'],
      startupDelayMs: (rs) => (rs.name === held ? Infinity : 0),
    });
    await availableAt('sim-a', free, 1);
    await pause(300);
    expect(available(await read('sim-a', held))).toBe(0);
    expect(available(await read('sim-b', other))).toBe(0);
  });

  it('with no namespaces, looks at all of them', async () => {
    const a = await createReplicaSet('sim-a', 1);
    const b = await createReplicaSet('sim-b', 1);
    simulator({ startupDelayMs: 0 });
    await availableAt('sim-a', a, 1);
    await availableAt('sim-b', b, 1);
  });

  it('polls at its interval (no busy loop) and writes nothing once stopped', async () => {
    const name = await createReplicaSet('sim-a', 1);
    const s = simulator({ namespaces: ['sim-a'], startupDelayMs: 0, pollMs: 100 });
    await availableAt('sim-a', name, 1);
    const passes = s.passes;
    await pause(1000);
    // About 10 passes in a second at 100 ms; a busy loop would make hundreds.
    expect(s.passes - passes).toBeGreaterThanOrEqual(5);
    expect(s.passes - passes).toBeLessThanOrEqual(12);

    await s.stop();
    const stoppedAt = s.passes;
    await patchSpec('sim-a', name, { replicas: 2 });
    await pause(400);
    expect(s.passes).toBe(stoppedAt);
    expect(available(await read('sim-a', name))).toBe(1);

    s.start(); // and again
    await availableAt('sim-a', name, 2);
  });

  it('carries on through an API server outage', async () => {
    const errors: unknown[] = [];
    const s = simulator({ namespaces: ['sim-a'], startupDelayMs: 0, onError: (e) => errors.push(e) });
    await cp.stopApiserver();
    await waitUntil(
      () => Promise.resolve(errors.length),
      (n) => n > 0,
      'a failed pass',
    );
    await cp.startApiserver();
    const name = await createReplicaSet('sim-a', 2);
    await availableAt('sim-a', name, 2);
    expect(s.updates).toContain(`sim-a/${name}=2`);
  }, 60_000);
});
