// The floor's worker, a process of its own as the lab's worker is: TEMPORAL_ADDRESS, KUBECONFIG and
// BENCH_TASK_QUEUE from the environment. Says "floor worker: polling" once it polls.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import { Kube } from '../../activities/kube.js';
import { createFloorActivities } from './activities.js';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const address = process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const taskQueue = process.env.BENCH_TASK_QUEUE ?? 'bench-floor';
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue,
    workflowsPath: path.join(path.dirname(fileURLToPath(import.meta.url)), 'workflow.js'),
    activities: createFloorActivities(Kube.fromKubeconfig(process.env.KUBECONFIG)),
  });
  console.log(`floor worker: polling ${taskQueue}`);
  await worker.run();
  await connection.close();
}

main().catch((err: unknown) => {
  console.error(`floor worker: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
