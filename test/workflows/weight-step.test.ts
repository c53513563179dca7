// A weight step that changes only the weight (issue 13: promote → weight): one activity looks at the
// canary's pods, puts both Services back on their hashes and moves the weight, instead of four tasks
// (wait, selector, selector, weight). Pods lost since the last look still mean the usual wait, under
// the progress deadline, and then the usual writes.
import { describe, expect, it } from '@jest/globals';
import { podTemplateHash } from '../../core/hash.js';
import type { RolloutDefinition } from '../../core/types.js';
import {
  timeSkippingServerPerTest,
  seedRollout,
  withImage,
  type RolloutHarness,
} from '../support/rollout-harness.js';
import { waitUntil } from '../support/temporal-env.js';

const BLUE = 'argoproj/rollouts-demo:blue';
const YELLOW = 'argoproj/rollouts-demo:yellow';
const server = timeSkippingServerPerTest();
const hashOf = (def: RolloutDefinition, image: string) => podTemplateHash(withImage(def, image).template);

async function pausedOnYellow() {
  const def = seedRollout();
  const h = server.harness(def);
  await h.start();
  await h.rollouts.apply(def);
  await h.healthyOn(hashOf(def, BLUE));
  await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
  await h.pausedAt(1);
  h.cluster.calls = [];
  return { h, blue: hashOf(def, BLUE), yellow: hashOf(def, YELLOW) };
}

/** The activity types the rollout's history has scheduled, in order. */
async function scheduled(h: RolloutHarness): Promise<string[]> {
  const history = await h.env.client.workflow.getHandle(h.workflowId).fetchHistory();
  return (history.events ?? []).flatMap((e) => {
    const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

describe('a weight step at an unchanged canary count', () => {
  it('is one activity: a look at the pods, both selectors put back, the weight', async () => {
    const { h, blue, yellow } = await pausedOnYellow();
    const before = (await scheduled(h)).length;
    await h.rollouts.promote(h.namespace, h.name);
    const s = await h.pausedAt(3);
    expect(s.weights).toMatchObject({ canary: 40, stable: 60, verified: true });
    expect(h.cluster.calls).toEqual([
      `shiftTraffic myapp-${yellow} 1`,
      `  setServiceSelector myapp-stable-svc ${blue}`,
      `  setServiceSelector myapp-canary-svc ${yellow}`,
      '  setTrafficWeight 40',
    ]);
    expect((await scheduled(h)).slice(before)).toEqual(['shiftTraffic']);
    await h.saveHistories('weight-step-one-activity');
  });

  it('waits for the pods as before when they were lost since the last look, and writes nothing first', async () => {
    const { h, blue, yellow } = await pausedOnYellow();
    const name = `myapp-${yellow}`;
    h.cluster.stuck.add(name);
    await h.rollouts.promote(h.namespace, h.name);
    await waitUntil(
      () => Promise.resolve(h.cluster.calls),
      (calls) => calls.includes(`waitForReplicaSetAvailable ${name} 1`),
      'the wait',
    );
    expect(h.cluster.calls).toEqual([
      `shiftTraffic ${name} 1`,
      `  setServiceSelector myapp-stable-svc ${blue}`,
      `  setServiceSelector myapp-canary-svc ${yellow}`,
      `waitForReplicaSetAvailable ${name} 1`,
    ]);
    h.cluster.stuck.delete(name);
    const s = await h.pausedAt(3);
    expect(s.weights.canary).toBe(40);
    expect(h.cluster.calls.slice(4)).toEqual([
      `setServiceSelector myapp-stable-svc ${blue}`,
      `setServiceSelector myapp-canary-svc ${yellow}`,
      'setTrafficWeight 40',
    ]);
    await h.saveHistories('weight-step-pods-lost');
  });
});
