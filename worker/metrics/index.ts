// The worker's Prometheus metrics, put together: the registry and what fills it (the workflows' sinks,
// the activity interceptor, the counting KubeConfig, Temporal's list of running rollouts) and the
// /metrics endpoint. worker/main.ts hands the parts to Worker.create.
import { fileURLToPath } from 'node:url';
import type { InjectedSinks, WorkerInterceptors } from '@temporalio/worker';
import type { RolloutListItem } from '../../core/rollout-summary.js';
import type { RolloutMetricsSinks } from '../../workflows/metrics-sink.js';
import { activityMetrics } from './activity-interceptor.js';
import { createWorkerMetrics, type WorkerMetrics } from './catalog.js';
import { CountingKubeConfig } from './kube-requests.js';
import { startListing, type Listing, type ListingOptions } from './listing.js';
import { RolloutGauges } from './rollout-gauges.js';
import { RunGauges } from './run-gauges.js';
import { serveMetrics, type MetricsServer } from './server.js';
import { metricsSinks } from './sinks.js';

/** The workflow interceptor module that turns the workflows' sink calls on (workflows/metrics-sink.ts). */
export const metricsWorkflowModule = fileURLToPath(
  new URL('../../workflows/metrics-sink.js', import.meta.url),
);

export interface WorkerMetricsParts {
  metrics: WorkerMetrics;
  rollouts: RolloutGauges;
  runs: RunGauges;
  /** Worker.create's `sinks`. */
  sinks: InjectedSinks<RolloutMetricsSinks>;
  /** Worker.create's `interceptors` (a worker given a prebuilt bundle bundles metricsWorkflowModule itself). */
  interceptors: WorkerInterceptors;
  /** A KubeConfig (load it as usual) whose API clients count their requests. */
  kubeConfig(): CountingKubeConfig;
}

export function workerMetricsParts(metrics: WorkerMetrics = createWorkerMetrics()): WorkerMetricsParts {
  const rollouts = new RolloutGauges(metrics);
  const runs = new RunGauges(metrics);
  return {
    metrics,
    rollouts,
    runs,
    sinks: metricsSinks(metrics, rollouts, runs),
    interceptors: { activity: [activityMetrics(metrics)], workflowModules: [metricsWorkflowModule] },
    kubeConfig: () => new CountingKubeConfig((labels) => metrics.kubeRequests.inc(labels)),
  };
}

export interface ServedMetrics {
  url: string;
  stop(): Promise<void>;
}

/** Serves the registry on host:port and keeps the rollouts' gauges in step with Temporal's list. */
export async function serveWorkerMetrics(
  parts: WorkerMetricsParts,
  where: { host: string; port: number },
  list?: () => Promise<RolloutListItem[]>,
  listing: ListingOptions = {},
): Promise<ServedMetrics> {
  const server: MetricsServer = await serveMetrics(parts.metrics.registry, where.host, where.port).catch(
    (err: unknown) => {
      throw new Error(
        `WORKER_METRICS_PORT: cannot serve metrics on ${where.host}:${where.port}: ${(err as Error).message}`,
      );
    },
  );
  const lister: Listing | undefined = list
    ? startListing(list, parts.rollouts, parts.runs, listing)
    : undefined;
  return {
    url: server.url,
    stop: async () => {
      await lister?.stop();
      await server.close();
    },
  };
}
