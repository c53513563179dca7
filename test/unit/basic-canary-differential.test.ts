// Basic-canary replica math (no traffic router) against Argo's own: generated rollouts (spec.replicas,
// the setWeight step's weight, maxSurge and maxUnavailable as counts, percentages or unset) at every
// kind of moment of a step (the canary, stable and older ReplicaSets at any spec and available counts,
// a canary or a stable not there yet) go through our basicCanaryCounts and through Argo v1.10.2's
// utils/replicaset.CalculateReplicaCountsForBasicCanary (argo-oracle). Both must give the same counts.
import { describe, expect, it } from '@jest/globals';
import {
  atBasicCanaryCounts,
  basicCanaryCounts,
  oldReplicaSetCounts,
  type BasicCanaryInput,
  type IntOrPercent,
  type ReplicaSetCounts,
} from '../../core/basic-canary.js';
import { seededRandom, type Random } from '../../lab/mesh/random.js';
import { askOracle, type OracleAnswer } from '../support/argo-oracle.js';

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const upTo = (random: Random, max: number): number => Math.floor(random() * (max + 1));

function fencepost(random: Random): IntOrPercent | undefined {
  const roll = random();
  if (roll < 0.2) return undefined; // Argo's default, 25%
  if (roll < 0.55) return pick(random, [0, 1, 2, 3, 5, 10]);
  return `${pick(random, [0, 1, 10, 20, 25, 33, 50, 75, 100, 150])}%`;
}

function replicaSet(random: Random, replicas: number): ReplicaSetCounts {
  const count = upTo(random, replicas + 3);
  // Mostly at most its spec; sometimes more (pods still terminating after a scale-down).
  const available = random() < 0.85 ? upTo(random, count) : count + upTo(random, 2);
  return { replicas: count, availableReplicas: available };
}

const isZero = (value: IntOrPercent | undefined) => value === 0 || value === '0%';

export function basicCanaryCases(seed = 11, count = 3000): BasicCanaryInput[] {
  const random = seededRandom(seed); // the same seed, the same cases
  const cases: BasicCanaryInput[] = [];
  while (cases.length < count) {
    const replicas = pick(random, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 20, 33, 50]);
    const maxSurge = fencepost(random);
    const maxUnavailable = fencepost(random);
    if (isZero(maxSurge) && isZero(maxUnavailable)) continue; // refused at lint, as by Argo's validation
    const roll = random();
    const olds = roll < 0.6 ? 0 : roll < 0.85 ? 1 : 2;
    cases.push({
      replicas,
      weight: pick(random, [0, 1, 5, 10, 20, 25, 30, 33, 40, 50, 60, 66, 75, 80, 90, 95, 99, 100]),
      ...(maxSurge !== undefined ? { maxSurge } : {}),
      ...(maxUnavailable !== undefined ? { maxUnavailable } : {}),
      ...(random() < 0.95 ? { newRS: replicaSet(random, replicas) } : {}),
      ...(random() < 0.95 ? { stableRS: replicaSet(random, replicas) } : {}),
      oldRSs: Array.from({ length: olds }, () =>
        random() < 0.5 ? { replicas: 0, availableReplicas: 0 } : replicaSet(random, replicas),
      ),
    });
  }
  return cases;
}

/**
 * The rounds of the workflow (workflows/basic-canary.ts) from a generated moment: scale to the counts,
 * every pod available, again; the moments they pass through, until Argo's AtDesired would say done
 * (or 300 rounds).
 */
function rounds(c: BasicCanaryInput): BasicCanaryInput[] {
  const seen: BasicCanaryInput[] = [];
  let at = c;
  for (let round = 0; round < 300 && !atBasicCanaryCounts(at, at.stableRS?.replicas ?? 0); round++) {
    const { canary, stable } = basicCanaryCounts(at);
    const olds = oldReplicaSetCounts(at);
    at = {
      ...at,
      newRS: { replicas: canary, availableReplicas: canary },
      ...(at.stableRS ? { stableRS: { replicas: stable, availableReplicas: stable } } : {}),
      oldRSs: olds.map((count) => ({ replicas: count, availableReplicas: count })),
    };
    seen.push(at);
  }
  return seen;
}

/** The same moment as Argo's Rollout object, at its setWeight step, and its ReplicaSets. */
function argoCase(c: BasicCanaryInput, op = 'basicCanary'): object {
  const steps = [{ setWeight: c.weight }, { pause: {} }];
  return {
    op,
    rollout: {
      spec: {
        replicas: c.replicas,
        strategy: {
          canary: {
            ...(c.maxSurge !== undefined ? { maxSurge: c.maxSurge } : {}),
            ...(c.maxUnavailable !== undefined ? { maxUnavailable: c.maxUnavailable } : {}),
            steps,
          },
        },
      },
      status: { currentStepIndex: 0, currentPodHash: 'new', stableRS: 'stable' },
    },
    ...(c.newRS ? { newRS: c.newRS } : {}),
    ...(c.stableRS ? { stableRS: c.stableRS } : {}),
    oldRSs: c.oldRSs,
  };
}

describe('basic-canary replica math against Argo v1.10.2 (CalculateReplicaCountsForBasicCanary)', () => {
  it('gives the same canary and stable counts on every generated case', async () => {
    const cases = basicCanaryCases();
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    const argo = await askOracle(cases.map((c) => argoCase(c)));
    const disagreements: string[] = [];
    let moving = 0;
    cases.forEach((c, index) => {
      const theirs = argo[index] as OracleAnswer;
      const mine = basicCanaryCounts(c);
      if (mine.canary !== (c.newRS?.replicas ?? 0) || mine.stable !== (c.stableRS?.replicas ?? 0)) moving++;
      if (theirs.error !== undefined)
        disagreements.push(`${JSON.stringify(c)}: oracle error ${theirs.error}`);
      else if (theirs.canary !== mine.canary || theirs.stable !== mine.stable)
        disagreements.push(
          `${JSON.stringify(c)}: Argo canary ${String(theirs.canary)} stable ${String(theirs.stable)}, ours ${String(mine.canary)} / ${String(mine.stable)}`,
        );
    });
    console.log(
      `basic-canary: ${cases.length} cases (${moving} scale something), ${cases.length - disagreements.length} agreed`,
    );
    // The cases must exercise the math, not only the moments where nothing moves.
    expect(moving).toBeGreaterThan(cases.length / 2);
    expect(disagreements.slice(0, 20)).toEqual([]);
  });

  it("says a step is at its counts exactly when Argo's AtDesiredReplicaCountsForCanary does", async () => {
    // The generated moments and every moment the workflow's rounds pass through from them: most of
    // the latter are at their counts, most of the former not.
    const starts = basicCanaryCases().filter((c) => c.newRS && c.stableRS);
    const cases = [...starts, ...starts.flatMap(rounds)];
    const argo = await askOracle(cases.map((c) => argoCase(c, 'atDesiredCanary')));
    const disagreements: string[] = [];
    let done = 0;
    cases.forEach((c, index) => {
      const theirs = argo[index] as OracleAnswer;
      const mine = atBasicCanaryCounts(c, c.stableRS?.replicas ?? 0);
      if (mine) done++;
      if (theirs.verdict !== mine)
        disagreements.push(
          `${JSON.stringify(c)}: Argo ${String(theirs.verdict ?? theirs.error)}, ours ${mine}`,
        );
    });
    // The rounds end at the counts from every start (Argo's step completes).
    const stuck = starts.filter((c) => {
      const seen = rounds(c);
      const last = seen[seen.length - 1] ?? c;
      return !atBasicCanaryCounts(last, last.stableRS?.replicas ?? 0);
    });
    console.log(
      `basic-canary at counts: ${cases.length} moments (${done} at their counts), ${cases.length - disagreements.length} agreed; rounds stuck from ${stuck.length} of ${starts.length} starts`,
    );
    expect(cases.length).toBeGreaterThanOrEqual(1000);
    expect(done).toBeGreaterThan(cases.length / 4);
    expect(disagreements.slice(0, 20)).toEqual([]);
    expect(stuck.map((c) => JSON.stringify(c)).slice(0, 10)).toEqual([]);
  });
});
