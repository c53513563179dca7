// A rollouts worker (dist/worker/main.js) on the lab: the lab's kubeconfig, the lab's Temporal, task queue
// `rollouts`. Ready once it says it polls (after bundling the workflows, a few seconds).
import fs from 'node:fs';
import { daemon } from './daemon.js';
import { repoRoot, workerMain } from './paths.js';
import { childEnv, logTail } from './process.js';
import { TASK_QUEUE, TEMPORAL_NAMESPACE } from './settings.js';

export const worker = daemon({
  name: 'worker',
  ports: [],
  url: (ctx) => `task queue ${TASK_QUEUE} on ${ctx.urls.temporalAddress}`,
  preflight: () => (fs.existsSync(workerMain) ? undefined : `${workerMain} is missing: run npm run build`),
  spec: (ctx) => ({
    command: process.execPath,
    args: [workerMain],
    env: childEnv(ctx.env, {
      KUBECONFIG: ctx.paths.kubeconfig,
      TEMPORAL_ADDRESS: ctx.urls.temporalAddress,
      TEMPORAL_NAMESPACE,
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
    }),
    cwd: repoRoot,
  }),
  // The worker serves no port: running is answering (it reconnects to Temporal by itself).
  check: () => Promise.resolve(undefined),
  ready: (_ctx, launched) =>
    Promise.resolve(logTail(launched.log, 1000, launched.logOffset).includes('worker: task queue')),
  readyMeans: () => 'polling its task queue',
  readyTimeoutMs: 60_000,
});
