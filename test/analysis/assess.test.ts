// Argo's decision tables (DESIGN.md §5), row by row.
import { describe, expect, it } from '@jest/globals';
import {
  assessMetric,
  assessRun,
  assessTerminated,
  effectiveCount,
  emptyMetricResult,
  ERROR_RETRY_SECONDS,
  measurementPhase,
  recordMeasurement,
  secondsUntilNextMeasurement,
} from '../../core/analysis/assess.js';
import type { MeasurementPhase, MetricResult, MetricSpec } from '../../core/analysis/types.js';

const metric = (over: Partial<MetricSpec> = {}): MetricSpec => ({
  name: 'success-rate',
  initialDelaySeconds: 0,
  failureLimit: 0,
  inconclusiveLimit: 0,
  consecutiveErrorLimit: 4,
  consecutiveSuccessLimit: 0,
  dryRun: false,
  measurementRetention: 10,
  provider: { prometheus: { address: 'http://p:9090', query: 'up' } },
  ...over,
});

const at = '2026-11-26T00:00:00.000Z';

/** The metric's result after these measurement phases, in order. */
function after(phases: MeasurementPhase[], spec: MetricSpec = metric(), retention = 10): MetricResult {
  return phases.reduce(
    (result, phase) =>
      recordMeasurement(
        result,
        {
          phase,
          startedAt: at,
          finishedAt: at,
          ...(phase === 'Error' ? { message: 'Prometheus down' } : {}),
        },
        retention,
      ),
    emptyMetricResult(spec),
  );
}

describe('one measurement', () => {
  const truth = (values: Record<string, boolean>) => (condition: string) => {
    const v = values[condition];
    if (v === undefined) throw new Error(`unknown ${condition}`);
    return v;
  };
  it.each([
    [{}, {}, 'Successful'],
    [{ successCondition: 'S' }, { S: true }, 'Successful'],
    [{ successCondition: 'S' }, { S: false }, 'Failed'],
    [{ failureCondition: 'F' }, { F: true }, 'Failed'],
    [{ failureCondition: 'F' }, { F: false }, 'Successful'],
    [{ successCondition: 'S', failureCondition: 'F' }, { S: true, F: false }, 'Successful'],
    [{ successCondition: 'S', failureCondition: 'F' }, { S: false, F: true }, 'Failed'],
    [{ successCondition: 'S', failureCondition: 'F' }, { S: true, F: true }, 'Failed'],
    [{ successCondition: 'S', failureCondition: 'F' }, { S: false, F: false }, 'Inconclusive'],
  ] as const)('conditions %j with %j → %s', (conditions, values, phase) => {
    expect(measurementPhase(conditions, truth(values)).phase).toBe(phase);
  });

  it('is an Error when a condition cannot be evaluated', () => {
    expect(measurementPhase({ successCondition: 'X' }, truth({}))).toEqual({
      phase: 'Error',
      message: 'could not evaluate the condition: unknown X',
    });
  });
});

describe('one metric', () => {
  it('is Pending before its first measurement', () => {
    expect(assessMetric(metric(), emptyMetricResult(metric())).phase).toBe('Pending');
  });

  it('fails on the fourth failure with failureLimit 3, not the third', () => {
    const spec = metric({ failureLimit: 3, intervalSeconds: 20 });
    expect(assessMetric(spec, after(['Failed', 'Successful', 'Failed', 'Failed'], spec)).phase).toBe(
      'Running',
    );
    expect(assessMetric(spec, after(['Failed', 'Failed', 'Failed', 'Failed'], spec))).toEqual({
      phase: 'Failed',
      message: 'Metric "success-rate" assessed Failed due to failed (4) > failureLimit (3)',
    });
  });

  it('never fails with failureLimit -1', () => {
    const spec = metric({ failureLimit: -1, count: 3, intervalSeconds: 1 });
    expect(assessMetric(spec, after(['Failed', 'Failed', 'Failed'], spec)).phase).toBe('Successful');
  });

  it('is Inconclusive past inconclusiveLimit', () => {
    const spec = metric({ inconclusiveLimit: 1, intervalSeconds: 5 });
    expect(assessMetric(spec, after(['Inconclusive'], spec)).phase).toBe('Running');
    expect(assessMetric(spec, after(['Inconclusive', 'Inconclusive'], spec)).phase).toBe('Inconclusive');
  });

  it('errors past consecutiveErrorLimit (4 by default), counting only errors in a row', () => {
    const spec = metric({ intervalSeconds: 5 });
    expect(
      assessMetric(spec, after(['Error', 'Error', 'Error', 'Error', 'Successful', 'Error'], spec)).phase,
    ).toBe('Running');
    expect(assessMetric(spec, after(['Error', 'Error', 'Error', 'Error', 'Error'], spec))).toEqual({
      phase: 'Error',
      message:
        'Metric "success-rate" assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4): Prometheus down',
    });
  });

  it('never counts an Error measurement toward count: an outage cannot pass a count-limited metric', () => {
    const once = metric({ count: 1 });
    expect(assessMetric(once, after(['Error'], once)).phase).toBe('Running');
    expect(after(['Error'], once)).toMatchObject({ count: 0, error: 1, consecutiveError: 1 });
    expect(assessMetric(once, after(['Error', 'Error', 'Error', 'Error', 'Error'], once)).phase).toBe(
      'Error',
    );
    expect(assessMetric(once, after(['Error', 'Successful'], once)).phase).toBe('Successful');
    const three = metric({ count: 3, intervalSeconds: 10 });
    expect(assessMetric(three, after(['Successful', 'Error', 'Successful'], three)).phase).toBe('Running');
    expect(assessMetric(three, after(['Successful', 'Error', 'Successful', 'Successful'], three)).phase).toBe(
      'Successful',
    );
  });

  it('keeps the rule of older releases for runs that began under them (errors counted)', () => {
    const once = metric({ count: 1 });
    const legacy = recordMeasurement(
      emptyMetricResult(once),
      { phase: 'Error', startedAt: at, finishedAt: at },
      10,
      { errorsCounted: true },
    );
    expect(legacy.count).toBe(1);
    expect(assessMetric(once, legacy).phase).toBe('Successful');
  });

  it('measures again after the error retry interval (10 s) after an Error, else after the interval', () => {
    expect(ERROR_RETRY_SECONDS).toBe(10);
    expect(secondsUntilNextMeasurement(metric({ intervalSeconds: 60 }), 'Error')).toBe(10);
    expect(secondsUntilNextMeasurement(metric({ intervalSeconds: 3 }), 'Error')).toBe(10);
    expect(secondsUntilNextMeasurement(metric({ count: 1 }), 'Error')).toBe(10);
    expect(secondsUntilNextMeasurement(metric({ intervalSeconds: 60 }), 'Successful')).toBe(60);
    expect(
      secondsUntilNextMeasurement(metric({ intervalSeconds: 60 }), 'Error', { errorsCounted: true }),
    ).toBe(60);
    expect(secondsUntilNextMeasurement(metric({ count: 1 }), 'Error', { errorsCounted: true })).toBe(0);
  });

  it('succeeds once the count is reached', () => {
    const spec = metric({ count: 3, intervalSeconds: 10 });
    expect(assessMetric(spec, after(['Successful', 'Successful'], spec)).phase).toBe('Running');
    expect(assessMetric(spec, after(['Successful', 'Successful', 'Successful'], spec)).phase).toBe(
      'Successful',
    );
  });

  it('measures once without count or interval, and forever with only an interval', () => {
    expect(effectiveCount({})).toBe(1);
    expect(effectiveCount({ intervalSeconds: 20 })).toBeUndefined();
    expect(effectiveCount({ intervalSeconds: 20, count: 5 })).toBe(5);
    expect(assessMetric(metric(), after(['Successful'])).phase).toBe('Successful');
    const endless = metric({ intervalSeconds: 20 });
    expect(
      assessMetric(endless, after(Array(50).fill('Successful') as MeasurementPhase[], endless)).phase,
    ).toBe('Running');
  });

  it('succeeds on a streak with consecutiveSuccessLimit, and says why when the count runs out first', () => {
    const streak = metric({ consecutiveSuccessLimit: 2, count: 4, intervalSeconds: 1, failureLimit: -1 });
    expect(assessMetric(streak, after(['Failed', 'Successful', 'Successful'], streak)).phase).toBe(
      'Successful',
    );
    expect(assessMetric(streak, after(['Successful', 'Failed', 'Successful', 'Failed'], streak)).phase).toBe(
      'Failed',
    );
    const both = metric({ consecutiveSuccessLimit: 3, count: 3, intervalSeconds: 1, failureLimit: 2 });
    expect(assessMetric(both, after(['Successful', 'Failed', 'Successful'], both)).phase).toBe(
      'Inconclusive',
    );
  });

  it('keeps only the last measurementRetention measurements, but counts them all (errors apart)', () => {
    const result = after(['Successful', 'Failed', 'Successful', 'Error', 'Successful'], metric(), 2);
    expect(result.measurements.map((m) => m.phase)).toEqual(['Error', 'Successful']);
    expect(result).toMatchObject({
      count: 4,
      successful: 3,
      failed: 1,
      error: 1,
      consecutiveSuccess: 1,
      consecutiveError: 0,
    });
  });
});

describe('the whole run', () => {
  const result = (
    name: string,
    phase: MetricResult['phase'],
    dryRun = false,
    message?: string,
  ): MetricResult => ({
    ...emptyMetricResult({ name, dryRun }),
    phase,
    ...(message ? { message } : {}),
  });

  it('takes the worst metric: Successful < Running < Pending < Inconclusive < Error < Failed', () => {
    expect(assessRun([result('a', 'Successful'), result('b', 'Successful')])).toEqual({
      phase: 'Successful',
      done: true,
    });
    expect(assessRun([result('a', 'Successful'), result('b', 'Running')])).toEqual({
      phase: 'Running',
      done: false,
    });
    expect(assessRun([result('a', 'Inconclusive', false, 'x'), result('b', 'Running')])).toEqual({
      phase: 'Inconclusive',
      message: 'x',
      done: true,
    });
    expect(assessRun([result('a', 'Error', false, 'e'), result('b', 'Failed', false, 'f')])).toMatchObject({
      phase: 'Failed',
      message: 'f',
    });
    expect(assessRun([result('a', 'Error', false, 'e'), result('b', 'Inconclusive')])).toMatchObject({
      phase: 'Error',
    });
  });

  it('stops early when a metric that counts fails, even while others run', () => {
    expect(assessRun([result('a', 'Failed', false, 'bad'), result('b', 'Running')])).toEqual({
      phase: 'Failed',
      message: 'bad',
      done: true,
    });
  });

  it('records dry-run metrics without letting them decide', () => {
    expect(assessRun([result('a', 'Failed', true), result('b', 'Successful')])).toEqual({
      phase: 'Successful',
      done: true,
    });
    expect(assessRun([result('a', 'Failed', true), result('b', 'Running')])).toEqual({
      phase: 'Running',
      done: false,
    });
    expect(assessRun([result('a', 'Failed', true)])).toEqual({ phase: 'Successful', done: true });
  });

  it('counts running metrics as Successful when the run is ended by its rollout', () => {
    expect(assessTerminated(result('a', 'Running'))).toBe('Successful');
    expect(assessTerminated(result('a', 'Pending'))).toBe('Successful');
    expect(assessTerminated(result('a', 'Failed'))).toBe('Failed');
  });
});
