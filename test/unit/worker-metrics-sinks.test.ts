// What the workflows' sink calls do to the worker's metrics (worker/metrics/sinks.ts and the gauge
// stores): Argo's phase from the conditions, one series per state, the replay rule, the finished runs
// kept as Argo's history limits, and Temporal's list of running rollouts.
import { describe, expect, it } from '@jest/globals';
import type { WorkflowInfo } from '@temporalio/workflow';
import { argoMetricPhase } from '../../worker/metrics/argo-phase.js';
import { workerMetricsParts, type WorkerMetricsParts } from '../../worker/metrics/index.js';
import { runOrigin } from '../../worker/metrics/run-gauges.js';
import type { AnalysisRunSample, RolloutSample } from '../../workflows/metrics-sink.js';
import { parseExposition, type ParsedSample } from '../support/exposition.js';

function info(workflowId: string, replaying = false, parent?: string): WorkflowInfo {
  return {
    workflowId,
    firstExecutionRunId: 'run-1',
    ...(parent ? { parent: { workflowId: parent, runId: 'p', namespace: 'default' } } : {}),
    unsafe: { isReplaying: replaying, isReplayingHistoryEvents: replaying },
  } as unknown as WorkflowInfo;
}

const ROLLOUT = 'rollout:rollouts-demo/myapp';

function rollout(over: Partial<RolloutSample> = {}): RolloutSample {
  return {
    namespace: 'rollouts-demo',
    name: 'myapp',
    phase: 'Healthy',
    conditions: [
      { type: 'Progressing', reason: 'NewReplicaSetAvailable' },
      { type: 'Available', reason: 'AvailableReason' },
    ],
    trafficRouter: 'Istio',
    replicas: 5,
    availableReplicas: 4,
    updatedReplicas: 5,
    desiredReplicas: 5,
    ...over,
  };
}

function run(phase: AnalysisRunSample['phase'], over: Partial<AnalysisRunSample> = {}): AnalysisRunSample {
  return {
    namespace: 'rollouts-demo',
    analysis: 'istio-success-rate',
    phase,
    metrics: [{ name: 'success-rate', type: 'Prometheus', dryRun: false, phase }],
    ...over,
  };
}

function samples(parts: WorkerMetricsParts, name: string): ParsedSample[] {
  return parseExposition(parts.metrics.registry.render()).samples.filter((s) => s.name === name);
}

describe("Argo's calculatePhase", () => {
  it.each([
    ['NewReplicaSetAvailable', 'Completed'],
    ['RolloutPaused', 'Paused'],
    ['ReplicaSetCreateError', 'Error'],
    ['ProgressDeadlineExceeded', 'Timeout'],
    ['RolloutAborted', 'Abort'],
    ['ReplicaSetUpdated', 'Progressing'],
  ])('a Progressing condition with reason %s is %s', (reason, phase) => {
    expect(argoMetricPhase([{ type: 'Progressing', reason }])).toBe(phase);
  });

  it('InvalidSpec wins; no Progressing condition is Progressing', () => {
    expect(
      argoMetricPhase([
        { type: 'InvalidSpec', reason: 'InvalidSpec' },
        { type: 'Progressing', reason: 'RolloutAborted' },
      ]),
    ).toBe('InvalidSpec');
    expect(argoMetricPhase([])).toBe('Progressing');
  });
});

describe('a rollout reported by its workflow', () => {
  it('fills rollout_info, the replica gauges, rollout_phase and our status phase', () => {
    const parts = workerMetricsParts();
    void parts.sinks.rolloutMetrics.rollout.fn(info(ROLLOUT), rollout());
    const id = { namespace: 'rollouts-demo', name: 'myapp' };
    expect(samples(parts, 'rollout_info')).toEqual([
      {
        name: 'rollout_info',
        labels: { ...id, strategy: 'canary', traffic_router: 'Istio', phase: 'Completed' },
        value: 1,
      },
    ]);
    expect(samples(parts, 'rollout_info_replicas_available')[0]?.value).toBe(4);
    expect(samples(parts, 'rollout_info_replicas_unavailable')[0]?.value).toBe(1);
    expect(samples(parts, 'rollout_info_replicas_desired')[0]?.value).toBe(5);
    expect(samples(parts, 'rollout_info_replicas_updated')[0]?.value).toBe(5);
    expect(samples(parts, 'rollout_phase').map((s) => [s.labels.phase, s.value])).toEqual([
      ['Abort', 0],
      ['Completed', 1],
      ['Error', 0],
      ['Paused', 0],
      ['Progressing', 0],
      ['Timeout', 0],
    ]);
    expect(samples(parts, 'rollouts_status_phase')).toEqual([
      { name: 'rollouts_status_phase', labels: { ...id, phase: 'Healthy' }, value: 1 },
    ]);
  });

  it('a new phase replaces the old series', () => {
    const parts = workerMetricsParts();
    void parts.sinks.rolloutMetrics.rollout.fn(info(ROLLOUT), rollout());
    void parts.sinks.rolloutMetrics.rollout.fn(
      info(ROLLOUT),
      rollout({ phase: 'Paused', conditions: [{ type: 'Progressing', reason: 'RolloutPaused' }] }),
    );
    expect(samples(parts, 'rollout_info').map((s) => s.labels.phase)).toEqual(['Paused']);
    expect(samples(parts, 'rollouts_status_phase').map((s) => s.labels.phase)).toEqual(['Paused']);
  });

  it('states are reported during replay too; events only live', () => {
    const { sinks } = workerMetricsParts();
    expect(sinks.rolloutMetrics.rollout.callDuringReplay).toBe(true);
    expect(sinks.analysisMetrics.run.callDuringReplay).toBe(true);
    expect(sinks.rolloutMetrics.stepEnded.callDuringReplay).toBe(false);
    expect(sinks.analysisMetrics.measurementStarted.callDuringReplay).toBe(false);
    expect(sinks.analysisMetrics.runEnded.callDuringReplay).toBe(false);
  });

  it('a step, a measurement and a run end are observed with their labels', () => {
    const parts = workerMetricsParts();
    const runId = 'analysis:rollouts-demo/myapp:rev2:1';
    void parts.sinks.rolloutMetrics.stepEnded.fn(info(ROLLOUT), {
      namespace: 'rollouts-demo',
      name: 'myapp',
      kind: 'pause',
      seconds: 30,
    });
    void parts.sinks.analysisMetrics.measurementStarted.fn(info(runId), {
      namespace: 'rollouts-demo',
      metric: 'success-rate',
      latenessSeconds: 0.02,
    });
    void parts.sinks.analysisMetrics.runEnded.fn(info(runId), {
      namespace: 'rollouts-demo',
      analysis: 'istio-success-rate',
      phase: 'Successful',
      seconds: 120,
    });
    const count = (name: string) => samples(parts, `${name}_count`);
    expect(count('rollouts_step_duration_seconds')).toEqual([
      {
        name: 'rollouts_step_duration_seconds_count',
        labels: { namespace: 'rollouts-demo', name: 'myapp', kind: 'pause' },
        value: 1,
      },
    ]);
    expect(count('rollouts_measurement_lateness_seconds')[0]?.labels).toEqual({
      namespace: 'rollouts-demo',
      rollout: 'myapp',
      metric: 'success-rate',
    });
    expect(
      samples(parts, 'rollouts_measurement_lateness_seconds_bucket').find((s) => s.labels.le === '0.025')
        ?.value,
    ).toBe(1);
    expect(count('rollouts_analysis_run_duration_seconds')[0]?.labels).toEqual({
      namespace: 'rollouts-demo',
      rollout: 'myapp',
      analysis: 'istio-success-rate',
      phase: 'Successful',
    });
  });
});

describe('AnalysisRuns reported by their workflows', () => {
  it("take their rollout and name from the workflow id, or the parent's", () => {
    expect(runOrigin('analysis:rollouts-demo/myapp:rev2:3')).toEqual({
      rollout: 'myapp',
      name: 'myapp:rev2:3',
    });
    expect(runOrigin('by-hand', 'rollout:rollouts-demo/other')).toEqual({
      rollout: 'other',
      name: 'by-hand',
    });
    expect(runOrigin('by-hand')).toEqual({ rollout: '', name: 'by-hand' });
  });

  it("fill Argo's analysis_run_* gauges, one of each phase series at 1", () => {
    const parts = workerMetricsParts();
    void parts.sinks.analysisMetrics.run.fn(info('analysis:rollouts-demo/myapp:rev2:1'), run('Running'));
    const id = { namespace: 'rollouts-demo', name: 'myapp:rev2:1' };
    expect(samples(parts, 'analysis_run_info')).toEqual([
      { name: 'analysis_run_info', labels: { ...id, phase: 'Running' }, value: 1 },
    ]);
    expect(
      samples(parts, 'analysis_run_phase')
        .filter((s) => s.value === 1)
        .map((s) => s.labels.phase),
    ).toEqual(['Running']);
    expect(samples(parts, 'analysis_run_metric_type')).toEqual([
      {
        name: 'analysis_run_metric_type',
        labels: { ...id, metric: 'success-rate', type: 'Prometheus' },
        value: 1,
      },
    ]);
    const metricPhases = samples(parts, 'analysis_run_metric_phase');
    expect(metricPhases).toHaveLength(6);
    expect(metricPhases.find((s) => s.value === 1)?.labels).toEqual({
      ...id,
      metric: 'success-rate',
      type: 'Prometheus',
      dry_run: 'false',
      phase: 'Running',
    });
  });

  it("use the AnalysisRun object's name when the run has one", () => {
    const parts = workerMetricsParts();
    void parts.sinks.analysisMetrics.run.fn(
      info('analysis:rollouts-demo/myapp:rev2:1'),
      run('Running', { objectName: 'myapp-6f7d8c9b5-2' }),
    );
    expect(samples(parts, 'analysis_run_info')[0]?.labels.name).toBe('myapp-6f7d8c9b5-2');
  });

  it("keep the last 5 successful and 5 unsuccessful finished runs of a rollout, as Argo's limits", () => {
    const parts = workerMetricsParts();
    for (let k = 1; k <= 7; k++)
      void parts.sinks.analysisMetrics.run.fn(
        info(`analysis:rollouts-demo/myapp:rev${k}:${k}`),
        run('Successful'),
      );
    for (let k = 8; k <= 9; k++)
      void parts.sinks.analysisMetrics.run.fn(
        info(`analysis:rollouts-demo/myapp:rev${k}:${k}`),
        run('Failed'),
      );
    void parts.sinks.analysisMetrics.run.fn(info('analysis:rollouts-demo/myapp:rev10:10'), run('Running'));
    void parts.sinks.analysisMetrics.run.fn(info('analysis:rollouts-demo/other:rev1:1'), run('Successful'));
    const names = samples(parts, 'analysis_run_info')
      .map((s) => s.labels.name)
      .sort();
    expect(names).toEqual(
      [
        'myapp:rev3:3',
        'myapp:rev4:4',
        'myapp:rev5:5',
        'myapp:rev6:6',
        'myapp:rev7:7',
        'myapp:rev8:8',
        'myapp:rev9:9',
        'myapp:rev10:10',
        'other:rev1:1',
      ].sort(),
    );
    // A query of a pruned run replays it: the replay does not bring it back.
    void parts.sinks.analysisMetrics.run.fn(
      info('analysis:rollouts-demo/myapp:rev1:1', true),
      run('Successful'),
    );
    expect(samples(parts, 'analysis_run_info').map((s) => s.labels.name)).not.toContain('myapp:rev1:1');
  });
});

describe("Temporal's list of running rollouts", () => {
  it('gives the status phase of a rollout not heard from, and never overrides its own reports', () => {
    const parts = workerMetricsParts();
    void parts.sinks.rolloutMetrics.rollout.fn(info(ROLLOUT), rollout({ phase: 'Paused' }));
    parts.rollouts.listed(
      [
        { namespace: 'rollouts-demo', name: 'myapp', phase: 'Healthy' },
        { namespace: 'rollouts-demo', name: 'idle', phase: 'Degraded' },
      ],
      Date.now(),
      30_000,
    );
    expect(samples(parts, 'rollouts_status_phase').map((s) => [s.labels.name, s.labels.phase])).toEqual([
      ['idle', 'Degraded'],
      ['myapp', 'Paused'],
    ]);
    // Argo's rollout_info needs what only the workflow knows: not made up from the list.
    expect(samples(parts, 'rollout_info').map((s) => s.labels.name)).toEqual(['myapp']);
  });

  it('takes away a rollout whose workflow no longer runs, with its runs, after the grace', () => {
    const parts = workerMetricsParts();
    void parts.sinks.rolloutMetrics.rollout.fn(info(ROLLOUT), rollout());
    void parts.sinks.analysisMetrics.run.fn(info('analysis:rollouts-demo/myapp:rev2:1'), run('Running'));
    const now = Date.now();
    expect(parts.rollouts.listed([], now, 60_000)).toEqual([]); // reported within the grace: kept
    const gone = parts.rollouts.listed([], now + 120_000, 60_000);
    expect(gone).toEqual([{ namespace: 'rollouts-demo', name: 'myapp' }]);
    for (const g of gone) parts.runs.removeRollout(g);
    for (const name of [
      'rollout_info',
      'rollouts_status_phase',
      'rollout_phase',
      'analysis_run_info',
      'analysis_run_metric_phase',
    ])
      expect(samples(parts, name)).toEqual([]);
    // A query of its terminated workflow replays it: not back; a live report (a new workflow) is.
    void parts.sinks.rolloutMetrics.rollout.fn(info(ROLLOUT, true), rollout());
    expect(samples(parts, 'rollout_info')).toEqual([]);
    void parts.sinks.rolloutMetrics.rollout.fn(info(ROLLOUT), rollout());
    expect(samples(parts, 'rollout_info')).toHaveLength(1);
  });
});
