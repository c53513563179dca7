// AnalysisRuns on the time-skipping server with a faked `measure`: Argo's limits end to end, the
// rollout's reaction to each verdict, and a day-long run that continues as new.
import { describe, expect, it } from '@jest/globals';
import { attachAnalysisTemplates } from '../../core/analysis/attach.js';
import type { AnalysisRunStatus, AnalysisSpec, MetricSpec } from '../../core/analysis/types.js';
import { podTemplateHash } from '../../core/hash.js';
import type { AnalysisTemplateManifest } from '../../core/manifest/argo-types.js';
import type { RolloutStatus } from '../../core/status.js';
import type { CanaryStep, RolloutDefinition } from '../../core/types.js';
import { analysisRunWorkflow } from '../../workflows/analysis-run.js';
import { analysisStatusQuery } from '../../workflows/messages.js';
import {
  timeSkippingServerPerTest,
  type RolloutHarness,
  seedRollout,
  withImage,
} from '../support/rollout-harness.js';

const YELLOW = 'argoproj/rollouts-demo:yellow';

const server = timeSkippingServerPerTest();

async function deployed(def: RolloutDefinition): Promise<RolloutHarness> {
  const harness = server.harness(def);
  await harness.start();
  await harness.rollouts.apply(def);
  await harness.waitFor('Healthy', (s) => s.phase === 'Healthy');
  return harness;
}

async function liveRun(h: RolloutHarness, status: RolloutStatus): Promise<AnalysisRunStatus> {
  const ref = status.analysisRuns.at(-1);
  if (!ref) throw new Error('no AnalysisRun in the status');
  return server.env.client.workflow.getHandle(ref.workflowId).query(analysisStatusQuery);
}

function template(
  name: string,
  metrics: Record<string, unknown>[],
  extra: Partial<AnalysisTemplateManifest['spec']> = {},
): AnalysisTemplateManifest {
  return {
    kind: 'AnalysisTemplate',
    name,
    namespace: 'rollouts-demo',
    spec: {
      args: [],
      dryRun: [],
      measurementRetention: [],
      ...extra,
      metrics: metrics.map((m) => ({
        provider: { prometheus: { address: 'http://prometheus:9090', query: 'q' } },
        ...m,
      })) as never,
    },
  };
}

/** The seed rollout with an inline analysis step after setWeight 20. */
function withInlineAnalysis(t: AnalysisTemplateManifest): RolloutDefinition {
  const seed = seedRollout();
  const steps: CanaryStep[] = [
    { kind: 'setWeight', weight: 20 },
    { kind: 'analysis', templates: [{ templateName: t.name, clusterScope: false }], args: [] },
    { kind: 'setWeight', weight: 40 },
    { kind: 'pause' },
  ];
  const { analysis: _, ...canary } = seed.canary;
  return { ...seed, canary: { ...canary, steps }, analysisTemplates: [t] };
}

describe("the seed's background analysis (failureLimit 3, every 20 s after 60 s)", () => {
  it('tolerates 3 failed measurements, fails the run on the 4th and aborts the rollout', async () => {
    const h = await deployed(seedRollout());
    h.cluster.metric = { value: [0.3] }; // a 30 % success rate: every measurement fails
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    let s = await h.pausedAt(1);
    expect(s.analysisRuns).toEqual([
      expect.objectContaining({
        name: 'istio-success-rate',
        kind: 'background',
        revision: 2,
        phase: 'Running',
      }),
    ]);

    await server.env.sleep('101s'); // measurements at 60, 80 and 100 s
    s = await h.status();
    expect(s.aborted).toBe(false);
    const run = await liveRun(h, s);
    expect(run.metrics[0]).toMatchObject({ phase: 'Running', count: 3, failed: 3 });
    expect(run.metrics[0]?.measurements.map((m) => [m.phase, m.value])).toEqual([
      ['Failed', [0.3]],
      ['Failed', [0.3]],
      ['Failed', [0.3]],
    ]);

    await server.env.sleep('20s'); // the 4th
    s = await h.waitFor('aborted by the analysis', (st) => st.aborted && st.weights.canary === 0);
    expect(s.message).toBe(
      'RolloutAborted: analysis istio-success-rate Failed: Metric "success-rate" assessed Failed due to failed (4) > failureLimit (3)',
    );
    expect(s.analysisRuns[0]).toMatchObject({ phase: 'Failed' });
    expect(h.cluster.measured).toHaveLength(4);
    await h.saveHistories('analysis-failed');
  });

  it('lets a healthy canary complete, the background run ended Successful', async () => {
    const h = await deployed(seedRollout());
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    await h.pausedAt(1);
    await server.env.sleep('90s');
    await h.rollouts.promote(h.namespace, h.name, false);
    await h.pausedAt(3);
    for (const step of [5, 7]) {
      await server.env.sleep('60s');
      await h.pausedAt(step);
    }
    await server.env.sleep('60s');
    const s = await h.waitFor(
      'Healthy on yellow',
      (st) => st.phase === 'Healthy' && st.stableRevision?.revision === 2,
    );
    expect(s.analysisRuns[0]).toMatchObject({ kind: 'background', phase: 'Successful' });
    expect(h.cluster.measured.length).toBeGreaterThanOrEqual(10);
  });
});

/**
 * `steps` with a background run from step 2 whose metric is neither fast enough nor slow enough: yellow
 * deployed and the run already Inconclusive.
 */
async function inconclusiveInBackground(steps: CanaryStep[]): Promise<RolloutHarness> {
  const t = template('latency', [
    { name: 'p99', successCondition: 'result[0] < 100', failureCondition: 'result[0] > 500' },
  ]);
  const seed = seedRollout();
  const analysis = { templates: [{ templateName: t.name, clusterScope: false }], args: [], startingStep: 1 };
  const h = await deployed({ ...seed, canary: { ...seed.canary, steps, analysis }, analysisTemplates: [t] });
  h.cluster.metric = { value: [300] };
  await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
  await h.waitFor('the background run Inconclusive', (st) => st.analysisRuns[0]?.phase === 'Inconclusive');
  return h;
}

describe('an inconclusive background analysis', () => {
  it('holds the rollout before its next step until promote', async () => {
    const h = await inconclusiveInBackground([
      { kind: 'setWeight', weight: 20 },
      { kind: 'pause', durationSeconds: 60 },
      { kind: 'setWeight', weight: 40 },
      { kind: 'pause' },
    ]);
    let s = await h.pausedAt(1);
    expect(s.pauseConditions.map((p) => p.reason)).toEqual(['CanaryPauseStep']);
    await server.env.sleep('60s'); // the timed pause ends; the verdict holds step 2
    s = await h.waitFor(
      'inconclusive pause',
      (st) => st.pauseConditions[0]?.reason === 'InconclusiveAnalysis',
    );
    expect(s).toMatchObject({
      phase: 'Paused',
      currentStepIndex: 2,
      message: 'InconclusiveAnalysis: waiting for promote or abort',
      weights: { canary: 20 },
    });
    expect(s.analysisRuns[0]).toMatchObject({ kind: 'background', phase: 'Inconclusive' });
    await h.rollouts.promote(h.namespace, h.name);
    s = await h.pausedAt(3);
    expect(s.weights.canary).toBe(40);
    // Promoted past an Inconclusive run, the steps go on under a new one (Argo's needsNewAnalysisRun).
    expect(s.analysisRuns.map((r) => r.kind)).toEqual(['background', 'background']);
  });

  it('pauses the rollout when it ends Inconclusive during the last step, instead of promoting', async () => {
    const h = await inconclusiveInBackground([
      { kind: 'setWeight', weight: 20 },
      { kind: 'pause', durationSeconds: 60 },
    ]);
    await server.env.sleep('60s'); // the last step, a timed pause, ends
    let s = await h.waitFor(
      'inconclusive pause after the last step',
      (st) => st.pauseConditions[0]?.reason === 'InconclusiveAnalysis',
    );
    expect(s).toMatchObject({ phase: 'Paused', currentStepIndex: 2, weights: { canary: 20 } });
    expect(s.stableRevision?.images['myapp']).not.toBe(YELLOW);
    await h.rollouts.promote(h.namespace, h.name);
    s = await h.waitFor(
      'Healthy on yellow',
      (st) => st.phase === 'Healthy' && st.stableRevision?.images['myapp'] === YELLOW,
    );
    expect(s.analysisRuns).toHaveLength(1); // at the end, promoted: no new background run
    await h.saveHistories('background-inconclusive-last-step');
  });
});

describe('inline analysis steps', () => {
  it('pauses on Inconclusive; promote goes on', async () => {
    const t = template('latency', [
      { name: 'p99', successCondition: 'result[0] < 100', failureCondition: 'result[0] > 500' },
    ]);
    const h = await deployed(withInlineAnalysis(t));
    h.cluster.metric = { value: [300] }; // neither fast enough nor slow enough
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    let s = await h.waitFor(
      'inconclusive pause',
      (st) => st.pauseConditions[0]?.reason === 'InconclusiveAnalysis',
    );
    expect(s).toMatchObject({
      phase: 'Paused',
      currentStepIndex: 1,
      message: 'InconclusiveAnalysis: waiting for promote or abort',
    });
    expect(s.analysisRuns[0]).toMatchObject({ kind: 'step', stepIndex: 1, phase: 'Inconclusive' });
    await h.rollouts.promote(h.namespace, h.name);
    s = await h.pausedAt(3);
    expect(s.weights.canary).toBe(40);
    await h.saveHistories('analysis-inconclusive');
  });

  it('pauses on Inconclusive; abort aborts', async () => {
    const t = template('latency', [
      { name: 'p99', successCondition: 'result[0] < 100', failureCondition: 'result[0] > 500' },
    ]);
    const h = await deployed(withInlineAnalysis(t));
    h.cluster.metric = { value: [300] };
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    await h.waitFor('inconclusive pause', (st) => st.pauseConditions[0]?.reason === 'InconclusiveAnalysis');
    await h.rollouts.abort(h.namespace, h.name);
    const s = await h.waitFor('aborted', (st) => st.aborted && st.weights.canary === 0);
    expect(s.phase).toBe('Degraded');
  });

  it('aborts after more than consecutiveErrorLimit errors, saying the provider could not be reached', async () => {
    const t = template('rate', [
      { name: 'success-rate', interval: '10s', count: 10, successCondition: 'result[0] > 0.9' },
    ]);
    const h = await deployed(withInlineAnalysis(t));
    h.cluster.metric = {
      error: 'Prometheus at http://prometheus:9090 could not be reached: connect ECONNREFUSED',
    };
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    await h.waitFor('analysis running', (st) => st.analysisRuns.length === 1);
    await server.env.sleep('45s'); // measurements at 0, 10, 20, 30, 40 s: the 5th error is one too many
    const s = await h.waitFor('aborted', (st) => st.aborted && st.weights.canary === 0);
    expect(s.message).toBe(
      'RolloutAborted: analysis rate Error: Metric "success-rate" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): Prometheus at http://prometheus:9090 could not be reached: connect ECONNREFUSED',
    );
    await h.saveHistories('analysis-errors');
  });

  it('never lets an outage pass a count: 1 analysis: retried every 10 s, then Error and abort', async () => {
    const t = template('once', [{ name: 'success-rate', count: 1, successCondition: 'result[0] > 0.9' }]);
    const h = await deployed(withInlineAnalysis(t));
    h.cluster.metric = {
      error: 'Prometheus at http://prometheus:9090 could not be reached: connect ECONNREFUSED',
    };
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    const running = await h.waitFor('analysis running', (st) => st.analysisRuns.length === 1);
    await server.env.sleep('25s'); // errors at 0, 10 and 20 s: still measuring, never Successful
    const midway = await liveRun(h, running);
    expect(midway.phase).toBe('Running');
    expect(midway.metrics[0]).toMatchObject({ count: 0, error: 3, consecutiveError: 3 });
    await server.env.sleep('20s'); // the 5th error, at 40 s, is one too many
    const s = await h.waitFor('aborted', (st) => st.aborted && st.weights.canary === 0);
    expect(s.message).toBe(
      'RolloutAborted: analysis once Error: Metric "success-rate" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): Prometheus at http://prometheus:9090 could not be reached: connect ECONNREFUSED',
    );
    expect(s.stableRevision?.images['myapp']).not.toBe(YELLOW);
    await h.saveHistories('analysis-count1-outage');
  });

  it("promote skips a running analysis step, as Argo's: its run terminated, the next step runs", async () => {
    const t = template('slow', [
      { name: 'success-rate', interval: '10s', count: 30, successCondition: 'result[0] > 0.9' },
    ]);
    const h = await deployed(withInlineAnalysis(t));
    h.cluster.metric = { value: [0.99] };
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    const running = await h.waitFor(
      'analysis step running',
      (st) => st.currentStepIndex === 1 && st.analysisRuns.length === 1,
    );
    expect(running.phase).toBe('Progressing');
    const promoted = await h.rollouts.promote(h.namespace, h.name);
    expect(promoted.message).toBe(
      "promoted myapp (step 2's analysis skipped, its run terminated): next is step 3 (setWeight: 40)",
    );
    const s = await h.pausedAt(3);
    expect(s.weights.canary).toBe(40);
    const run = await liveRun(h, running);
    expect(run.phase).not.toBe('Running');
    expect(run.metrics[0]?.count ?? 0).toBeLessThan(30);
    // The promote was spent on the analysis step: the pause after it still holds.
    expect(s.pauseConditions[0]?.reason).toBe('CanaryPauseStep');
    await h.saveHistories('promote-skips-analysis');
  });

  it('still refuses a promote while a setWeight step waits for its pods, saying so', async () => {
    const t = template('quick', [{ name: 'success-rate', successCondition: 'result[0] > 0.9' }]);
    const h = await deployed(withInlineAnalysis(t));
    const yellow = podTemplateHash(withImage(h.def, YELLOW).template);
    h.cluster.stuck.add(`myapp-${yellow}`);
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    await h.waitFor(
      'setWeight 20 waiting',
      (st) => st.currentStepIndex === 0 && st.canaryRevision !== undefined,
    );
    await expect(h.rollouts.promote(h.namespace, h.name)).rejects.toThrow(
      'myapp is not paused: step 1/4 (setWeight: 20) is running; use --full to skip every remaining step',
    );
    h.cluster.stuck.clear();
    await h.waitFor('analysis step running', (st) => st.currentStepIndex === 1);
  });

  it("judges conditions as Argo's expr-lang: default() gives the whole Prometheus vector, so this one errs", async () => {
    // Runs begun before patch 'conditions-as-argo' judged default(result[0], 0) as result[0]: Successful.
    const t = template('defaulted', [
      {
        name: 'success-rate',
        count: 1,
        consecutiveErrorLimit: 0,
        successCondition: 'default(result[0], 0) >= 0.9',
      },
    ]);
    const h = await deployed(withInlineAnalysis(t));
    h.cluster.metric = { value: [0.97] };
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    const s = await h.waitFor('aborted', (st) => st.aborted && st.weights.canary === 0);
    expect(s.message).toContain(
      'RolloutAborted: analysis defaulted Error: Metric "success-rate" assessed Error due to consecutiveErrors (1) > consecutiveErrorLimit (0): ',
    );
    expect(s.message).toContain('cannot compare');
    await h.saveHistories('analysis-conditions-as-argo');
  });

  it('does not let a failing dryRun metric fail the rollout, and keeps measurementRetention measurements', async () => {
    const t = template(
      'with-shadow',
      [
        { name: 'real', interval: '5s', count: 4, successCondition: 'result[0] > 0.9' },
        { name: 'shadow', interval: '5s', count: 4, successCondition: 'result[0] > 0.999' },
      ],
      { dryRun: [{ metricName: 'shadow' }], measurementRetention: [{ metricName: 'real', limit: 2 }] },
    );
    const h = await deployed(withInlineAnalysis(t));
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    await h.waitFor('analysis running', (st) => st.analysisRuns.length === 1);
    await server.env.sleep('20s');
    const s = await h.pausedAt(3);
    expect(s.analysisRuns[0]).toMatchObject({ phase: 'Successful' });
    const run: AnalysisRunStatus = await server.env.client.workflow
      .getHandle<typeof analysisRunWorkflow>(s.analysisRuns[0]?.workflowId ?? '')
      .result();
    const [real, shadow] = run.metrics;
    expect(real).toMatchObject({ phase: 'Successful', count: 4, successful: 4 });
    expect(real?.measurements).toHaveLength(2);
    expect(shadow).toMatchObject({ phase: 'Failed', dryRun: true, count: 1 });
    expect(shadow?.measurements).toHaveLength(1);
  });
});

describe('a template that includes another (spec.templates)', () => {
  it("runs the included template's metrics too, with the including template's dryRun rule", async () => {
    const suite = template(
      'suite',
      [{ name: 'real', interval: '5s', count: 4, successCondition: 'result[0] > 0.9' }],
      {
        templates: [{ templateName: 'shadow-checks', clusterScope: false }],
        dryRun: [{ metricName: 'shadow' }],
      },
    );
    const included = template('shadow-checks', [
      { name: 'shadow', interval: '5s', count: 4, successCondition: 'result[0] > 0.999' },
    ]);
    // As apply gives it: both templates normalized, with their rules and the nested reference.
    const { analysisTemplates: _, ...bare } = withInlineAnalysis(suite);
    const attached = attachAnalysisTemplates(bare, [suite, included]);
    expect(attached.errors).toEqual([]);
    const h = await deployed(attached.rollout);
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    await h.waitFor('analysis running', (st) => st.analysisRuns.length === 1);
    await server.env.sleep('20s');
    const s = await h.pausedAt(3);
    expect(s.analysisRuns[0]).toMatchObject({ name: 'suite', phase: 'Successful' });
    const run: AnalysisRunStatus = await server.env.client.workflow
      .getHandle<typeof analysisRunWorkflow>(s.analysisRuns[0]?.workflowId ?? '')
      .result();
    expect(run.metrics.map(({ name, phase, dryRun }) => [name, phase, dryRun])).toEqual([
      ['real', 'Successful', false],
      ['shadow', 'Failed', true],
    ]);
  });
});

describe('a day-long AnalysisRun', () => {
  // 4,320 measurements, one every 20 s: the run ends by its own `count` after a day, so the work is the
  // same on every machine (a run stopped by a signal measured for as long as the test server's clock
  // ran on, 42 h and 7,565 measurements in one run, past the test's timeout on a loaded CI machine).
  it('measures every 20 s for 24 h, continuing as new with its counters, each run small', async () => {
    const harness = server.harness(seedRollout());
    await harness.start();
    const day = (24 * 3600) / 20;
    const metric: MetricSpec = {
      name: 'success-rate',
      intervalSeconds: 20,
      initialDelaySeconds: 0,
      count: day,
      successCondition: 'result[0] > 0.9',
      failureLimit: 3,
      inconclusiveLimit: 0,
      consecutiveErrorLimit: 4,
      consecutiveSuccessLimit: 0,
      dryRun: false,
      measurementRetention: 10,
      provider: { prometheus: { address: 'http://prometheus:9090', query: 'q' } },
    };
    const spec: AnalysisSpec = {
      name: 'daylong',
      namespace: 'rollouts-demo',
      metrics: [metric],
      secretArgs: [],
    };
    const handle = await server.env.client.workflow.start(analysisRunWorkflow, {
      workflowId: 'analysis:daylong',
      taskQueue: harness.taskQueue,
      args: [{ spec, measurementsPerRun: 500 }],
    });
    const result = await handle.result();
    expect(result.phase).toBe('Successful');
    expect(result.metrics[0]?.count).toBe(day);
    // A measurement is due 20 s after the last one finished, as in Argo: never more often, so the
    // day's measurements span at least (count − 1) × 20 s.
    const spanSeconds = (Date.parse(result.finishedAt ?? '') - Date.parse(result.startedAt)) / 1000;
    expect(spanSeconds).toBeGreaterThanOrEqual((day - 1) * 20);
    const starts = (result.metrics[0]?.measurements ?? []).map((m) => Date.parse(m.startedAt));
    for (let i = 1; i < starts.length; i++)
      expect((starts[i] as number) - (starts[i - 1] as number)).toBeGreaterThanOrEqual(20_000);
    expect(result.metrics[0]?.measurements).toHaveLength(10);
    // Walk the runs back: every one stayed far below the history limits.
    const lengths: number[] = [];
    let runId: string | undefined;
    for (;;) {
      const history = await server.env.client.workflow.getHandle('analysis:daylong', runId).fetchHistory();
      lengths.push(history.events?.length ?? 0);
      const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (!previous) break;
      runId = previous;
    }
    expect(lengths.length).toBeGreaterThanOrEqual(8);
    expect(Math.max(...lengths)).toBeLessThan(6000);
    console.log(
      `day-long run: ${result.metrics[0]?.count} measurements in ${lengths.length} runs, events per run max ${Math.max(...lengths)}, ${(lengths.reduce((a, b) => a + b, 0) / (result.metrics[0]?.count ?? 1)).toFixed(1)} events per measurement`,
    );
  }, 600_000);
});
