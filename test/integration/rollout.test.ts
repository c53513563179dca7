// End to end: the rollout workflow on the time-skipping test server, driven through RolloutsClient like
// the CLI, with the REAL activities (createActivities) on a real kube-apiserver, and the pod simulator in
// place of the ReplicaSet controller and kubelets. Every check of the cluster is read from the API server.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubernetesObject, KubernetesObjectApi, V1ReplicaSet, V1Service } from '@kubernetes/client-node';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities/index.js';
import { Kube } from '../../activities/kube.js';
import { REVISION_ANNOTATION } from '../../activities/replicasets.js';
import { TransientFailureType } from '../../core/failures.js';
import { podTemplateHash } from '../../core/hash.js';
import { POD_TEMPLATE_HASH_LABEL, type RolloutDefinition } from '../../core/types.js';
import { PodSimulator } from '../../lab/pod-simulator.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { seedDir } from '../support/paths.js';
import { RolloutHarness, seedRollout, withImage } from '../support/rollout-harness.js';
import { createTimeSkippingEnv, waitUntil } from '../support/temporal-env.js';

const BLUE = 'argoproj/rollouts-demo:blue';
const YELLOW = 'argoproj/rollouts-demo:yellow';
const seedFiles = ['00-namespace.yaml', '01-services.yaml', '02-virtualservice.yaml', '03-gateway.yaml'].map(
  (f) => path.join(seedDir, f),
);

let cp: ControlPlane;
let api: KubernetesObjectApi;
let env: TestWorkflowEnvironment;
let sim: PodSimulator;
let harness: RolloutHarness | undefined;

beforeAll(async () => {
  [cp, env] = await Promise.all([ControlPlane.start('rollout'), createTimeSkippingEnv()]);
  await cp.apply(...seedFiles);
  api = cp.objectApi();
  // Pods start 300 ms after a ReplicaSet asks for them: waits are real, and short.
  sim = new PodSimulator({ kubeConfig: cp.kubeconfigPath, startupDelayMs: 300, pollMs: 50 });
  sim.start();
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  await env?.teardown();
  await cp?.stop();
}, 60_000);

afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** A harness whose worker runs the real activities against our API server. */
async function realHarness(def: RolloutDefinition): Promise<RolloutHarness> {
  const activities = createActivities({ kube: Kube.fromKubeconfig(cp.kubeconfigPath), pollMs: 100 });
  harness = new RolloutHarness(env, def, { activities });
  await harness.start();
  return harness;
}

const hashOf = (def: RolloutDefinition, image: string) => podTemplateHash(withImage(def, image).template);

interface VirtualService extends KubernetesObject {
  spec: { http: { name?: string; route: { destination: { host: string }; weight?: number }[] }[] };
}

/** The cluster as the API server has it: weights of route "primary", both selectors' hashes. */
async function cluster(namespace: string) {
  const vs = await api.read<VirtualService>({
    apiVersion: 'networking.istio.io/v1alpha3',
    kind: 'VirtualService',
    metadata: { name: 'myapp-vsvc', namespace },
  });
  const route = vs.spec.http.find((r) => r.name === 'primary')?.route ?? [];
  const weight = (host: string) => route.find((d) => d.destination.host === host)?.weight;
  const selector = async (name: string) =>
    (await api.read<V1Service>({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace } })).spec
      ?.selector?.[POD_TEMPLATE_HASH_LABEL];
  return {
    weights: { canary: weight('myapp-canary-svc'), stable: weight('myapp-stable-svc') },
    stableSelector: await selector('myapp-stable-svc'),
    canarySelector: await selector('myapp-canary-svc'),
  };
}

function readRs(namespace: string, name: string): Promise<V1ReplicaSet> {
  return api.read<V1ReplicaSet>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace } });
}

describe("the seed's rollout on a real API server", () => {
  it('deploys blue, canaries yellow through every step to Healthy, and scales blue down after 30s', async () => {
    const def = seedRollout();
    const ns = def.namespace;
    const blue = hashOf(def, BLUE);
    const yellow = hashOf(def, YELLOW);
    const h = await realHarness(def);

    // First revision: straight to full scale, both Services on blue, all traffic to stable.
    await h.rollouts.apply(def);
    let s = await h.healthyOn(blue);
    expect(s.weights).toEqual({
      canary: 0,
      stable: 100,
      verified: true,
      canaryPodTemplateHash: blue,
      stablePodTemplateHash: blue,
    });
    expect(await cluster(ns)).toEqual({
      weights: { canary: 0, stable: 100 },
      stableSelector: blue,
      canarySelector: blue,
    });
    let rs = await readRs(ns, `myapp-${blue}`);
    expect(rs.spec?.replicas).toBe(1);
    expect(rs.status?.availableReplicas).toBe(1);
    expect(rs.metadata?.annotations?.[REVISION_ANNOTATION]).toBe('1');
    expect(rs.spec?.template?.spec?.containers[0]?.image).toBe(BLUE);

    // set image yellow: setWeight 20, then the pause that waits for promote.
    await h.rollouts.setImage(ns, 'myapp', 'myapp', YELLOW);
    s = await h.pausedAt(1);
    expect(s.weights).toEqual({
      canary: 20,
      stable: 80,
      verified: true,
      canaryPodTemplateHash: yellow,
      stablePodTemplateHash: blue,
    });
    expect(await cluster(ns)).toEqual({
      weights: { canary: 20, stable: 80 },
      stableSelector: blue,
      canarySelector: yellow,
    });
    rs = await readRs(ns, `myapp-${yellow}`);
    expect(rs.spec?.replicas).toBe(1);
    expect(rs.status?.availableReplicas).toBe(1);
    expect(rs.metadata?.annotations?.[REVISION_ANNOTATION]).toBe('2');
    expect(rs.spec?.template?.spec?.containers[0]?.image).toBe(YELLOW);

    await h.rollouts.promote(ns, 'myapp');
    await h.pausedAt(3);
    expect((await cluster(ns)).weights).toEqual({ canary: 40, stable: 60 });
    // Each timed pause is skipped once the step before it is done (no activity runs while we skip).
    await env.sleep('60s');
    await h.pausedAt(5);
    expect((await cluster(ns)).weights).toEqual({ canary: 60, stable: 40 });
    await env.sleep('60s');
    await h.pausedAt(7);
    expect((await cluster(ns)).weights).toEqual({ canary: 80, stable: 20 });
    await env.sleep('60s');

    s = await h.healthyOn(yellow);
    expect(s.weights).toEqual({
      canary: 0,
      stable: 100,
      verified: true,
      canaryPodTemplateHash: yellow,
      stablePodTemplateHash: yellow,
    });
    expect(await cluster(ns)).toEqual({
      weights: { canary: 0, stable: 100 },
      stableSelector: yellow,
      canarySelector: yellow,
    });
    // blue stays up for scaleDownDelaySeconds (30), then goes to zero.
    expect((await readRs(ns, `myapp-${blue}`)).spec?.replicas).toBe(1);
    await env.sleep('31s');
    await waitUntil(
      () => readRs(ns, `myapp-${blue}`),
      (r) => r.spec?.replicas === 0,
      'blue scaled down',
    );
    expect((await readRs(ns, `myapp-${yellow}`)).spec?.replicas).toBe(1);
  }, 90_000);
});

describe('an API server outage in the middle of a canary', () => {
  it("fails the activity as transient, and Temporal's retry policy carries the rollout on after the restart", async () => {
    // The seed again, in a namespace of its own.
    const ns = 'rollouts-outage';
    const copy = path.join(cp.dir, 'outage-seed.yaml');
    fs.writeFileSync(
      copy,
      seedFiles.map((f) => fs.readFileSync(f, 'utf8').replaceAll('rollouts-demo', ns)).join('\n---\n'),
    );
    await cp.apply(copy);
    const seed = seedRollout();
    const def = {
      ...seed,
      namespace: ns,
      analysisTemplates: (seed.analysisTemplates ?? []).map((t) => ({ ...t, namespace: ns })),
    };
    const blue = hashOf(def, BLUE);
    const yellow = hashOf(def, YELLOW);
    const h = await realHarness(def);
    await h.rollouts.apply(def);
    await h.healthyOn(blue);
    await h.rollouts.setImage(ns, 'myapp', 'myapp', YELLOW);
    await h.pausedAt(1);

    await cp.stopApiserver();
    try {
      await h.rollouts.promote(ns, 'myapp'); // on to setWeight 40: its first call to the API server fails
      const pending = await waitUntil(
        async () => (await env.client.workflow.getHandle(h.workflowId).describe()).raw.pendingActivities?.[0],
        (a) => (a?.attempt ?? 0) >= 3,
        'a third attempt',
      );
      // Retried with backoff (1s, 2s…) and failed again: pending, never given up on, no abort. The
      // step's one activity looks at the canary's ReplicaSet and both Services at once: any may fail first.
      expect(pending?.activityType?.name).toBe('shiftTraffic');
      expect(pending?.lastFailure?.message).toMatch(
        new RegExp(
          `(ReplicaSet ${ns}/myapp-${yellow}|Service ${ns}/myapp-(stable|canary)-svc): ECONNREFUSED`,
        ),
      );
      expect(pending?.lastFailure?.applicationFailureInfo).toMatchObject({
        type: TransientFailureType,
        nonRetryable: false,
      });
      expect((await h.status()).phase).toBe('Progressing');
    } finally {
      await cp.startApiserver();
    }

    // The next attempt comes at most 8 s after the last (1s, 2s, 4s, 8s…).
    const s = await h.waitFor(
      'pause at step 3',
      (st) => st.phase === 'Paused' && st.currentStepIndex === 3,
      40_000,
    );
    expect(s.weights).toMatchObject({ canary: 40, stable: 60, verified: true });
    expect(s.aborted).toBe(false);
    expect(await cluster(ns)).toEqual({
      weights: { canary: 40, stable: 60 },
      stableSelector: blue,
      canarySelector: yellow,
    });
  }, 60_000);
});
