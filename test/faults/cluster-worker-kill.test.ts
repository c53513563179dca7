// Fault scenario: the cluster path under a killed worker. The kubectl walkthrough (lab/kubectl-
// walkthrough.ts: kubectl apply and the real plugin only) runs while the worker, and with it the watcher,
// is SIGKILLed at seeded random moments and started again (`rollouts lab up`) after a seeded random
// delay. Each restart is a relist: every Rollout comes again, and the workflow must refuse what it already
// took (no second revision) and the watcher must pick up what changed while it was down (none missed).
// The walkthrough must make every stop with the plugin showing what it shows undisturbed, end Healthy
// on its re-created Rollout, show exactly revisions 1-5 before that, and every history must replay.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { playKubectlWalkthrough } from '../../lab/kubectl-walkthrough.js';
import { walkthroughManifests, WALKTHROUGH_NAMESPACE as NS } from '../../lab/walkthrough.js';
import { KUBECTL_STOPS, kubectlRun } from '../support/kubectl-player.js';
import { Lab } from '../support/lab.js';
import { faultLog, seededRandom, sleep } from './support/chaos.js';
import { replayLabHistories, replaySummary } from './support/histories.js';
import { recordScenario } from './support/summary.js';

const SCENARIO = 'worker and watcher killed, cluster path';
const random = seededRandom(20261207);
const { log } = faultLog('cluster-worker-kill');

let lab: Lab;

beforeAll(async () => {
  lab = await Lab.start('faults-cluster-kill', { MESH_POD_START_SECONDS: '2' });
}, 240_000);

afterAll(async () => {
  await lab?.down();
}, 120_000);

describe(SCENARIO, () => {
  it('makes every stop and loses nothing through the kills', async () => {
    const run = kubectlRun(lab, { log, waitMs: 420_000 });
    const manifests = walkthroughManifests(
      path.join(lab.paths.walkthroughDir, NS),
      NS,
      lab.url('PROMETHEUS_URL'),
    );
    let done = false;
    const kills: { at: string; downMs: number }[] = [];
    const killer = (async () => {
      await sleep(random.between(4_000, 8_000));
      while (!done) {
        lab.kill('worker');
        const down = Math.round(random.between(500, 4_000));
        kills.push({ at: new Date().toISOString().slice(11, 19), downMs: down });
        log(`kill ${kills.length}: worker down for ${down} ms`);
        await sleep(down);
        await lab.up();
        await sleep(random.between(6_000, 16_000));
      }
    })();
    let error: string | undefined;
    try {
      const last = await playKubectlWalkthrough(
        manifests,
        path.join(lab.paths.walkthroughDir, 'gitops'),
        run.player,
        NS,
      );
      expect(last.status.phase).toBe('Healthy');
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    } finally {
      done = true;
      await killer;
    }
    // Revisions 1-5 before the Rollout was deleted: none made twice by a relist, none missed.
    const beforeDelete = run.stops.find((s) => s.stage.startsWith('6.'))?.tree ?? '';
    const revisions = [...beforeDelete.matchAll(/# revision:(\d+)/g)].map((m) => Number(m[1]));
    const replay = await replayLabHistories(lab, 'cluster-worker-kill');
    const correct =
      error === undefined &&
      run.stops.map((s) => s.stage).join('|') === KUBECTL_STOPS.join('|') &&
      Math.max(...revisions) === 5 &&
      replay.failures.length === 0;
    recordScenario({
      scenario: SCENARIO,
      runs: 1,
      faultsInjected: kills.length,
      completedCorrectly: correct ? 1 : 0,
      lost: correct ? 0 : 1,
      notes: [
        `${kills.length} kills, down ${kills.map((k) => k.downMs).join('/')} ms`,
        `stops ${run.stops.length}/${KUBECTL_STOPS.length}, revisions shown before the delete: ${revisions.join(', ')}`,
        replaySummary(replay),
        ...(error ? [`error: ${error.slice(0, 500)}`] : []),
      ],
    });
    expect(error).toBeUndefined();
    expect(run.stops.map((s) => s.stage)).toEqual(KUBECTL_STOPS);
    expect(Math.max(...revisions)).toBe(5);
    expect(kills.length).toBeGreaterThanOrEqual(5);
    expect(replay.failures).toEqual([]);
  }, 1_800_000);
});
