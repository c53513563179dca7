// One AnalysisRun as a child workflow: every metric measured on its own schedule (initialDelay,
// interval, count), each measurement judged by its conditions, each metric by its limits, the run by
// its worst metric (core/analysis/assess.ts). It stops early on a decisive failure, ends Successful
// when terminated by its rollout, and continues as new every few hundred measurements, carrying its
// counters and retained measurements, so a run that measures every 20 s for a day stays small. A run of a
// rollout driven by its Rollout object mirrors itself into an AnalysisRun object (analysis-mirror.ts).
import { condition, continueAsNew, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  assessMetric,
  assessRun,
  assessTerminated,
  emptyMetricResult,
  isTerminal,
  measurementPhase,
  recordMeasurement,
  secondsUntilNextMeasurement,
  type LegacyRules,
} from '../core/analysis/assess.js';
import type {
  AnalysisRunStatus,
  AnalysisSpec,
  Measurement,
  MeasureResult,
  MetricResult,
  MetricSpec,
  MetricValue,
} from '../core/analysis/types.js';
import { decodeMetricValue } from '../core/analysis/values.js';
import { formatDuration } from '../core/duration.js';
import { evaluateCondition, evaluateConditionAsBefore } from '../core/expr/index.js';
import { shorten } from '../core/text.js';
import { analysisRunBaseName, type AnalysisRunTarget } from '../core/cluster/analysis-run-object.js';
import { callActivity } from './activities.js';
import { startAnalysisMirror, type MirrorCarried } from './analysis-mirror.js';
import { analysisStatusQuery, terminateAnalysisSignal } from './messages.js';
import { AnalysisMetricsReporter } from './metrics-sink.js';
import {
  ANALYSIS_ERRORS_NOT_COUNTED,
  ANALYSIS_RUN_OBJECT,
  CONDITIONS_AS_ARGO,
  DUE_TIMES_ALWAYS_TIMED,
} from './patches.js';

export interface AnalysisCarried {
  metrics: MetricResult[];
  /** Epoch ms of each metric's next measurement; null once it is finished. */
  nextAt: (number | null)[];
  startedAt: number;
  terminated: boolean;
  /** The AnalysisRun object's name and last write (workflows/analysis-mirror.ts), when mirrored. */
  mirror?: MirrorCarried;
}

export interface AnalysisRunInput {
  spec: AnalysisSpec;
  carried?: AnalysisCarried;
  /** Continue as new after this many measurements in one run (about 8 history events each). */
  measurementsPerRun?: number;
  /**
   * The rollout is driven by its Rollout object: the run mirrors itself into an AnalysisRun object owned
   * by it (core/cluster/analysis-run-object.ts). Absent: no object (and in runs begun before).
   */
  object?: AnalysisRunTarget;
}

const DEFAULT_MEASUREMENTS_PER_RUN = 500;

/** A measured value for a message: its JSON, short, and how many values a list holds. */
function shownValue(value: MetricValue | null): string {
  const text = JSON.stringify(value) ?? 'nothing';
  const short = shorten(text);
  return Array.isArray(value) ? `${short} (${value.length} value${value.length === 1 ? '' : 's'})` : short;
}

/** A provider's answer judged by the metric's conditions: one Measurement. */
export function judge(
  metric: MetricSpec,
  result: MeasureResult,
  startedAt: number,
  finishedAt: number,
  legacy: LegacyRules = {},
): Measurement {
  const times = {
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
  };
  if (result.error !== undefined) return { phase: 'Error', message: result.error, ...times };
  const value = decodeMetricValue(result.value ?? null);
  const outcome = measurementPhase(
    metric,
    (text) =>
      legacy.conditionsAsBefore === true
        ? evaluateConditionAsBefore(text, value)
        : // Argo's Prometheus provider hands the evaluator a []float64; the others decoded JSON.
          evaluateCondition(text, value, metric.provider.prometheus ? 'vector' : 'json'),
    shownValue(result.value ?? null),
  );
  return {
    phase: outcome.phase,
    ...(result.value !== undefined ? { value: result.value } : {}),
    ...(outcome.message ? { message: outcome.message } : {}),
    ...times,
  };
}

/** The run's status, judged from its metrics; `finished` (epoch ms) once it has ended. */
function runStatus(spec: AnalysisSpec, state: AnalysisCarried, finished?: number): AnalysisRunStatus {
  const run = assessRun(state.metrics);
  return {
    name: spec.name,
    phase: run.phase,
    ...(run.message ? { message: run.message } : {}),
    metrics: state.metrics,
    startedAt: new Date(state.startedAt).toISOString(),
    ...(finished !== undefined ? { finishedAt: new Date(finished).toISOString() } : {}),
  };
}

/** Adds a measurement to metric `index`, judges the metric, and sets when it is measured next (null: done). */
function record(
  state: AnalysisCarried,
  index: number,
  metric: MetricSpec,
  measurement: Measurement,
  legacy: LegacyRules,
): void {
  const recorded = recordMeasurement(
    state.metrics[index] as MetricResult,
    measurement,
    metric.measurementRetention,
    legacy,
  );
  const assessment = assessMetric(metric, recorded);
  state.metrics[index] = {
    ...recorded,
    phase: assessment.phase,
    ...(assessment.message ? { message: assessment.message } : {}),
  };
  if (isTerminal(assessment.phase)) state.nextAt[index] = null;
  else {
    const last = state.metrics[index].measurements.at(-1)?.phase ?? 'Successful';
    state.nextAt[index] = Date.now() + secondsUntilNextMeasurement(metric, last, legacy) * 1000;
  }
}

export async function analysisRunWorkflow(input: AnalysisRunInput): Promise<AnalysisRunStatus> {
  const { spec } = input;
  // Runs begun before Error measurements stopped counting toward `count` keep the old rule.
  const legacy: LegacyRules = {
    ...(patched(ANALYSIS_ERRORS_NOT_COUNTED) ? {} : { errorsCounted: true }),
    // Runs begun before conditions were judged as Argo's expr-lang does keep the old rules.
    ...(patched(CONDITIONS_AS_ARGO) ? {} : { conditionsAsBefore: true }),
  };
  const startedAt = input.carried?.startedAt ?? Date.now();
  const state: AnalysisCarried = input.carried ?? {
    metrics: spec.metrics.map((m) => emptyMetricResult(m)),
    nextAt: spec.metrics.map((m) => startedAt + m.initialDelaySeconds * 1000),
    startedAt,
    terminated: false,
  };
  const perRun = input.measurementsPerRun ?? DEFAULT_MEASUREMENTS_PER_RUN;
  let measuredThisRun = 0;
  let inFlight = 0;

  const status = (finished?: number): AnalysisRunStatus => runStatus(spec, state, finished);
  setHandler(analysisStatusQuery, () => status());
  setHandler(terminateAnalysisSignal, () => void (state.terminated = true));
  // The worker's metrics, through sinks (no commands): the run's phases, lateness, duration.
  const reporter = new AnalysisMetricsReporter(spec, input.object && analysisRunBaseName(input.object));
  reporter.report(status());
  // Asked only of runs given an object to mirror to, so the histories of all others replay as they ran.
  const mirror =
    input.object && patched(ANALYSIS_RUN_OBJECT)
      ? startAnalysisMirror(input.object, spec, state.mirror, () => ({
          status: status(),
          terminated: state.terminated,
        }))
      : undefined;
  if (mirror) state.mirror = mirror.carried;

  const continueSoon = () => measuredThisRun >= perRun || workflowInfo().continueAsNewSuggested;
  const stopping = () => state.terminated || assessRun(state.metrics).done || continueSoon();

  async function runMetric(index: number): Promise<void> {
    const metric = spec.metrics[index] as MetricSpec;
    for (;;) {
      const due = state.nextAt[index];
      if (due === null || due === undefined || stopping()) return;
      const wait = Math.max(1, due - Date.now());
      // Whether to wait must not depend on the clock (see scale-downs.ts: after a restart a worker
      // can be handed the time of an earlier task): only the first measurement, due when the run
      // starts, goes without a timer. Runs begun before looked at the clock.
      const timed = due === state.startedAt ? false : patched(DUE_TIMES_ALWAYS_TIMED) || due > Date.now();
      if (timed) {
        const stopped = await condition(stopping, wait, {
          summary: `next measurement of ${metric.name} in ${formatDuration(Math.ceil(wait / 1000))}`,
        });
        // Fired: it is due, without asking the clock again.
        if (stopped || stopping()) continue;
      }
      const began = Date.now();
      reporter.measuring(metric.name, due);
      inFlight += 1;
      let result: MeasureResult;
      try {
        result = await callActivity('measure', `measure ${metric.name}`, {
          namespace: spec.namespace,
          metric: metric.name,
          provider: metric.provider,
          secretArgs: spec.secretArgs,
        });
      } catch (err) {
        result = { error: `measuring failed: ${(err as Error).message}` };
      } finally {
        inFlight -= 1;
      }
      measuredThisRun += 1;
      record(state, index, metric, judge(metric, result, began, Date.now(), legacy), legacy);
      reporter.report(status());
    }
  }

  await Promise.all(spec.metrics.map((_, i) => runMetric(i)));
  await condition(() => inFlight === 0);

  const decided = assessRun(state.metrics).done;
  if (!state.terminated && !decided && continueSoon()) {
    // The write under way first: the sequence carried over is the last one written.
    await mirror?.stop();
    await continueAsNew<typeof analysisRunWorkflow>({
      spec,
      carried: state,
      measurementsPerRun: perRun,
      ...(input.object ? { object: input.object } : {}),
    });
  }

  if (state.terminated) state.metrics = state.metrics.map((m) => ({ ...m, phase: assessTerminated(m) }));
  const final = status(Date.now());
  reporter.ended(final, state.startedAt);
  // The object shows the verdict before the rollout acts on it.
  await mirror?.finish(final);
  return final;
}
