// On the real Temporal dev server with our search attributes registered: a rollout is found by
// name, phase and image (`temporal workflow list --query "RolloutPhase = 'Paused'"`), and the
// phase follows the rollout through continue-as-new; `rollouts list` reads each line from the list alone.
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
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

    // `rollouts list` is the visibility list alone: each line from the memo's summary, no query, and
    // the namespace part of the list's query.
    const queries = jest.spyOn(h.rollouts as unknown as { queryStatus: () => unknown }, 'queryStatus');
    const line = {
      namespace: 'rollouts-demo',
      name: 'myapp',
      phase: 'Paused',
      message: 'CanaryPauseStep: waiting for promote',
      step: 1,
      steps: 8,
      weight: 20,
    };
    expect(
      await waitUntil(
        () => h.rollouts.list('rollouts-demo'),
        (items) => items[0]?.phase === 'Paused',
        'listed as Paused',
      ),
    ).toEqual([line]);
    expect(await h.rollouts.list()).toEqual([line]);
    expect(await h.rollouts.list('elsewhere')).toEqual([]);
    expect(queries).not.toHaveBeenCalled();
    queries.mockRestore();

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
