// The AnalysisRun object an AnalysisRun workflow mirrors itself into (core/cluster/analysis-run-object.ts):
// Argo's name, labels, annotation and owner (rollout/analysis.go), a spec and status whose every field
// has the JSON type of Argo's Go field (analysis_types.go), values as Argo's providers write them, and
// which older runs Argo's history limits delete (FilterAnalysisRunsToDelete).
import { describe, expect, it } from '@jest/globals';
import type { AnalysisRunStatus, AnalysisSpec, MetricResult, MetricSpec } from '../../core/analysis/types.js';
import {
  analysisRunBaseName,
  analysisRunContent,
  analysisRunLabels,
  analysisRunObject,
  analysisRunsToDelete,
  argoAnalysisRunSpec,
  argoAnalysisRunStatus,
  collisionName,
  formatFloat,
  goJson,
  measurementValueText,
  metaTime,
  type AnalysisRunTarget,
  type KeptRun,
} from '../../core/cluster/analysis-run-object.js';

const UID = '6f1c2d9e-0000-4000-8000-000000000001';

const background: AnalysisRunTarget = {
  rollout: 'myapp',
  uid: UID,
  selector: { app: 'myapp' },
  podHash: '5b4f7c9d8',
  revision: 2,
  kind: 'background',
};
const step: AnalysisRunTarget = { ...background, kind: 'step', stepIndex: 3 };

const prometheusMetric: MetricSpec = {
  name: 'success-rate',
  intervalSeconds: 20,
  initialDelaySeconds: 60,
  successCondition: 'len(result) == 0 || result[0] > 0.90',
  failureLimit: 3,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  consecutiveSuccessLimit: 0,
  dryRun: false,
  measurementRetention: 10,
  provider: {
    prometheus: {
      address: 'http://prometheus.istio-system:9090',
      query: 'sum(rate(x[2m]))',
      timeout: 30,
      headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
      authentication: {
        oauth2: { tokenUrl: 'https://auth/token', clientId: 'me', clientSecret: 's3cr3t', scopes: ['read'] },
      },
    },
  },
};

const webMetric: MetricSpec = {
  name: 'latency.p99',
  count: 3,
  intervalSeconds: 0.5,
  initialDelaySeconds: 0,
  failureCondition: 'result > 300',
  failureLimit: 0,
  inconclusiveLimit: 1,
  consecutiveErrorLimit: 4,
  consecutiveSuccessLimit: 2,
  dryRun: true,
  measurementRetention: 3,
  provider: {
    web: { url: 'http://metrics/latency', method: 'GET', jsonPath: '{$.p99}', timeoutSeconds: 5 },
  },
};

const spec: AnalysisSpec = {
  name: 'istio-success-rate',
  namespace: 'rollouts-demo',
  metrics: [prometheusMetric, webMetric],
  secretArgs: [{ name: 'token', secretName: 'metrics', key: 'token' }],
};

function result(over: Partial<MetricResult> & Pick<MetricResult, 'name'>): MetricResult {
  return {
    phase: 'Running',
    dryRun: false,
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    measurements: [],
    ...over,
  };
}

const times = { startedAt: '2024-05-01T10:00:20.123Z', finishedAt: '2024-05-01T10:00:20.456Z' };

describe('the object’s name, labels, annotation and owner (newAnalysisRunFromRollout)', () => {
  it('names a background run <rollout>-<podHash>-<revision> and a step run with its index', () => {
    expect(analysisRunBaseName(background)).toBe('myapp-5b4f7c9d8-2');
    expect(analysisRunBaseName(step)).toBe('myapp-5b4f7c9d8-2-3');
    expect(collisionName('myapp-5b4f7c9d8-2', 0)).toBe('myapp-5b4f7c9d8-2');
    expect(collisionName('myapp-5b4f7c9d8-2', 2)).toBe('myapp-5b4f7c9d8-2.2');
  });

  it('labels it as BackgroundLabels / StepLabels do, with the Rollout’s selector added', () => {
    expect(analysisRunLabels(background)).toEqual({
      'rollouts-pod-template-hash': '5b4f7c9d8',
      'rollout-type': 'Background',
      app: 'myapp',
    });
    expect(analysisRunLabels(step)).toEqual({
      'rollouts-pod-template-hash': '5b4f7c9d8',
      'rollout-type': 'Step',
      'step-index': '3',
      app: 'myapp',
    });
  });

  it('carries the revision annotation, ours, and the Rollout as its controller', () => {
    const status: AnalysisRunStatus = {
      name: spec.name,
      phase: 'Running',
      metrics: [],
      startedAt: times.startedAt,
    };
    const object = analysisRunObject(
      step,
      {
        namespace: 'rollouts-demo',
        name: 'myapp-5b4f7c9d8-2-3.1',
        workflowId: 'analysis:x',
        runId: 'r1',
        sequence: 7,
      },
      analysisRunContent(spec, status, false),
    );
    expect(object.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(object.kind).toBe('AnalysisRun');
    expect(object.metadata).toEqual({
      name: 'myapp-5b4f7c9d8-2-3.1',
      namespace: 'rollouts-demo',
      labels: analysisRunLabels(step),
      annotations: {
        'rollout.argoproj.io/revision': '2',
        'rollouts.temporal.io/workflow-id': 'analysis:x',
        'rollouts.temporal.io/run-id': 'r1',
        'rollouts.temporal.io/sequence': '7',
      },
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: 'myapp',
          uid: UID,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
  });
});

describe('the spec, in the JSON of Argo’s Go types', () => {
  it('writes durations as Go duration strings, limits as numbers, dryRun as spec rules, no secret', () => {
    const written = argoAnalysisRunSpec(spec, true);
    expect(written).toEqual({
      metrics: [
        {
          name: 'success-rate',
          interval: '20s',
          initialDelay: '60s',
          successCondition: 'len(result) == 0 || result[0] > 0.90',
          failureLimit: 3,
          inconclusiveLimit: 0,
          consecutiveErrorLimit: 4,
          provider: {
            prometheus: {
              address: 'http://prometheus.istio-system:9090',
              query: 'sum(rate(x[2m]))',
              authentication: {
                oauth2: { tokenUrl: 'https://auth/token', clientId: 'me', scopes: ['read'] },
              },
              timeout: 30,
              headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
            },
          },
        },
        {
          name: 'latency.p99',
          interval: '0.5s',
          count: 3,
          failureCondition: 'result > 300',
          failureLimit: 0,
          inconclusiveLimit: 1,
          consecutiveErrorLimit: 4,
          provider: {
            web: { method: 'GET', url: 'http://metrics/latency', timeoutSeconds: 5, jsonPath: '{$.p99}' },
          },
          consecutiveSuccessLimit: 2,
        },
      ],
      terminate: true,
      // Metric has no dryRun field: Argo's spec.dryRun rules, each matching one metric exactly.
      dryRun: [{ metricName: '^latency\\.p99$' }],
      measurementRetention: [{ metricName: '^latency\\.p99$', limit: 3 }],
    });
    expect(JSON.stringify(written)).not.toContain('s3cr3t');
    expect(written).not.toHaveProperty('args');
  });
});

describe('values as Argo’s providers write them', () => {
  it('formats floats as strconv.FormatFloat(v, f, -1, 64)', () => {
    expect(formatFloat(0.99)).toBe('0.99');
    expect(formatFloat(1)).toBe('1');
    expect(formatFloat(-2.5)).toBe('-2.5');
    expect(formatFloat(1e21)).toBe('1000000000000000000000');
    expect(formatFloat(1.5e-7)).toBe('0.00000015');
    expect(formatFloat(123456.789)).toBe('123456.789');
    expect(formatFloat(NaN)).toBe('NaN');
    expect(formatFloat(Infinity)).toBe('+Inf');
    expect(formatFloat(-Infinity)).toBe('-Inf');
  });

  it('writes a Prometheus scalar bare and a vector in brackets (sampleValuesToResultStr)', () => {
    const prometheus = prometheusMetric.provider;
    expect(measurementValueText(0.99, prometheus)).toBe('0.99');
    expect(measurementValueText([0.99], prometheus)).toBe('[0.99]');
    expect(measurementValueText([0.5, { $float: 'NaN' }], prometheus)).toBe('[0.5,NaN]');
    expect(measurementValueText([], prometheus)).toBe('[]');
    expect(measurementValueText({ $float: '+Inf' }, prometheus)).toBe('+Inf');
  });

  it('writes a web value as encoding/json marshals it (keys sorted, HTML escaped)', () => {
    const web = webMetric.provider;
    expect(measurementValueText(250, web)).toBe('250');
    expect(measurementValueText('ok', web)).toBe('"ok"');
    expect(measurementValueText({ z: 1, a: [true, null], '<b>': 'x&y' }, web)).toBe(
      '{"\\u003cb\\u003e":"x\\u0026y","a":[true,null],"z":1}',
    );
    expect(goJson(1e21)).toBe('1e+21');
  });

  it('writes times as metav1.Time: RFC 3339, whole seconds', () => {
    expect(metaTime('2024-05-01T10:00:20.999Z')).toBe('2024-05-01T10:00:20Z');
    expect(metaTime('2024-05-01T10:00:20Z')).toBe('2024-05-01T10:00:20Z');
  });
});

describe('the status (AnalysisRunStatus)', () => {
  it('shows each metric that has measured, its counts, and Argo’s run and dry-run summaries', () => {
    const status: AnalysisRunStatus = {
      name: spec.name,
      phase: 'Failed',
      message: 'failed 4 times, more than failureLimit 3',
      startedAt: '2024-05-01T10:00:00.500Z',
      finishedAt: '2024-05-01T10:02:01.700Z',
      metrics: [
        result({
          name: 'success-rate',
          phase: 'Failed',
          message: 'failed 4 times, more than failureLimit 3',
          count: 4,
          failed: 4,
          measurements: [
            { phase: 'Failed', value: [0.3], ...times },
            { phase: 'Error', message: 'Prometheus at http://p: connect ECONNREFUSED', ...times },
          ],
        }),
        result({
          name: 'latency.p99',
          phase: 'Successful',
          dryRun: true,
          count: 3,
          successful: 3,
          consecutiveSuccess: 3,
          measurements: [{ phase: 'Successful', value: 120, ...times }],
        }),
      ],
    };
    expect(argoAnalysisRunStatus(spec, status)).toEqual({
      phase: 'Failed',
      message: 'failed 4 times, more than failureLimit 3',
      metricResults: [
        {
          name: 'success-rate',
          phase: 'Failed',
          measurements: [
            {
              phase: 'Failed',
              startedAt: '2024-05-01T10:00:20Z',
              finishedAt: '2024-05-01T10:00:20Z',
              value: '[0.3]',
            },
            {
              phase: 'Error',
              message: 'Prometheus at http://p: connect ECONNREFUSED',
              startedAt: '2024-05-01T10:00:20Z',
              finishedAt: '2024-05-01T10:00:20Z',
            },
          ],
          message: 'failed 4 times, more than failureLimit 3',
          count: 4,
          failed: 4,
        },
        {
          name: 'latency.p99',
          phase: 'Successful',
          measurements: [
            {
              phase: 'Successful',
              startedAt: '2024-05-01T10:00:20Z',
              finishedAt: '2024-05-01T10:00:20Z',
              value: '120',
            },
          ],
          count: 3,
          successful: 3,
          dryRun: true,
          consecutiveSuccess: 3,
        },
      ],
      startedAt: '2024-05-01T10:00:00Z',
      runSummary: { count: 1, failed: 1 },
      dryRunSummary: { count: 1, successful: 1 },
      completedAt: '2024-05-01T10:02:01Z',
    });
  });

  it('leaves out a metric that has not measured yet and counts a running one only in count', () => {
    const status: AnalysisRunStatus = {
      name: spec.name,
      phase: 'Running',
      startedAt: '2024-05-01T10:00:00Z',
      metrics: [
        result({ name: 'success-rate', phase: 'Pending' }),
        result({ name: 'other', phase: 'Running', count: 1, successful: 1, consecutiveSuccess: 1 }),
      ],
    };
    const written = argoAnalysisRunStatus({ ...spec, metrics: [prometheusMetric] }, status);
    expect(written.metricResults).toEqual([
      { name: 'other', phase: 'Running', count: 1, successful: 1, consecutiveSuccess: 1 },
    ]);
    expect(written.runSummary).toEqual({ count: 2 });
    expect(written.dryRunSummary).toEqual({});
    expect(written).not.toHaveProperty('completedAt');
    expect(written).not.toHaveProperty('message');
  });
});

describe('the history limits (FilterAnalysisRunsToDelete)', () => {
  const run = (name: string, phase: string, second: number, podHash = 'h1'): KeptRun => ({
    name,
    podHash,
    phase,
    createdAt: new Date(Date.UTC(2024, 4, 1, 10, 0, second)).toISOString(),
  });
  const live = new Map([
    ['h1', false],
    ['h2', true],
  ]);

  it('keeps the 5 newest Successful and the 5 newest unsuccessful, deleting older ones', () => {
    const runs = [
      ...Array.from({ length: 7 }, (_, i) => run(`ok-${i}`, 'Successful', i)),
      ...Array.from({ length: 6 }, (_, i) => run(`bad-${i}`, i % 2 ? 'Failed' : 'Inconclusive', 10 + i)),
      run('running', 'Running', 0),
    ];
    expect(analysisRunsToDelete(runs, live).sort()).toEqual(['bad-0', 'ok-0', 'ok-1']);
  });

  it('deletes runs without a pod hash, or whose ReplicaSet is gone or going', () => {
    const runs = [
      { name: 'no-hash', phase: 'Successful', createdAt: '2024-05-01T10:00:00Z' },
      run('gone', 'Successful', 1, 'h9'),
      run('going', 'Running', 2, 'h2'),
      run('kept', 'Successful', 3),
    ];
    expect(analysisRunsToDelete(runs, live)).toEqual(['going', 'gone', 'no-hash']);
  });

  it('orders runs of the same second by revision, then by name (the later collision suffix newer)', () => {
    const runs = ['myapp-h-2', 'myapp-h-2.1', 'myapp-h-2.2', 'a-later-revision'].map((name) => ({
      ...run(name, 'Successful', 0),
      revision: name.startsWith('a-') ? 3 : 2,
    }));
    expect(analysisRunsToDelete(runs, live, { successful: 2, unsuccessful: 1 })).toEqual([
      'myapp-h-2.1',
      'myapp-h-2',
    ]);
  });
});
