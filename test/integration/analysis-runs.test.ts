// AnalysisRun objects on a real kube-apiserver with Argo's CRDs (deploy/crds): a Rollout object driven
// by the watcher, its workflow on the time-skipping server with the real activities, a background
// analysis measuring a local HTTP endpoint (web provider). Each run mirrors itself into an AnalysisRun
// object with Argo's name, labels, annotation, owner, spec and status, which `kubectl get analysisruns`
// and the kubectl-argo-rollouts plugin's `get rollout` tree show; a retried revision's run takes the
// next `.N` name; a run that ends deletes the rollout's older runs beyond Argo's history limits.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import YAML from 'yaml';
import { createActivities } from '../../activities/index.js';
import { Kube } from '../../activities/kube.js';
import { createMetricActivities } from '../../activities/metrics/index.js';
import { PodSimulator } from '../../lab/pod-simulator.js';
import { RolloutWatcher } from '../../worker/watcher/watcher.js';
import type { RolloutObject } from '../../worker/watcher/rollout-object.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { LocalHttpServer, useLocalHttpServer } from '../support/local-http.js';
import { seedDir, toolsBin } from '../support/paths.js';
import { RolloutHarness, seedRollout } from '../support/rollout-harness.js';
import { createTimeSkippingEnv, waitUntil } from '../support/temporal-env.js';

const run = promisify(execFile);
const NS = 'rollouts-demo';
const YELLOW = 'argoproj/rollouts-demo:yellow';
const seedFiles = ['00-namespace.yaml', '01-services.yaml', '02-virtualservice.yaml', '03-gateway.yaml'].map(
  (f) => path.join(seedDir, f),
);
const plugin = path.join(toolsBin, 'kubectl-argo-rollouts');
const kubectlBin = path.join(toolsBin, 'kubectl');

let cp: ControlPlane;
let custom: CustomObjectsApi;
let env: TestWorkflowEnvironment;
let sim: PodSimulator;
let harness: RolloutHarness | undefined;
let watcher: RolloutWatcher | undefined;

// The canary's success rate, as a JSON endpoint a web metric reads.
const metrics = useLocalHttpServer((_req, res) => LocalHttpServer.json(res, { successRate: 0.99 }));

beforeAll(async () => {
  [cp, env] = await Promise.all([ControlPlane.start('analysis-runs'), createTimeSkippingEnv()]);
  await cp.apply(...seedFiles);
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
});

const argo = { group: 'argoproj.io', version: 'v1alpha1', namespace: NS };
const rolloutRef = { ...argo, plural: 'rollouts', name: 'myapp' };

/** An AnalysisTemplate whose metric reads the local endpoint every 10 s (no initial delay). */
function webTemplate(url: string) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name: 'web-success-rate', namespace: NS },
    spec: {
      metrics: [
        {
          name: 'success-rate',
          interval: '10s',
          successCondition: 'result > 0.90',
          failureLimit: 3,
          provider: { web: { url: `${url}/rate`, jsonPath: '{$.successRate}' } },
        },
      ],
    },
  };
}

/** The seed's Rollout object, its background analysis (from step 1) the web template's. */
function rolloutObject(): RolloutObject {
  const object = YAML.parse(
    fs.readFileSync(path.join(seedDir, '05-rollout.yaml'), 'utf8'),
  ) as RolloutObject & { spec: { strategy: { canary: Record<string, unknown> } } };
  object.spec.strategy.canary.analysis = {
    startingStep: 1,
    templates: [{ templateName: 'web-success-rate' }],
  };
  return object;
}

async function start(): Promise<RolloutHarness> {
  const kube = Kube.fromKubeconfig(cp.kubeconfigPath);
  harness = new RolloutHarness(env, seedRollout(), {
    activities: { ...createActivities({ kube, pollMs: 100 }), ...createMetricActivities({ kube }) },
  });
  await harness.start();
  const config = new KubeConfig();
  config.loadFromFile(cp.kubeconfigPath);
  watcher = new RolloutWatcher(config, Kube.fromConfig(config), harness.rollouts, { namespaces: [NS] });
  await watcher.start();
  return harness;
}

interface AnalysisRun extends KubernetesObject {
  spec: Record<string, unknown> & { metrics: Record<string, unknown>[]; terminate?: boolean };
  status?: Record<string, unknown> & {
    phase?: string;
    completedAt?: string;
    metricResults?: (Record<string, unknown> & {
      count?: number;
      measurements?: Record<string, unknown>[];
    })[];
  };
}

async function analysisRuns(): Promise<AnalysisRun[]> {
  const list = (await custom.listNamespacedCustomObject({ ...argo, plural: 'analysisruns' })) as {
    items: AnalysisRun[];
  };
  return list.items;
}

async function analysisRun(name: string): Promise<AnalysisRun | undefined> {
  return (await analysisRuns()).find((r) => r.metadata?.name === name);
}

async function waitForRun(name: string, what: string, done: (r: AnalysisRun) => boolean, timeoutMs = 30_000) {
  const found = await waitUntil(
    () => analysisRun(name),
    (r) => r !== undefined && done(r),
    what,
    timeoutMs,
  );
  return found as AnalysisRun;
}

async function readRollout(): Promise<RolloutObject & { status?: Record<string, unknown> }> {
  return (await custom.getNamespacedCustomObject(rolloutRef)) as RolloutObject;
}

async function waitForRollout(what: string, done: (status: Record<string, unknown>) => boolean) {
  return waitUntil(readRollout, (o) => o.status !== undefined && done(o.status), what, 30_000);
}

async function pluginPatch(patch: object, subresource?: 'status'): Promise<void> {
  const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  if (subresource) await custom.patchNamespacedCustomObjectStatus({ ...rolloutRef, body: patch }, options);
  else await custom.patchNamespacedCustomObject({ ...rolloutRef, body: patch }, options);
}

/** A run Argo's controller (or an earlier one of ours) left: Successful, owned by the Rollout. */
function oldRun(name: string, uid: string, podHash?: string): AnalysisRun {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisRun',
    metadata: {
      name,
      namespace: NS,
      labels: {
        app: 'myapp',
        'rollout-type': 'Background',
        ...(podHash ? { 'rollouts-pod-template-hash': podHash } : {}),
      },
      annotations: { 'rollout.argoproj.io/revision': '1' },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'myapp',
          uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { metrics: [{ name: 'success-rate', provider: { web: { url: 'http://x' } } }] },
    status: { phase: 'Successful', runSummary: { count: 1, successful: 1 } },
  };
}

/** The plugin's output without its colours. */
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

describe('AnalysisRun objects of a Rollout object', () => {
  it('mirrors each run as Argo’s AnalysisRun, shown by kubectl and the plugin, and keeps Argo’s history limits', async () => {
    const h = await start();
    await custom.createNamespacedCustomObject({
      ...argo,
      plural: 'analysistemplates',
      body: webTemplate(metrics.url),
    });
    const created = (await custom.createNamespacedCustomObject({
      ...rolloutRef,
      body: rolloutObject(),
    })) as RolloutObject;
    const uid = created.metadata?.uid ?? '';
    const healthy = await waitForRollout('Healthy at generation 1', (s) => s.phase === 'Healthy');
    const blueHash = String(healthy.status?.stableRS);

    // Runs left from before: six Successful of blue's ReplicaSet, one of a ReplicaSet long gone.
    for (const n of [1, 2, 3, 4, 5, 6])
      await custom.createNamespacedCustomObject({
        ...argo,
        plural: 'analysisruns',
        body: oldRun(`old-${n}`, uid, blueHash),
      });
    await custom.createNamespacedCustomObject({
      ...argo,
      plural: 'analysisruns',
      body: oldRun('orphan', uid, 'gone123'),
    });

    // `kubectl argo rollouts set image`: the canary pauses at step 1, its background run starts there.
    await pluginPatch({ spec: { template: { spec: { containers: [{ name: 'myapp', image: YELLOW }] } } } });
    const paused = await waitForRollout(
      'paused at step 1',
      (s) => s.phase === 'Paused' && s.currentStepIndex === 1,
    );
    const hash = String(paused.status?.currentPodHash);
    const name = `myapp-${hash}-2`;
    await env.sleep('25s'); // measurements at 0, 10 and 20 s
    let ar = await waitForRun(name, '3 measurements', (r) => (r.status?.metricResults?.[0]?.count ?? 0) >= 3);

    expect(ar.metadata?.labels).toEqual({
      'rollouts-pod-template-hash': hash,
      'rollout-type': 'Background',
      app: 'myapp',
    });
    expect(ar.metadata?.annotations).toMatchObject({ 'rollout.argoproj.io/revision': '2' });
    expect(ar.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'myapp',
        uid,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(ar.spec.metrics).toEqual([
      {
        name: 'success-rate',
        interval: '10s',
        successCondition: 'result > 0.90',
        failureLimit: 3,
        inconclusiveLimit: 0,
        consecutiveErrorLimit: 4,
        provider: { web: { method: 'GET', url: `${metrics.url}/rate`, jsonPath: '{$.successRate}' } },
      },
    ]);
    expect(ar.status).toMatchObject({
      phase: 'Running',
      metricResults: [{ name: 'success-rate', phase: 'Running' }],
      runSummary: { count: 1 },
    });
    const result = ar.status?.metricResults?.[0];
    expect(result?.successful).toBe(result?.count);
    for (const m of result?.measurements ?? []) {
      expect(m).toMatchObject({ phase: 'Successful', value: '0.99' });
      expect(m.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    expect(ar.status?.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

    if (fs.existsSync(kubectlBin)) {
      const { stdout } = await run(kubectlBin, [
        'get',
        'analysisruns',
        '-n',
        NS,
        '--kubeconfig',
        cp.kubeconfigPath,
      ]);
      expect(stdout).toMatch(new RegExp(`^${name}\\s+Running\\s`, 'm'));
    }
    // The plugin decodes every AnalysisRun of the namespace with Argo's Go types, and lists the owned
    // ones under their revision, with their counts.
    if (fs.existsSync(plugin)) {
      const { stdout } = await run(plugin, [
        'get',
        'rollout',
        'myapp',
        '-n',
        NS,
        '--kubeconfig',
        cp.kubeconfigPath,
      ]);
      const line = plain(stdout)
        .split('\n')
        .find((l) => l.includes(name));
      expect(line).toMatch(
        new RegExp(`${name.replace(/[.]/g, '\\.')}\\s+AnalysisRun\\s+◌ Running\\s.*✔ (\\d+)`),
      );
      expect(Number(/✔ (\d+)/.exec(line ?? '')?.[1])).toBeGreaterThanOrEqual(3);
      expect(plain(stdout)).toMatch(/old-6\s+AnalysisRun\s+✔ Successful/);
    }

    // `abort`: the run is terminated (Successful, as Argo's), and its end cleans up older runs: the one
    // without a ReplicaSet, and the oldest Successful beyond five.
    await pluginPatch({ status: { abort: true } }, 'status');
    ar = await waitForRun(name, 'its end', (r) => r.status?.completedAt !== undefined);
    expect(ar.spec.terminate).toBe(true);
    expect(ar.status).toMatchObject({ phase: 'Successful', runSummary: { count: 1, successful: 1 } });
    const left = await waitUntil(
      async () => (await analysisRuns()).map((r) => r.metadata?.name ?? '').sort(),
      (names) => !names.includes('orphan') && !names.includes('old-1'),
      'the older runs deleted',
    );
    expect(left).toEqual(['old-2', 'old-3', 'old-4', 'old-5', 'old-6', name].sort());

    // `retry` (once the abort is acknowledged): a new run of revision 2, under Argo's next name.
    await waitForRollout('aborted', (s) => s.phase === 'Degraded' && s.abort === true);
    await pluginPatch({ status: { abort: false } }, 'status');
    await waitForRollout(
      'retried, paused at step 1',
      (s) => s.phase === 'Paused' && s.currentStepIndex === 1 && !s.abort,
    );
    await env.sleep('5s');
    const retried = await waitForRun(
      `${name}.1`,
      'a measurement',
      (r) => (r.status?.metricResults?.[0]?.count ?? 0) >= 1,
    );
    expect(retried.metadata?.annotations?.['rollouts.temporal.io/workflow-id']).toBe(
      (await h.status()).analysisRuns.at(-1)?.workflowId,
    );
    expect(retried.metadata?.labels?.['rollout-type']).toBe('Background');

    // `promote --full`: Healthy on yellow; the run ends Successful.
    await pluginPatch({ status: { promoteFull: true } }, 'status');
    await waitForRollout('Healthy on yellow', (s) => s.phase === 'Healthy' && s.stableRS === hash);
    const done = await waitForRun(`${name}.1`, 'its end', (r) => r.status?.completedAt !== undefined);
    expect(done.status?.phase).toBe('Successful');
    // Five Successful runs besides the one that just ended: the oldest left goes.
    const kept = await waitUntil(
      async () => (await analysisRuns()).map((r) => r.metadata?.name ?? '').sort(),
      (names) => !names.includes('old-2'),
      'the oldest Successful run deleted',
    );
    expect(kept).toEqual(['old-3', 'old-4', 'old-5', 'old-6', name, `${name}.1`].sort());
    if (fs.existsSync(plugin)) {
      const { stdout } = await run(plugin, [
        'get',
        'rollout',
        'myapp',
        '-n',
        NS,
        '--kubeconfig',
        cp.kubeconfigPath,
      ]);
      const tree = plain(stdout);
      expect(tree).toMatch(new RegExp(`${name}\\.1\\s+AnalysisRun\\s+✔ Successful`));
      expect(tree).toMatch(new RegExp(`${name}\\s+AnalysisRun\\s+✔ Successful`));
    }
  }, 150_000);
});
