// The Lock that orders the rollout's cluster writes (workflows/lock.ts) lets one job in at a time,
// also when several ask for it in the same activation while it is free.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { repoRoot } from '../support/paths.js';
import type { lockProbeWorkflow } from './probes/lock-probe.js';
import { createTimeSkippingEnv } from '../support/temporal-env.js';

describe('Lock', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('lets in one of several jobs that ask for it in the same activation, the others after', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'lock-probe',
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: path.join(repoRoot, 'dist', 'test', 'workflows', 'probes', 'lock-probe.js'),
        logger: new DefaultLogger('WARN'),
      }),
    });
    const log = await worker.runUntil(
      env.client.workflow.execute<typeof lockProbeWorkflow>('lockProbeWorkflow', {
        taskQueue: 'lock-probe',
        workflowId: 'lock-probe',
      }),
    );
    expect(log).toEqual(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  }, 120_000);
});
