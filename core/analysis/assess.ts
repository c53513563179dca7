// Argo's decision tables, as pure functions: one measurement's phase from its conditions, a metric's
// phase from its counters and limits, a run's phase from its metrics (DESIGN.md §5).
import type { AnalysisPhase, Measurement, MeasurementPhase, MetricResult, MetricSpec } from './types.js';

export interface ConditionOutcome {
  phase: MeasurementPhase;
  message?: string;
}

/**
 * One measurement. No conditions: Successful. Only a success condition: Failed when it is false.
 * Only a failure condition: Successful when it is false. Both: Failed if the failure condition
 * holds, Successful if only the success one does, Inconclusive when neither does.
 */
export function measurementPhase(
  metric: Pick<MetricSpec, 'successCondition' | 'failureCondition'>,
  evaluate: (condition: string) => boolean,
  /** What came back, shown short: named in the message when a condition cannot take it. */
  shown?: string,
): ConditionOutcome {
  const { successCondition, failureCondition } = metric;
  let success = false;
  let failure = false;
  let current: string | undefined;
  try {
    current = successCondition;
    if (successCondition) success = evaluate(successCondition);
    current = failureCondition;
    if (failureCondition) failure = evaluate(failureCondition);
  } catch (err) {
    const which = shown === undefined ? '' : ` ${JSON.stringify(current)} on ${shown}`;
    return { phase: 'Error', message: `could not evaluate the condition${which}: ${(err as Error).message}` };
  }
  if (!successCondition && !failureCondition) return { phase: 'Successful' };
  if (successCondition && !failureCondition) failure = !success;
  if (!successCondition && failureCondition) success = !failure;
  if (failure) return { phase: 'Failed' };
  if (!success) return { phase: 'Inconclusive' };
  return { phase: 'Successful' };
}

export function emptyMetricResult(metric: Pick<MetricSpec, 'name' | 'dryRun'>): MetricResult {
  return {
    name: metric.name,
    phase: 'Pending',
    dryRun: metric.dryRun,
    count: 0,
    successful: 0,
    failed: 0,
    inconclusive: 0,
    error: 0,
    consecutiveError: 0,
    consecutiveSuccess: 0,
    measurements: [],
  };
}

/**
 * Rules of an older release that a run begun under it keeps, so its saved history replays as it ran.
 * `errorsCounted`: Error measurements counted toward `count` (a defect: an outage could pass).
 */
/** Rules of runs begun before a patch (workflows/patches.ts), kept so their histories replay. */
export interface LegacyRules {
  /** Before ANALYSIS_ERRORS_NOT_COUNTED: Error measurements counted toward `count`. */
  errorsCounted?: boolean;
  /** Before CONDITIONS_AS_ARGO: conditions judged by evaluateConditionAsBefore. */
  conditionsAsBefore?: boolean;
}

/** Argo's DefaultErrorRetryInterval: a metric whose last measurement was an Error is measured again this soon. */
export const ERROR_RETRY_SECONDS = 10;

/**
 * Adds a measurement to the counters (a new object; the last `measurementRetention` kept). As in
 * Argo, an Error never counts toward `count`: only Successful, Failed and Inconclusive do.
 */
export function recordMeasurement(
  result: MetricResult,
  measurement: Measurement,
  retention: number,
  legacy: LegacyRules = {},
): MetricResult {
  const counted = measurement.phase !== 'Error' || legacy.errorsCounted === true;
  const next = { ...result, count: result.count + (counted ? 1 : 0) };
  switch (measurement.phase) {
    case 'Successful':
      next.successful += 1;
      next.consecutiveSuccess += 1;
      next.consecutiveError = 0;
      break;
    case 'Failed':
      next.failed += 1;
      next.consecutiveSuccess = 0;
      next.consecutiveError = 0;
      break;
    case 'Inconclusive':
      next.inconclusive += 1;
      next.consecutiveSuccess = 0;
      next.consecutiveError = 0;
      break;
    case 'Error':
      next.error += 1;
      next.consecutiveError += 1;
      next.consecutiveSuccess = 0;
      break;
  }
  next.measurements = [...result.measurements, measurement].slice(-Math.max(1, retention));
  return next;
}

/** How many measurements a metric takes: `count`, or one when it has neither count nor interval. */
export function effectiveCount(metric: Pick<MetricSpec, 'count' | 'intervalSeconds'>): number | undefined {
  if (metric.count !== undefined && metric.count > 0) return metric.count;
  if (metric.intervalSeconds === undefined) return 1;
  return undefined; // until the run is ended
}

/**
 * Seconds from the end of a measurement to the next one of a metric that is still running. After an
 * Error, Argo's error retry interval, whatever the metric's interval (Argo's `calculateNextReconcileTime`).
 */
export function secondsUntilNextMeasurement(
  metric: Pick<MetricSpec, 'intervalSeconds'>,
  last: MeasurementPhase,
  legacy: LegacyRules = {},
): number {
  if (legacy.errorsCounted) return metric.intervalSeconds ?? 0;
  if (last === 'Error') return ERROR_RETRY_SECONDS;
  return metric.intervalSeconds ?? ERROR_RETRY_SECONDS;
}

export interface MetricAssessment {
  phase: AnalysisPhase;
  message?: string;
}

/**
 * A metric's phase after its latest measurement. Limits are "more than": failureLimit 3 tolerates
 * three failures and fails on the fourth; -1 turns the failure limit off.
 */
export function assessMetric(metric: MetricSpec, result: MetricResult): MetricAssessment {
  const quoted = `Metric "${metric.name}"`;
  if (result.count === 0 && result.error === 0) return { phase: 'Pending' };
  if (metric.failureLimit >= 0 && result.failed > metric.failureLimit)
    return {
      phase: 'Failed',
      message: `${quoted} assessed Failed due to failed (${result.failed}) > failureLimit (${metric.failureLimit})`,
    };
  if (result.inconclusive > metric.inconclusiveLimit)
    return {
      phase: 'Inconclusive',
      message: `${quoted} assessed Inconclusive due to inconclusive (${result.inconclusive}) > inconclusiveLimit (${metric.inconclusiveLimit})`,
    };
  if (result.consecutiveError > metric.consecutiveErrorLimit) {
    const last = result.measurements.at(-1)?.message;
    return {
      phase: 'Error',
      message: `${quoted} assessed Error due to consecutiveErrors (${result.consecutiveError}) > consecutiveErrorLimit (${metric.consecutiveErrorLimit})${last ? `: ${last}` : ''}`,
    };
  }
  const streak = metric.consecutiveSuccessLimit;
  if (streak > 0 && result.consecutiveSuccess >= streak)
    return {
      phase: 'Successful',
      message: `${quoted} assessed Successful due to consecutiveSuccess (${result.consecutiveSuccess}) >= consecutiveSuccessLimit (${streak})`,
    };
  const count = effectiveCount(metric);
  if (count !== undefined && result.count >= count) {
    if (streak > 0) {
      // The count ran out before the success streak was reached.
      return metric.failureLimit >= 0
        ? {
            phase: 'Inconclusive',
            message: `${quoted} assessed Inconclusive: count (${count}) reached without ${streak} consecutive successes or more than ${metric.failureLimit} failures`,
          }
        : {
            phase: 'Failed',
            message: `${quoted} assessed Failed: count (${count}) reached without ${streak} consecutive successes`,
          };
    }
    return { phase: 'Successful' };
  }
  return { phase: 'Running' };
}

/** A run that is ended (its rollout's steps finished): what was still running counts as Successful. */
export function assessTerminated(result: MetricResult): AnalysisPhase {
  return result.phase === 'Running' || result.phase === 'Pending' ? 'Successful' : result.phase;
}

const SEVERITY: AnalysisPhase[] = ['Successful', 'Running', 'Pending', 'Inconclusive', 'Error', 'Failed'];

export function isTerminal(phase: AnalysisPhase): boolean {
  return phase !== 'Running' && phase !== 'Pending';
}

/**
 * The run's phase: the worst of its metrics, dry-run metrics left out (they are recorded, never
 * decisive). `done` is true once the run can stop: every metric finished, or a decisive one ended
 * Failed, Error or Inconclusive (early stop).
 */
export function assessRun(metrics: MetricResult[]): {
  phase: AnalysisPhase;
  message?: string;
  done: boolean;
} {
  const decisive = metrics.filter((m) => !m.dryRun);
  let worst: MetricResult | undefined;
  for (const metric of decisive) {
    if (!worst || SEVERITY.indexOf(metric.phase) > SEVERITY.indexOf(worst.phase)) worst = metric;
  }
  const allDone = metrics.every((m) => isTerminal(m.phase));
  if (!worst) return { phase: allDone ? 'Successful' : 'Running', done: allDone };
  const phase =
    worst.phase === 'Pending' && decisive.some((m) => m.phase === 'Running') ? 'Running' : worst.phase;
  const bad = phase === 'Failed' || phase === 'Error' || phase === 'Inconclusive';
  return { phase, ...(bad && worst.message ? { message: worst.message } : {}), done: allDone || bad };
}
