// The Prometheus provider against a real Prometheus (pinned, scripts/install-tools.d/prometheus.sh)
// scraping, every second, an exporter this test controls: Istio's istio_requests_total counters growing
// at steady rates. The seed's own query (examples/seed/04-analysistemplate.yaml, its [2m] window as
// written) must give the success rate the exporter produces, [] without traffic, and a Prometheus that
// is down must give an Error measurement rather than a throw. Range queries with start and end as Argo
// writes them (expr-lang times), and one through an oauth2 gateway in front of the same Prometheus.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { createMetricActivities } from '../../activities/metrics/index.js';
import { Kube } from '../../activities/kube.js';
import type { MeasureResult, PrometheusProvider } from '../../core/analysis/types.js';
import { closedPort, LocalHttpServer } from '../support/local-http.js';
import { seedDir } from '../support/paths.js';
import { PrometheusServer } from '../support/prometheus.js';

const NS = 'rollouts-demo';
const CANARY = 'myapp-canary-svc';
const IDLE = 'myapp-idle-svc';

/** Requests per second by destination service and response code; counters are rate × seconds since start. */
const traffic = [
  { service: CANARY, code: '200', perSecond: 35 },
  { service: CANARY, code: '500', perSecond: 65 },
  { service: IDLE, code: '200', perSecond: 0 },
  { service: IDLE, code: '500', perSecond: 0 },
];

const seedQuery = (() => {
  const template = parse(fs.readFileSync(path.join(seedDir, '04-analysistemplate.yaml'), 'utf8')) as {
    spec: { metrics: { provider: { prometheus: { query: string } } }[] };
  };
  return template.spec.metrics[0]?.provider.prometheus.query ?? '';
})();

/** The seed's query with its args, as core/analysis/resolve.ts substitutes them when a run starts. */
function successRateQuery(service: string): string {
  return seedQuery.replaceAll('{{args.service}}', service).replaceAll('{{args.namespace}}', NS);
}

let exporter: LocalHttpServer;
let prometheus: PrometheusServer;
// No secret args here, so the Secret API is never called.
const { measure } = createMetricActivities({ kube: new Kube({} as KubernetesObjectApi) });

function query(query: string, config: Partial<PrometheusProvider> = {}): Promise<MeasureResult> {
  return measure({
    namespace: NS,
    metric: 'success-rate',
    provider: { prometheus: { address: prometheus.url, query, ...config } },
    secretArgs: [],
  });
}

beforeAll(async () => {
  const started = Date.now();
  exporter = await LocalHttpServer.start((_req, res) => {
    const seconds = (Date.now() - started) / 1000;
    const lines = ['# HELP istio_requests_total Requests.', '# TYPE istio_requests_total counter'];
    for (const t of traffic) {
      const labels = `reporter="source",destination_service="${t.service}.${NS}.svc.cluster.local",response_code="${t.code}"`;
      lines.push(`istio_requests_total{${labels}} ${t.perSecond * seconds}`);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(`${lines.join('\n')}\n`);
  });
  prometheus = await PrometheusServer.start('metrics', [`127.0.0.1:${exporter.port}`]);
  // rate(...[2m]) needs two samples of each series: wait for them (about two scrapes).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { value } = await query(successRateQuery(CANARY));
    if (Array.isArray(value) && value.length > 0) break;
    if (Date.now() > deadline)
      throw new Error(`no success rate from Prometheus within 30 s: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  await exporter?.close();
}, 30_000);

describe("the seed's success-rate query", () => {
  it('gives the success rate the exporter produces: 35% of requests not 5xx', async () => {
    const { value, error } = await query(successRateQuery(CANARY));
    expect(error).toBeUndefined();
    expect(value).toEqual([expect.any(Number)]);
    expect((value as number[])[0]).toBeCloseTo(0.35, 2);
  });

  it('is [] for a service without traffic (its counters stand still: "unless … == 0")', async () => {
    expect(await query(successRateQuery(IDLE))).toEqual({ value: [] });
  });

  it('is [] for a service Prometheus has never seen', async () => {
    expect(await query(successRateQuery('no-such-svc'))).toEqual({ value: [] });
  });
});

describe('result types from a real Prometheus', () => {
  it('several series → an array, in the order Prometheus gives them', async () => {
    const { value } = await query(
      `sort_desc(sum by (response_code) (rate(istio_requests_total{destination_service="${CANARY}.${NS}.svc.cluster.local"}[2m])))`,
    );
    const [errors, ok] = value as [number, number];
    expect(value).toHaveLength(2);
    expect(errors / (errors + ok)).toBeCloseTo(0.65, 2);
  });

  it('a scalar → a number', async () => {
    expect(await query('1+1')).toEqual({ value: 2 });
    expect(await query(`scalar(count(istio_requests_total{destination_service=~"${CANARY}.*"}))`)).toEqual({
      value: 2,
    });
  });

  it('NaN and ±Inf → tagged values', async () => {
    expect(await query('0/0')).toEqual({ value: { $float: 'NaN' } });
    expect(await query('vector(1)/0')).toEqual({ value: [{ $float: '+Inf' }] });
    expect(await query('-1/0')).toEqual({ value: { $float: '-Inf' } });
  });

  it('a range query (start and end as Argo writes them) → every sample of every series, flattened', async () => {
    const range = { rangeQuery: { start: 'now() - duration("2s")', end: 'now()', step: '1s' } };
    // Two series of three steps each; Prometheus sorts a matrix by labels (a="x" before a="y").
    const twoSeries =
      'label_replace(vector(1), "a", "x", "", "") or label_replace(vector(2), "a", "y", "", "")';
    expect(await query(twoSeries, range)).toEqual({ value: [1, 1, 1, 2, 2, 2] });
    // A growing counter: its samples in time order.
    const { value } = await query(
      `sum(istio_requests_total{destination_service="${CANARY}.${NS}.svc.cluster.local",response_code="200"})`,
      range,
    );
    const samples = value as number[];
    expect(samples.length).toBeGreaterThanOrEqual(1);
    expect(samples.every((v, i) => i === 0 || v >= (samples[i - 1] as number))).toBe(true);
  });

  it("the seed's success rate over the last seconds: a sample per step (once there is data), each 0.35", async () => {
    const range = { rangeQuery: { start: 'now() - duration("2s")', end: 'now()', step: '1s' } };
    const { value } = await query(successRateQuery(CANARY), range);
    const samples = value as number[];
    expect(samples.length).toBeGreaterThanOrEqual(1);
    expect(samples.length).toBeLessThanOrEqual(3);
    for (const sample of samples) expect(sample).toBeCloseTo(0.35, 2);
  });

  it("a range of more points than Prometheus answers (lint's limit, when an arg hid it) → its own reason", async () => {
    const tooFine = { rangeQuery: { start: 'now() - duration("1h")', end: 'now()', step: '300ms' } };
    expect((await query('vector(1)', tooFine)).error).toMatch(
      /HTTP 400 Bad Request: bad_data: exceeded maximum resolution of 11,000 points/,
    );
    const justFine = { rangeQuery: { start: 'now() - duration("1h")', end: 'now()', step: '330ms' } };
    expect(await query('vector(1) unless vector(1)', justFine)).toEqual({ value: [] });
  });

  it('a string → an error', async () => {
    expect(await query('"hello"')).toEqual({
      error: `Prometheus at ${prometheus.url}: query "\\"hello\\"": Prometheus returned a string ("hello"), expected a number or vector`,
    });
  });

  it('a query Prometheus cannot parse → its own reason', async () => {
    const { error } = await query('sum(rate(x[2m])');
    expect(error).toMatch(
      new RegExp(
        `^Prometheus at ${prometheus.url}: query "sum\\(rate\\(x\\[2m\\]\\)": HTTP 400 Bad Request: bad_data: .*parse error`,
      ),
    );
  });
});

describe('behind an oauth2 gateway (as a managed Prometheus is)', () => {
  const ACCESS = 'at-integration-7c2';
  let issuer: LocalHttpServer;
  let gateway: LocalHttpServer;

  beforeAll(async () => {
    issuer = await LocalHttpServer.start((req, res) => {
      const form = new URLSearchParams(req.body);
      if (form.get('grant_type') !== 'client_credentials' || !req.headers.authorization?.startsWith('Basic '))
        return LocalHttpServer.json(res, { error: 'invalid_request' }, 400);
      LocalHttpServer.json(res, { access_token: ACCESS, token_type: 'bearer', expires_in: 300 });
    });
    // Passes a request on to the real Prometheus only with the token.
    gateway = await LocalHttpServer.start((req, res) => {
      if (req.headers.authorization !== `Bearer ${ACCESS}`) return LocalHttpServer.json(res, {}, 401);
      void fetch(`${prometheus.url}${req.url}`).then(async (answer) => {
        res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? '' });
        res.end(await answer.text());
      });
    });
  });
  afterAll(async () => {
    await issuer.close();
    await gateway.close();
  });

  it('a range query with a client-credentials token', async () => {
    const authentication = {
      oauth2: { tokenUrl: `${issuer.url}/token`, clientId: 'rollouts', clientSecret: 's3cret' },
    };
    const config = {
      rangeQuery: { start: 'now() - duration("2s")', end: 'now()', step: '1s' },
      authentication,
    };
    const result = await measure({
      namespace: NS,
      metric: 'm',
      provider: { prometheus: { address: gateway.url, query: 'vector(7)', ...config } },
      secretArgs: [],
    });
    expect(result).toEqual({ value: [7, 7, 7] });
    expect(issuer.requests).toHaveLength(1);
    expect(gateway.requests.map((r) => r.url.split('?')[0])).toEqual(['/api/v1/query_range']);
  });
});

describe('a Prometheus that is not there', () => {
  it('a wrong port: connection refused, as a result', async () => {
    const address = `http://127.0.0.1:${await closedPort()}`;
    expect(await query(successRateQuery(CANARY), { address })).toEqual({
      error: `Prometheus at ${address} could not be reached: connection refused`,
    });
  });

  it('stopped: connection refused, as a result', async () => {
    await prometheus.stop();
    expect(await query(successRateQuery(CANARY))).toEqual({
      error: `Prometheus at ${prometheus.url} could not be reached: connection refused`,
    });
  });
});
