// The seed's walkthrough on a lab of its own driven only by real clients nobody here wrote: `kubectl
// apply -f` of the manifests and the kubectl-argo-rollouts plugin (v1.10.2, built from Argo's module)
// for set image, promote, promote --full, pause, abort, retry, undo, restart, status, list and lint
// (lab/kubectl-walkthrough.ts, the script `npm run demo:kubectl` plays). At every stop the plugin's own
// `get rollout` must show the phase, step, weights and images Argo's controller would have it show,
// with the ReplicaSets and their pods in its tree.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  parseRolloutView,
  playKubectlWalkthrough,
  pluginLines,
  type KubectlPlayer,
  type RolloutView,
} from '../../lab/kubectl-walkthrough.js';
import {
  GREEN_ERRORS_COMMAND,
  walkthroughManifests,
  WALKTHROUGH_NAMESPACE as NS,
} from '../../lab/walkthrough.js';
import { Lab } from '../support/lab.js';
import { testOutput, toolsBin } from '../support/paths.js';

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

function kubectl(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      path.join(toolsBin, 'kubectl'),
      args,
      { env: { ...lab.env, PATH: `${toolsBin}:${process.env.PATH ?? ''}` }, maxBuffer: 16 << 20 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, out: stdout, err: stderr }),
    );
  });
}

/** The plugin's output without its colours. */
const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

describe('the seed walkthrough through kubectl and the kubectl-argo-rollouts plugin only', () => {
  const stops: { stage: string; tree: string }[] = [];
  const commands: string[] = [];

  it('plays every verb, with the plugin showing what Argo would at every stop', async () => {
    const dir = path.join(lab.paths.walkthroughDir, NS);
    const manifests = walkthroughManifests(dir, NS, lab.url('PROMETHEUS_URL'));
    const player: KubectlPlayer = {
      say: (line) => log(`== ${line}`),
      async kubectl(...args) {
        commands.push(args.join(' '));
        const result = await kubectl(args);
        log(`$ kubectl ${args.join(' ')} -> ${result.code}\n${result.out}${result.err}`);
        if (result.code !== 0)
          throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.err}`);
        return result.out;
      },
      async tryKubectl(...args) {
        commands.push(args.join(' '));
        return kubectl(args);
      },
      async waitFor(what, done) {
        const deadline = Date.now() + 150_000;
        let last: RolloutView | undefined;
        for (;;) {
          const got = await kubectl(['get', 'rollout', 'myapp', '-n', NS, '-o', 'json']);
          last = got.code === 0 ? parseRolloutView(got.out) : undefined;
          if (last && done(last)) return last;
          if (Date.now() > deadline)
            throw new Error(`timed out waiting until ${what}; last: ${JSON.stringify(last?.status)}`);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      },
      async stop(stage, _view, expected) {
        // What the plugin shows can lag the status by a poll: read it until it agrees, briefly.
        const wanted = pluginLines(expected).map((line) => new RegExp(line));
        let tree = '';
        for (let attempt = 0; attempt < 20; attempt++) {
          tree = plain((await kubectl(['argo', 'rollouts', 'get', 'rollout', 'myapp', '-n', NS])).out);
          if (wanted.every((re) => re.test(tree))) break;
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        log(`-- ${stage}\n${tree}`);
        stops.push({ stage, tree });
        for (const re of wanted) expect(`${stage}\n${tree}`).toMatch(re);
        // The tree: the Rollout, its revisions' ReplicaSets, and the pods each one runs.
        expect(tree).toMatch(/⟳ myapp\s+Rollout/);
        expect(tree).toMatch(/⧉ myapp-[a-z0-9]+\s+ReplicaSet/);
        if (expected.status !== 'Degraded')
          expect(tree).toMatch(/□ myapp-[a-z0-9]+-[a-z0-9]{5}\s+Pod\s+\S+ Running/);
      },
      async makeGreenFail() {
        await lab.mustRollouts(...GREEN_ERRORS_COMMAND);
      },
    };
    const last = await playKubectlWalkthrough(
      manifests,
      path.join(lab.paths.walkthroughDir, 'gitops'),
      player,
      NS,
    );
    expect(last.status.phase).toBe('Healthy');
    expect(stops.map((s) => s.stage)).toEqual([
      '1. blue deployed',
      '2. yellow at 20 %',
      '3. yellow stable',
      '4. green rolled back',
      '5. purple stable',
      '6. yellow aborted, purple restarted',
      '7. re-created',
    ]);
    // Nothing but kubectl and the plugin drove it.
    expect(commands.every((c) => /^(apply|delete|argo rollouts) /.test(c))).toBe(true);
    const list = plain((await kubectl(['argo', 'rollouts', 'list', 'rollouts', '-n', NS])).out);
    expect(list).toMatch(/myapp\s+Canary\s+Healthy\s+8\/8\s+100/);
  }, 900_000);
});
