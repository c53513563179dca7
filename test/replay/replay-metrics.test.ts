// The workflow tests' saved histories (test/fixtures/histories; the fault suite's, longer, are left to
// replay.test.ts) replay as well with the worker's metrics on: the workflows' sink calls are no commands. Replayed, they set the gauges (states) and count nothing
// (events are sent only live), and no sink call fails on what an old history makes the workflow report.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type InjectedSinks } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { metricsWorkflowModule, workerMetricsParts } from '../../worker/metrics/index.js';
import type { RolloutMetricsSinks } from '../../workflows/metrics-sink.js';
import { parseExposition, sumSamples } from '../support/exposition.js';
import { historiesDir, workflowsPath } from '../support/paths.js';

/** The sinks, each call's exceptions kept instead of only logged by the worker. */
function recording(
  sinks: InjectedSinks<RolloutMetricsSinks>,
  failures: string[],
): InjectedSinks<RolloutMetricsSinks> {
  const wrap = <S extends Record<string, { fn: (...args: never[]) => void; callDuringReplay?: boolean }>>(
    sink: S,
  ): S =>
    Object.fromEntries(
      Object.entries(sink).map(([name, { fn, callDuringReplay }]) => [
        name,
        {
          callDuringReplay,
          fn: (...args: never[]) => {
            try {
              fn(...args);
            } catch (err) {
              failures.push(`${name}: ${(err as Error).message}`);
            }
          },
        },
      ]),
    ) as S;
  return { rolloutMetrics: wrap(sinks.rolloutMetrics), analysisMetrics: wrap(sinks.analysisMetrics) };
}

describe('replay of the saved histories with the worker metrics on', () => {
  it('replays every one, sets gauges, counts nothing and fails no sink call', async () => {
    try {
      Runtime.install({ logger: new DefaultLogger('ERROR') }); // the replay worker's comings and goings
    } catch {
      // installed already
    }
    const files = fs
      .readdirSync(historiesDir, { encoding: 'utf8' })
      .filter((f) => f.endsWith('.binpb'))
      .sort();
    expect(files.length).toBeGreaterThanOrEqual(8);
    const bundle = await bundleWorkflowCode({
      workflowsPath,
      workflowInterceptorModules: [metricsWorkflowModule],
      logger: new DefaultLogger('WARN'),
    });
    const parts = workerMetricsParts();
    const failures: string[] = [];
    const histories = files.map((file) => ({
      workflowId: file,
      history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(historiesDir, file))),
    }));
    const errors: string[] = [];
    for await (const result of Worker.runReplayHistories(
      { workflowBundle: bundle, sinks: recording(parts.sinks, failures), replayName: 'replay-metrics' },
      histories,
    ))
      if (result.error) errors.push(`${result.workflowId}: ${result.error.message}`);
    expect(errors).toEqual([]);
    expect(failures).toEqual([]);
    const m = parseExposition(parts.metrics.registry.render());
    expect(sumSamples(m, 'rollout_info')).toBeGreaterThan(0);
    expect(sumSamples(m, 'analysis_run_info')).toBeGreaterThan(0);
    for (const name of [
      'rollouts_step_duration_seconds_count',
      'rollouts_measurement_lateness_seconds_count',
      'rollouts_analysis_run_duration_seconds_count',
    ])
      expect(sumSamples(m, name)).toBe(0);
  }, 300_000);
});
