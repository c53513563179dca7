// Canary replica math against Argo's own: generated traffic-routed canaries (replicas, the steps up to
// the current one with setWeight and setCanaryScale, dynamicStableScale, minPodsPerReplicaSet) go through our
// canaryReplicas/stableReplicas as the workflow uses them and through Argo v1.10.2's
// utils/replicaset.CalculateReplicaCountsForTrafficRoutedCanary (argo-oracle), at a settled step: the
// router's weights are the step's. Both must give the same canary and stable pod counts.
import { describe, expect, it } from '@jest/globals';
import { canaryReplicas, stableReplicas, type CanaryScale } from '../../core/replicas.js';
import type { RolloutDefinition } from '../../core/types.js';
import { seededRandom, type Random } from '../../lab/mesh/random.js';
import { askOracle, type OracleAnswer } from '../support/argo-oracle.js';

type Step =
  | { setWeight: number }
  | { setCanaryScale: { replicas?: number; weight?: number; matchTrafficWeight?: boolean } };

interface ReplicaCase {
  replicas: number;
  dynamicStableScale: boolean;
  minPodsPerReplicaSet?: number;
  /** The steps up to and including the current one (a pause). */
  steps: Step[];
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

function randomStep(random: Random): Step {
  const roll = random();
  if (roll < 0.6)
    return { setWeight: pick(random, [0, 1, 5, 10, 20, 25, 33, 40, 50, 60, 66, 75, 80, 90, 99, 100]) };
  if (roll < 0.75) return { setCanaryScale: { replicas: Math.floor(random() * 12) } };
  if (roll < 0.9) return { setCanaryScale: { weight: Math.floor(random() * 101) } };
  return { setCanaryScale: { matchTrafficWeight: true } };
}

export function replicaCases(seed = 7, count = 1500): ReplicaCase[] {
  const random = seededRandom(seed); // the same seed, the same cases
  const cases: ReplicaCase[] = Array.from({ length: count }, () => ({
    replicas: pick(random, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, 33, 50, 100]),
    dynamicStableScale: random() < 0.5,
    steps: Array.from({ length: 1 + Math.floor(random() * 4) }, () => randomStep(random)),
  }));
  // The same canaries again with a minimum of pods per ReplicaSet (a second stream: the first
  // 1,500 stay the cases they were).
  const more = seededRandom(seed + 1);
  return [
    ...cases,
    ...cases.map((c) => ({ ...c, minPodsPerReplicaSet: pick(more, [0, 1, 2, 3, 5, 8, 13, 150]) })),
  ];
}

/** What the workflow holds at the pause after these steps: the last weight set, the last canary scale. */
function ours(c: ReplicaCase): OracleAnswer {
  let weight = 0;
  let scale: CanaryScale | undefined;
  for (const step of c.steps) {
    if ('setWeight' in step) weight = step.setWeight;
    else scale = step.setCanaryScale.matchTrafficWeight ? undefined : { ...step.setCanaryScale };
  }
  const def = {
    replicas: c.replicas,
    canary: {
      trafficRouting: { istio: { virtualServices: [] } },
      dynamicStableScale: c.dynamicStableScale,
      ...(c.minPodsPerReplicaSet !== undefined ? { minPodsPerReplicaSet: c.minPodsPerReplicaSet } : {}),
    },
  } as unknown as RolloutDefinition;
  return { canary: canaryReplicas(def, weight, scale), stable: stableReplicas(def, weight, scale) };
}

/** The same canary as Argo's Rollout object, mid-canary at the pause, and the router's weights. */
function argoCase(c: ReplicaCase): object {
  let weight = 0;
  for (const step of c.steps) if ('setWeight' in step) weight = step.setWeight;
  const steps = [...c.steps, { pause: {} }];
  return {
    op: 'trafficRoutedCanary',
    rollout: {
      spec: {
        replicas: c.replicas,
        strategy: {
          canary: {
            canaryService: 'canary',
            stableService: 'stable',
            dynamicStableScale: c.dynamicStableScale,
            ...(c.minPodsPerReplicaSet !== undefined ? { minPodsPerReplicaSet: c.minPodsPerReplicaSet } : {}),
            trafficRouting: { istio: { virtualService: { name: 'vs' } } },
            steps,
          },
        },
      },
      status: { currentStepIndex: steps.length - 1, currentPodHash: 'new', stableRS: 'stable' },
    },
    newRS: { replicas: c.replicas, availableReplicas: c.replicas },
    stableRS: { replicas: c.replicas, availableReplicas: c.replicas },
    weights: {
      canary: { weight, podTemplateHash: 'new', serviceName: 'canary' },
      stable: { weight: 100 - weight, podTemplateHash: 'stable', serviceName: 'stable' },
    },
  };
}

describe('canary replica math against Argo v1.10.2 (utils/replicaset)', () => {
  it('gives the same canary and stable counts on every generated case', async () => {
    const cases = replicaCases();
    expect(cases.length).toBeGreaterThanOrEqual(3000);
    const argo = await askOracle(cases.map(argoCase));
    const disagreements: string[] = [];
    cases.forEach((c, index) => {
      const theirs = argo[index] as OracleAnswer;
      const mine = ours(c);
      if (theirs.error !== undefined)
        disagreements.push(`${JSON.stringify(c)}: oracle error ${theirs.error}`);
      else if (theirs.canary !== mine.canary || theirs.stable !== mine.stable)
        disagreements.push(
          `${JSON.stringify(c)}: Argo canary ${String(theirs.canary)} stable ${String(theirs.stable)}, ours ${String(mine.canary)} / ${String(mine.stable)}`,
        );
    });
    console.log(`argo-replicas: ${cases.length} cases, ${cases.length - disagreements.length} agreed`);
    expect(disagreements).toEqual([]);
  });
});
