// The real activities (createActivities) against a real kube-apiserver with the seed's Namespace,
// Services, VirtualService and Gateway: every write read back from the API server, every call made
// twice (same state, no error, no second write), each permanent failure with its type and the name in
// its message, a concurrent edit that must survive our write, and an API server outage.
// Activities run outside a worker here, in MockActivityEnvironment (their Context: heartbeat, sleep,
// cancellation); test/integration/rollout.test.ts runs them under a real worker.
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import {
  KubernetesObjectApi,
  type KubernetesObject,
  type V1ReplicaSet,
  type V1Service,
} from '@kubernetes/client-node';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import type { RolloutActivities, SetWeightInput } from '../../activities/interface.js';
import { Kube } from '../../activities/kube.js';
import { REVISION_ANNOTATION, ROLLOUT_LABEL } from '../../activities/replicasets.js';
import { MANAGED_BY_ANNOTATION } from '../../activities/services.js';
import { PermanentFailureType, TransientFailureType } from '../../core/failures.js';
import { injectedAntiAffinityTerm, replicaSetTemplate } from '../../core/affinity.js';
import { podTemplateHash } from '../../core/hash.js';
import {
  POD_TEMPLATE_HASH_LABEL,
  type IstioVirtualServiceRef,
  type PodTemplate,
  type TrafficRouting,
} from '../../core/types.js';
import { PodSimulator } from '../../lab/pod-simulator.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { seedDir } from '../support/paths.js';

const NS = 'rollouts-demo';
const ISTIO = 'networking.istio.io/v1alpha3';
const seedFiles = ['00-namespace.yaml', '01-services.yaml', '02-virtualservice.yaml', '03-gateway.yaml'].map(
  (f) => path.join(seedDir, f),
);
const seedVirtualService = path.join(seedDir, '02-virtualservice.yaml');

/**
 * The generic object API with a hook before each replace (PUT): an edit made there by someone else
 * lands between our read and our write, so our PUT carries a stale resourceVersion and the server
 * answers 409 for real.
 */
class RacingObjectApi extends KubernetesObjectApi {
  /** Run once each, in order, before the next PUTs. */
  edits: (() => Promise<void>)[] = [];
  /** What the server answered to each PUT: 'ok' or the HTTP status. */
  outcomes: string[] = [];

  override async replace<T extends KubernetesObject>(
    spec: T,
    pretty?: string,
    dryRun?: string,
    fieldManager?: string,
    options?: Parameters<KubernetesObjectApi['replace']>[4],
  ): Promise<T> {
    const edit = this.edits.shift();
    if (edit) await edit();
    try {
      const result = await super.replace(spec, pretty, dryRun, fieldManager, options);
      this.outcomes.push('ok');
      return result;
    } catch (err) {
      this.outcomes.push(String((err as { code?: unknown }).code));
      throw err;
    }
  }
}

let cp: ControlPlane;
/** Our own client, for setting up and reading back. */
let api: KubernetesObjectApi;
let racing: RacingObjectApi;
let activities: RolloutActivities;

beforeAll(async () => {
  cp = await ControlPlane.start('activities');
  await cp.apply(...seedFiles);
  api = cp.objectApi();
  racing = cp.kubeConfig().makeApiClient(RacingObjectApi);
  activities = createActivities({ kube: new Kube(racing), pollMs: 100 });
}, 120_000);

afterAll(async () => {
  await cp?.stop();
}, 60_000);

// ---------- calling activities and reading back ----------

const logger = new DefaultLogger((process.env.TEST_LOG as LogLevel | undefined) ?? 'ERROR');

type Name = keyof RolloutActivities;
type Input<K extends Name> = Parameters<RolloutActivities[K]>[0];
type Output<K extends Name> = Awaited<ReturnType<RolloutActivities[K]>>;

function call<K extends Name>(
  name: K,
  input: Input<K>,
  env = new MockActivityEnvironment(undefined, { logger }),
): Promise<Output<K>> {
  const fn = activities[name] as (input: Input<K>) => Promise<Output<K>>;
  return env.run(fn, input);
}

async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApplicationFailure) return err;
    throw err;
  }
  throw new Error('expected the activity to fail');
}

interface Destination {
  destination: { host: string; subset?: string };
  weight?: number;
}
interface Route {
  name?: string;
  match?: unknown[];
  route: Destination[];
}
interface VirtualService extends KubernetesObject {
  spec: { hosts?: string[]; gateways?: string[]; http?: Route[]; tls?: Route[]; tcp?: Route[] };
}
interface DestinationRule extends KubernetesObject {
  spec: { host: string; subsets: { name: string; labels?: Record<string, string> }[] };
}

const readVs = (name: string) =>
  api.read<VirtualService>({ apiVersion: ISTIO, kind: 'VirtualService', metadata: { name, namespace: NS } });
const readDr = (name: string) =>
  api.read<DestinationRule>({
    apiVersion: ISTIO,
    kind: 'DestinationRule',
    metadata: { name, namespace: NS },
  });
const readService = (name: string) =>
  api.read<V1Service>({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS } });
const readRs = (name: string) =>
  api.read<V1ReplicaSet>({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name, namespace: NS } });
const rv = (o: KubernetesObject) => o.metadata?.resourceVersion;

/** `host:weight` (or `subset:weight`) of each destination of a route. */
const weightsOf = (route: Route | undefined) =>
  (route?.route ?? []).map((d) => `${d.destination.subset ?? d.destination.host}:${d.weight ?? '-'}`);

const vsRef = (name: string, routes: string[] = []): IstioVirtualServiceRef => ({
  name,
  routes,
  tlsRoutes: [],
  tcpRoutes: [],
});
const seedRouting: TrafficRouting = { istio: { virtualServices: [vsRef('myapp-vsvc', ['primary'])] } };

function weightInput(canaryWeight: number, routing = seedRouting): SetWeightInput {
  return {
    namespace: NS,
    rollout: 'myapp',
    routing,
    canaryService: 'myapp-canary-svc',
    stableService: 'myapp-stable-svc',
    canaryWeight,
  };
}

function template(image: string, app = 'myapp'): PodTemplate {
  return {
    metadata: { labels: { app }, annotations: { 'example.com/note': 'kept' } },
    spec: {
      containers: [{ name: app, image, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }],
    },
  };
}

async function ensure(rollout: string, image: string, revision: number, replicas: number) {
  const tpl = template(image);
  const hash = podTemplateHash(tpl);
  const result = await call('ensureReplicaSet', {
    namespace: NS,
    rollout,
    podTemplateHash: hash,
    revision,
    selector: { app: 'myapp' },
    template: tpl,
    replicas,
  });
  return { ...result, hash };
}

// ---------- host-level weights (the seed) ----------

describe('setTrafficWeight on the seed VirtualService', () => {
  beforeEach(() => cp.apply(seedVirtualService));

  it('sets the weights of the named route, read back from the API server; a second call writes nothing', async () => {
    for (const weight of [20, 50, 100, 0]) {
      const result = await call('setTrafficWeight', weightInput(weight));
      expect(result).toEqual({ canary: weight, stable: 100 - weight, verified: true });
      const vs = await readVs('myapp-vsvc');
      expect(weightsOf(vs.spec.http?.[0])).toEqual([
        `myapp-stable-svc:${100 - weight}`,
        `myapp-canary-svc:${weight}`,
      ]);
      // Everything else as the seed wrote it.
      expect(vs.spec.hosts).toEqual(['myapp.apps.argoproj.io']);
      expect(vs.spec.gateways).toEqual(['myapp-gateway']);
      expect(vs.spec.http?.[0]?.name).toBe('primary');

      expect(await call('setTrafficWeight', weightInput(weight))).toEqual(result);
      const again = await readVs('myapp-vsvc');
      expect(rv(again)).toBe(rv(vs));
      expect(again.spec).toEqual(vs.spec);
    }
  });

  it('the only HTTP route, when the Rollout names none', async () => {
    const routing = { istio: { virtualServices: [vsRef('myapp-vsvc')] } };
    expect(await call('setTrafficWeight', weightInput(30, routing))).toMatchObject({ verified: true });
    expect(weightsOf((await readVs('myapp-vsvc')).spec.http?.[0])).toEqual([
      'myapp-stable-svc:70',
      'myapp-canary-svc:30',
    ]);
  });

  it('a route that does not exist: permanent RouteNotFound naming it, nothing written', async () => {
    const before = await readVs('myapp-vsvc');
    const routing = { istio: { virtualServices: [vsRef('myapp-vsvc', ['secondary'])] } };
    const err = await failure(call('setTrafficWeight', weightInput(20, routing)));
    expect(err).toMatchObject({ type: PermanentFailureType.RouteNotFound, nonRetryable: true });
    expect(err.message).toBe(
      'VirtualService rollouts-demo/myapp-vsvc: HTTP route "secondary" not found (routes: primary)',
    );
    expect(rv(await readVs('myapp-vsvc'))).toBe(rv(before));
  });

  it('a destination for a Service the route does not have: permanent RouteNotFound naming the Service', async () => {
    const err = await failure(
      call('setTrafficWeight', { ...weightInput(20), canaryService: 'myapp-preview-svc' }),
    );
    expect(err).toMatchObject({ type: PermanentFailureType.RouteNotFound, nonRetryable: true });
    expect(err.message).toContain('myapp-preview-svc');
  });

  it('a VirtualService that does not exist: permanent NotFound naming it', async () => {
    const routing = { istio: { virtualServices: [vsRef('myapp-vsvc'), vsRef('other-vsvc', ['primary'])] } };
    const err = await failure(call('setTrafficWeight', weightInput(20, routing)));
    expect(err).toMatchObject({ type: PermanentFailureType.NotFound, nonRetryable: true });
    expect(err.message).toMatch(/^VirtualService rollouts-demo\/other-vsvc not found/);
  });
});

// ---------- a concurrent edit ----------

describe('someone else edits the VirtualService between our read and our write', () => {
  beforeEach(async () => {
    await cp.apply(seedVirtualService);
    racing.edits = [];
    racing.outcomes = [];
  });

  /** Another client adds a header route above ours and a host: an edit we must not undo. */
  const theirEdit = (n: number) => async () => {
    const vs = await readVs('myapp-vsvc');
    vs.spec.hosts = [...(vs.spec.hosts ?? []), `extra-${n}.example.com`];
    vs.spec.http = [
      { name: `their-route-${n}`, route: [{ destination: { host: 'myapp-stable-svc' } }] },
      ...(vs.spec.http ?? []),
    ];
    await api.replace(vs);
  };

  it('our PUT gets a real 409, we read again and write on top of their change, which survives', async () => {
    racing.edits = [theirEdit(1)];
    const result = await call('setTrafficWeight', weightInput(20));
    expect(racing.outcomes).toEqual(['409', 'ok']);
    expect(result).toEqual({ canary: 20, stable: 80, verified: true });

    const vs = await readVs('myapp-vsvc');
    expect(vs.spec.hosts).toEqual(['myapp.apps.argoproj.io', 'extra-1.example.com']);
    expect(vs.spec.http?.map((r) => r.name)).toEqual(['their-route-1', 'primary']);
    expect(weightsOf(vs.spec.http?.[0])).toEqual(['myapp-stable-svc:-']);
    expect(weightsOf(vs.spec.http?.[1])).toEqual(['myapp-stable-svc:80', 'myapp-canary-svc:20']);
  });

  it('an object that keeps changing under us: a transient (retryable) failure after 5 attempts', async () => {
    racing.edits = [1, 2, 3, 4, 5].map(theirEdit);
    const err = await failure(call('setTrafficWeight', weightInput(20)));
    expect(racing.outcomes).toEqual(['409', '409', '409', '409', '409']);
    expect(err).toMatchObject({ type: TransientFailureType, nonRetryable: false });
    expect(err.message).toContain('VirtualService rollouts-demo/myapp-vsvc');
    // Their five edits all survive; our weights are not half-written.
    const vs = await readVs('myapp-vsvc');
    expect(vs.spec.http).toHaveLength(6);
    expect(weightsOf(vs.spec.http?.[5])).toEqual(['myapp-stable-svc:100', 'myapp-canary-svc:0']);
    // The next attempt (Temporal's retry) goes through.
    expect(await call('setTrafficWeight', weightInput(20))).toMatchObject({ verified: true });
  });
});

// ---------- Service selectors ----------

describe('setServiceSelector', () => {
  it("adds the hash to the selector, keeps the user's keys, marks the Service managed; twice is the same", async () => {
    const input = {
      namespace: NS,
      service: 'myapp-stable-svc',
      rollout: 'myapp',
      podTemplateHash: 'aaaa1111',
    };
    await call('setServiceSelector', input);
    const svc = await readService('myapp-stable-svc');
    expect(svc.spec?.selector).toEqual({ app: 'myapp', [POD_TEMPLATE_HASH_LABEL]: 'aaaa1111' });
    expect(svc.metadata?.annotations?.[MANAGED_BY_ANNOTATION]).toBe('myapp');
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, targetPort: 'http', name: 'http' });

    await call('setServiceSelector', input);
    expect(rv(await readService('myapp-stable-svc'))).toBe(rv(svc));

    await call('setServiceSelector', { ...input, podTemplateHash: 'bbbb2222' });
    expect((await readService('myapp-stable-svc')).spec?.selector).toEqual({
      app: 'myapp',
      [POD_TEMPLATE_HASH_LABEL]: 'bbbb2222',
    });
    // The other Service is untouched.
    expect((await readService('myapp-canary-svc')).spec?.selector).toEqual({ app: 'myapp' });
  });

  it('a Service that does not exist: permanent NotFound naming it', async () => {
    const err = await failure(
      call('setServiceSelector', {
        namespace: NS,
        service: 'myapp-preview-svc',
        rollout: 'myapp',
        podTemplateHash: 'x',
      }),
    );
    expect(err).toMatchObject({ type: PermanentFailureType.NotFound, nonRetryable: true });
    expect(err.message).toMatch(/^Service rollouts-demo\/myapp-preview-svc not found/);
  });
});

// ---------- ReplicaSets ----------

describe('ensureReplicaSet and scaleReplicaSet', () => {
  it('creates <rollout>-<hash> with its label, revision, selector and template; twice is the same', async () => {
    const created = await ensure('myapp', 'argoproj/rollouts-demo:blue', 1, 2);
    const name = `myapp-${created.hash}`;
    expect(created).toMatchObject({ name, created: true });

    const rs = await readRs(name);
    expect(rs.metadata?.labels).toEqual({
      app: 'myapp',
      [POD_TEMPLATE_HASH_LABEL]: created.hash,
      [ROLLOUT_LABEL]: 'myapp',
    });
    expect(rs.metadata?.annotations).toEqual({ [REVISION_ANNOTATION]: '1' });
    expect(rs.spec?.replicas).toBe(2);
    expect(rs.spec?.selector).toEqual({
      matchLabels: { app: 'myapp', [POD_TEMPLATE_HASH_LABEL]: created.hash },
    });
    expect(rs.spec?.template?.metadata?.labels).toEqual({
      app: 'myapp',
      [POD_TEMPLATE_HASH_LABEL]: created.hash,
    });
    expect(rs.spec?.template?.metadata?.annotations).toEqual({ 'example.com/note': 'kept' });
    expect(rs.spec?.template?.spec?.containers).toMatchObject([
      { name: 'myapp', image: 'argoproj/rollouts-demo:blue', ports: [{ name: 'http', containerPort: 8080 }] },
    ]);

    const again = await ensure('myapp', 'argoproj/rollouts-demo:blue', 1, 2);
    expect(again).toMatchObject({ name, created: false });
    expect(rv(await readRs(name))).toBe(rv(rs));
  });

  it('reuses a ReplicaSet seen before with the new revision and scale', async () => {
    const first = await ensure('myapp', 'argoproj/rollouts-demo:green', 3, 0);
    const reused = await ensure('myapp', 'argoproj/rollouts-demo:green', 5, 1);
    expect(reused).toMatchObject({ name: first.name, created: false });
    const rs = await readRs(first.name);
    expect(rs.metadata?.annotations?.[REVISION_ANNOTATION]).toBe('5');
    expect(rs.spec?.replicas).toBe(1);
  });

  it("antiAffinity: created with the injected term, written again as Argo's, the template's own affinity kept", async () => {
    const own = template('argoproj/rollouts-demo:purple');
    own.spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
        },
      },
    };
    const hash = podTemplateHash(own);
    const strategy = { requiredDuringSchedulingIgnoredDuringExecution: {} } as const;
    const ensureAgainst = (stableHash: string, revision: number) => {
      const context = { namespace: NS, stableHash, newHash: hash };
      return call('ensureReplicaSet', {
        namespace: NS,
        rollout: 'myapp',
        podTemplateHash: hash,
        revision,
        selector: { app: 'myapp' },
        template: replicaSetTemplate(own, strategy, context),
        replicas: 0,
        antiAffinity: { strategy, stableHash },
      });
    };
    const affinityOf = async () => (await readRs(`myapp-${hash}`)).spec?.template?.spec?.affinity;
    const against = (stableHash: string) => ({
      nodeAffinity: own.spec.affinity && (own.spec.affinity as Record<string, unknown>).nodeAffinity,
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [injectedAntiAffinityTerm(NS, stableHash)],
      },
    });

    await ensureAgainst('stablea', 1);
    expect(await affinityOf()).toEqual(against('stablea'));
    // the same revision and stable: nothing written
    const before = rv(await readRs(`myapp-${hash}`));
    await ensureAgainst('stablea', 1);
    expect(rv(await readRs(`myapp-${hash}`))).toBe(before);
    // another stable: the term follows it (IfInjectedAntiAffinityRuleNeedsUpdate)
    await ensureAgainst('stableb', 1);
    expect(await affinityOf()).toEqual(against('stableb'));
    // back as the stable itself, revision up: the term goes, the template's own affinity stays
    await ensureAgainst(hash, 2);
    expect(await affinityOf()).toEqual(own.spec.affinity);
  });

  it('a template the API server refuses: permanent Invalid naming the ReplicaSet', async () => {
    const tpl = template('argoproj/rollouts-demo:blue');
    tpl.spec.containers[0] = { name: 'Not_A_DNS_Label', image: 'x' };
    const hash = podTemplateHash(tpl);
    const err = await failure(
      call('ensureReplicaSet', {
        namespace: NS,
        rollout: 'myapp',
        podTemplateHash: hash,
        revision: 9,
        selector: { app: 'myapp' },
        template: tpl,
        replicas: 1,
      }),
    );
    expect(err).toMatchObject({ type: PermanentFailureType.Invalid, nonRetryable: true });
    expect(err.message).toMatch(
      new RegExp(`^ReplicaSet rollouts-demo/myapp-${hash} was rejected as invalid`),
    );
  });

  it('scales; twice is the same; a ReplicaSet that does not exist is a permanent NotFound', async () => {
    const { name } = await ensure('myapp', 'argoproj/rollouts-demo:orange', 1, 1);
    await call('scaleReplicaSet', { namespace: NS, name, replicas: 3 });
    const rs = await readRs(name);
    expect(rs.spec?.replicas).toBe(3);
    await call('scaleReplicaSet', { namespace: NS, name, replicas: 3 });
    expect(rv(await readRs(name))).toBe(rv(rs));
    await call('scaleReplicaSet', { namespace: NS, name, replicas: 0 });
    expect((await readRs(name)).spec?.replicas).toBe(0);

    const err = await failure(call('scaleReplicaSet', { namespace: NS, name: 'myapp-missing', replicas: 1 }));
    expect(err).toMatchObject({ type: PermanentFailureType.NotFound, nonRetryable: true });
    expect(err.message).toMatch(/^ReplicaSet rollouts-demo\/myapp-missing not found/);
  });
});

describe('waitForReplicaSetAvailable', () => {
  let sim: PodSimulator | undefined;
  afterAll(async () => {
    await sim?.stop();
  });

  it('heartbeats until the pods are available (the pod simulator), then returns', async () => {
    const { name } = await ensure('waiter', 'argoproj/rollouts-demo:purple', 1, 2);
    sim = new PodSimulator({
      kubeConfig: cp.kubeConfig(),
      namespaces: [NS],
      labelSelector: `${ROLLOUT_LABEL}=waiter`,
      startupDelayMs: 600,
      pollMs: 50,
      // Status only: the observedGeneration case below wants all 3 counted at once when the simulator
      // comes back, which pods (the third one starting after the delay) would not give.
      pods: false,
    });
    const env = new MockActivityEnvironment(undefined, { logger });
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => heartbeats.push(d));
    const started = Date.now();
    sim.start();
    const result = await call(
      'waitForReplicaSetAvailable',
      { namespace: NS, name, replicas: 2, minReadySeconds: 0 },
      env,
    );
    expect(result).toEqual({ name, replicas: 2, availableReplicas: 2, statusReplicas: 2, readyReplicas: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(heartbeats.length).toBeGreaterThanOrEqual(3);
    expect(heartbeats[0]).toEqual({ availableReplicas: 0 });
    expect((await readRs(name)).status?.availableReplicas).toBe(2);

    // Already there: returns at once, and again.
    await call('waitForReplicaSetAvailable', { namespace: NS, name, replicas: 2, minReadySeconds: 0 });
  });

  it('a status from before the last spec change does not count (observedGeneration)', async () => {
    await sim?.stop();
    const { name } = await ensure('waiter', 'argoproj/rollouts-demo:purple', 1, 2);
    expect((await readRs(name)).status?.availableReplicas).toBe(2);
    await call('scaleReplicaSet', { namespace: NS, name, replicas: 3 });
    let done = false;
    const waiting = call('waitForReplicaSetAvailable', {
      namespace: NS,
      name,
      replicas: 2,
      minReadySeconds: 0,
    }).then((r) => ((done = true), r));
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(done).toBe(false); // 2 available, but counted for generation 1
    sim?.start();
    expect(await waiting).toEqual({
      name,
      replicas: 2,
      availableReplicas: 3,
      statusReplicas: 3,
      readyReplicas: 3,
    });
  });

  it('is cancellable while it waits', async () => {
    await sim?.stop();
    const { name } = await ensure('waiter', 'argoproj/rollouts-demo:grey', 1, 1);
    const env = new MockActivityEnvironment(undefined, { logger });
    let beats = 0;
    env.on('heartbeat', () => beats++);
    const waiting = call(
      'waitForReplicaSetAvailable',
      { namespace: NS, name, replicas: 1, minReadySeconds: 0 },
      env,
    );
    const outcome = waiting.then(
      () => 'returned',
      (err: unknown) => err,
    );
    while (beats < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    env.cancel();
    expect(await outcome).toBeInstanceOf(CancelledFailure);
  });

  it('a ReplicaSet that does not exist: permanent NotFound', async () => {
    const err = await failure(
      call('waitForReplicaSetAvailable', {
        namespace: NS,
        name: 'waiter-missing',
        replicas: 1,
        minReadySeconds: 0,
      }),
    );
    expect(err).toMatchObject({ type: PermanentFailureType.NotFound, nonRetryable: true });
    expect(err.message).toMatch(/^ReplicaSet rollouts-demo\/waiter-missing not found/);
  });
});

describe('pruneReplicaSets', () => {
  it("deletes this rollout's old ReplicaSets at zero beyond revisionHistoryLimit (one still scaled up counts), and nothing else", async () => {
    const rs: Record<number, string> = {};
    // Revisions 1-3 scaled down; 4 not scaled down yet; 5 stable, 6 canary.
    for (const [revision, replicas] of [
      [1, 0],
      [2, 0],
      [3, 0],
      [4, 1],
      [5, 1],
      [6, 1],
    ] as const)
      rs[revision] = (await ensure('pruned', `argoproj/rollouts-demo:v${revision}`, revision, replicas)).name;
    const otherRollout = (await ensure('bystander', 'argoproj/rollouts-demo:v1', 1, 0)).name;
    const hashOf = (name: string | undefined) => name?.slice('pruned-'.length) ?? '';
    const input = {
      namespace: NS,
      rollout: 'pruned',
      keep: [hashOf(rs[5]), hashOf(rs[6])],
      revisionHistoryLimit: 1,
    };

    // Old ones, newest first: 4 (still scaled up, the one kept by the limit), then 3, 2, 1 beyond it.
    expect(await call('pruneReplicaSets', input)).toEqual({ deleted: [rs[3], rs[2], rs[1]] });
    const left = await api.list<V1ReplicaSet>('apps/v1', 'ReplicaSet', NS);
    const names = left.items.map((r) => r.metadata?.name);
    expect(names).toEqual(expect.arrayContaining([rs[4], rs[5], rs[6], otherRollout]));
    for (const gone of [rs[1], rs[2], rs[3]]) expect(names).not.toContain(gone);

    expect(await call('pruneReplicaSets', input)).toEqual({ deleted: [] });
    // Beyond a limit of 0 but not at zero replicas yet: kept for now.
    expect(await call('pruneReplicaSets', { ...input, revisionHistoryLimit: 0 })).toEqual({ deleted: [] });
  });
});

// ---------- subset-level routing ----------

describe('subset-level routing with a DestinationRule', () => {
  const routing: TrafficRouting = {
    istio: {
      virtualServices: [vsRef('myapp-subset-vsvc', ['primary'])],
      destinationRule: { name: 'myapp-destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' },
    },
  };

  beforeAll(() =>
    cp.applyObjects(
      {
        apiVersion: ISTIO,
        kind: 'DestinationRule',
        metadata: { name: 'myapp-destrule', namespace: NS },
        spec: {
          host: 'myapp-svc',
          subsets: [
            { name: 'canary', labels: { app: 'myapp' } },
            { name: 'stable', labels: { app: 'myapp' } },
            { name: 'legacy', labels: { app: 'myapp', track: 'legacy' } },
          ],
        },
      } as DestinationRule,
      {
        apiVersion: ISTIO,
        kind: 'VirtualService',
        metadata: { name: 'myapp-subset-vsvc', namespace: NS },
        spec: {
          hosts: ['myapp-svc'],
          http: [
            {
              name: 'primary',
              route: [
                { destination: { host: 'myapp-svc', subset: 'stable' }, weight: 100 },
                { destination: { host: 'myapp-svc', subset: 'canary' }, weight: 0 },
              ],
            },
          ],
        },
      } as VirtualService,
    ),
  );

  it("points the subsets' labels at the hashes; twice is the same", async () => {
    const input = { namespace: NS, rollout: 'myapp', routing, canaryHash: 'c0ffee', stableHash: '5ab1e' };
    await call('updateTrafficHashes', input);
    const dr = await readDr('myapp-destrule');
    expect(dr.spec.subsets).toEqual([
      { name: 'canary', labels: { app: 'myapp', [POD_TEMPLATE_HASH_LABEL]: 'c0ffee' } },
      { name: 'stable', labels: { app: 'myapp', [POD_TEMPLATE_HASH_LABEL]: '5ab1e' } },
      { name: 'legacy', labels: { app: 'myapp', track: 'legacy' } },
    ]);
    expect(dr.spec.host).toBe('myapp-svc');
    await call('updateTrafficHashes', input);
    expect(rv(await readDr('myapp-destrule'))).toBe(rv(dr));
  });

  it('sets the weights of the subsets; twice is the same', async () => {
    const input = { ...weightInput(30, routing), canaryService: undefined, stableService: undefined };
    expect(await call('setTrafficWeight', input)).toEqual({ canary: 30, stable: 70, verified: true });
    const vs = await readVs('myapp-subset-vsvc');
    expect(weightsOf(vs.spec.http?.[0])).toEqual(['stable:70', 'canary:30']);
    await call('setTrafficWeight', input);
    expect(rv(await readVs('myapp-subset-vsvc'))).toBe(rv(vs));
  });

  it('a missing subset is a permanent RouteNotFound naming it; a missing DestinationRule a NotFound', async () => {
    const renamed: TrafficRouting = {
      istio: {
        ...routing.istio,
        destinationRule: { name: 'myapp-destrule', canarySubsetName: 'preview', stableSubsetName: 'stable' },
      },
    };
    let err = await failure(
      call('updateTrafficHashes', {
        namespace: NS,
        rollout: 'myapp',
        routing: renamed,
        canaryHash: 'a',
        stableHash: 'b',
      }),
    );
    expect(err).toMatchObject({ type: PermanentFailureType.RouteNotFound, nonRetryable: true });
    expect(err.message).toBe('DestinationRule rollouts-demo/myapp-destrule: subset "preview" not found');

    err = await failure(call('setTrafficWeight', weightInput(10, renamed)));
    expect(err).toMatchObject({ type: PermanentFailureType.RouteNotFound });
    expect(err.message).toContain('"preview"');

    const missing: TrafficRouting = {
      istio: {
        ...routing.istio,
        destinationRule: { name: 'nope-destrule', canarySubsetName: 'canary', stableSubsetName: 'stable' },
      },
    };
    err = await failure(
      call('updateTrafficHashes', {
        namespace: NS,
        rollout: 'myapp',
        routing: missing,
        canaryHash: 'a',
        stableHash: 'b',
      }),
    );
    expect(err).toMatchObject({ type: PermanentFailureType.NotFound, nonRetryable: true });
    expect(err.message).toMatch(/^DestinationRule rollouts-demo\/nope-destrule not found/);
  });
});

// ---------- several VirtualServices, TLS and TCP routes ----------

describe('several VirtualServices, with TLS and TCP routes', () => {
  const dest = (host: string, weight: number) => ({ destination: { host }, weight });
  const routing: TrafficRouting = {
    istio: {
      virtualServices: [
        vsRef('myapp-vsvc', ['primary']),
        {
          name: 'myapp-l4-vsvc',
          routes: [],
          // Argo matches a TLS route by its exact SNI set, in any order.
          tlsRoutes: [{ port: 443, sniHosts: ['www.myapp.example.com', 'myapp.example.com'] }],
          tcpRoutes: [{ port: 5432 }],
        },
      ],
    },
  };

  beforeAll(async () => {
    await cp.apply(seedVirtualService);
    await cp.applyObjects({
      apiVersion: ISTIO,
      kind: 'VirtualService',
      metadata: { name: 'myapp-l4-vsvc', namespace: NS },
      spec: {
        hosts: ['myapp.example.com'],
        http: [{ name: 'not-ours', route: [dest('myapp-stable-svc', 90), dest('myapp-canary-svc', 10)] }],
        tls: [
          {
            match: [{ port: 443, sniHosts: ['other.example.com'] }],
            route: [dest('myapp-stable-svc', 100), dest('myapp-canary-svc', 0)],
          },
          {
            match: [{ port: 443, sniHosts: ['myapp.example.com', 'www.myapp.example.com'] }],
            route: [dest('myapp-stable-svc', 100), dest('myapp-canary-svc', 0)],
          },
        ],
        tcp: [
          { match: [{ port: 5432 }], route: [dest('myapp-stable-svc', 100), dest('myapp-canary-svc', 0)] },
        ],
      },
    } as VirtualService);
  });

  it('sets the weights of every owned route in every VirtualService and nothing else; twice is the same', async () => {
    expect(await call('setTrafficWeight', weightInput(40, routing))).toEqual({
      canary: 40,
      stable: 60,
      verified: true,
    });
    const seed = await readVs('myapp-vsvc');
    const l4 = await readVs('myapp-l4-vsvc');
    expect(weightsOf(seed.spec.http?.[0])).toEqual(['myapp-stable-svc:60', 'myapp-canary-svc:40']);
    expect(weightsOf(l4.spec.tls?.[1])).toEqual(['myapp-stable-svc:60', 'myapp-canary-svc:40']);
    expect(weightsOf(l4.spec.tcp?.[0])).toEqual(['myapp-stable-svc:60', 'myapp-canary-svc:40']);
    // Not ours: another SNI host. The only HTTP route is, though the Rollout names none (Argo's rule).
    expect(weightsOf(l4.spec.tls?.[0])).toEqual(['myapp-stable-svc:100', 'myapp-canary-svc:0']);
    expect(weightsOf(l4.spec.http?.[0])).toEqual(['myapp-stable-svc:60', 'myapp-canary-svc:40']);

    await call('setTrafficWeight', weightInput(40, routing));
    expect(rv(await readVs('myapp-vsvc'))).toBe(rv(seed));
    expect(rv(await readVs('myapp-l4-vsvc'))).toBe(rv(l4));
  });

  it('a TLS or TCP route that is not there: permanent RouteNotFound naming it', async () => {
    const wrongPort: TrafficRouting = {
      istio: { virtualServices: [{ ...vsRef('myapp-l4-vsvc'), tlsRoutes: [{ port: 8443 }] }] },
    };
    let err = await failure(call('setTrafficWeight', weightInput(10, wrongPort)));
    expect(err).toMatchObject({ type: PermanentFailureType.RouteNotFound, nonRetryable: true });
    expect(err.message).toBe(
      'VirtualService rollouts-demo/myapp-l4-vsvc: TLS route on port 8443 without SNI hosts not found',
    );

    const wrongTcp: TrafficRouting = {
      istio: {
        virtualServices: [
          {
            ...vsRef('myapp-l4-vsvc'),
            tlsRoutes: [{ port: 443, sniHosts: ['myapp.example.com', 'www.myapp.example.com'] }],
            tcpRoutes: [{ port: 3306 }],
          },
        ],
      },
    };
    err = await failure(call('setTrafficWeight', weightInput(10, wrongTcp)));
    expect(err.message).toBe('VirtualService rollouts-demo/myapp-l4-vsvc: TCP route on port 3306 not found');
  });
});

// ---------- an API server outage ----------

describe('an API server that stops and comes back', () => {
  beforeAll(() => cp.apply(seedVirtualService));

  it('calls made while it is down fail as transient (retryable); the same calls succeed after the restart', async () => {
    expect(await call('setTrafficWeight', weightInput(10))).toMatchObject({ verified: true });
    const { name } = await ensure('myapp', 'argoproj/rollouts-demo:blue', 1, 2);

    await cp.stopApiserver();
    try {
      for (const attempt of [
        () => call('setTrafficWeight', weightInput(50)),
        () => call('scaleReplicaSet', { namespace: NS, name, replicas: 4 }),
        () =>
          call('setServiceSelector', {
            namespace: NS,
            service: 'myapp-canary-svc',
            rollout: 'myapp',
            podTemplateHash: 'd0d0',
          }),
        () => call('waitForReplicaSetAvailable', { namespace: NS, name, replicas: 1, minReadySeconds: 0 }),
      ]) {
        const err = await failure(attempt());
        expect(err).toMatchObject({ type: TransientFailureType, nonRetryable: false });
        expect(err.message).toContain(`ECONNREFUSED 127.0.0.1:${cp.apiserverPort})`); // the address, whole
      }
      // A client that has not yet asked the server which resources it has (a worker just started).
      const cold = createActivities({ kube: Kube.fromKubeconfig(cp.kubeconfigPath) });
      const err = await failure(
        new MockActivityEnvironment(undefined, { logger }).run(
          (i: SetWeightInput) => cold.setTrafficWeight(i),
          weightInput(50),
        ),
      );
      expect(err).toMatchObject({ type: TransientFailureType, nonRetryable: false });
      expect(err.message).toMatch(/^VirtualService rollouts-demo\/myapp-vsvc: ECONNREFUSED /);
      expect(err.message).toContain(`ECONNREFUSED 127.0.0.1:${cp.apiserverPort})`);
    } finally {
      await cp.startApiserver();
    }

    expect(await call('setTrafficWeight', weightInput(50))).toEqual({
      canary: 50,
      stable: 50,
      verified: true,
    });
    expect(weightsOf((await readVs('myapp-vsvc')).spec.http?.[0])).toEqual([
      'myapp-stable-svc:50',
      'myapp-canary-svc:50',
    ]);
    await call('scaleReplicaSet', { namespace: NS, name, replicas: 4 });
    expect((await readRs(name)).spec?.replicas).toBe(4);
  }, 60_000);
});
