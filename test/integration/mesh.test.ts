// The mesh simulator on a real kube-apiserver with the seed's objects (examples/seed 00..03) and two
// ReplicaSets made by the real activities, blue stable and green canary, at 80/20: its pod simulator
// marks them available, its traffic follows the VirtualService weights and the Service selectors, green
// fails at the rate set through /api/errors, /stats/prometheus carries the counters, and a real
// Prometheus scraping it answers the seed's own success-rate query with about 0.35. Then the page in
// headless chromium (a screenshot in test-output/screenshots/mesh.png, squares of both colours in the
// DOM), and the simulator as its own process (dist/lab/mesh/main.js).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubernetesObjectApi, V1ReplicaSet } from '@kubernetes/client-node';
import { MockActivityEnvironment } from '@temporalio/testing';
import { parse } from 'yaml';
import { createActivities } from '../../activities/index.js';
import type { RolloutActivities } from '../../activities/interface.js';
import { Kube } from '../../activities/kube.js';
import { createMetricActivities } from '../../activities/metrics/index.js';
import { podTemplateHash } from '../../core/hash.js';
import type { PodTemplate, TrafficRouting } from '../../core/types.js';
import { MeshSimulator } from '../../lab/mesh/simulator.js';
import type { MeshState } from '../../lab/mesh/state.js';
import { dumpDom, pngSize, screenshot } from '../support/chromium.js';
import { parseExposition, sumSamples, type ParsedExposition } from '../support/exposition.js';
import { ControlPlane } from '../support/kube-control-plane.js';
import { repoRoot, seedDir, testOutput } from '../support/paths.js';
import { PrometheusServer } from '../support/prometheus.js';
import { waitUntil } from '../support/temporal-env.js';

const NS = 'rollouts-demo';
const BLUE = 'argoproj/rollouts-demo:blue';
const GREEN = 'argoproj/rollouts-demo:green';
const STABLE = `myapp-stable-svc.${NS}.svc.cluster.local`;
const CANARY = `myapp-canary-svc.${NS}.svc.cluster.local`;
const RATE = 1000; // requests/s: enough for tight statistics in a few seconds
const screenshotFile = path.join(testOutput, 'screenshots', 'mesh.png');

let cp: ControlPlane;
let api: KubernetesObjectApi;
let activities: RolloutActivities;
let mesh: MeshSimulator;
let prometheus: PrometheusServer | undefined;
const hashes = { blue: '', green: '' };
const meshErrors: unknown[] = [];

function template(image: string): PodTemplate {
  return {
    metadata: { labels: { app: 'myapp' } },
    spec: {
      containers: [{ name: 'myapp', image, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }],
    },
  };
}

function call<K extends keyof RolloutActivities>(
  name: K,
  input: Parameters<RolloutActivities[K]>[0],
): Promise<Awaited<ReturnType<RolloutActivities[K]>>> {
  const fn = activities[name] as (i: typeof input) => Promise<Awaited<ReturnType<RolloutActivities[K]>>>;
  return new MockActivityEnvironment().run(fn, input);
}

async function ensureReplicaSet(image: string, revision: number): Promise<string> {
  const tpl = template(image);
  const hash = podTemplateHash(tpl);
  await call('ensureReplicaSet', {
    namespace: NS,
    rollout: 'myapp',
    podTemplateHash: hash,
    revision,
    selector: { app: 'myapp' },
    template: tpl,
    replicas: 1,
  });
  return hash;
}

const routing: TrafficRouting = {
  istio: { virtualServices: [{ name: 'myapp-vsvc', routes: ['primary'], tlsRoutes: [], tcpRoutes: [] }] },
};

function setCanaryWeight(canaryWeight: number) {
  return call('setTrafficWeight', {
    namespace: NS,
    rollout: 'myapp',
    routing,
    canaryService: 'myapp-canary-svc',
    stableService: 'myapp-stable-svc',
    canaryWeight,
  });
}

async function get(pathname: string): Promise<Response> {
  const response = await fetch(`${mesh.url}${pathname}`);
  if (!response.ok) throw new Error(`GET ${pathname}: ${response.status} ${await response.text()}`);
  return response;
}

const state = async () => (await (await get('/api/state')).json()) as MeshState;
const metrics = async () => parseExposition(await (await get('/stats/prometheus')).text());
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Requests counted between two scrapes of /stats/prometheus, summed over series with these labels. */
function delta(before: ParsedExposition, after: ParsedExposition, labels: Record<string, string>): number {
  return (
    sumSamples(after, 'istio_requests_total', labels) - sumSamples(before, 'istio_requests_total', labels)
  );
}

beforeAll(async () => {
  cp = await ControlPlane.start('mesh');
  await cp.apply(
    ...['00-namespace.yaml', '01-services.yaml', '02-virtualservice.yaml', '03-gateway.yaml'].map((f) =>
      path.join(seedDir, f),
    ),
  );
  api = cp.objectApi();
  activities = createActivities({ kube: new Kube(api), pollMs: 100 });
  // As the rollout does mid-canary: both ReplicaSets, each Service on one hash, the route at 80/20.
  hashes.blue = await ensureReplicaSet(BLUE, 1);
  hashes.green = await ensureReplicaSet(GREEN, 2);
  for (const [service, hash] of [
    ['myapp-stable-svc', hashes.blue],
    ['myapp-canary-svc', hashes.green],
  ] as const)
    await call('setServiceSelector', { namespace: NS, service, rollout: 'myapp', podTemplateHash: hash });
  expect(await setCanaryWeight(20)).toEqual({ canary: 20, stable: 80, verified: true });

  mesh = new MeshSimulator({
    kubeConfig: cp.kubeconfigPath,
    namespaces: [NS],
    ratePerSecond: RATE,
    podStartSeconds: 0.5,
    port: 0,
    seed: 20240601,
    tickMs: 50,
    windowSeconds: 3, // /api/state's counts: only the last 3 s, so the 65% shows in them quickly
    onError: (err) => meshErrors.push(err),
  });
  await mesh.start();
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await mesh?.stop();
  await cp?.stop();
}, 60_000);

describe('the mesh simulator on a real kube-apiserver', () => {
  it('marks both ReplicaSets available after the start-up delay and routes by the live objects', async () => {
    const ready = await waitUntil(
      state,
      (s) => s.hosts[0]?.destinations.every((d) => d.replicaSets.length === 1) ?? false,
      'both destinations with an available ReplicaSet',
      10_000,
    );
    expect(ready.routing.error).toBeUndefined();
    expect(ready.hosts).toEqual([
      {
        host: 'myapp.apps.argoproj.io',
        virtualService: `${NS}/myapp-vsvc`,
        route: 'primary',
        destinations: [
          expect.objectContaining({
            host: 'myapp-stable-svc',
            service: STABLE,
            weight: 80,
            replicaSets: [{ name: `myapp-${hashes.blue}`, image: BLUE, availableReplicas: 1 }],
          }),
          expect.objectContaining({
            host: 'myapp-canary-svc',
            service: CANARY,
            weight: 20,
            replicaSets: [{ name: `myapp-${hashes.green}`, image: GREEN, availableReplicas: 1 }],
          }),
        ],
      },
    ]);
    // The pod simulator wrote the status subresource on the API server.
    const rs = await api.read<V1ReplicaSet>({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `myapp-${hashes.green}`, namespace: NS },
    });
    expect(rs.status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1 });
    expect(mesh.pods?.updates).toEqual(
      expect.arrayContaining([`${NS}/myapp-${hashes.blue}=1`, `${NS}/myapp-${hashes.green}=1`]),
    );
  });

  it('splits the requests by the VirtualService weights (80/20), at the configured rate', async () => {
    const before = await metrics();
    const started = Date.now();
    await pause(2000);
    const after = await metrics();
    const seconds = (Date.now() - started) / 1000;
    const total = delta(before, after, { reporter: 'source' });
    const canary = delta(before, after, {
      destination_service: CANARY,
      destination_workload: `myapp-${hashes.green}`,
    });
    const stable = delta(before, after, {
      destination_service: STABLE,
      destination_workload: `myapp-${hashes.blue}`,
    });
    expect(total / seconds).toBeGreaterThan(RATE * 0.7);
    expect(total / seconds).toBeLessThan(RATE * 1.3);
    expect(canary + stable).toBe(total); // nothing else: no 503s now that both are up
    expect(Math.abs(canary / total - 0.2)).toBeLessThan(0.04);
  });

  it('answers green requests with 500 at the rate set through /api/errors (65%), blue ones never', async () => {
    const put = await fetch(`${mesh.url}/api/errors`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ image: GREEN, rate: 0.65 }),
    });
    expect(put.status).toBe(200);
    expect(await (await get('/api/errors')).json()).toEqual({ errors: [{ image: GREEN, rate: 0.65 }] });

    const before = await metrics();
    await pause(3000);
    const after = await metrics();
    const canary = delta(before, after, { destination_service: CANARY });
    const canaryErrors = delta(before, after, { destination_service: CANARY, response_code: '500' });
    expect(canary).toBeGreaterThan(300);
    expect(Math.abs(canaryErrors / canary - 0.65)).toBeLessThan(0.08);
    expect(delta(before, after, { destination_service: STABLE, response_code: '500' })).toBe(0);

    const images = (await state()).images;
    expect(images.map((i) => [i.image, i.color, i.errorRate])).toEqual([
      [BLUE, 'blue', 0],
      [GREEN, 'green', 0.65],
    ]);
    const green = images.find((i) => i.image === GREEN);
    expect(green?.observedErrorRate).toBeGreaterThan(0.55);
    expect(green?.observedErrorRate).toBeLessThan(0.75);

    const bad = await fetch(`${mesh.url}/api/errors`, {
      method: 'PUT',
      body: JSON.stringify({ image: GREEN, rate: 65 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/^rate: /);
  });

  it('/stats/prometheus parses and carries the Istio counters and the duration histogram', async () => {
    const parsed = await metrics();
    expect(parsed.types.get('istio_requests_total')).toBe('counter');
    expect(parsed.types.get('istio_request_duration_milliseconds')).toBe('histogram');
    const series = parsed.samples.filter((s) => s.name === 'istio_requests_total').map((s) => s.labels);
    expect(series).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          reporter: 'source',
          destination_service: CANARY,
          destination_workload: `myapp-${hashes.green}`,
          response_code: '500',
        }),
        expect.objectContaining({
          reporter: 'source',
          destination_service: STABLE,
          destination_workload: `myapp-${hashes.blue}`,
          response_code: '200',
        }),
      ]),
    );
    expect(sumSamples(parsed, 'istio_request_duration_milliseconds_count')).toBe(
      sumSamples(parsed, 'istio_requests_total'),
    );
  });

  it("a real Prometheus scraping it answers the seed's success-rate query with about 0.35", async () => {
    const url = new URL(mesh.url);
    prometheus = await PrometheusServer.start('mesh', [url.host], { metricsPath: '/stats/prometheus' });
    const template = parse(fs.readFileSync(path.join(seedDir, '04-analysistemplate.yaml'), 'utf8')) as {
      spec: { metrics: { provider: { prometheus: { query: string } } }[] };
    };
    const query = (template.spec.metrics[0]?.provider.prometheus.query ?? '')
      .replaceAll('{{args.service}}', 'myapp-canary-svc')
      .replaceAll('{{args.namespace}}', NS);
    const { measure } = createMetricActivities({ kube: new Kube(api) });
    const server = prometheus;
    // rate() needs two scrapes of each series; wait for them, then for one more so the window is wider.
    const first = await waitUntil(
      () =>
        measure({
          namespace: NS,
          metric: 'success-rate',
          provider: { prometheus: { address: server.url, query } },
          secretArgs: [],
        }),
      (r) => Array.isArray(r.value) && r.value.length > 0,
      'a success rate from Prometheus',
      30_000,
    );
    expect(first.error).toBeUndefined();
    await pause(2000);
    const { value, error } = await measure({
      namespace: NS,
      metric: 'success-rate',
      provider: { prometheus: { address: server.url, query } },
      secretArgs: [],
    });
    expect(error).toBeUndefined();
    expect(value).toEqual([expect.any(Number)]);
    const rate = (value as number[])[0] as number;
    expect(Math.abs(rate - 0.35)).toBeLessThan(0.07);
    // The seed's successCondition (result[0] > 0.90) would count this as a failed measurement.
    expect(rate).toBeLessThan(0.9);
  }, 60_000);

  it('re-reads the weights: at 100/0 the canary gets no more requests within about a second', async () => {
    expect(await setCanaryWeight(0)).toMatchObject({ canary: 0, stable: 100 });
    await pause(1500); // one refresh (1 s) and a tick
    const before = await metrics();
    await pause(1000);
    const after = await metrics();
    expect(delta(before, after, { destination_service: CANARY })).toBe(0);
    expect(delta(before, after, { destination_service: STABLE })).toBeGreaterThan(RATE * 0.5);
    await setCanaryWeight(20);
  });
});

describe('the page in headless chromium', () => {
  it('shows the traffic as squares of both colours (screenshot in test-output/screenshots/mesh.png)', async () => {
    await waitUntil(
      state,
      (s) => (s.hosts[0]?.destinations[1]?.requests ?? 0) > 0,
      'canary traffic again at 80/20',
      10_000,
    );
    await screenshot(`${mesh.url}/`, screenshotFile);
    const png = fs.readFileSync(screenshotFile);
    expect(pngSize(png)).toEqual({ width: 1000, height: 700 });
    expect(png.length).toBeGreaterThan(20_000); // a blank page compresses to a few KiB

    const dom = await dumpDom(`${mesh.url}/`);
    const count = (pattern: RegExp) => (dom.match(pattern) ?? []).length;
    const blue = count(/<div class="sq[^"]*" data-image="[^"]*" data-color="blue"/g);
    const green = count(/<div class="sq[^"]*" data-image="[^"]*" data-color="green"/g);
    const greenErrors = count(/<div class="sq err" data-image="[^"]*" data-color="green" data-code="500"/g);
    expect(blue).toBeGreaterThan(0);
    expect(green).toBeGreaterThan(0);
    expect(greenErrors).toBeGreaterThan(0);
    expect(blue).toBeGreaterThan(green); // 80/20
    expect(dom).toContain('myapp.apps.argoproj.io');
    expect(dom).toMatch(
      /data-image="argoproj\/rollouts-demo:green"[^>]*type="number"|type="number"[^>]*data-image="argoproj\/rollouts-demo:green"/,
    );
  }, 90_000);
});

describe('the simulator as a process (dist/lab/mesh/main.js)', () => {
  const main = path.join(repoRoot, 'dist', 'lab', 'mesh', 'main.js');

  function start(env: Record<string, string>) {
    const child = spawn(process.execPath, [main], { env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, output: () => output, exited };
  }

  it('logs its URL, serves the state of the cluster, and exits 0 on SIGTERM', async () => {
    const proc = start({
      KUBECONFIG: cp.kubeconfigPath,
      MESH_PORT: '0',
      MESH_NAMESPACES: NS,
      MESH_RATE: '50',
      MESH_POD_START_SECONDS: '0',
    });
    const line = await waitUntil(
      () => Promise.resolve(proc.output()),
      (out) => /http:\/\/127\.0\.0\.1:\d+/.test(out),
      'the start line',
      15_000,
    );
    expect(line).toMatch(
      /^mesh simulator: http:\/\/127\.0\.0\.1:\d+ \(namespaces: rollouts-demo; 50 requests\/s per host; pods available after 0 s\)\n$/,
    );
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)?.[0] ?? '';
    const s = (await (await fetch(`${url}/api/state`)).json()) as MeshState;
    expect(s.hosts.map((h) => h.host)).toEqual(['myapp.apps.argoproj.io']);
    expect(s.ratePerSecond).toBe(50);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('mesh simulator: stopped (SIGTERM)');
  });

  it('exits 1 with a one-line message naming the variable on bad configuration', async () => {
    const proc = start({ KUBECONFIG: cp.kubeconfigPath, MESH_RATE: 'fast' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toBe(
      'mesh simulator: configuration: MESH_RATE: expected requests per second per host, a number from 0 to 100000, got "fast"\n',
    );
    const missing = start({ KUBECONFIG: '' });
    expect(await missing.exited).toBe(1);
    expect(missing.output()).toMatch(/^mesh simulator: configuration: KUBECONFIG: required/);
  });
});

describe('along the way', () => {
  it('no routing refresh or pod status write failed (but for 409s from racing the process above)', () => {
    const unexpected = meshErrors.filter((e) => (e as { code?: unknown }).code !== 409);
    expect(unexpected).toEqual([]);
  });
});
