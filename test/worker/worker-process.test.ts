// The worker as users run it: a separate process configured by the environment, connected to a real
// Temporal server (the test server), draining and exiting 0 on SIGTERM; bad configuration is a
// one-line error and exit code 1.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { repoRoot, testOutput } from '../support/paths.js';
import { createTimeSkippingEnv, waitUntil } from '../support/temporal-env.js';

const workerMain = path.join(repoRoot, 'dist', 'worker', 'main.js');

interface Running {
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
}

function startWorker(env: Record<string, string>): Running {
  const child = spawn(process.execPath, [workerMain], { env: { ...process.env, LOG_LEVEL: 'WARN', ...env } });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { output: () => output, exited, kill: (signal) => child.kill(signal) };
}

describe('the worker process', () => {
  let env: TestWorkflowEnvironment;
  let kubeconfig: string;

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    fs.mkdirSync(testOutput, { recursive: true });
    kubeconfig = path.join(testOutput, 'worker-test.kubeconfig');
    // A syntactically valid kubeconfig; this test never reaches the cluster.
    fs.writeFileSync(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: x, context: {cluster: c, user: u}}]',
        'current-context: x',
      ].join('\n'),
    );
  }, 120_000);

  afterAll(async () => {
    await env?.teardown();
  });

  it('starts from the environment and drains on SIGTERM', async () => {
    const worker = startWorker({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: 'worker-process-test',
      KUBECONFIG: kubeconfig,
    });
    await waitUntil(
      () => Promise.resolve(worker.output()),
      (o) => o.includes('worker: task queue'),
      'worker start',
      60_000,
    );
    expect(worker.output()).toContain(
      `worker: task queue worker-process-test on ${env.address} (namespace default)`,
    );
    worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    expect(worker.output()).toContain('worker: stopped');
  }, 90_000);

  it('says what is wrong with its configuration and exits 1', async () => {
    const bad = startWorker({ TEMPORAL_ADDRESS: 'localhost', KUBECONFIG: kubeconfig });
    expect(await bad.exited).toBe(1);
    expect(bad.output().trim()).toBe(
      'worker: TEMPORAL_ADDRESS=localhost: expected host:port, e.g. localhost:7233',
    );

    const halfTls = startWorker({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TLS_CERT: kubeconfig,
      KUBECONFIG: kubeconfig,
    });
    expect(await halfTls.exited).toBe(1);
    expect(halfTls.output()).toContain('TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY: set both');

    const badCache = startWorker({
      TEMPORAL_ADDRESS: env.address,
      WORKER_MAX_CACHED_WORKFLOWS: 'none',
      KUBECONFIG: kubeconfig,
    });
    expect(await badCache.exited).toBe(1);
    expect(badCache.output().trim()).toBe(
      'worker: WORKER_MAX_CACHED_WORKFLOWS=none: expected a whole number of workflows, 0 or more (0 replays every task)',
    );
  }, 60_000);
});
