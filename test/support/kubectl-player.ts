// The kubectl walkthrough's player for tests (lab/kubectl-walkthrough.ts): the real kubectl and plugin
// with a lab's kubeconfig, the Rollout object polled as the only view, and at every stop the plugin's
// own `get rollout` held to what Argo's controller would make it show. Shared by the end-to-end test and
// the fault suite's cluster path.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { expect } from '@jest/globals';
import {
  parseRolloutView,
  pluginLines,
  type KubectlPlayer,
  type RolloutView,
} from '../../lab/kubectl-walkthrough.js';
import { GREEN_ERRORS_COMMAND, WALKTHROUGH_NAMESPACE } from '../../lab/walkthrough.js';
import type { Lab } from './lab.js';
import { toolsBin } from './paths.js';

export interface KubectlRun {
  player: KubectlPlayer;
  /** Each stop and the plugin's tree there, without colours. */
  stops: { stage: string; tree: string }[];
  /** Every kubectl command line the walkthrough ran. */
  commands: string[];
  kubectl(args: string[]): Promise<{ code: number | null; out: string; err: string }>;
}

/** The plugin's output without its colours. */
export const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

export function kubectlRun(
  lab: Lab,
  options: { log: (line: string) => void; waitMs?: number; namespace?: string },
): KubectlRun {
  const ns = options.namespace ?? WALKTHROUGH_NAMESPACE;
  const waitMs = options.waitMs ?? 150_000;
  const stops: KubectlRun['stops'] = [];
  const commands: string[] = [];
  const kubectl = (args: string[]) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      execFile(
        path.join(toolsBin, 'kubectl'),
        args,
        { env: { ...lab.env, PATH: `${toolsBin}:${process.env.PATH ?? ''}` }, maxBuffer: 16 << 20 },
        (error, stdout, stderr) =>
          resolve({
            code: error ? ((error as { code?: number }).code ?? null) : 0,
            out: stdout,
            err: stderr,
          }),
      );
    });
  const player: KubectlPlayer = {
    say: (line) => options.log(`== ${line}`),
    async kubectl(...args) {
      commands.push(args.join(' '));
      const result = await kubectl(args);
      options.log(`$ kubectl ${args.join(' ')} -> ${result.code}\n${result.out}${result.err}`);
      if (result.code !== 0)
        throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.err}`);
      return result.out;
    },
    async tryKubectl(...args) {
      commands.push(args.join(' '));
      return kubectl(args);
    },
    async waitFor(what, done) {
      const deadline = Date.now() + waitMs;
      let last: RolloutView | undefined;
      for (;;) {
        const got = await kubectl(['get', 'rollout', 'myapp', '-n', ns, '-o', 'json']);
        last = got.code === 0 ? parseRolloutView(got.out) : undefined;
        if (last && done(last)) {
          options.log(`.. ${what}`);
          return last;
        }
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
        tree = plain((await kubectl(['argo', 'rollouts', 'get', 'rollout', 'myapp', '-n', ns])).out);
        if (wanted.every((re) => re.test(tree))) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      options.log(`-- ${stage}\n${tree}`);
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
  return { player, stops, commands, kubectl };
}

/** The stops every kubectl walkthrough makes, in order. */
export const KUBECTL_STOPS = [
  '1. blue deployed',
  '2. yellow at 20 %',
  '3. yellow stable',
  '4. green rolled back',
  '5. purple stable',
  '6. yellow aborted, purple restarted',
  '7. undone to the stable',
  '8. re-created',
];
