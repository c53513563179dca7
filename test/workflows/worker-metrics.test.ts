// The worker's metrics from a real rollout on the time-skipping server: a worker with the metrics sinks,
// the activity interceptor and the bundle's metrics module runs a canary with an analysis step; the
// exposition then holds the phase, each step's duration, the measurements' lateness and the run, with
// their labels. Its histories replayed with the sinks fill the gauges and count nothing again.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundle } from '@temporalio/worker';
import { RolloutsClient } from '../../client/rollouts-client.js';
import { attachAnalysisTemplates } from '../../core/analysis/attach.js';
import { podTemplateHash } from '../../core/hash.js';
import type { AnalysisTemplateManifest } from '../../core/manifest/argo-types.js';
import type { CanaryStep, RolloutDefinition } from '../../core/types.js';
import {
  metricsWorkflowModule,
  workerMetricsParts,
  type WorkerMetricsParts,
} from '../../worker/metrics/index.js';
import { rolloutWorkflowId } from '../../workflows/messages.js';
import { parseExposition, sumSamples, type ParsedExposition } from '../support/exposition.js';
import { FakeCluster } from '../support/fake-cluster.js';
import { workflowsPath } from '../support/paths.js';
import { seedRollout, withImage } from '../support/rollout-harness.js';
import { createTimeSkippingEnv, waitUntil } from '../support/temporal-env.js';

const YELLOW = 'argoproj/rollouts-demo:yellow';
const TASK_QUEUE = 'worker-metrics';

/** The seed rollout with setWeight 20, an analysis step (two measurements 10 s apart), a 10 s pause. */
function rolloutWithAnalysis(): RolloutDefinition {
  const template: AnalysisTemplateManifest = {
    kind: 'AnalysisTemplate',
    name: 'rate',
    namespace: 'rollouts-demo',
    spec: {
      args: [],
      dryRun: [],
      measurementRetention: [],
      metrics: [
        {
          name: 'success-rate',
          interval: '10s',
          count: 2,
          successCondition: 'result[0] >= 0.9',
          provider: { prometheus: { address: 'http://prometheus:9090', query: 'q' } },
        },
      ] as never,
    },
  };
  const seed = seedRollout();
  const steps: CanaryStep[] = [
    { kind: 'setWeight', weight: 20 },
    { kind: 'analysis', templates: [{ templateName: 'rate', clusterScope: false }], args: [] },
    { kind: 'pause', durationSeconds: 10 },
  ];
  const { analysis: _, ...canary } = seed.canary;
  const attached = attachAnalysisTemplates({ ...seed, canary: { ...canary, steps } }, [template]);
  if (attached.errors.length) throw new Error(attached.errors.join('\n'));
  return attached.rollout;
}

/** Every run (continue-as-new makes several) of one workflow, oldest first. */
async function historyChain(env: TestWorkflowEnvironment, workflowId: string) {
  const histories: temporal.api.history.v1.IHistory[] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    histories.unshift(history);
    const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return histories;
    runId = previous;
  }
}

describe('the worker metrics of a canary with an analysis step', () => {
  let env: TestWorkflowEnvironment;
  let bundle: WorkflowBundle;
  let parts: WorkerMetricsParts;
  let worker: Worker;
  let running: Promise<void>;
  let rollouts: RolloutsClient;
  const cluster = new FakeCluster();
  const def = rolloutWithAnalysis();
  const scrape = (): ParsedExposition => parseExposition(parts.metrics.registry.render());

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    bundle = await bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: [metricsWorkflowModule],
      logger: new DefaultLogger('WARN'),
    });
    parts = workerMetricsParts();
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: TASK_QUEUE,
      workflowBundle: bundle,
      activities: cluster.activities(),
      sinks: parts.sinks,
      // With a prebuilt bundle the metrics module is bundled above, not named here.
      interceptors: { activity: parts.interceptors.activity ?? [] },
    });
    running = worker.run();
    rollouts = new RolloutsClient(env.client, TASK_QUEUE);
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it('has the phase, the step durations, the lateness and the run, with their labels', async () => {
    const id = { namespace: 'rollouts-demo', name: 'myapp' };
    await rollouts.apply(def);
    await waitUntil(
      () => Promise.resolve(sumSamples(scrape(), 'rollout_info', { ...id, phase: 'Completed' })),
      (n) => n === 1,
      'the first revision Completed in rollout_info',
    );

    await rollouts.setImage(id.namespace, id.name, 'myapp', YELLOW);
    await waitUntil(
      () => rollouts.status(id.namespace, id.name),
      (s) => s.currentStepIndex === 1,
      'the analysis step',
    );
    await env.sleep('35s'); // the measurements at 0 and 10 s, the 10 s pause
    const hash = podTemplateHash(withImage(def, YELLOW).template);
    await waitUntil(
      () => rollouts.status(id.namespace, id.name),
      (s) => s.phase === 'Healthy' && s.stableRevision?.podTemplateHash === hash,
      'Healthy on yellow',
    );
    expect(sumSamples(scrape(), 'rollouts_status_phase', { ...id, phase: 'Healthy' })).toBe(1);
    // Argo's Completed waits for the old pods too: gone after scaleDownDelaySeconds (30 s).
    await env.sleep('35s');
    const m = await waitUntil(
      () => Promise.resolve(scrape()),
      (p) => sumSamples(p, 'rollout_info', { ...id, phase: 'Completed' }) === 1,
      'rollout_info Completed',
    );

    expect(m.samples.filter((s) => s.name === 'rollout_info')).toEqual([
      {
        name: 'rollout_info',
        labels: { ...id, strategy: 'canary', traffic_router: 'Istio', phase: 'Completed' },
        value: 1,
      },
    ]);
    expect(sumSamples(m, 'rollout_info_replicas_desired', id)).toBe(def.replicas);
    expect(sumSamples(m, 'rollout_phase', { ...id, phase: 'Completed' })).toBe(1);
    expect(sumSamples(m, 'rollout_phase', id)).toBe(1);

    // One of each step, by kind; the pause lasted its 10 s at least (workflow time).
    for (const kind of ['setWeight', 'analysis', 'pause'])
      expect(sumSamples(m, 'rollouts_step_duration_seconds_count', { ...id, kind })).toBe(1);
    expect(
      sumSamples(m, 'rollouts_step_duration_seconds_sum', { ...id, kind: 'pause' }),
    ).toBeGreaterThanOrEqual(10);

    // The two measurements of the step's run: each one's lateness, the run's verdict and duration.
    const ofRun = { namespace: 'rollouts-demo', rollout: 'myapp' };
    expect(
      sumSamples(m, 'rollouts_measurement_lateness_seconds_count', { ...ofRun, metric: 'success-rate' }),
    ).toBe(2);
    expect(
      sumSamples(m, 'rollouts_analysis_run_duration_seconds_count', {
        ...ofRun,
        analysis: 'rate',
        phase: 'Successful',
      }),
    ).toBe(1);
    const run = { namespace: 'rollouts-demo', name: 'myapp:rev2:1' };
    expect(sumSamples(m, 'analysis_run_info', { ...run, phase: 'Successful' })).toBe(1);
    expect(
      sumSamples(m, 'analysis_run_metric_phase', {
        ...run,
        metric: 'success-rate',
        type: 'Prometheus',
        dry_run: 'false',
        phase: 'Successful',
      }),
    ).toBe(1);
    expect(
      sumSamples(m, 'analysis_run_metric_type', { ...run, metric: 'success-rate', type: 'Prometheus' }),
    ).toBe(1);

    // The activity interceptor saw both measurements and the cluster writes.
    expect(
      sumSamples(m, 'rollouts_activity_duration_seconds_count', {
        activity_type: 'measure',
        outcome: 'Completed',
      }),
    ).toBe(2);
    expect(
      sumSamples(m, 'rollouts_activity_duration_seconds_count', { activity_type: 'setTrafficWeight' }),
    ).toBeGreaterThan(0);
    expect(sumSamples(m, 'rollouts_activity_failures_total')).toBe(0);
  }, 120_000);

  it('replayed with the sinks, its histories fill the gauges and count nothing again', async () => {
    const replayed = workerMetricsParts();
    const workflowId = rolloutWorkflowId('rollouts-demo', 'myapp');
    const histories = [
      ...(await historyChain(env, workflowId)).map((history) => ({ workflowId, history })),
      ...(await historyChain(env, 'analysis:rollouts-demo/myapp:rev2:1')).map((history) => ({
        workflowId: 'analysis:rollouts-demo/myapp:rev2:1',
        history,
      })),
    ];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: bundle, sinks: replayed.sinks, replayName: 'worker-metrics' },
      histories,
    ))
      expect(result.error).toBeUndefined();
    const m = parseExposition(replayed.metrics.registry.render());
    expect(
      sumSamples(m, 'rollout_info', { namespace: 'rollouts-demo', name: 'myapp', phase: 'Completed' }),
    ).toBe(1);
    expect(sumSamples(m, 'analysis_run_info', { name: 'myapp:rev2:1', phase: 'Successful' })).toBe(1);
    for (const name of [
      'rollouts_step_duration_seconds_count',
      'rollouts_measurement_lateness_seconds_count',
      'rollouts_analysis_run_duration_seconds_count',
    ])
      expect(sumSamples(m, name)).toBe(0);
  }, 120_000);

  it("takes a rollout away once Temporal's list no longer shows its workflow", async () => {
    await env.client.workflow.getHandle(rolloutWorkflowId('rollouts-demo', 'myapp')).terminate('deleted');
    const gone = parts.rollouts.listed(await rollouts.list(), Date.now(), 0);
    expect(gone).toEqual([{ namespace: 'rollouts-demo', name: 'myapp' }]);
    for (const rollout of gone) parts.runs.removeRollout(rollout);
    const m = scrape();
    for (const name of ['rollout_info', 'rollouts_status_phase', 'analysis_run_info'])
      expect(m.samples.filter((s) => s.name === name)).toEqual([]);
    // Its histograms stay: what happened happened.
    expect(sumSamples(m, 'rollouts_step_duration_seconds_count')).toBe(3);
  }, 60_000);
});
