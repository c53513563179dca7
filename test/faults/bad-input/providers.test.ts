// Bad input, part (d): metric providers that answer what a condition cannot use. A real Prometheus
// (.tools/bin/prometheus) asked PromQL that returns a string, several series where the condition wants
// one number, a scalar where it wants a list, a matrix; a local HTTP server answering HTML with 200 and
// with 500, to the web provider and to the Prometheus one. Each goes through the real `measure`
// activity and the AnalysisRun's own judgement (workflows/analysis-run.ts `judge`): an Error
// measurement whose message names the query or URL and what came back, returned as data (no throw, so
// no retry). Then, on the time-skipping server with the real `measure`, such errors end the analysis in
// Error after consecutiveErrorLimit and abort the rollout with that message.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Kube } from '../../../activities/kube.js';
import { createMetricActivities } from '../../../activities/metrics/index.js';
import type { Measurement, MeasureResult, MetricProvider, MetricSpec } from '../../../core/analysis/types.js';
import type { AnalysisTemplateManifest } from '../../../core/manifest/argo-types.js';
import type { CanaryStep, RolloutDefinition } from '../../../core/types.js';
import { judge } from '../../../workflows/analysis-run.js';
import { FakeCluster } from '../../support/fake-cluster.js';
import { LocalHttpServer } from '../../support/local-http.js';
import { PrometheusServer } from '../../support/prometheus.js';
import { RolloutHarness, seedRollout } from '../../support/rollout-harness.js';
import { createTimeSkippingEnv } from '../../support/temporal-env.js';
import { Tally } from './report.js';

// No secret args here, so the Secret API is never called.
const { measure } = createMetricActivities({ kube: new Kube({} as KubernetesObjectApi) });
const tally = new Tally('providers');

let prometheus: PrometheusServer;
/** Answers every path with an HTML page, with the status the path starts with (/200/…, /500/…). */
let html: LocalHttpServer;
/** Answers JSON: {"status": "ok", "rate": 0.97}. */
let json: LocalHttpServer;

beforeAll(async () => {
  html = await LocalHttpServer.start((req, res) => {
    const status = Number(/^\/(\d{3})\//.exec(req.url)?.[1] ?? 200);
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><body>${'<p>Please sign in</p>'.repeat(200)}</body></html>`);
  });
  json = await LocalHttpServer.start((_req, res) => LocalHttpServer.json(res, { status: 'ok', rate: 0.97 }));
  // Nothing to scrape: every query below is computed from constants.
  prometheus = await PrometheusServer.start('bad-input', []);
}, 60_000);

afterAll(async () => {
  const counts = tally.write();
  console.log(`bad provider answers: ${counts.handled}/${counts.tried} handled`);
  await prometheus?.stop();
  await html?.close();
  await json?.close();
});

function metric(provider: MetricProvider, successCondition: string): MetricSpec {
  return {
    name: 'm',
    initialDelaySeconds: 0,
    successCondition,
    failureLimit: 0,
    inconclusiveLimit: 0,
    consecutiveErrorLimit: 4,
    consecutiveSuccessLimit: 0,
    dryRun: false,
    measurementRetention: 10,
    provider,
  };
}

/** The real activity, then the AnalysisRun's judgement of its answer. */
async function measured(spec: MetricSpec): Promise<{ result: MeasureResult; measurement: Measurement }> {
  const result = await measure({
    namespace: 'rollouts-demo',
    metric: spec.name,
    provider: spec.provider,
    secretArgs: [],
  });
  return { result, measurement: judge(spec, result, Date.now(), Date.now()) };
}

const promQL = (query: string): MetricProvider => ({ prometheus: { address: prometheus.url, query } });
const TWO_SERIES =
  'label_replace(vector(0.9), "pod", "a", "", "") or label_replace(vector(0.99), "pod", "b", "", "")';

/** [what, provider, successCondition, the Error message (a function of the servers' addresses)] */
const CASES: [string, () => MetricProvider, string, () => string][] = [
  [
    'PromQL that returns a string',
    () => promQL('"hello"'),
    'result[0] >= 0.95',
    () =>
      `Prometheus at ${prometheus.url}: query "\\"hello\\"": Prometheus returned a string ("hello"), expected a number or vector`,
  ],
  [
    'two series where the condition compares one number',
    () => promQL(TWO_SERIES),
    'result >= 0.95',
    () =>
      'could not evaluate the condition "result >= 0.95" on [0.9,0.99] (2 values): invalid operation: >= (mismatched types []float64 and float64)',
  ],
  [
    'a scalar where the condition takes the first series',
    () => promQL('scalar(vector(0.97))'),
    'result[0] >= 0.95',
    // expr-lang's own words, as Argo gives them: a float64 has no [0].
    () => 'could not evaluate the condition "result[0] >= 0.95" on 0.97: type float64[int] is undefined',
  ],
  [
    'a matrix (a subquery) where the condition compares one number',
    () => promQL('vector(0.97)[1m:20s]'),
    'result >= 0.95',
    () => 'could not evaluate the condition "result >= 0.95" on [0.97,0.97,0.97',
  ],
  [
    'an empty vector where the condition takes the first series',
    () => promQL('vector(1) > 2'),
    'result[0] >= 0.95',
    () =>
      'could not evaluate the condition "result[0] >= 0.95" on [] (0 values): index 0 out of range (len 0)',
  ],
  [
    'PromQL that does not parse',
    () => promQL('sum(rate(x[2m])'),
    'result[0] >= 0.95',
    () =>
      `Prometheus at ${prometheus.url}: query "sum(rate(x[2m])": HTTP 400 Bad Request: bad_data: invalid parameter "query": 1:16: parse error: unclosed left parenthesis`,
  ],
  [
    'a Prometheus address that answers HTML with 200',
    () => ({ prometheus: { address: `${html.url}/200/prometheus`, query: 'up' } }),
    'result[0] >= 0.95',
    () =>
      `Prometheus at ${html.url}/200/prometheus: answered HTTP 200 OK with a text/html body, not a Prometheus API response`,
  ],
  [
    'a Prometheus address that answers HTML with 500',
    () => ({ prometheus: { address: `${html.url}/500/prometheus`, query: 'up' } }),
    'result[0] >= 0.95',
    () => `Prometheus at ${html.url}/500/prometheus: HTTP 500 Internal Server Error`,
  ],
  [
    'a web provider answering HTML with 200',
    () => ({ web: { url: `${html.url}/200/health?token=secret`, method: 'GET', jsonPath: '{$.rate}' } }),
    'result >= 0.95',
    () => `GET ${html.url}/200/health: answered with a text/html body, expected JSON`,
  ],
  [
    'a web provider answering HTML with 500',
    () => ({ web: { url: `${html.url}/500/health`, method: 'GET', jsonPath: '{$.rate}' } }),
    'result >= 0.95',
    () => `GET ${html.url}/500/health: HTTP 500 Internal Server Error (expected 2xx)`,
  ],
  [
    'a web jsonPath that selects a string where the condition compares a number',
    () => ({ web: { url: `${json.url}/health`, method: 'GET', jsonPath: '{$.status}' } }),
    'result >= 0.95',
    () =>
      'could not evaluate the condition "result >= 0.95" on "ok": invalid operation: >= (mismatched types string and float64)',
  ],
  [
    'a web jsonPath that selects nothing',
    () => ({ web: { url: `${json.url}/health`, method: 'GET', jsonPath: '{$.data.rate}' } }),
    'result >= 0.95',
    () => `GET ${json.url}/health: jsonPath {$.data.rate} selects nothing in the answer`,
  ],
];

describe('what providers answer, through the real measure activity and the run’s judgement', () => {
  it.each(
    CASES.map(([what, provider, condition, message], i) => [i, what, provider, condition, message] as const),
  )(
    '#%i %s → an Error measurement naming it',
    async (i, what, provider, condition, message) => {
      await tally.check(`provider #${i} ${what}`, async () => {
        const { result, measurement } = await measured(metric(provider(), condition));
        expect(measurement.phase).toBe('Error');
        expect(measurement.message?.startsWith(message())).toBe(true);
        // one line, short, and no query-string token
        expect(measurement.message).not.toContain('\n');
        expect(measurement.message?.length).toBeLessThanOrEqual(300);
        expect(measurement.message).not.toContain('secret');
        // a provider failure is data (error), a condition failure keeps the value it could not judge
        if (message().startsWith('could not evaluate')) expect(result.value).toBeDefined();
        else expect(result).toEqual({ error: measurement.message });
      });
    },
    20_000,
  );
});

const YELLOW = 'argoproj/rollouts-demo:yellow';

/** The seed rollout, renamed, with one inline analysis step measuring `provider` every 10 s. */
function rolloutMeasuring(
  name: string,
  provider: MetricProvider,
  successCondition: string,
): RolloutDefinition {
  const template: AnalysisTemplateManifest = {
    kind: 'AnalysisTemplate',
    name: 'health',
    namespace: 'rollouts-demo',
    spec: {
      args: [],
      dryRun: [],
      measurementRetention: [],
      metrics: [{ name: 'health', interval: '10s', count: 10, successCondition, provider }] as never,
    },
  };
  const seed = seedRollout();
  const steps: CanaryStep[] = [
    { kind: 'setWeight', weight: 20 },
    { kind: 'analysis', templates: [{ templateName: 'health', clusterScope: false }], args: [] },
    { kind: 'pause' },
  ];
  const { analysis: _, ...canary } = seed.canary;
  return { ...seed, name, canary: { ...canary, steps }, analysisTemplates: [template] };
}

describe('on the time-skipping server: Error measurements abort the rollout after consecutiveErrorLimit', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  }, 60_000);

  afterAll(async () => {
    await env?.teardown();
  });

  it.each([
    ['web-html-500', () => CASES[9] as (typeof CASES)[number]],
    ['prometheus-string', () => CASES[0] as (typeof CASES)[number]],
    ['prometheus-two-series', () => CASES[1] as (typeof CASES)[number]],
  ])(
    '%s',
    async (name, which) => {
      await tally.check(`rollout ${name}`, async () => {
        const [, provider, condition, message] = which();
        const def = rolloutMeasuring(name, provider(), condition);
        const h = new RolloutHarness(env, def, {
          activities: { ...new FakeCluster().activities(), measure },
        });
        await h.start();
        try {
          await h.rollouts.apply(def);
          await h.waitFor('Healthy', (s) => s.phase === 'Healthy');
          await h.rollouts.setImage(def.namespace, def.name, 'myapp', YELLOW);
          await h.waitFor('analysis running', (s) => s.analysisRuns.length === 1);
          await env.sleep('45s'); // measurements at 0, 10, 20, 30, 40 s: the 5th error is one too many
          const s = await h.waitFor('aborted', (st) => st.aborted && st.weights.canary === 0);
          expect(s.phase).toBe('Degraded');
          expect(s.message).toContain(
            `RolloutAborted: analysis health Error: Metric "health" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): ${message()}`,
          );
          // five measurements, each one activity that completed the first time: nothing retried
          const runId = s.analysisRuns[0]?.workflowId ?? '';
          const events = (await env.client.workflow.getHandle(runId).fetchHistory()).events ?? [];
          expect(events.filter((e) => e.activityTaskScheduledEventAttributes)).toHaveLength(5);
          expect(events.filter((e) => e.activityTaskCompletedEventAttributes)).toHaveLength(5);
          expect(events.filter((e) => e.activityTaskFailedEventAttributes)).toHaveLength(0);
          expect(events.filter((e) => e.workflowTaskFailedEventAttributes)).toHaveLength(0);
        } finally {
          await h.stop();
        }
      });
    },
    60_000,
  );
});
