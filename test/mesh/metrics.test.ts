import { describe, expect, it } from '@jest/globals';
import { DURATION_BUCKETS_MS, IstioMetrics } from '../../lab/mesh/istio-metrics.js';
import {
  escapeHelp,
  escapeLabelValue,
  formatExposition,
  formatSample,
  formatValue,
  MetricsRegistry,
} from '../../lab/mesh/metrics.js';
import { parseExposition, sumSamples } from '../support/exposition.js';

describe('exposition formatting', () => {
  it('escapes label values and HELP text', () => {
    expect(escapeLabelValue('a"b\\c\nd')).toBe('a\\"b\\\\c\\nd');
    expect(escapeHelp('a "quoted" \\ help\nline')).toBe('a "quoted" \\\\ help\\nline');
  });

  it('formats values, special floats included', () => {
    expect(formatValue(3)).toBe('3');
    expect(formatValue(0.25)).toBe('0.25');
    expect(formatValue(1e21)).toBe('1e+21');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity)).toBe('-Inf');
  });

  it('formats a sample with and without labels', () => {
    expect(formatSample({ name: 'up', labels: [], value: 1 })).toBe('up 1');
    expect(
      formatSample({
        name: 'x_total',
        labels: [
          ['a', '1'],
          ['b', 'say "hi"'],
        ],
        value: 2,
      }),
    ).toBe('x_total{a="1",b="say \\"hi\\""} 2');
  });

  it('writes HELP, TYPE and samples per family, ending in a newline; nothing for no families', () => {
    expect(
      formatExposition([
        {
          name: 'a_total',
          help: 'A.',
          type: 'counter',
          samples: [{ name: 'a_total', labels: [], value: 1 }],
        },
      ]),
    ).toBe('# HELP a_total A.\n# TYPE a_total counter\na_total 1\n');
    expect(formatExposition([])).toBe('');
  });
});

describe('MetricsRegistry', () => {
  it('counts per label set, in a stable order, and reads back through a strict parser', () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('requests_total', 'Requests.', ['service', 'code']);
    counter.inc({ service: 'b', code: '200' });
    counter.inc({ service: 'a', code: '500' }, 2);
    counter.inc({ service: 'a', code: '200' });
    counter.inc({ service: 'a', code: '200' });
    const text = registry.render();
    expect(text).toBe(
      [
        '# HELP requests_total Requests.',
        '# TYPE requests_total counter',
        'requests_total{service="a",code="200"} 2',
        'requests_total{service="a",code="500"} 2',
        'requests_total{service="b",code="200"} 1',
        '',
      ].join('\n'),
    );
    const parsed = parseExposition(text);
    expect(parsed.types.get('requests_total')).toBe('counter');
    expect(sumSamples(parsed, 'requests_total', { service: 'a' })).toBe(4);
    expect(counter.get({ service: 'a', code: '200' })).toBe(2);
    expect(counter.get({ service: 'z', code: '200' })).toBe(0);
  });

  it('keeps label values with quotes, backslashes and newlines intact through the format', () => {
    const registry = new MetricsRegistry();
    const value = 'we\\ird "value"\nhere';
    registry.counter('odd_total', 'Odd.', ['v']).inc({ v: value });
    expect(parseExposition(registry.render()).samples[0]?.labels).toEqual({ v: value });
  });

  it('histograms: cumulative buckets with le, +Inf, _sum and _count', () => {
    const registry = new MetricsRegistry();
    const histogram = registry.histogram('latency_ms', 'Latency.', ['code'], [10, 1, 5]);
    for (const v of [0.5, 1, 3, 7, 20]) histogram.observe({ code: '200' }, v);
    expect(registry.render()).toBe(
      [
        '# HELP latency_ms Latency.',
        '# TYPE latency_ms histogram',
        'latency_ms_bucket{code="200",le="1"} 2',
        'latency_ms_bucket{code="200",le="5"} 3',
        'latency_ms_bucket{code="200",le="10"} 4',
        'latency_ms_bucket{code="200",le="+Inf"} 5',
        'latency_ms_sum{code="200"} 31.5',
        'latency_ms_count{code="200"} 5',
        '',
      ].join('\n'),
    );
  });

  it('refuses bad names, unknown labels, a counter going down and a name registered twice', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter('bad-name', 'x', [])).toThrow('metric name "bad-name" is not valid');
    expect(() => registry.counter('ok_total', 'x', ['le'])).toThrow('label name "le" is not valid');
    expect(() => registry.counter('ok_total', 'x', ['__x'])).toThrow('label name "__x"');
    const counter = registry.counter('c_total', 'x', ['a']);
    expect(() => counter.inc({ b: '1' })).toThrow('c_total has no label b');
    expect(() => counter.inc({ a: '1' }, -1)).toThrow('a counter only goes up');
    expect(() => registry.counter('c_total', 'x', [])).toThrow('c_total is already registered');
  });
});

describe('IstioMetrics', () => {
  it("exports istio_requests_total and istio_request_duration_milliseconds with Istio's labels", () => {
    const metrics = new IstioMetrics();
    const request = {
      destinationService: 'myapp-canary-svc.rollouts-demo.svc.cluster.local',
      serviceName: 'myapp-canary-svc',
      serviceNamespace: 'rollouts-demo',
      workload: 'myapp-bbb',
      workloadNamespace: 'rollouts-demo',
    };
    metrics.record({ ...request, code: 200, durationMs: 12 });
    metrics.record({ ...request, code: 500, durationMs: 3 });
    metrics.record({ ...request, code: 500, durationMs: 2 });
    const parsed = parseExposition(metrics.render());
    expect(parsed.types.get('istio_requests_total')).toBe('counter');
    expect(parsed.types.get('istio_request_duration_milliseconds')).toBe('histogram');
    const labels = {
      reporter: 'source',
      source_workload: 'istio-ingressgateway',
      source_workload_namespace: 'istio-system',
      destination_service: request.destinationService,
      destination_service_name: 'myapp-canary-svc',
      destination_service_namespace: 'rollouts-demo',
      destination_workload: 'myapp-bbb',
      destination_workload_namespace: 'rollouts-demo',
    };
    expect(parsed.samples.filter((s) => s.name === 'istio_requests_total')).toEqual([
      { name: 'istio_requests_total', labels: { ...labels, response_code: '200' }, value: 1 },
      { name: 'istio_requests_total', labels: { ...labels, response_code: '500' }, value: 2 },
    ]);
    const buckets = parsed.samples.filter(
      (s) => s.name === 'istio_request_duration_milliseconds_bucket' && s.labels.response_code === '500',
    );
    expect(buckets.map((b) => b.labels.le)).toEqual([...DURATION_BUCKETS_MS.map(String), '+Inf']);
    expect(buckets.find((b) => b.labels.le === '1')?.value).toBe(0);
    expect(buckets.find((b) => b.labels.le === '5')?.value).toBe(2);
    expect(sumSamples(parsed, 'istio_request_duration_milliseconds_sum', { response_code: '500' })).toBe(5);
    expect(sumSamples(parsed, 'istio_request_duration_milliseconds_count')).toBe(3);
  });
});
