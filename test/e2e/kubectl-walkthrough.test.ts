// The seed's walkthrough on a lab of its own driven only by real clients nobody here wrote: `kubectl
// apply -f` of the manifests and the kubectl-argo-rollouts plugin (v1.10.2, built from Argo's module)
// for set image, promote, promote --full, pause, abort, retry, undo, restart, status, list and lint
// (lab/kubectl-walkthrough.ts, the script `npm run demo:kubectl` plays). At every stop the plugin's own
// `get rollout` must show the phase, step, weights and images Argo's controller would have it show,
// with the ReplicaSets and their pods in its tree (test/support/kubectl-player.ts).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { playKubectlWalkthrough } from '../../lab/kubectl-walkthrough.js';
import { walkthroughManifests, WALKTHROUGH_NAMESPACE as NS } from '../../lab/walkthrough.js';
import { KUBECTL_STOPS, kubectlRun, plain } from '../support/kubectl-player.js';
import { Lab } from '../support/lab.js';
import { testOutput } from '../support/paths.js';

let lab: Lab;
const logFile = path.join(testOutput, 'e2e', 'kubectl-walkthrough.log');
const log = (line: string) =>
  fs.appendFileSync(logFile, `${new Date().toISOString().slice(11, 23)} ${line}\n`);

beforeAll(async () => {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.rmSync(logFile, { force: true });
  lab = await Lab.start('e2e-kubectl');
}, 180_000);

afterAll(async () => {
  await lab?.down();
}, 60_000);

describe('the seed walkthrough through kubectl and the kubectl-argo-rollouts plugin only', () => {
  it('plays every verb, with the plugin showing what Argo would at every stop', async () => {
    const run = kubectlRun(lab, { log });
    const manifests = walkthroughManifests(
      path.join(lab.paths.walkthroughDir, NS),
      NS,
      lab.url('PROMETHEUS_URL'),
    );
    const last = await playKubectlWalkthrough(
      manifests,
      path.join(lab.paths.walkthroughDir, 'gitops'),
      run.player,
      NS,
    );
    expect(last.status.phase).toBe('Healthy');
    expect(run.stops.map((s) => s.stage)).toEqual(KUBECTL_STOPS);
    // Nothing but kubectl and the plugin drove it.
    expect(run.commands.every((c) => /^(apply|delete|argo rollouts) /.test(c))).toBe(true);
    const list = plain((await run.kubectl(['argo', 'rollouts', 'list', 'rollouts', '-n', NS])).out);
    expect(list).toMatch(/myapp\s+Canary\s+Healthy\s+8\/8\s+100/);
  }, 900_000);
});
