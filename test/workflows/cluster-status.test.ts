// A rollout driven by its Rollout object writes its state back (workflows/status-writer.ts): at every
// change, in order, each write stamped one higher than the last, nothing while nothing changes, the
// Events of each change with it; and a change of spec.replicas in flight (an HPA, `kubectl scale`)
// rescales the canary and the stable for the weight they are at (workflows/rescale.ts).
import { describe, expect, it } from '@jest/globals';
import type {
  ReplicaSetAvailability,
  RolloutActivities,
  WaitForAvailableInput,
} from '../../activities/interface.js';
import type { ArgoRolloutStatus } from '../../core/argo-status.js';
import { podTemplateHash } from '../../core/hash.js';
import type { RolloutDefinition } from '../../core/types.js';
import {
  timeSkippingServerPerTest,
  seedRollout,
  withImage,
  type RolloutHarness,
} from '../support/rollout-harness.js';

const YELLOW = 'argoproj/rollouts-demo:yellow';
const UID = '6f1c2d9e-0000-4000-8000-00000000000a';

const server = timeSkippingServerPerTest();
const hashOf = (def: RolloutDefinition) => podTemplateHash(def.template);

/** The seed without its analysis (its Prometheus is not here), at `replicas`. */
function seed(replicas = 1): RolloutDefinition {
  const def = seedRollout();
  const { analysis: _analysis, ...canary } = def.canary;
  return { ...def, replicas, canary };
}

describe('the status a rollout driven by its object writes', () => {
  it('writes each change once, in order, and nothing while nothing changes', async () => {
    const blue = seed();
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1, stepHash: '74f8948fcb' });
    await h.healthyOn(hashOf(blue));
    const settled = () => h.cluster.statusWrites.at(-1);
    await h.waitFor('a Healthy status written', () => settled()?.phase === 'Healthy');
    const healthy = settled();
    expect(healthy).toMatchObject({
      observedGeneration: '1',
      phase: 'Healthy',
      stableRS: hashOf(blue),
      currentPodHash: hashOf(blue),
      currentStepHash: '74f8948fcb',
      selector: 'app=myapp',
      temporal: { workflowId: 'rollout:rollouts-demo/myapp' },
    });
    const sequences = h.cluster.statusWrites.map((s) => s.temporal.sequence);
    expect(sequences).toEqual(sequences.map((_, i) => i + 1));

    // An hour idle: no write (and a day of it would be none either).
    const before = h.cluster.statusWrites.length;
    await h.env.sleep('1h');
    expect(h.cluster.statusWrites.length).toBe(before);

    const yellow = withImage(blue, YELLOW);
    await h.rollouts.deployFromCluster(yellow, { uid: UID, generation: 2 });
    await h.pausedAt(1);
    await h.waitFor('the pause written', () => settled()?.phase === 'Paused');
    expect(settled()).toMatchObject({
      observedGeneration: '2',
      currentStepIndex: 1,
      currentPodHash: hashOf(yellow),
      stableRS: hashOf(blue),
      pauseConditions: [{ reason: 'CanaryPauseStep' }],
      controllerPause: true,
      canary: { weights: { canary: { weight: 20, podTemplateHash: hashOf(yellow) } } },
      temporal: { acknowledged: { currentStepIndex: 1, pauseConditions: [{ reason: 'CanaryPauseStep' }] } },
    });
    const all = h.cluster.statusWrites.map((s) => s.temporal.sequence);
    expect(all).toEqual(all.map((_, i) => i + 1));
    await h.saveHistories('cluster-status');
  });

  it('rescales the canary and the stable in flight when spec.replicas changes, without a new revision', async () => {
    const blue = seed(4);
    const h = server.harness(blue);
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 });
    await h.healthyOn(hashOf(blue));
    const yellow = withImage(blue, YELLOW);
    await h.rollouts.deployFromCluster(yellow, { uid: UID, generation: 2 });
    await h.pausedAt(1);
    const rs = (def: RolloutDefinition) => h.cluster.replicaSets.get(`myapp-${hashOf(def)}`)?.replicas;
    expect([rs(yellow), rs(blue)]).toEqual([1, 4]); // 20 % of 4, rounded up; the stable keeps full scale

    // The HPA asks for 10: the canary is 20 % of 10, the stable all 10, still paused at step 1.
    await h.rollouts.deployFromCluster({ ...yellow, replicas: 10 }, { uid: UID, generation: 3 });
    await h.waitFor('rescaled', () => rs(yellow) === 2 && rs(blue) === 10);
    const status = await h.pausedAt(1);
    expect(status.revision).toBe(2);

    // Aborted, then scaled again: the stable follows.
    await h.rollouts.abort('rollouts-demo', 'myapp');
    await h.waitFor('aborted', (s) => s.aborted);
    await h.rollouts.deployFromCluster({ ...yellow, replicas: 6 }, { uid: UID, generation: 4 });
    await h.waitFor('the stable rescaled', () => rs(blue) === 6);
    await h.saveHistories('rescale-in-flight');
  });

  it('counts the pods as the ReplicaSets’ status last said (Argo’s sums), never more available than exist', async () => {
    const base = seed(5);
    const blue = { ...base, canary: { ...base.canary, dynamicStableScale: true } };
    // The wait reads the ReplicaSet's status.replicas and readyReplicas too, as the real activity does.
    const observing = (harness: () => RolloutHarness) =>
      ({
        waitForReplicaSetAvailable: async (input: WaitForAvailableInput): Promise<ReplicaSetAvailability> => {
          const { cluster } = harness();
          const result = await cluster.activities().waitForReplicaSetAvailable(input);
          const pods = cluster.replicaSets.get(input.name)?.replicas ?? 0;
          return { ...result, statusReplicas: pods, readyReplicas: pods };
        },
      }) as Partial<RolloutActivities> as RolloutActivities;
    const h: RolloutHarness = server.harness(blue, { activities: observing(() => h) });
    await h.start();
    await h.rollouts.deployFromCluster(blue, { uid: UID, generation: 1 });
    await h.healthyOn(hashOf(blue));
    const settled = () => h.cluster.statusWrites.at(-1);
    await h.waitFor('a Healthy status written', () => settled()?.phase === 'Healthy');
    const counts = () => {
      const written = (settled() ?? {}) as Partial<ArgoRolloutStatus>;
      const { replicas, updatedReplicas, readyReplicas, availableReplicas, HPAReplicas } = written;
      return { replicas, updatedReplicas, readyReplicas, availableReplicas, HPAReplicas };
    };
    expect(counts()).toEqual({
      replicas: 5,
      updatedReplicas: 5,
      readyReplicas: 5,
      availableReplicas: 5,
      HPAReplicas: 5,
    });

    // setWeight 20: one canary pod waited for, then the stable scaled from 5 to 4 (dynamicStableScale).
    // Its available count from the first deploy says 5; the ReplicaSet has 4 pods once scaled, as
    // Argo's status says a moment later (before, this wrote 6 available of 5 pods).
    const yellow = withImage(blue, YELLOW);
    await h.rollouts.deployFromCluster(yellow, { uid: UID, generation: 2 });
    await h.pausedAt(1);
    await h.waitFor('the pause written', () => settled()?.phase === 'Paused');
    expect(h.cluster.replicaSets.get(`myapp-${hashOf(blue)}`)?.replicas).toBe(4);
    expect(counts()).toEqual({
      replicas: 5,
      updatedReplicas: 1,
      readyReplicas: 5,
      availableReplicas: 5,
      HPAReplicas: 5,
    });

    // Promoted fully: the canary's 5 pods waited for, the old stable scaled to 0 at once.
    await h.rollouts.promote('rollouts-demo', 'myapp', true);
    await h.healthyOn(hashOf(yellow));
    await h.waitFor('the promotion written', () => settled()?.stableRS === hashOf(yellow));
    await h.waitFor('Healthy written', () => settled()?.phase === 'Healthy');
    expect(counts()).toEqual({
      replicas: 5,
      updatedReplicas: 5,
      readyReplicas: 5,
      availableReplicas: 5,
      HPAReplicas: 5,
    });
  });
});
