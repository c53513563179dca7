// The worker: runs rollout workflows and the activities that touch the cluster. Configuration comes
// from the environment (config/temporal.ts, KUBECONFIG); SIGTERM and SIGINT drain it gracefully.
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createWorkerActivities } from '../activities/index.js';
import { connectionOptions, temporalConfigFromEnv } from '../config/temporal.js';
import { workerDataConverter } from './payload-codec.js';
import { maxCachedWorkflowsFromEnv } from './cache-setting.js';
import { workflowsPath } from './paths.js';
import { startWatcher } from './watcher/start.js';
import { watchSettingsFromEnv } from './watcher/settings.js';

async function main(): Promise<void> {
  Runtime.install({
    logger: new DefaultLogger((process.env.LOG_LEVEL as 'INFO' | undefined) ?? 'INFO'),
    shutdownSignals: ['SIGINT', 'SIGTERM'],
  });
  const config = temporalConfigFromEnv();
  const watch = watchSettingsFromEnv();
  const connection = await NativeConnection.connect(connectionOptions(config));
  const worker = await Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    workflowsPath,
    activities: createWorkerActivities(),
    dataConverter: workerDataConverter,
    ...maxCachedWorkflowsFromEnv(),
  });
  console.log(`worker: task queue ${config.taskQueue} on ${config.address} (namespace ${config.namespace})`);
  // Rollout objects in the cluster, each driving its workflow (Argo's controller's place).
  const watcher = watch.enabled ? await startWatcher(watch) : undefined;
  try {
    await worker.run(); // returns once a shutdown signal has drained in-flight tasks
  } finally {
    await watcher?.stop();
    await connection.close();
  }
  console.log('worker: stopped');
}

main().catch((err: unknown) => {
  console.error(`worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
