// The seed's walkthrough end to end on a lab of its own, through the `rollouts` command only: the script
// `npm run demo` plays (lab/walkthrough.ts), with the VirtualService weights, the Services' selectors,
// the phase and the analysis verdicts read from the API server and the status at every stop
// (test/support/walkthrough.ts). Yellow completes, green is rolled
// back by its analysis, purple completes, and no ReplicaSet outlives the history limit. On the way, the
// mesh page shows the canary's colour only once it has weight.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dumpDom } from '../support/chromium.js';
import { Lab } from '../support/lab.js';
import { testOutput } from '../support/paths.js';
import { GREEN_ERRORS_COMMAND } from '../../lab/walkthrough.js';
import { image, Walkthrough, type WalkthroughResult } from '../support/walkthrough.js';

let lab: Lab;
// Every stop and wait, timestamped, in test-output/e2e/walkthrough.log (the console gets the summary).
const logFile = path.join(testOutput, 'e2e', 'walkthrough.log');
const log = (line: string) =>
  fs.appendFileSync(logFile, `${new Date().toISOString().slice(11, 23)} ${line}\n`);

beforeAll(async () => {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.rmSync(logFile, { force: true });
  lab = await Lab.start('e2e');
}, 180_000);

afterAll(async () => {
  await lab?.down();
}, 60_000);

/** The squares of the mesh page by colour, as the page's script drew them. */
async function squaresByColour(): Promise<Record<string, number>> {
  const dom = await dumpDom(`${lab.url('MESH_URL')}/`, { virtualTimeBudgetMs: 4000 });
  const counts: Record<string, number> = {};
  for (const match of dom.matchAll(/<div class="sq[^"]*" data-image="[^"]*" data-color="([a-z]+)"/g)) {
    const colour = match[1] as string;
    counts[colour] = (counts[colour] ?? 0) + 1;
  }
  return counts;
}

describe('the seed walkthrough on the lab, through the rollouts command', () => {
  let result: WalkthroughResult;
  const pageAt: Record<string, Record<string, number>> = {};

  it('runs steps 1-5 with the cluster right at every stop', async () => {
    const walkthrough = new Walkthrough(lab, { log });
    await walkthrough.prepare();
    // The mesh page as yellow rises: none at 0 %, some at 20 %.
    const watchPage = async () => {
      const last = walkthrough.stops.at(-1);
      if (last) pageAt[last.stage] = await squaresByColour();
    };
    result = await walkthrough.run({
      beforeGreenPromote: async () => {
        await lab.mustRollouts(...GREEN_ERRORS_COMMAND);
      },
      afterStop: watchPage,
    });
    console.log(`walkthrough: ${result.seconds.toFixed(0)} s, ${result.stops.length} stops`);
    expect(result.stops.map((s) => s.stage)).toEqual(
      expect.arrayContaining([
        '1. blue deployed',
        '2. yellow at 20 %, paused',
        '3. yellow stable',
        '4. green rolled back by its analysis',
        '5. purple at 20 %, paused',
        '5. purple stable',
      ]),
    );
  }, 600_000);

  it('ends on purple at 100 %, with green failed and yellow and purple successful', () => {
    expect(result.final).toMatchObject({
      phase: 'Healthy',
      stableImage: image('purple'),
      weights: { canary: 0, stable: 100 },
      vsWeights: { 'myapp-stable-svc': 100, 'myapp-canary-svc': 0 },
      stableServiceImage: image('purple'),
      canaryServiceImage: image('purple'),
    });
    expect(result.final.verdicts).toEqual([
      { revision: 2, phase: 'Successful' },
      { revision: 3, phase: 'Failed' },
      { revision: 4, phase: 'Successful' },
    ]);
  });

  it('keeps no ReplicaSet beyond revisionHistoryLimit (2), and only the stable one has pods', () => {
    const live = result.final.replicaSets;
    expect(live.length).toBeLessThanOrEqual(3);
    expect(live.find((rs) => rs.revision === 4)).toEqual({
      revision: 4,
      image: image('purple'),
      replicas: 1,
    });
    expect(live.filter((rs) => rs.revision !== 4).every((rs) => rs.replicas === 0)).toBe(true);
  });

  it('timed pauses ran once each, and no measurement was counted twice', () => {
    expect(result.pauses.length).toBeGreaterThanOrEqual(3);
    for (const pause of result.pauses) expect(pause.untils).toHaveLength(1);
    expect(result.duplicateMeasurements).toEqual([]);
  });

  it('the mesh page shows yellow squares only once yellow has weight', () => {
    console.log(`mesh page squares by stop: ${JSON.stringify(pageAt)}`);
    expect(pageAt['1. blue deployed']?.yellow ?? 0).toBe(0);
    expect(pageAt['1. blue deployed']?.blue ?? 0).toBeGreaterThan(0);
    expect(pageAt['2. yellow at 20 %, paused']?.yellow ?? 0).toBeGreaterThan(0);
    expect(pageAt['3. yellow at 80 %, timed pause']?.yellow ?? 0).toBeGreaterThan(
      pageAt['2. yellow at 20 %, paused']?.yellow ?? 0,
    );
  });
});
