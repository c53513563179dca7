// deploy/kubernetes on a real kube-apiserver with RBAC on: the kustomization rendered and applied with
// the real kubectl, a token of its ServiceAccount from the TokenRequest API (`kubectl create token`), and
// then, with a kubeconfig holding only that token, every activity the worker runs and the watcher's list,
// watch, template reads and status patch, against objects an admin made. Then single verbs are taken out
// of the ClusterRole: the activity that needs one fails as Forbidden, naming the verb and the resource.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  Watch,
  type CoreV1Event,
  type KubernetesListObject,
  type KubernetesObject,
  type V1ClusterRole,
  type V1Deployment,
  type V1Pod,
  type V1PolicyRule,
  type V1ReplicaSet,
  type V1Service,
} from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import YAML from 'yaml';
import { createActivities } from '../../activities/index.js';
import type { MetricActivities, RolloutActivities, SetWeightInput } from '../../activities/interface.js';
import { Kube } from '../../activities/kube.js';
import { createMetricActivities } from '../../activities/metrics/index.js';
import { fetchAnalysisTemplates } from '../../client/cluster-templates.js';
import { RolloutNotFoundError } from '../../client/rollouts-client.js';
import type { MeasureInput } from '../../core/analysis/types.js';
import { PermanentFailureType } from '../../core/failures.js';
import { POD_TEMPLATE_HASH_LABEL, type RolloutDefinition, type TrafficRouting } from '../../core/types.js';
import type { Rollouts } from '../../worker/watcher/reconcile.js';
import type { RolloutObject } from '../../worker/watcher/rollout-object.js';
import { RolloutWatcher } from '../../worker/watcher/watcher.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { LocalHttpServer, useLocalHttpServer } from '../support/local-http.js';
import { repoRoot, seedDir, toolsBin } from '../support/paths.js';
import { waitUntil } from '../support/temporal-env.js';

const run = promisify(execFile);
const kubectlBin = path.join(toolsBin, 'kubectl');
const base = path.join(repoRoot, 'deploy', 'kubernetes');

const NS = 'rollouts-demo';
const WORKER_NS = 'temporal-rollouts';
const WORKER_SA = 'temporal-rollouts-worker';
const USER = `system:serviceaccount:${WORKER_NS}:${WORKER_SA}`;
const ISTIO = 'networking.istio.io/v1alpha3';
const ARGO = 'argoproj.io/v1alpha1';
const TOKEN = 'metrics-token-7f3a';

let cp: ControlPlane;
/** The admin's client (system:masters): sets up and reads back. */
let admin: KubernetesObjectApi;
/** The worker's kubeconfig: the ServiceAccount's token, nothing else. */
let workerKubeconfig: string;
let workerConfig: KubeConfig;
let activities: RolloutActivities;
let metrics: MetricActivities;
let rolloutUid: string;

// The metric endpoint: answers only with the token from the Secret.
const metricServer = useLocalHttpServer((req, res) =>
  req.headers.authorization === `Bearer ${TOKEN}`
    ? LocalHttpServer.json(res, { successRate: 0.99 })
    : LocalHttpServer.json(res, { error: 'no token' }, 401),
);

const logger = new DefaultLogger((process.env.TEST_LOG as LogLevel | undefined) ?? 'ERROR');

/** The real kubectl, as the admin (or with another kubeconfig); stdout, or an error with its stderr. */
async function kubectl(args: string[], kubeconfig = cp.kubeconfigPath): Promise<string> {
  try {
    const { stdout } = await run(kubectlBin, ['--kubeconfig', kubeconfig, ...args], { cwd: repoRoot });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`kubectl ${args.join(' ')}: ${e.stderr || e.message}`, { cause: err });
  }
}

function writeWorkerKubeconfig(token: string): string {
  const cluster = cp.kubeConfig().getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no cluster');
  const file = path.join(cp.dir, 'worker-kubeconfig');
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'rbac', cluster: { server: cluster.server, 'certificate-authority-data': cluster.caData } },
    ],
    users: [{ name: WORKER_SA, user: { token } }],
    contexts: [{ name: 'worker', context: { cluster: 'rbac', user: WORKER_SA, namespace: WORKER_NS } }],
    'current-context': 'worker',
  };
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return file;
}

let rendered: KubernetesObject[];

beforeAll(async () => {
  cp = await ControlPlane.start('rbac');
  admin = cp.objectApi();
  // The base as a person installs it, server-side (the CRDs are there already: the same fields, shared).
  const yaml = await kubectl(['kustomize', base]);
  const renderedFile = path.join(cp.dir, 'deploy-kubernetes.yaml');
  fs.writeFileSync(renderedFile, yaml);
  rendered = YAML.parseAllDocuments(yaml).map((doc) => doc.toJS() as KubernetesObject);
  await kubectl(['apply', '--server-side', '--field-manager', 'rbac-test', '-f', renderedFile]);
  // The seed's objects, as the admin: what the worker's activities and watcher then change and read.
  const seed = ['00-namespace', '01-services', '02-virtualservice', '04-analysistemplate', '05-rollout'];
  await cp.apply(...seed.map((file) => path.join(seedDir, `${file}.yaml`)));
  rolloutUid = (
    await admin.read({ apiVersion: ARGO, kind: 'Rollout', metadata: { name: 'myapp', namespace: NS } })
  ).metadata!.uid!;
  const token = (await kubectl(['create', 'token', WORKER_SA, '-n', WORKER_NS, '--duration', '1h'])).trim();
  workerKubeconfig = writeWorkerKubeconfig(token);
  workerConfig = new KubeConfig();
  workerConfig.loadFromFile(workerKubeconfig);
  const kube = Kube.fromKubeconfig(workerKubeconfig);
  activities = createActivities({ kube, pollMs: 100 });
  metrics = createMetricActivities({ kube });
}, 120_000);

afterAll(async () => {
  await cp?.stop();
}, 60_000);

// ---------- calling activities as the worker does ----------

type Name = keyof RolloutActivities;
type Input<K extends Name> = Parameters<RolloutActivities[K]>[0];
type Output<K extends Name> = Awaited<ReturnType<RolloutActivities[K]>>;

function call<K extends Name>(name: K, input: Input<K>): Promise<Output<K>> {
  const fn = activities[name] as (input: Input<K>) => Promise<Output<K>>;
  return new MockActivityEnvironment(undefined, { logger }).run(fn, input);
}

const measure = (input: MeasureInput) =>
  new MockActivityEnvironment(undefined, { logger }).run(metrics.measure, input);

const read = <T extends KubernetesObject>(apiVersion: string, kind: string, name: string) =>
  admin.read<T>({ apiVersion, kind, metadata: { name, namespace: NS } });

const template = (image: string) => ({
  metadata: { labels: { app: 'myapp' } },
  spec: { containers: [{ name: 'myapp', image }] },
});

const STABLE = 'aaaa1111';
const CANARY = 'bbbb2222';
const routing: TrafficRouting = {
  istio: {
    virtualServices: [{ name: 'myapp-vsvc', routes: ['primary'], tlsRoutes: [], tcpRoutes: [] }],
    destinationRule: { name: 'myapp-destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' },
  },
};
const weight = (canaryWeight: number): SetWeightInput => ({
  namespace: NS,
  rollout: 'myapp',
  routing: { istio: { virtualServices: routing.istio.virtualServices } },
  canaryService: 'myapp-canary-svc',
  stableService: 'myapp-stable-svc',
  canaryWeight,
});
let sequence = 0;
const status = () => ({
  namespace: NS,
  name: 'myapp',
  uid: rolloutUid,
  status: {
    phase: 'Progressing',
    message: `write ${++sequence}`,
    temporal: { workflowId: `rollout:${NS}/myapp`, sequence, acknowledged: {} },
  },
  // Recorded as core/v1 Events on the Rollout once the status is written.
  events: [{ type: 'Normal' as const, reason: 'RBACChecked', message: `write ${sequence}` }],
});
const secretMetric = (): MeasureInput => ({
  namespace: NS,
  metric: 'success-rate',
  provider: {
    web: {
      url: `${metricServer.url}/rate`,
      method: 'GET',
      headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
      jsonPath: '{$.successRate}',
    },
  },
  secretArgs: [{ name: 'token', secretName: 'metrics-api', key: 'token' }],
});

/** A pod of the ReplicaSet, Ready (there is no kubelet here: the admin writes its status). */
async function readyPod(name: string, rs: V1ReplicaSet): Promise<void> {
  const pod: V1Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      labels: { app: 'myapp', [POD_TEMPLATE_HASH_LABEL]: CANARY },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata!.name!,
          uid: rs.metadata!.uid!,
          controller: true,
        },
      ],
    },
    spec: { containers: [{ name: 'myapp', image: 'x/myapp:2' }] },
  };
  const created = await admin.create(pod);
  created.status = {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date() }],
  };
  await cp.kubeConfig().makeApiClient(CoreV1Api).replaceNamespacedPodStatus({
    name,
    namespace: NS,
    body: created,
  });
}

// ---------- the base itself ----------

describe('deploy/kubernetes', () => {
  it('renders the namespace, ServiceAccount, RBAC, worker and CRDs, and passes a server-side dry run', async () => {
    expect(rendered.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual(
      [
        'ClusterRole/temporal-rollouts-worker',
        'ClusterRoleBinding/temporal-rollouts-worker',
        'CustomResourceDefinition/analysisruns.argoproj.io',
        'CustomResourceDefinition/analysistemplates.argoproj.io',
        'CustomResourceDefinition/clusteranalysistemplates.argoproj.io',
        'CustomResourceDefinition/experiments.argoproj.io',
        'CustomResourceDefinition/rollouts.argoproj.io',
        'Deployment/temporal-rollouts-worker',
        'Namespace/temporal-rollouts',
        'ServiceAccount/temporal-rollouts-worker',
      ].sort(),
    );
    const worker = rendered.find((o) => o.kind === 'Deployment') as V1Deployment;
    const pod = worker.spec!.template.spec!;
    expect(worker.spec?.replicas).toBe(1);
    expect(pod.serviceAccountName).toBe(WORKER_SA);
    const container = pod.containers[0]!;
    expect(container.image).toBe('temporal-rollouts:latest');
    // In-cluster config (loadFromDefault), never a kubeconfig file.
    expect(container.env?.map((e) => e.name)).toEqual([
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
      'TEMPORAL_API_KEY',
      'ROLLOUTS_WATCH_NAMESPACES',
    ]);
    expect(container.env?.find((e) => e.name === 'TEMPORAL_API_KEY')?.valueFrom?.secretKeyRef?.optional).toBe(
      true,
    );
    expect(container.volumeMounts).toBeUndefined();
    // Applied already: a second apply of the base (what `kubectl apply -k` does) is accepted as it is.
    const dryRun = await kubectl(['apply', '-k', base, '--dry-run=server']);
    expect(dryRun).toContain('deployment.apps/temporal-rollouts-worker');
    expect(dryRun).toContain('(server dry run)');
  });

  it("the token is the ServiceAccount's, and it may do nothing the role does not say", async () => {
    const whoami = await kubectl(
      ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'],
      workerKubeconfig,
    );
    expect(whoami).toBe(USER);
    const worker = KubernetesObjectApi.makeApiClient(workerConfig);
    await expect(worker.list('v1', 'Namespace')).rejects.toMatchObject({ code: 403 });
    await expect(worker.list('apps/v1', 'Deployment', NS)).rejects.toMatchObject({ code: 403 });
    await expect(
      worker.delete({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'myapp-canary-svc', namespace: NS },
      }),
    ).rejects.toMatchObject({ code: 403 });
  });
});

// ---------- every activity, as the worker ----------

describe("the worker's activities under its ClusterRole", () => {
  it('ensureReplicaSet, scaleReplicaSet, waitForReplicaSetAvailable, syncPodMetadata, restartPods, pruneReplicaSets', async () => {
    const ensure = (
      hash: string,
      revision: number,
      replicas: number,
      podMetadata?: { labels: Record<string, string> },
    ) =>
      call('ensureReplicaSet', {
        namespace: NS,
        rollout: 'myapp',
        podTemplateHash: hash,
        revision,
        selector: { app: 'myapp' },
        template: template(`x/myapp:${revision}`),
        replicas,
        owner: { name: 'myapp', uid: rolloutUid },
        ...(podMetadata ? { podMetadata } : {}),
      });
    expect(await ensure(STABLE, 1, 0)).toEqual({ name: `myapp-${STABLE}`, created: true });
    expect(await ensure(CANARY, 2, 1)).toEqual({ name: `myapp-${CANARY}`, created: true });
    // It exists: read, its metadata synced (update), then patched.
    expect(await ensure(CANARY, 2, 1, { labels: { role: 'canary' } })).toEqual({
      name: `myapp-${CANARY}`,
      created: false,
    });

    await call('scaleReplicaSet', { namespace: NS, name: `myapp-${CANARY}`, replicas: 2 });
    const rs = await read<V1ReplicaSet>('apps/v1', 'ReplicaSet', `myapp-${CANARY}`);
    expect(rs.spec?.replicas).toBe(2);
    expect(rs.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Rollout', uid: rolloutUid });

    // The ReplicaSet controller's part: two Ready pods, and the counts in the status.
    await readyPod('canary-a', rs);
    await readyPod('canary-b', rs);
    rs.status = {
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      observedGeneration: rs.metadata?.generation,
    };
    await cp
      .kubeConfig()
      .makeApiClient(AppsV1Api)
      .replaceNamespacedReplicaSetStatus({ name: `myapp-${CANARY}`, namespace: NS, body: rs });
    expect(
      await call('waitForReplicaSetAvailable', {
        namespace: NS,
        name: `myapp-${CANARY}`,
        replicas: 2,
        minReadySeconds: 0,
      }),
    ).toEqual({
      name: `myapp-${CANARY}`,
      replicas: 2,
      availableReplicas: 2,
      statusReplicas: 2,
      readyReplicas: 2,
    });

    // Pods listed, read and updated with the role's labels.
    expect(
      await call('syncPodMetadata', {
        namespace: NS,
        name: `myapp-${CANARY}`,
        podMetadata: { labels: { role: 'preview' } },
      }),
    ).toEqual({ replicaSetChanged: true, podsChanged: 2 });
    expect((await read<V1Pod>('v1', 'Pod', 'canary-a')).metadata?.labels?.role).toBe('preview');

    // One pod evicted (pods/eviction), the other kept for availability.
    const restarted = await call('restartPods', {
      namespace: NS,
      rollout: 'myapp',
      selector: { app: 'myapp' },
      restartAt: new Date(Date.now() + 3_600_000).toISOString(),
      replicas: 2,
      maxUnavailable: 1,
      minReadySeconds: 0,
    });
    expect(restarted.needsRestart).toBe(2);
    expect(restarted.evicted).toHaveLength(1);

    // The old ReplicaSet, at zero, beyond revisionHistoryLimit 0: listed and deleted.
    expect(
      await call('pruneReplicaSets', {
        namespace: NS,
        rollout: 'myapp',
        keep: [CANARY],
        revisionHistoryLimit: 0,
      }),
    ).toEqual({ deleted: [`myapp-${STABLE}`] });
  });

  it('setServiceSelector, setTrafficWeight and updateTrafficHashes', async () => {
    await call('setServiceSelector', {
      namespace: NS,
      service: 'myapp-canary-svc',
      rollout: 'myapp',
      podTemplateHash: CANARY,
    });
    const service = await read<V1Service>('v1', 'Service', 'myapp-canary-svc');
    expect(service.spec?.selector).toEqual({ app: 'myapp', [POD_TEMPLATE_HASH_LABEL]: CANARY });

    expect(await call('setTrafficWeight', weight(30))).toEqual({ canary: 30, stable: 70, verified: true });
    const vs = await read<KubernetesObject & { spec: { http: { route: { weight: number }[] }[] } }>(
      ISTIO,
      'VirtualService',
      'myapp-vsvc',
    );
    expect(vs.spec.http[0]?.route.map((r) => r.weight)).toEqual([70, 30]);

    await cp.applyObjects({
      apiVersion: ISTIO,
      kind: 'DestinationRule',
      metadata: { name: 'myapp-destrule', namespace: NS },
      spec: { host: 'myapp', subsets: [{ name: 'canary' }, { name: 'stable' }] },
    } as KubernetesObject);
    await call('updateTrafficHashes', {
      namespace: NS,
      rollout: 'myapp',
      routing,
      canaryHash: CANARY,
      stableHash: STABLE,
    });
    const dr = await read<KubernetesObject & { spec: { subsets: { labels?: Record<string, string> }[] } }>(
      ISTIO,
      'DestinationRule',
      'myapp-destrule',
    );
    expect(dr.spec.subsets.map((s) => s.labels?.[POD_TEMPLATE_HASH_LABEL])).toEqual([CANARY, STABLE]);
  });

  it('writeRolloutStatus onto the Rollout the admin created, with its Events', async () => {
    expect(await call('writeRolloutStatus', status())).toEqual({ written: true });
    const rollout = await read<RolloutObject>(ARGO, 'Rollout', 'myapp');
    expect(rollout.status).toMatchObject({ phase: 'Progressing', message: `write ${sequence}` });
    const events = await admin.list<CoreV1Event>('v1', 'Event', NS);
    expect(events.items.map((e) => `${e.involvedObject.name} ${e.reason} ${e.message}`)).toContain(
      `myapp RBACChecked write ${sequence}`,
    );
  });

  it("measure reads a metric's secret arg from its Secret", async () => {
    await cp.applyObjects({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'metrics-api', namespace: NS },
      data: { token: Buffer.from(TOKEN).toString('base64') },
    } as KubernetesObject);
    expect(await measure(secretMetric())).toEqual({ value: 0.99 });
  });
});

// ---------- the watcher, as the worker ----------

describe("the watcher under the worker's ClusterRole", () => {
  it('lists and watches Rollouts in every namespace', async () => {
    const custom = workerConfig.makeApiClient(CustomObjectsApi);
    const listed = (await custom.listClusterCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      plural: 'rollouts',
    })) as KubernetesListObject<RolloutObject>;
    expect(listed.items.map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual([`${NS}/myapp`]);
    const objects = KubernetesObjectApi.makeApiClient(workerConfig);
    expect((await objects.list(ARGO, 'Rollout')).items).toHaveLength(1);

    const events: string[] = [];
    let ended: unknown;
    const watch = await new Watch(workerConfig).watch(
      '/apis/argoproj.io/v1alpha1/rollouts',
      {},
      (phase: string, object: RolloutObject) => events.push(`${phase} ${object.metadata?.name}`),
      (err: unknown) => (ended = err ?? 'ended'),
    );
    try {
      await waitUntil(
        () => Promise.resolve(events),
        (seen) => seen.includes('ADDED myapp') || ended !== undefined,
        'the watch to send the Rollout',
        10_000,
      );
      expect(ended).toBeUndefined();
      expect(events).toContain('ADDED myapp');
    } finally {
      watch.abort();
    }
  });

  it('RolloutWatcher deploys with the templates it reads, and writes InvalidSpec onto the status', async () => {
    await cp.applyObjects(
      {
        apiVersion: ARGO,
        kind: 'ClusterAnalysisTemplate',
        metadata: { name: 'always-ok' },
        spec: { metrics: [{ name: 'ok', provider: { web: { url: 'http://checker/ok' } } }] },
      } as KubernetesObject,
      {
        apiVersion: ARGO,
        kind: 'Rollout',
        metadata: { name: 'broken', namespace: NS },
        spec: { selector: { matchLabels: { app: 'broken' } } },
      } as KubernetesObject,
    );
    // The worker's own ClusterAnalysisTemplate read (the watcher's fetchTemplates).
    const fetched = await fetchAnalysisTemplates(
      [{ kind: 'ClusterAnalysisTemplate', namespace: '', name: 'always-ok' }],
      KubernetesObjectApi.makeApiClient(workerConfig),
    );
    expect(fetched).toMatchObject({
      errors: [],
      templates: [expect.objectContaining({ kind: 'ClusterAnalysisTemplate' })],
    });

    // Temporal's part stubbed: what the watcher hands on is recorded; no workflow runs anything yet.
    const deployed: RolloutDefinition[] = [];
    const warnings: string[] = [];
    const unexpected = (what: string) => () => Promise.reject(new Error(`unexpected ${what}`));
    const rollouts: Rollouts = {
      deployFromCluster: (definition) => {
        deployed.push(definition);
        return Promise.resolve({ message: 'deployed' });
      },
      invalidSpec: (namespace, name) => Promise.reject(new RolloutNotFoundError(namespace, name)),
      promote: unexpected('promote'),
      abort: unexpected('abort'),
      retry: unexpected('retry'),
      endDeleted: () => Promise.resolve(false),
      clusterUid: () => Promise.resolve(undefined),
      running: () => Promise.resolve([]),
    };
    const watcher = new RolloutWatcher(workerConfig, Kube.fromConfig(workerConfig), rollouts, {
      namespaces: [],
      log: (level, message, fields) => {
        if (level === 'warn' && message !== 'invalid spec')
          warnings.push(`${message} ${JSON.stringify(fields)}`);
      },
    });
    await watcher.start();
    try {
      const broken = await waitUntil(
        () => read<RolloutObject>(ARGO, 'Rollout', 'broken'),
        (o) => o.status?.phase === 'Degraded' || warnings.length > 0,
        'InvalidSpec on the broken Rollout',
        15_000,
      );
      await waitUntil(
        () => Promise.resolve(deployed.length),
        (n) => n > 0 || warnings.length > 0,
        'the seed Rollout deployed',
      );
      await watcher.idle();
      expect(warnings).toEqual([]);
      expect(broken.status?.message).toMatch(/^InvalidSpec: /);
      expect(deployed.map((d) => `${d.namespace}/${d.name}`)).toEqual([`${NS}/myapp`]);
      expect(deployed[0]?.analysisTemplates?.map((t) => t.name)).toEqual(['istio-success-rate']);
    } finally {
      await watcher.stop();
    }
  });
});

// ---------- one verb fewer ----------

/** The rules without `verb` on `group`/`resource` (a rule naming more resources is split). */
function withoutVerb(rules: V1PolicyRule[], group: string, resource: string, verb: string): V1PolicyRule[] {
  return rules.flatMap((rule) => {
    if (!rule.apiGroups?.includes(group) || !rule.resources?.includes(resource) || !rule.verbs.includes(verb))
      return [rule];
    const others = rule.resources.filter((r) => r !== resource);
    const verbs = rule.verbs.filter((v) => v !== verb);
    return [
      ...(others.length ? [{ ...rule, resources: others }] : []),
      ...(verbs.length ? [{ ...rule, resources: [resource], verbs }] : []),
    ];
  });
}

const roleRef = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name: WORKER_SA },
};

async function setRules(change: (rules: V1PolicyRule[]) => V1PolicyRule[]): Promise<V1PolicyRule[]> {
  const role = await admin.read<V1ClusterRole>(roleRef);
  const before = role.rules ?? [];
  await admin.replace<V1ClusterRole>({ ...role, rules: change(before) });
  return before;
}

/** What the attempt threw, or the error measurement it returned; undefined when it went through. */
async function outcome(attempt: () => Promise<unknown>): Promise<string | undefined> {
  try {
    const result = (await attempt()) as { error?: string } | undefined;
    return result?.error;
  } catch (err) {
    if (!(err instanceof ApplicationFailure)) throw err;
    expect(err.type).toBe(PermanentFailureType.Forbidden);
    expect(err.nonRetryable).toBe(true);
    return err.message;
  }
}

let attempts = 0;
const cases: {
  verb: string;
  group: string;
  resource: string;
  activity: string;
  attempt: () => Promise<unknown>;
}[] = [
  {
    verb: 'patch',
    group: 'apps',
    resource: 'replicasets',
    activity: 'scaleReplicaSet',
    attempt: () => call('scaleReplicaSet', { namespace: NS, name: `myapp-${CANARY}`, replicas: 2 }),
  },
  {
    verb: 'update',
    group: 'networking.istio.io',
    resource: 'virtualservices',
    activity: 'setTrafficWeight',
    attempt: () => call('setTrafficWeight', weight(40 + (attempts++ % 50))),
  },
  {
    verb: 'patch',
    group: 'argoproj.io',
    resource: 'rollouts/status',
    activity: 'writeRolloutStatus',
    attempt: () => call('writeRolloutStatus', status()),
  },
  {
    verb: 'get',
    group: '',
    resource: 'secrets',
    activity: 'measure',
    attempt: () => measure(secretMetric()),
  },
];

describe('a verb taken out of the ClusterRole', () => {
  it.each(cases)(
    'without $verb on $resource, $activity fails naming both (and works again with it back)',
    async ({ verb, group, resource, attempt }) => {
      const before = await setRules((rules) => withoutVerb(rules, group, resource, verb));
      let message: string | undefined;
      try {
        // The API server's authorizer sees the new role within moments.
        message = await waitUntil(
          () => outcome(attempt),
          (m) => m !== undefined,
          `${verb} ${resource} refused`,
          10_000,
        );
      } finally {
        await setRules(() => before);
      }
      expect(message).toContain(
        `User "${USER}" cannot ${verb} resource "${resource}" in API group "${group}"`,
      );
      expect(message).toContain(`in the namespace "${NS}"`);
      await waitUntil(
        () => outcome(attempt),
        (m) => m === undefined,
        `${verb} ${resource} allowed again`,
        10_000,
      );
    },
  );
});
