// The restartPods activity (Argo's pod restart, one round) against a real kube-apiserver. There is no
// pod controller here: the test makes the pods by hand, owned by the rollout's ReplicaSet, marks them
// Ready through the status subresource, and plays the controller's part (a new pod for an evicted one).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CoreV1Api, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import type { RestartPodsInput, RestartPodsResult, RolloutActivities } from '../../activities/interface.js';
import { Kube } from '../../activities/kube.js';
import { ControlPlane } from '../support/kube-control-plane.js';

const NS = 'restart-demo';
const LABELS = { app: 'restarted' };
const HASH = 'abc123';

let cp: ControlPlane;
let core: CoreV1Api;
let activities: RolloutActivities;
let owner: V1ReplicaSet;

beforeAll(async () => {
  cp = await ControlPlane.start('pod-restart');
  const kube = Kube.fromConfig(cp.kubeConfig());
  core = kube.core;
  activities = createActivities({ kube, pollMs: 100 });
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await activities.ensureReplicaSet({
    namespace: NS,
    rollout: 'restarted',
    podTemplateHash: HASH,
    revision: 1,
    selector: LABELS,
    template: { metadata: { labels: LABELS }, spec: { containers: [{ name: 'app', image: 'x/y:1' }] } },
    replicas: 3,
  });
  const apps = cp.kubeConfig().makeApiClient((await import('@kubernetes/client-node')).AppsV1Api);
  owner = await apps.readNamespacedReplicaSet({ name: `restarted-${HASH}`, namespace: NS });
}, 120_000);

afterAll(async () => {
  await cp?.stop();
}, 60_000);

const logger = new DefaultLogger('ERROR');
const restart = (input: RestartPodsInput): Promise<RestartPodsResult> =>
  new MockActivityEnvironment(undefined, { logger }).run(
    (i: RestartPodsInput) => activities.restartPods(i),
    input,
  );

/** A Ready pod owned by the ReplicaSet (or by nothing: someone else's pod with the same labels). */
async function readyPod(name: string, owned = true, rs = owner, labels = LABELS): Promise<void> {
  const ownerReferences = owned
    ? [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata!.name!,
          uid: rs.metadata!.uid!,
          controller: true,
        },
      ]
    : [];
  const pod: V1Pod = await core.createNamespacedPod({
    namespace: NS,
    body: {
      metadata: { name, labels: { ...labels, 'rollouts-pod-template-hash': HASH }, ownerReferences },
      spec: { containers: [{ name: 'app', image: 'x/y:1' }] },
    },
  });
  pod.status = {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date() }],
  };
  await core.replaceNamespacedPodStatus({ name, namespace: NS, body: pod });
}

async function podNames(): Promise<string[]> {
  const list = await core.listNamespacedPod({ namespace: NS });
  return list.items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => p.metadata!.name!)
    .sort();
}

/** creationTimestamp has whole seconds: the next second starts strictly after this one. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1100));

describe('restartPods on a real API server', () => {
  it('evicts the pods created before restartAt one at a time, never a newer one or a pod of someone else', async () => {
    await readyPod('old-a');
    await readyPod('old-b');
    await readyPod('other', false);
    await nextSecond();
    const restartAt = new Date().toISOString();
    await nextSecond();
    await readyPod('new-c');
    const input: RestartPodsInput = {
      namespace: NS,
      rollout: 'restarted',
      selector: LABELS,
      restartAt,
      replicas: 3,
      minReadySeconds: 0,
    };

    // 3 replicas: maxUnavailable 0, so one pod at a time.
    const first = await restart(input);
    expect(first.needsRestart).toBe(2);
    expect(first.evicted).toHaveLength(1);
    const gone = first.evicted[0]!;
    expect(['old-a', 'old-b']).toContain(gone);
    expect(await podNames()).not.toContain(gone);

    // Called again before a replacement is available (a retry): nothing more goes.
    const again = await restart(input);
    expect(again).toEqual({ needsRestart: 1, evicted: [] });

    // The ReplicaSet controller's part: a new pod, Ready.
    await readyPod('new-d');
    const second = await restart(input);
    expect(second.needsRestart).toBe(1);
    expect(second.evicted).toEqual([gone === 'old-a' ? 'old-b' : 'old-a']);
    await readyPod('new-e');

    expect(await restart(input)).toEqual({ needsRestart: 0, evicted: [] });
    expect(await podNames()).toEqual(['new-c', 'new-d', 'new-e', 'other']);
  });

  it('leaves a pod a PodDisruptionBudget protects for a later round (429), as Argo', async () => {
    const labels = { app: 'guarded' };
    await activities.ensureReplicaSet({
      namespace: NS,
      rollout: 'guarded',
      podTemplateHash: HASH,
      revision: 1,
      selector: labels,
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'x/y:1' }] } },
      replicas: 1,
    });
    const apps = cp.kubeConfig().makeApiClient((await import('@kubernetes/client-node')).AppsV1Api);
    const rs = await apps.readNamespacedReplicaSet({ name: `guarded-${HASH}`, namespace: NS });
    const policy = cp.kubeConfig().makeApiClient((await import('@kubernetes/client-node')).PolicyV1Api);
    // No disruption controller here: the budget never allows a disruption, so every eviction is refused.
    await policy.createNamespacedPodDisruptionBudget({
      namespace: NS,
      body: { metadata: { name: 'guarded' }, spec: { minAvailable: 1, selector: { matchLabels: labels } } },
    });
    await readyPod('guarded-old', true, rs, labels);
    await nextSecond();
    const restartAt = new Date().toISOString();
    const input: RestartPodsInput = {
      namespace: NS,
      rollout: 'guarded',
      selector: labels,
      restartAt,
      replicas: 1,
      minReadySeconds: 0,
    };
    expect(await restart(input)).toEqual({ needsRestart: 1, evicted: [] });
    expect(await podNames()).toContain('guarded-old');
  });
});
