// The worker's Prometheus registry (worker/metrics/registry.ts): counters, gauges, histograms and their
// text exposition, read back by a strict parser; and the /metrics endpoint.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Registry } from '../../worker/metrics/registry.js';
import { CONTENT_TYPE, serveMetrics, type MetricsServer } from '../../worker/metrics/server.js';
import { createWorkerMetrics } from '../../worker/metrics/catalog.js';
import { parseExposition } from '../support/exposition.js';

describe('the registry', () => {
  it('renders counters, gauges and histograms in the text format, series in a stable order', () => {
    const registry = new Registry();
    const requests = registry.counter('requests_total', 'Requests.', ['code']);
    const up = registry.gauge('up_things', 'Things up.', ['name']);
    const latency = registry.histogram('latency_seconds', 'Latency.', ['op'], [1, 0.5]);
    requests.inc({ code: '500' });
    requests.inc({ code: '200' }, 2);
    up.set({ name: 'b' }, 0);
    up.set({ name: 'a' }, 1.5);
    latency.observe({ op: 'get' }, 0.25);
    latency.observe({ op: 'get' }, 0.75);
    latency.observe({ op: 'get' }, 3);
    expect(registry.render()).toBe(
      [
        '# HELP requests_total Requests.',
        '# TYPE requests_total counter',
        'requests_total{code="200"} 2',
        'requests_total{code="500"} 1',
        '# HELP up_things Things up.',
        '# TYPE up_things gauge',
        'up_things{name="a"} 1.5',
        'up_things{name="b"} 0',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{op="get",le="0.5"} 1',
        'latency_seconds_bucket{op="get",le="1"} 2',
        'latency_seconds_bucket{op="get",le="+Inf"} 3',
        'latency_seconds_sum{op="get"} 4',
        'latency_seconds_count{op="get"} 3',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values and help, and fills a missing label with ""', () => {
    const registry = new Registry();
    const info = registry.gauge('info', 'Line one\nback\\slash', ['a', 'b']);
    info.set({ a: 'say "hi"\\\n' }, 1);
    const text = registry.render();
    expect(text).toContain('# HELP info Line one\\nback\\\\slash');
    const parsed = parseExposition(text);
    expect(parsed.samples).toEqual([{ name: 'info', labels: { a: 'say "hi"\\\n', b: '' }, value: 1 }]);
  });

  it('removes one series, or every series matching some labels', () => {
    const registry = new Registry();
    const g = registry.gauge('g', 'G.', ['namespace', 'name', 'phase']);
    g.set({ namespace: 'n', name: 'a', phase: 'Running' }, 1);
    g.set({ namespace: 'n', name: 'a', phase: 'Failed' }, 0);
    g.set({ namespace: 'n', name: 'b', phase: 'Running' }, 1);
    g.removeMatching({ namespace: 'n', name: 'a' });
    expect(parseExposition(registry.render()).samples.map((s) => s.labels.name)).toEqual(['b']);
    g.remove({ namespace: 'n', name: 'b', phase: 'Running' });
    expect(parseExposition(registry.render()).samples).toEqual([]);
  });

  it('refuses a bad name, an unknown label, a counter going down and a name twice', () => {
    const registry = new Registry();
    expect(() => registry.counter('bad-name', 'x', [])).toThrow('metric name "bad-name" is not valid');
    expect(() => registry.gauge('g', 'x', ['le'])).toThrow('label name "le" is not valid for g');
    const c = registry.counter('c', 'x', ['a']);
    expect(() => c.inc({ b: '1' })).toThrow('c has no label b');
    expect(() => c.inc({ a: '1' }, -1)).toThrow('c: a counter only goes up (got -1)');
    expect(() => registry.counter('c', 'x', [])).toThrow('c is already registered');
  });

  it("the catalog parses, with Argo's names, types and labels where Argo has the metric", () => {
    const m = createWorkerMetrics();
    m.rolloutInfo.set(
      { namespace: 'n', name: 'r', strategy: 'canary', traffic_router: 'Istio', phase: 'Completed' },
      1,
    );
    m.kubeRequests.inc({ kind: 'services', namespace: 'n', name: 's', verb: 'Patch', status_code: '200' });
    const parsed = parseExposition(m.registry.render());
    expect(Object.fromEntries(parsed.types)).toMatchObject({
      rollout_info: 'gauge',
      rollout_info_replicas_available: 'gauge',
      rollout_info_replicas_unavailable: 'gauge',
      rollout_info_replicas_desired: 'gauge',
      rollout_info_replicas_updated: 'gauge',
      rollout_phase: 'gauge',
      rollout_events_total: 'counter',
      analysis_run_info: 'gauge',
      analysis_run_phase: 'gauge',
      analysis_run_metric_type: 'gauge',
      analysis_run_metric_phase: 'gauge',
      controller_clientset_k8s_request_total: 'counter',
      rollouts_status_phase: 'gauge',
      rollouts_step_duration_seconds: 'histogram',
      rollouts_analysis_run_duration_seconds: 'histogram',
      rollouts_measurement_lateness_seconds: 'histogram',
      rollouts_activity_duration_seconds: 'histogram',
      rollouts_activity_failures_total: 'counter',
      rollouts_activity_schedule_to_start_seconds: 'histogram',
    });
    expect(parsed.samples).toEqual([
      {
        name: 'rollout_info',
        labels: {
          namespace: 'n',
          name: 'r',
          strategy: 'canary',
          traffic_router: 'Istio',
          phase: 'Completed',
        },
        value: 1,
      },
      {
        name: 'controller_clientset_k8s_request_total',
        labels: { kind: 'services', namespace: 'n', name: 's', verb: 'Patch', status_code: '200' },
        value: 1,
      },
    ]);
  });
});

describe('the /metrics endpoint', () => {
  const registry = new Registry();
  registry.gauge('answer', 'The answer.', []).set({}, 42);
  let server: MetricsServer;

  beforeAll(async () => {
    server = await serveMetrics(registry, '127.0.0.1', 0);
  });

  afterAll(async () => {
    await server.close();
  });

  it('serves the exposition with its content type', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(server.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(CONTENT_TYPE);
    expect(await response.text()).toBe('# HELP answer The answer.\n# TYPE answer gauge\nanswer 42\n');
  });

  it('answers 404 elsewhere', async () => {
    const response = await fetch(server.url.replace('/metrics', '/other'));
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('not found: the metrics are at /metrics\n');
  });

  it('says which port it cannot listen on', async () => {
    const port = Number(new URL(server.url).port);
    await expect(serveMetrics(registry, '127.0.0.1', port)).rejects.toThrow(/EADDRINUSE/);
  });
});
