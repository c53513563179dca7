// A weight step that changes only the weight (issue 13: promote → weight): the canary's pods are
// looked at once and the selectors put back by local activities, in the promote's own workflow task;
// the weight is the only activity with a task of its own. Pods lost since the last look still mean a
// wait, under the progress deadline, as before.
import { describe, expect, it } from '@jest/globals';
import { podTemplateHash } from '../../core/hash.js';
import type { RolloutDefinition } from '../../core/types.js';
import { timeSkippingServerPerTest, seedRollout, withImage } from '../support/rollout-harness.js';
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
  return { h, yellow: `myapp-${hashOf(def, YELLOW)}`, def };
}

/** The activity types of a history, local ones (markers) named as such. */
async function activityKinds(h: Awaited<ReturnType<typeof pausedOnYellow>>['h']) {
  const history = await h.env.client.workflow.getHandle(h.workflowId).fetchHistory();
  const remote: string[] = [];
  let localMarkers = 0;
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes?.activityType?.name;
    if (scheduled) remote.push(scheduled);
    if (event.markerRecordedEventAttributes?.markerName === 'core_local_activity') localMarkers++;
  }
  return { remote, localMarkers };
}

describe('a weight step at an unchanged canary count', () => {
  it('looks at the pods once and puts the selectors back as local activities; only the weight is an activity task', async () => {
    const { h, yellow } = await pausedOnYellow();
    const before = await activityKinds(h);
    await h.rollouts.promote(h.namespace, h.name);
    const s = await h.pausedAt(3);
    expect(s.weights.canary).toBe(40);
    expect(h.cluster.calls.slice(0, 4)).toEqual([
      `readReplicaSetAvailability ${yellow} 1`,
      expect.stringMatching(/^setServiceSelector myapp-stable-svc /),
      expect.stringMatching(/^setServiceSelector myapp-canary-svc /),
      'setTrafficWeight 40',
    ]);
    const after = await activityKinds(h);
    const newRemote = after.remote.slice(before.remote.length).filter((t) => t !== 'writeRolloutStatus');
    expect(newRemote).toEqual(['setTrafficWeight']);
    expect(after.localMarkers - before.localMarkers).toBe(3);
    await h.saveHistories('weight-step-local-reads');
  });

  it('waits for the pods as before when they were lost since the last look', async () => {
    const { h, yellow } = await pausedOnYellow();
    h.cluster.stuck.add(yellow);
    await h.rollouts.promote(h.namespace, h.name);
    await waitUntil(
      () => Promise.resolve(h.cluster.calls),
      (calls) => calls.includes(`waitForReplicaSetAvailable ${yellow} 1`),
      'the wait',
    );
    expect(h.cluster.calls[0]).toBe(`readReplicaSetAvailability ${yellow} 1`);
    expect(h.cluster.calls).not.toContain('setTrafficWeight 40'); // no weight before the pods
    h.cluster.stuck.delete(yellow);
    const s = await h.pausedAt(3);
    expect(s.weights.canary).toBe(40);
  });
});
