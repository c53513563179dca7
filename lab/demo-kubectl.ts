// `npm run demo:kubectl`: the seed's walkthrough as a team coming from Argo Rollouts plays it
// (lab/kubectl-walkthrough.ts): `kubectl apply -f` and the real `kubectl argo rollouts` plugin only,
// on the local lab, with the plugin's own `get rollout` at every stop.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseEnvFile } from './stack/env-file.js';
import { labPaths, repoRoot, toolsBin } from './stack/paths.js';
import {
  parseRolloutView,
  playKubectlWalkthrough,
  type KubectlPlayer,
  type RolloutView,
} from './kubectl-walkthrough.js';
import {
  GREEN_ERRORS_COMMAND,
  WALKTHROUGH_NAMESPACE as NAMESPACE,
  WALKTHROUGH_ROLLOUT as NAME,
  walkthroughManifests,
} from './walkthrough.js';

const paths = labPaths();
const rolloutsBin = path.join(repoRoot, 'bin', 'rollouts.js');
const WAIT_SECONDS = 180;

function env(): NodeJS.ProcessEnv {
  const lab = fs.existsSync(paths.envFile) ? parseEnvFile(fs.readFileSync(paths.envFile, 'utf8')) : {};
  return { ...process.env, ...lab, PATH: `${toolsBin}:${process.env.PATH ?? ''}` };
}

function run(command: string, args: string[], quiet = false) {
  if (!quiet) console.log(`\n$ ${command === process.execPath ? 'rollouts' : command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: repoRoot, encoding: 'utf8', env: env() });
  const output = `${result.stdout}${result.stderr}`.trimEnd();
  if (!quiet && output) console.log(output);
  return { code: result.status, out: result.stdout, err: result.stderr.trim() };
}

function kubectl(args: string[], quiet = false) {
  return run(path.join(toolsBin, 'kubectl'), args, quiet);
}

function must(result: { code: number | null; out: string; err: string }, what: string): string {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}: ${result.err}`);
  return result.out;
}

function view(): RolloutView | undefined {
  const got = kubectl(['get', 'rollout', NAME, '-n', NAMESPACE, '-o', 'json'], true);
  return got.code === 0 ? parseRolloutView(got.out) : undefined;
}

const player: KubectlPlayer = {
  say: (line) => console.log(`\n== ${line}`),
  kubectl: (...args) => Promise.resolve(must(kubectl(args), `kubectl ${args.join(' ')}`)),
  tryKubectl: (...args) => Promise.resolve(kubectl(args)),
  async waitFor(what, done) {
    console.log(`\n… waiting until ${what}`);
    const deadline = Date.now() + WAIT_SECONDS * 1000;
    let shown = '';
    for (;;) {
      const v = view();
      const s = v?.status;
      const line = s
        ? `${s.phase ?? '?'} step ${s.currentStepIndex ?? '-'} weight ${s.canary?.weights?.canary.weight ?? '-'} ${s.message ?? ''}`
        : 'no Rollout';
      if (line !== shown) console.log(`   ${new Date().toISOString().slice(11, 19)}  ${line}`);
      shown = line;
      if (v && done(v)) return v;
      if (Date.now() > deadline) throw new Error(`gave up waiting until ${what} after ${WAIT_SECONDS}s`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  },
  stop(stage) {
    kubectl(['argo', 'rollouts', 'get', 'rollout', NAME, '-n', NAMESPACE]);
    console.log(`\n-- ${stage}`);
    return Promise.resolve();
  },
  makeGreenFail() {
    must(run(process.execPath, [rolloutsBin, ...GREEN_ERRORS_COMMAND]), 'rollouts lab errors');
    return Promise.resolve();
  },
};

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    "== the local lab: Temporal, kube-apiserver (with Argo Rollouts' CRDs), Prometheus, mesh simulator, worker",
  );
  must(run(process.execPath, [rolloutsBin, 'lab', 'up']), 'rollouts lab up');
  if (
    view() ||
    run(process.execPath, [rolloutsBin, 'get', NAME, '-n', NAMESPACE, '-o', 'json'], true).code === 0
  ) {
    console.log('\nmyapp is there from an earlier run: starting from an empty lab');
    must(run(process.execPath, [rolloutsBin, 'lab', 'down', '--purge']), 'rollouts lab down');
    must(run(process.execPath, [rolloutsBin, 'lab', 'up']), 'rollouts lab up');
  }
  const lab = env();
  const manifests = walkthroughManifests(
    path.join(paths.walkthroughDir, NAMESPACE),
    NAMESPACE,
    lab.PROMETHEUS_URL ?? 'http://127.0.0.1:9090',
  );
  await playKubectlWalkthrough(manifests, path.join(paths.walkthroughDir, 'gitops'), player);
  console.log(
    `\n== done in ${Math.round((Date.now() - started) / 1000)} s; \`source ${path.relative(process.cwd(), paths.envFile)}\` puts kubectl and the plugin on PATH.`,
  );
}

main().catch((err: unknown) => {
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
