// A time-skipping Temporal test server (the real one, installed by scripts/install-tools.sh) and a
// worker running the real workflow bundle against fake activities.
import fs from 'node:fs';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundle } from '@temporalio/worker';
import type { MetricActivities, RolloutActivities } from '../../activities/interface.js';
import {
  RevisionImageKey,
  RolloutNameKey,
  RolloutNamespaceKey,
  RolloutPhaseKey,
} from '../../workflows/search-attributes.js';
import { toolsBin, workflowsPath } from './paths.js';

let runtimeInstalled = false;

/** Quiet logs (errors only) unless TEST_LOG is set: failures show up in assertions, not in walls of text. */
function installRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger((process.env.TEST_LOG as 'DEBUG' | undefined) ?? 'ERROR') });
}

export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  installRuntime();
  const executable = path.join(toolsBin, 'temporal-test-server');
  if (!fs.existsSync(executable)) throw new Error(`${executable} is missing: run scripts/install-tools.sh`);
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: executable } },
  });
}

/** The real Temporal dev server (the one the lab runs), with our search attributes registered. */
export async function createDevServerEnv(): Promise<TestWorkflowEnvironment> {
  installRuntime();
  const executable = path.join(toolsBin, 'temporal');
  if (!fs.existsSync(executable)) throw new Error(`${executable} is missing: run scripts/install-tools.sh`);
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: executable },
      searchAttributes: [RolloutNameKey, RolloutNamespaceKey, RolloutPhaseKey, RevisionImageKey],
    },
  });
}

let bundle: Promise<WorkflowBundle> | undefined;

export function workflowBundle(): Promise<WorkflowBundle> {
  bundle ??= bundleWorkflowCode({ workflowsPath, logger: new DefaultLogger('WARN') });
  return bundle;
}

export async function createWorker(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: RolloutActivities & MetricActivities,
): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
  });
}

/** Polls `read` (in real time: the test server does not skip time while we poll) until `done`. */
export async function waitUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last, null, 2)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
