// How the seed walkthrough ends when nothing disturbs it (what test/e2e/walkthrough.test.ts checks):
// purple stable at 100 %, green failed by its analysis, yellow and purple successful, no ReplicaSet
// beyond the history limit, every timed pause run once, no measurement counted twice. The outage
// scenarios compare their disturbed walkthroughs with it, difference by difference.
import type { Stop, WalkthroughResult } from '../../support/walkthrough.js';
import { image } from '../../support/walkthrough.js';

/** The stop that ends each revision of the walkthrough, in order (blue, yellow, green, purple). */
export const REVISION_ENDS = [
  '1. blue deployed',
  '3. yellow stable',
  '4. green rolled back by its analysis',
  '5. purple stable',
] as const;

/** Revisions of the walkthrough that reached their end (their stop was checked against the cluster). */
export function revisionsEnded(stops: Stop[]): number {
  return REVISION_ENDS.filter((stage) => stops.some((s) => s.stage === stage)).length;
}

/** Every way the result differs from an undisturbed walkthrough's: empty when it is the same. */
export function differencesFromUndisturbed(result: WalkthroughResult): string[] {
  const problems: string[] = [];
  const same = (what: string, actual: unknown, expected: unknown) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      problems.push(`${what}: ${JSON.stringify(actual)}, undisturbed: ${JSON.stringify(expected)}`);
  };
  const { final } = result;
  same('phase', final.phase, 'Healthy');
  same('stable image', final.stableImage, image('purple'));
  same('weights', final.weights, { canary: 0, stable: 100 });
  same('VirtualService weights', final.vsWeights, { 'myapp-stable-svc': 100, 'myapp-canary-svc': 0 });
  same('stable Service selects', final.stableServiceImage, image('purple'));
  same('canary Service selects', final.canaryServiceImage, image('purple'));
  same('verdicts', final.verdicts, [
    { revision: 2, phase: 'Successful' },
    { revision: 3, phase: 'Failed' },
    { revision: 4, phase: 'Successful' },
  ]);
  // revisionHistoryLimit 2: the stable one and at most two old ones, only the stable one with pods.
  if (final.replicaSets.length > 3)
    problems.push(`${final.replicaSets.length} ReplicaSets left, undisturbed: at most 3`);
  same(
    'ReplicaSet of revision 4',
    final.replicaSets.find((rs) => rs.revision === 4),
    { revision: 4, image: image('purple'), replicas: 1 },
  );
  const scaled = final.replicaSets.filter((rs) => rs.revision !== 4 && rs.replicas !== 0);
  if (scaled.length) problems.push(`old ReplicaSets still scaled: ${JSON.stringify(scaled)}`);
  const revisions = final.replicaSets.map((rs) => rs.revision);
  if (new Set(revisions).size !== revisions.length)
    problems.push(`two ReplicaSets for one revision: ${JSON.stringify(revisions)}`);
  for (const stage of REVISION_ENDS)
    if (!result.stops.some((s) => s.stage === stage)) problems.push(`never reached "${stage}"`);
  if (result.pauses.length < 3)
    problems.push(`${result.pauses.length} timed pauses seen, undisturbed: 3 or more`);
  for (const pause of result.pauses)
    if (pause.untils.length !== 1)
      problems.push(
        `the pause at step ${pause.step} of revision ${pause.revision} restarted: ${pause.untils.join(', ')}`,
      );
  if (result.duplicateMeasurements.length)
    problems.push(`measurements counted twice: ${result.duplicateMeasurements.join(', ')}`);
  return problems;
}
