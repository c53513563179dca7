// The worker: runs rollout workflows and the activities that touch the cluster. Configuration comes
// from the environment (config/temporal.ts, KUBECONFIG); SIGTERM and SIGINT drain it gracefully.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities, createWorkerActivities } from '../activities/index.js';
import { Kube } from '../activities/kube.js';
import { createMetricActivities } from '../activities/metrics/index.js';
import { connectRollouts } from '../client/connect.js';
import { connectionOptions, temporalConfigFromEnv } from '../config/temporal.js';
import { serveWorkerMetrics, workerMetricsParts, type WorkerMetricsParts } from './metrics/index.js';
import { metricsSettingsFromEnv } from './metrics/settings.js';
import { workerDataConverter } from './payload-codec.js';
import { maxCachedWorkflowsFromEnv } from './cache-setting.js';
import { workflowsPath } from './paths.js';
import { startWatcher } from './watcher/start.js';
import { watchSettingsFromEnv } from './watcher/settings.js';

/** The activities, over one Kubernetes client from KUBECONFIG: its requests counted when metrics are on. */
function activitiesFor(metrics: WorkerMetricsParts | undefined) {
  if (!metrics) return createWorkerActivities();
  const config = metrics.kubeConfig();
  config.loadFromDefault();
  const kube = Kube.fromConfig(config);
  return { ...createActivities({ kube }), ...createMetricActivities({ kube }) };
}

async function main(): Promise<void> {
  Runtime.install({
    logger: new DefaultLogger((process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO'),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });
  const config = temporalConfigFromEnv();
  const watch = watchSettingsFromEnv();
  const metricsAt = metricsSettingsFromEnv();
  // Prometheus metrics (worker/metrics): the workflows' sinks, an activity interceptor, counted requests.
  const metrics = metricsAt ? workerMetricsParts() : undefined;
  const connection = await NativeConnection.connect(connectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    workflowsPath,
    activities: activitiesFor(metrics),
    dataConverter: workerDataConverter,
    ...maxCachedWorkflowsFromEnv(),
    ...(metrics ? { sinks: metrics.sinks, interceptors: metrics.interceptors } : {}),
  });
  // The running rollouts' list fills in the rollouts this worker has not heard from (after a restart).
  const lister = metrics ? await connectRollouts() : undefined;
  const served =
    metrics && metricsAt && lister
      ? await serveWorkerMetrics(metrics, metricsAt, () => lister.rollouts.list())
      : undefined;
  if (served) console.log(`worker: metrics on ${served.url}`);
  console.log(`worker: task queue ${config.taskQueue} on ${config.address} (namespace ${config.namespace})`);
  // Rollout objects in the cluster, each driving its workflow (Argo's controller's place).
  const watcher = watch.enabled ? await startWatcher(watch) : undefined;
  try {
    await worker.run(); // returns once a shutdown signal has drained in-flight tasks
  } finally {
    await watcher?.stop();
    await served?.stop();
    await lister?.close();
    await connection.close();
  }
  console.log('worker: stopped');
}

main().catch((err: unknown) => {
  console.error(`worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
