// On the real Temporal dev server with our search attributes registered: a rollout is found by
// name, phase and image (`temporal workflow list --query "RolloutPhase = 'Paused'"`), and the
// phase follows the rollout through continue-as-new.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { RolloutHarness, seedRollout } from '../support/rollout-harness.js';
import { createDevServerEnv, waitUntil } from '../support/temporal-env.js';

let env: TestWorkflowEnvironment;
let harness: RolloutHarness;

beforeAll(async () => {
  env = await createDevServerEnv();
  harness = new RolloutHarness(env, seedRollout());
  await harness.start();
}, 120_000);

afterAll(async () => {
  await harness?.stop();
  await env?.teardown();
});

/** Running rollouts only: runs that continued as new keep the attributes they closed with. */
async function found(query: string): Promise<string[]> {
  const ids: string[] = [];
  const running = `${query} AND ExecutionStatus = 'Running'`;
  for await (const execution of env.client.workflow.list({ query: running })) ids.push(execution.workflowId);
  return ids;
}

describe('search attributes', () => {
  it('find rollouts by name, namespace, phase and image as they change', async () => {
    const h = harness;
    await h.rollouts.apply(h.def);
    await h.waitFor('Healthy', (s) => s.phase === 'Healthy');
    const healthy = `RolloutName = 'myapp' AND RolloutNamespace = 'rollouts-demo' AND RolloutPhase = 'Healthy'`;
    expect(
      await waitUntil(
        () => found(healthy),
        (ids) => ids.length === 1,
        healthy,
      ),
    ).toEqual(['rollout:rollouts-demo/myapp']);

    await h.rollouts.setImage(h.namespace, h.name, 'myapp', 'argoproj/rollouts-demo:yellow');
    await h.pausedAt(1);
    const paused = `RolloutPhase = 'Paused' AND RevisionImage = 'argoproj/rollouts-demo:yellow'`;
    expect(
      await waitUntil(
        () => found(paused),
        (ids) => ids.length === 1,
        paused,
      ),
    ).toEqual(['rollout:rollouts-demo/myapp']);
    expect(await found(`RolloutPhase = 'Healthy'`)).toEqual([]);

    await h.rollouts.abort(h.namespace, h.name);
    const degraded = `RolloutPhase = 'Degraded'`;
    expect(
      await waitUntil(
        () => found(degraded),
        (ids) => ids.length === 1,
        degraded,
      ),
    ).toEqual(['rollout:rollouts-demo/myapp']);
    await h.saveHistories('search-attributes');
  }, 120_000);
});
