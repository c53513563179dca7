// A rollouts worker (dist/worker/main.js) on the lab: the lab's kubeconfig, the lab's Temporal, task queue
// `rollouts`, its Prometheus metrics on LAB_WORKER_METRICS_PORT. Ready once it says it polls (after
// bundling the workflows, a few seconds).
import fs from 'node:fs';
import { daemon } from './daemon.js';
import { repoRoot, workerMain } from './paths.js';
import { httpOk } from './probe.js';
import { childEnv, logTail } from './process.js';
import { HOST, TASK_QUEUE, TEMPORAL_NAMESPACE } from './settings.js';

export const worker = daemon({
  name: 'worker',
  ports: ['workerMetrics'],
  url: (ctx) => `task queue ${TASK_QUEUE} on ${ctx.urls.temporalAddress}, metrics ${ctx.urls.workerMetrics}`,
  preflight: () => (fs.existsSync(workerMain) ? undefined : `${workerMain} is missing: run npm run build`),
  spec: (ctx) => ({
    command: process.execPath,
    args: [workerMain],
    env: childEnv(ctx.env, {
      KUBECONFIG: ctx.paths.kubeconfig,
      TEMPORAL_ADDRESS: ctx.urls.temporalAddress,
      TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      WORKER_METRICS_PORT: `${HOST}:${ctx.ports.workerMetrics}`,
    }),
    cwd: repoRoot,
  }),
  // Answering is serving its metrics (it reconnects to Temporal by itself).
  check: async (ctx) =>
    (await httpOk(ctx.urls.workerMetrics)) ? undefined : `${ctx.urls.workerMetrics} does not answer 200`,
  ready: (_ctx, launched) =>
    Promise.resolve(logTail(launched.log, 1000, launched.logOffset).includes('worker: task queue')),
  readyMeans: () => 'polling its task queue',
  readyTimeoutMs: 60_000,
});
