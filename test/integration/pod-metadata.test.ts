// Ephemeral pod metadata (canaryMetadata, stableMetadata) written by the real activities to a real
// kube-apiserver: a new ReplicaSet's template carries its role's metadata under the hash of the Rollout's
// template; syncPodMetadata moves the template and the pods it controls (created here by hand, as no
// ReplicaSet controller runs) from one role to the next, leaves other keys and other pods alone, writes
// nothing the second time, and removes only what it injected. Read back from the API server each time.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubernetesObjectApi, V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import type { RolloutActivities } from '../../activities/interface.js';
import { Kube } from '../../activities/kube.js';
import { podTemplateHash } from '../../core/hash.js';
import { EPHEMERAL_METADATA_ANNOTATION } from '../../core/pod-metadata.js';
import { POD_TEMPLATE_HASH_LABEL, type PodTemplate } from '../../core/types.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { seedDir } from '../support/paths.js';

const NS = 'rollouts-demo';
const CANARY = { labels: { role: 'canary' }, annotations: { 'example.com/phase': 'canary' } };
const STABLE = { labels: { role: 'stable' } };

let cp: ControlPlane;
let api: KubernetesObjectApi;
let activities: RolloutActivities;

beforeAll(async () => {
  cp = await ControlPlane.start('pod-metadata');
  await cp.apply(path.join(seedDir, '00-namespace.yaml'));
  api = cp.objectApi();
  activities = createActivities({ kube: new Kube(api), pollMs: 100 });
}, 120_000);

afterAll(async () => {
  await cp?.stop();
}, 60_000);

const logger = new DefaultLogger('ERROR');
type Name = keyof RolloutActivities;
function call<K extends Name>(
  name: K,
  input: Parameters<RolloutActivities[K]>[0],
): Promise<Awaited<ReturnType<RolloutActivities[K]>>> {
  const fn = activities[name] as (i: typeof input) => Promise<Awaited<ReturnType<RolloutActivities[K]>>>;
  return new MockActivityEnvironment(undefined, { logger }).run(fn, input);
}

const readRs = (name: string) =>
  api.read<V1ReplicaSet>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: NS } });
const readPod = (name: string) =>
  api.read<V1Pod>({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NS } });

function template(image: string): PodTemplate {
  return {
    metadata: { labels: { app: 'myapp', tier: 'web' }, annotations: { 'example.com/note': 'kept' } },
    spec: { containers: [{ name: 'myapp', image }] },
  };
}

/** A pod as the ReplicaSet controller would make it (controlled by `rs`), or a stray one (no owner). */
async function createPod(
  name: string,
  labels: Record<string, string>,
  annotations: Record<string, string>,
  owner?: V1ReplicaSet,
): Promise<void> {
  await api.create<V1Pod>({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels,
      annotations,
      ...(owner
        ? {
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: owner.metadata?.name ?? '',
                uid: owner.metadata?.uid ?? '',
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: { containers: [{ name: 'myapp', image: 'argoproj/rollouts-demo:blue' }] },
  });
}

describe('ephemeral pod metadata on a real API server', () => {
  it('the canary ReplicaSet is created carrying canaryMetadata, named by the hash without it', async () => {
    const tpl = template('argoproj/rollouts-demo:blue');
    const hash = podTemplateHash(tpl);
    const result = await call('ensureReplicaSet', {
      namespace: NS,
      rollout: 'myapp',
      podTemplateHash: hash,
      revision: 2,
      selector: { app: 'myapp' },
      template: tpl,
      replicas: 2,
      podMetadata: CANARY,
    });
    expect(result).toEqual({ name: `myapp-${hash}`, created: true });
    const rs = await readRs(`myapp-${hash}`);
    expect(rs.spec?.template?.metadata?.labels).toEqual({
      app: 'myapp',
      tier: 'web',
      [POD_TEMPLATE_HASH_LABEL]: hash,
      role: 'canary',
    });
    expect(rs.spec?.template?.metadata?.annotations).toEqual({
      'example.com/note': 'kept',
      'example.com/phase': 'canary',
    });
    expect(rs.metadata?.annotations?.[EPHEMERAL_METADATA_ANNOTATION]).toBe(
      '{"labels":{"role":"canary"},"annotations":{"example.com/phase":"canary"}}',
    );
    // The ReplicaSet's own labels and selector never carry the ephemeral ones.
    expect(rs.metadata?.labels?.role).toBeUndefined();
    expect(rs.spec?.selector?.matchLabels).toEqual({ app: 'myapp', [POD_TEMPLATE_HASH_LABEL]: hash });
  });

  it('promoted: the template and the pods it controls trade canary for stable metadata; twice writes nothing', async () => {
    const hash = podTemplateHash(template('argoproj/rollouts-demo:blue'));
    const name = `myapp-${hash}`;
    const rs = await readRs(name);
    const podLabels = { app: 'myapp', tier: 'web', [POD_TEMPLATE_HASH_LABEL]: hash };
    await createPod(
      'canary-pod-1',
      { ...podLabels, role: 'canary' },
      {
        'example.com/phase': 'canary',
        'sidecar.example.com/injected': 'yes',
      },
      rs,
    );
    // made before the metadata reached the template (Argo relabels such pods too)
    await createPod('canary-pod-2', podLabels, {}, rs);
    // selected by the labels but controlled by nothing: not the ReplicaSet's, left alone
    await createPod('stray-pod', { ...podLabels, role: 'canary' }, { 'example.com/phase': 'canary' });

    const result = await call('syncPodMetadata', { namespace: NS, name, podMetadata: STABLE });
    expect(result).toEqual({ replicaSetChanged: true, podsChanged: 2 });

    const synced = await readRs(name);
    expect(synced.spec?.template?.metadata?.labels).toEqual({ ...podLabels, role: 'stable' });
    expect(synced.spec?.template?.metadata?.annotations).toEqual({ 'example.com/note': 'kept' });
    expect(synced.metadata?.annotations?.[EPHEMERAL_METADATA_ANNOTATION]).toBe(
      '{"labels":{"role":"stable"}}',
    );
    const pod1 = await readPod('canary-pod-1');
    expect(pod1.metadata?.labels).toEqual({ ...podLabels, role: 'stable' });
    expect(pod1.metadata?.annotations).toEqual({ 'sidecar.example.com/injected': 'yes' });
    expect((await readPod('canary-pod-2')).metadata?.labels).toEqual({ ...podLabels, role: 'stable' });
    const stray = await readPod('stray-pod');
    expect(stray.metadata?.labels?.role).toBe('canary');
    expect(stray.metadata?.annotations).toEqual({ 'example.com/phase': 'canary' });

    const versions = async () =>
      Promise.all([readRs(name), readPod('canary-pod-1'), readPod('canary-pod-2')]).then((objects) =>
        objects.map((o) => o.metadata?.resourceVersion),
      );
    const before = await versions();
    expect(await call('syncPodMetadata', { namespace: NS, name, podMetadata: STABLE })).toEqual({
      replicaSetChanged: false,
      podsChanged: 0,
    });
    expect(await versions()).toEqual(before);
  });

  it('an old ReplicaSet (null): what was injected goes from template and pods, the annotation too', async () => {
    const hash = podTemplateHash(template('argoproj/rollouts-demo:blue'));
    const name = `myapp-${hash}`;
    expect(await call('syncPodMetadata', { namespace: NS, name, podMetadata: null })).toEqual({
      replicaSetChanged: true,
      podsChanged: 2,
    });
    const rs = await readRs(name);
    expect(rs.spec?.template?.metadata?.labels?.role).toBeUndefined();
    expect(rs.metadata?.annotations?.[EPHEMERAL_METADATA_ANNOTATION]).toBeUndefined();
    expect((await readPod('canary-pod-1')).metadata?.labels?.role).toBeUndefined();
    expect((await readPod('canary-pod-1')).metadata?.labels?.tier).toBe('web');
  });

  it('a ReplicaSet that exists is synced by ensureReplicaSet; one at zero has its pods left (as Argo)', async () => {
    const hash = podTemplateHash(template('argoproj/rollouts-demo:blue'));
    const name = `myapp-${hash}`;
    await call('scaleReplicaSet', { namespace: NS, name, replicas: 0 });
    const result = await call('ensureReplicaSet', {
      namespace: NS,
      rollout: 'myapp',
      podTemplateHash: hash,
      revision: 4,
      selector: { app: 'myapp' },
      template: template('argoproj/rollouts-demo:blue'),
      replicas: 0,
      podMetadata: CANARY,
    });
    expect(result).toEqual({ name, created: false });
    const rs = await readRs(name);
    expect(rs.spec?.template?.metadata?.labels?.role).toBe('canary');
    expect(rs.metadata?.annotations?.['rollout.argoproj.io/revision']).toBe('4');
    expect((await readPod('canary-pod-1')).metadata?.labels?.role).toBeUndefined();
  });

  it('a ReplicaSet that is gone: nothing to sync, no failure', async () => {
    expect(await call('syncPodMetadata', { namespace: NS, name: 'myapp-gone', podMetadata: STABLE })).toEqual(
      { replicaSetChanged: false, podsChanged: 0 },
    );
  });
});
