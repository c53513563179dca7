// Rollouts that live in the cluster, on a real kube-apiserver with Argo's CRDs (deploy/crds): the
// watcher turns each Rollout object's generations into its workflow's deploys, the workflow (time-
// skipping server, real activities) writes its state back onto the object's status, and the status
// patches the kubectl-argo-rollouts plugin sends (its own JSON, pkg/kubectl-argo-rollouts/cmd) promote,
// abort and retry it. Every check of the cluster is read from the API server.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  type CoreV1Event,
  setHeaderOptions,
  type KubernetesObjectApi,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import YAML from 'yaml';
import { createActivities } from '../../activities/index.js';
import type { ArgoRolloutStatus } from '../../core/argo-status.js';
import { Kube } from '../../activities/kube.js';
import { PodSimulator } from '../../lab/pod-simulator.js';
import { rolloutWorkflowId } from '../../workflows/messages.js';
import type { Rollouts } from '../../worker/watcher/reconcile.js';
import { RolloutWatcher } from '../../worker/watcher/watcher.js';
import type { RolloutObject } from '../../worker/watcher/rollout-object.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { seedDir, testOutput } from '../support/paths.js';
import { RolloutHarness, seedRollout } from '../support/rollout-harness.js';
import { createTimeSkippingEnv, waitUntil } from '../support/temporal-env.js';

const NS = 'rollouts-demo';
const YELLOW = 'argoproj/rollouts-demo:yellow';
const seedFiles = ['00-namespace.yaml', '01-services.yaml', '02-virtualservice.yaml', '03-gateway.yaml'].map(
  (f) => path.join(seedDir, f),
);

let cp: ControlPlane;
let api: KubernetesObjectApi;
let custom: CustomObjectsApi;
let env: TestWorkflowEnvironment;
let sim: PodSimulator;
let harness: RolloutHarness | undefined;
let watcher: RolloutWatcher | undefined;
const logs: string[] = [];

// Every request the API server answers, without bodies: what an idle rollout costs is counted from it.
const auditLog = path.join(testOutput, 'kube-watcher-audit.log');

beforeAll(async () => {
  fs.rmSync(auditLog, { force: true });
  process.env.KUBE_AUDIT_LOG = auditLog;
  process.env.KUBE_AUDIT_ALL = 'true';
  [cp, env] = await Promise.all([ControlPlane.start('watcher'), createTimeSkippingEnv()]);
  delete process.env.KUBE_AUDIT_LOG;
  delete process.env.KUBE_AUDIT_ALL;
  await cp.apply(...seedFiles);
  api = cp.objectApi();
  const config = new KubeConfig();
  config.loadFromFile(cp.kubeconfigPath);
  custom = config.makeApiClient(CustomObjectsApi);
  sim = new PodSimulator({ kubeConfig: cp.kubeconfigPath, startupDelayMs: 100, pollMs: 50 });
  sim.start();
}, 120_000);

afterAll(async () => {
  await sim?.stop();
  await env?.teardown();
  await cp?.stop();
}, 60_000);

afterEach(async () => {
  await watcher?.stop();
  watcher = undefined;
  await harness?.stop();
  harness = undefined;
  await custom
    .deleteNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace: NS,
      plural: 'rollouts',
      name: 'myapp',
    })
    .catch(() => undefined);
});

/** The seed's Rollout object, without its analysis (no Prometheus here). */
function seedObject(replicas?: number): RolloutObject {
  const object = YAML.parse(
    fs.readFileSync(path.join(seedDir, '05-rollout.yaml'), 'utf8'),
  ) as RolloutObject & {
    spec: { strategy: { canary: Record<string, unknown> } };
  };
  delete object.spec.strategy.canary.analysis;
  if (replicas !== undefined) (object.spec as Record<string, unknown>).replicas = replicas;
  return object;
}

/** A worker with the real activities on the time-skipping server, and a watcher beside it. */
async function start(): Promise<RolloutHarness> {
  const kube = Kube.fromKubeconfig(cp.kubeconfigPath);
  harness = new RolloutHarness(env, seedRollout(), { activities: createActivities({ kube, pollMs: 100 }) });
  await harness.start();
  watcher = newWatcher(harness);
  await watcher.start();
  return harness;
}

function newWatcher(h: RolloutHarness, rollouts: Rollouts = h.rollouts): RolloutWatcher {
  const config = new KubeConfig();
  config.loadFromFile(cp.kubeconfigPath);
  return new RolloutWatcher(config, Kube.fromConfig(config), rollouts, {
    namespaces: [NS],
    log: (level, message, fields) => logs.push(`${level} ${message} ${JSON.stringify(fields)}`),
  });
}

const ref = { group: 'argoproj.io', version: 'v1alpha1', namespace: NS, plural: 'rollouts', name: 'myapp' };

/** The status as the object holds it: Argo's fields, and the plugin's request fields. */
type ObjectStatus = Partial<ArgoRolloutStatus> & { promoteFull?: boolean; abort?: boolean };

async function read(): Promise<RolloutObject & { status?: ObjectStatus }> {
  return (await custom.getNamespacedCustomObject(ref)) as RolloutObject;
}

/** The object's status once `done` holds of it (polled: what a person with `kubectl get -w` sees). */
async function waitForStatus(what: string, done: (status: ObjectStatus) => boolean, timeoutMs = 30_000) {
  const object = await waitUntil(read, (o) => o.status !== undefined && done(o.status), what, timeoutMs);
  return object.status ?? {};
}

/** A merge patch as the plugin sends it: to /status, or to the object. */
async function pluginPatch(patch: object, subresource?: 'status'): Promise<void> {
  const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  if (subresource) await custom.patchNamespacedCustomObjectStatus({ ...ref, body: patch }, options);
  else await custom.patchNamespacedCustomObject({ ...ref, body: patch }, options);
}

/** The reasons of the Events on the Rollout object `uid`, oldest first. */
async function eventReasons(uid: string): Promise<string[]> {
  const list = await api.list<CoreV1Event>(
    'v1',
    'Event',
    NS,
    undefined,
    undefined,
    undefined,
    `involvedObject.uid=${uid}`,
  );
  return list.items
    .filter((e) => e.source?.component === 'rollouts-controller')
    .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name), 'en', { numeric: true }))
    .map((e) => e.reason ?? '');
}

interface AuditEvent {
  stage: string;
  verb: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; name?: string };
}

function auditEvents(): AuditEvent[] {
  return fs
    .readFileSync(auditLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((e) => e.stage === 'ResponseComplete');
}

/**
 * The requests the worker's side makes (watcher, activities), told apart from the pod simulator's
 * (pods, its ReplicaSet lists and status writes) by what they touch. The one long-lived watch is left out.
 */
function rolloutRequests(events: AuditEvent[]): string[] {
  const simulator = (e: AuditEvent) =>
    e.objectRef?.resource === 'pods' ||
    (e.objectRef?.resource === 'replicasets' && (e.verb === 'list' || e.objectRef.subresource === 'status'));
  return (
    events
      // The API server's own requests (its lease, as system:apiserver) are not the rollout's.
      .filter((e) => !(e.user?.username ?? '').startsWith('system:'))
      .filter((e) => e.objectRef?.resource !== undefined && !simulator(e) && e.verb !== 'watch')
      .map(
        (e) =>
          `${e.verb} ${e.objectRef?.resource ?? ''}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''}`,
      )
  );
}

async function replicaSets(): Promise<V1ReplicaSet[]> {
  const list = await api.list<V1ReplicaSet>('apps/v1', 'ReplicaSet', NS);
  return list.items;
}

describe('a Rollout object in the cluster', () => {
  it('is deployed by the watcher, shows its state in its status, and takes the plugin’s promote, abort and retry', async () => {
    const h = await start();
    const created = (await custom.createNamespacedCustomObject({
      ...ref,
      body: seedObject(),
    })) as RolloutObject;
    const uid = created.metadata?.uid ?? '';

    let status = await waitForStatus(
      'Healthy at generation 1',
      (s) => s.phase === 'Healthy' && s.observedGeneration === '1',
    );
    expect(status.stableRS).toBe(status.currentPodHash);
    expect((await h.status()).cluster).toEqual({ uid, observedGeneration: 1 });
    // What the rollout made is owned by the object (the garbage collector's reference).
    const [blueRs] = await replicaSets();
    expect(blueRs?.metadata?.ownerReferences).toEqual([
      expect.objectContaining({
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'myapp',
        uid,
        controller: true,
      }),
    ]);

    // `kubectl argo rollouts set image`: a new generation, the canary, paused at step 1 for promote.
    await pluginPatch({ spec: { template: { spec: { containers: [{ name: 'myapp', image: YELLOW }] } } } });
    status = await waitForStatus('paused at step 1', (s) => s.phase === 'Paused' && s.currentStepIndex === 1);
    expect(status.observedGeneration).toBe('2');
    expect(status.pauseConditions).toEqual([expect.objectContaining({ reason: 'CanaryPauseStep' })]);
    expect(status.canary?.weights?.canary.weight).toBe(20);

    // `promote`: {"status":{"pauseConditions":null}}; the next steps run (timed pauses skipped).
    await pluginPatch({ status: { pauseConditions: null } }, 'status');
    status = await waitForStatus(
      'past step 1',
      (s) => typeof s.currentStepIndex === 'number' && s.currentStepIndex > 1,
    );
    expect(status.pauseConditions ?? []).toEqual(
      (status.currentStepIndex ?? 0) % 2 === 1
        ? [expect.objectContaining({ reason: 'CanaryPauseStep' })]
        : [],
    );

    // `abort`: {"status":{"abort":true}}, acknowledged with abortedAt, traffic back to the stable.
    await pluginPatch({ status: { abort: true } }, 'status');
    status = await waitForStatus(
      'aborted, traffic back on the stable',
      (s) => s.abort === true && s.canary?.weights?.canary.weight === 0,
    );
    expect(status.phase).toBe('Degraded');
    expect(status.abortedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    // `retry rollout`: {"status":{"abort":false}}: the canary again from step 0.
    await pluginPatch({ status: { abort: false } }, 'status');
    status = await waitForStatus(
      'retried, paused at step 1',
      (s) => s.phase === 'Paused' && s.currentStepIndex === 1 && !s.abort,
    );
    expect(status.abortedAt).toBeUndefined();

    // `promote --full`: {"status":{"promoteFull":true}}: Healthy on yellow.
    await pluginPatch({ status: { promoteFull: true } }, 'status');
    status = await waitForStatus(
      'Healthy on yellow',
      (s) => s.phase === 'Healthy' && s.stableRS !== blueRs?.metadata?.labels?.['rollouts-pod-template-hash'],
    );
    expect(status.stableRS).toBe(status.currentPodHash);
    expect(status.promoteFull).toBeUndefined();
    expect((await h.status()).revision).toBe(2);

    // `kubectl describe rollout` tells the story with Argo's reasons.
    const events = await waitUntil(
      () => eventReasons(uid),
      (reasons) =>
        reasons.includes('RolloutCompleted') && reasons.filter((r) => r === 'RolloutCompleted').length >= 2,
      'the events of the promotion',
    );
    for (const reason of [
      'RolloutUpdated',
      'RolloutStepCompleted',
      'TrafficWeightUpdated',
      'RolloutPaused',
      'RolloutResumed',
      'RolloutAborted',
    ])
      expect(events).toContain(reason);
  }, 120_000);

  it('costs no API request while idle, and writes its status only when something changed', async () => {
    await start();
    await custom.createNamespacedCustomObject({ ...ref, body: seedObject() });
    await waitForStatus('Healthy', (s) => s.phase === 'Healthy' && s.observedGeneration === '1');
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // the last write's echo through the watch
    const before = auditEvents().length;
    await new Promise((resolve) => setTimeout(resolve, 20_000));
    expect(rolloutRequests(auditEvents().slice(before))).toEqual([]);

    // One promote of a pause: a handful of status writes, each for a change (the step, the weight, the pause).
    await pluginPatch({ spec: { template: { spec: { containers: [{ name: 'myapp', image: YELLOW }] } } } });
    await waitForStatus('paused at step 1', (s) => s.phase === 'Paused' && s.currentStepIndex === 1);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const paused = auditEvents().length;
    await pluginPatch({ status: { pauseConditions: null } }, 'status');
    await waitForStatus('paused at step 3', (s) => s.phase === 'Paused' && s.currentStepIndex === 3);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const writes = rolloutRequests(auditEvents().slice(paused)).filter((r) => r === 'patch rollouts/status');
    // Ours: promoted (step 2), the weight step done, paused at step 3; the plugin's own patch is the first.
    expect(writes.length).toBeGreaterThanOrEqual(3);
    expect(writes.length).toBeLessThanOrEqual(6);
  }, 120_000);

  it('keeps one truth when the plugin and the rollouts command act together, and rescales by the scale subresource', async () => {
    const h = await start();
    await custom.createNamespacedCustomObject({
      ...ref,
      body: seedObject(2),
    });
    await waitForStatus('Healthy', (s) => s.phase === 'Healthy' && s.observedGeneration === '1');
    await pluginPatch({ spec: { template: { spec: { containers: [{ name: 'myapp', image: YELLOW }] } } } });
    await waitForStatus('paused at step 1', (s) => s.phase === 'Paused' && s.currentStepIndex === 1);
    // Both at once: the plugin's promote (a status patch) and `rollouts promote` (an update). Each is
    // taken or refused by the workflow; the object ends showing exactly what the workflow says.
    const [viaTemporal] = await Promise.allSettled([
      h.rollouts.promote(NS, 'myapp'),
      pluginPatch({ status: { pauseConditions: null } }, 'status'),
    ]);
    expect(viaTemporal.status).toBe('fulfilled');
    const ours = await h.waitFor(
      'paused at a later pause',
      (x) => x.phase === 'Paused' && (x.currentStepIndex ?? 0) >= 3,
    );
    const shown = await waitForStatus(
      'the object shows the same',
      (s) => s.currentStepIndex === ours.currentStepIndex && s.phase === 'Paused',
    );
    expect(shown.pauseConditions).toEqual([expect.objectContaining({ reason: 'CanaryPauseStep' })]);

    // `kubectl scale rollout myapp --replicas 5` (the HPA's way): the scale subresource.
    const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await custom.patchNamespacedCustomObjectScale({ ...ref, body: { spec: { replicas: 5 } } }, options);
    const rs = async (image: string) =>
      (await replicaSets()).find((r) => r.spec?.template?.spec?.containers[0]?.image === image)?.spec
        ?.replicas;
    await waitUntil(
      async () => [await rs(YELLOW), await rs('argoproj/rollouts-demo:blue')],
      ([canary, stable]) => stable === 5 && canary !== undefined && canary >= 2,
      'stable and canary rescaled for 5',
    );
    const scaled = await waitForStatus(
      'the new generation observed',
      (s) => s.observedGeneration === '3' && s.HPAReplicas !== undefined,
    );
    expect(scaled.selector).toBe('app=myapp');
    expect((await h.status()).revision).toBe(2);
  }, 120_000);

  it('hands on a generation that Temporal could not take at first (no event needed to try again)', async () => {
    const kube = Kube.fromKubeconfig(cp.kubeconfigPath);
    const h = new RolloutHarness(env, seedRollout(), { activities: createActivities({ kube, pollMs: 100 }) });
    harness = h;
    await h.start();
    let failures = 0;
    // Temporal unreachable for the first deploy: the watcher must try again by itself.
    const flaky: Rollouts = {
      deployFromCluster: (rollout, source) =>
        failures++ === 0
          ? Promise.reject(new Error('14 UNAVAILABLE: connection refused'))
          : h.rollouts.deployFromCluster(rollout, source),
      invalidSpec: (...args) => h.rollouts.invalidSpec(...args),
      promote: (...args) => h.rollouts.promote(...args),
      abort: (...args) => h.rollouts.abort(...args),
      retry: (...args) => h.rollouts.retry(...args),
      endDeleted: (...args) => h.rollouts.endDeleted(...args),
      clusterUid: (...args) => h.rollouts.clusterUid(...args),
      running: (...args) => h.rollouts.running(...args),
    };
    watcher = newWatcher(h, flaky);
    await watcher.start();
    await custom.createNamespacedCustomObject({ ...ref, body: seedObject() });
    await waitForStatus('Healthy', (s) => s.phase === 'Healthy' && s.observedGeneration === '1');
    expect(failures).toBe(2);
    expect(logs.some((line) => line.includes('event not handled, again in 5 s'))).toBe(true);
  }, 120_000);

  it('catches its status up after the API server was down when it was due', async () => {
    const h = await start();
    await custom.createNamespacedCustomObject({ ...ref, body: seedObject() });
    await waitForStatus('Healthy', (s) => s.phase === 'Healthy' && s.observedGeneration === '1');
    await pluginPatch({ spec: { template: { spec: { containers: [{ name: 'myapp', image: YELLOW }] } } } });
    await waitForStatus('paused at step 1', (s) => s.phase === 'Paused' && s.currentStepIndex === 1);
    await cp.stopApiserver();
    // Promoted through Temporal while the API server is down: the steps and the status wait for it.
    await h.rollouts.promote(NS, 'myapp');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await cp.startApiserver();
    const status = await waitForStatus('past step 1', (s) => (s.currentStepIndex ?? 0) >= 3, 60_000);
    expect(status.observedGeneration).toBe('2');
    expect(status.pauseConditions).toEqual([expect.objectContaining({ reason: 'CanaryPauseStep' })]);
  }, 120_000);

  it('shows an invalid spec as InvalidSpec, restarts without a second revision, and ends its workflow when deleted', async () => {
    const h = await start();
    await custom.createNamespacedCustomObject({ ...ref, body: seedObject() });
    await waitForStatus('Healthy', (s) => s.phase === 'Healthy' && s.observedGeneration === '1');

    // A generation that fails lint: InvalidSpec on the object, the last valid generation still runs.
    await pluginPatch({ spec: { strategy: { canary: { steps: [{ setWeight: 140 }] } } } });
    let status = await waitForStatus(
      'InvalidSpec',
      (s) => s.observedGeneration === '2' && s.phase === 'Degraded',
    );
    expect(status.message).toMatch(/^InvalidSpec: .*setWeight/);
    expect(status.conditions).toContainEqual(
      expect.objectContaining({ type: 'InvalidSpec', status: 'True' }),
    );

    // The watcher restarts (a relist of everything): nothing is deployed twice.
    await watcher?.stop();
    watcher = newWatcher(h);
    await watcher.start();
    await pluginPatch({ spec: { strategy: { canary: { steps: [{ setWeight: 50 }, { pause: {} }] } } } });
    status = await waitForStatus(
      'valid again at generation 3',
      (s) => s.observedGeneration === '3' && s.phase === 'Healthy',
    );
    expect(status.conditions).not.toContainEqual(expect.objectContaining({ type: 'InvalidSpec' }));
    expect((await h.status()).revision).toBe(1);

    // Deleted: its workflow ends.
    await custom.deleteNamespacedCustomObject(ref);
    const handle = env.client.workflow.getHandle(rolloutWorkflowId(NS, 'myapp'));
    const description = await waitUntil(
      () => handle.describe(),
      (d) => d.status.name !== 'RUNNING',
      'the workflow ended',
    );
    expect(description.status.name).toBe('TERMINATED');
  }, 120_000);
  it('ends the workflow of a Rollout deleted while no watcher ran, and starts afresh for one created again', async () => {
    const h = await start();
    const handle = env.client.workflow.getHandle(rolloutWorkflowId(NS, 'myapp'));
    const ended = (runId: string) =>
      waitUntil(
        () => env.client.workflow.getHandle(rolloutWorkflowId(NS, 'myapp'), runId).describe(),
        (d) => d.status.name !== 'RUNNING',
        'the old run ended',
      );
    // A rollout of the same namespace that no object drives (`rollouts apply`): never ours to end.
    await h.rollouts.apply({ ...seedRollout(), name: 'applied' });
    await h.rollouts.waitForPhase(NS, 'applied', 'Healthy', 60_000);

    await custom.createNamespacedCustomObject({ ...ref, body: seedObject() });
    await waitForStatus('Healthy', (s) => s.phase === 'Healthy' && s.observedGeneration === '1');
    const first = (await handle.describe()).runId;

    // Deleted while no watcher runs: no delete event ever comes; the next watcher's list finds it.
    await watcher?.stop();
    await custom.deleteNamespacedCustomObject(ref);
    watcher = newWatcher(h);
    await watcher.start();
    expect((await ended(first)).status.name).toBe('TERMINATED');
    expect(logs.join('\n')).toContain('deleted while not watched: workflow ended');

    // Created again, then deleted and created once more while no watcher runs: the new object's
    // workflow is a new run, not the old one going on with another object's ReplicaSets.
    const created = (await custom.createNamespacedCustomObject({
      ...ref,
      body: seedObject(),
    })) as RolloutObject;
    await waitForStatus('Healthy again', (s) => s.phase === 'Healthy' && s.observedGeneration === '1');
    const second = (await handle.describe()).runId;
    expect(second).not.toBe(first);
    await watcher.stop();
    await custom.deleteNamespacedCustomObject(ref);
    const again = (await custom.createNamespacedCustomObject({
      ...ref,
      body: seedObject(),
    })) as RolloutObject;
    watcher = newWatcher(h);
    await watcher.start();
    expect((await ended(second)).status.name).toBe('TERMINATED');
    await waitForStatus(
      'the new object Healthy',
      (s) => s.phase === 'Healthy' && s.observedGeneration === '1',
    );
    expect((await h.rollouts.status(NS, 'myapp')).cluster?.uid).toBe(again.metadata?.uid);
    expect(again.metadata?.uid).not.toBe(created.metadata?.uid);
    expect(logs.join('\n')).toContain('created again: the workflow of the deleted object ended');

    // The applied rollout was looked at by every sweep and left running.
    await watcher.idle();
    expect((await h.rollouts.status(NS, 'applied')).phase).toBe('Healthy');
    await env.client.workflow.getHandle(rolloutWorkflowId(NS, 'applied')).terminate('test done');
  }, 180_000);
});
