// `npm run demo`: the seed's walkthrough (../shared/seed/README.md, steps 1-5) on the local lab, at
// demo pace (examples/fast), driven only through the `rollouts` command as a user would type it:
// blue → yellow (promote where the article clicks PROMOTE), green with 65 % errors rolled back by
// its analysis, purple completes. It prints the rollout tree at every stage and where to look after.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RolloutStatus } from '../core/status.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rolloutsBin = path.join(root, 'bin', 'rollouts.js');
const examples = path.join(root, 'examples', 'fast');
const labDir = process.env.LAB_DIR ?? path.join(root, '.lab');
const NS = ['-n', 'rollouts-demo'];
const image = (colour: string) => `argoproj/rollouts-demo:${colour}`;

function labEnv(): Record<string, string> {
  const file = path.join(labDir, 'env');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: did \`rollouts lab up\` run?`);
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^(?:export\s+)?([A-Z_]+)=["']?([^"']*)["']?$/.exec(line.trim());
    if (match) env[match[1] as string] = match[2] as string;
  }
  return env;
}

/** Runs `rollouts ARGS`, echoing the command; throws with its output when it fails (unless allowed). */
function rollouts(args: string[], options: { quiet?: boolean; allowFailure?: boolean } = {}): string {
  if (!options.quiet) console.log(`\n$ rollouts ${args.join(' ')}`);
  const run = spawnSync(process.execPath, [rolloutsBin, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...(args[0] === 'lab' ? {} : labEnv()) },
  });
  const output = `${run.stdout}${run.stderr}`.trimEnd();
  if (!options.quiet && output) console.log(output);
  if (run.status !== 0 && !options.allowFailure)
    throw new Error(`rollouts ${args.join(' ')} exited ${run.status}:\n${output}`);
  return run.stdout;
}

function rolloutExists(): boolean {
  const run = spawnSync(process.execPath, [rolloutsBin, 'get', 'myapp', ...NS, '-o', 'json'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...labEnv() },
  });
  return run.status === 0;
}

function status(): RolloutStatus {
  return JSON.parse(rollouts(['get', 'myapp', ...NS, '-o', 'json'], { quiet: true })) as RolloutStatus;
}

/** Waits for the rollout to reach a state, printing the tree whenever it changes. */
async function waitFor(
  what: string,
  done: (s: RolloutStatus) => boolean,
  timeoutSeconds = 180,
): Promise<RolloutStatus> {
  console.log(`\n… waiting until ${what}`);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let shown = '';
  for (;;) {
    const s = status();
    const summary = `${s.phase} ${s.message} step ${s.currentStepIndex} weight ${s.weights.canary}`;
    if (summary !== shown) {
      console.log(`   ${new Date().toISOString().slice(11, 19)}  ${summary}`);
      shown = summary;
    }
    if (done(s)) {
      rollouts(['get', 'myapp', ...NS]);
      return s;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what} after ${timeoutSeconds}s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

const onImage = (colour: string) => (s: RolloutStatus) =>
  s.phase === 'Healthy' && s.stableRevision?.images.myapp === image(colour);
const pausedOn = (colour: string) => (s: RolloutStatus) =>
  s.phase === 'Paused' && s.canaryRevision?.images.myapp === image(colour) && s.currentStepIndex === 1;

async function main(): Promise<void> {
  const started = Date.now();
  console.log('== the local lab: Temporal, kube-apiserver, Prometheus, mesh simulator, worker');
  rollouts(['lab', 'up']);
  if (rolloutExists()) {
    // The walkthrough starts from blue with no history; an earlier run's myapp would turn step 1
    // into a canary. Its lab is replaced, history included.
    console.log('\nmyapp is there from an earlier run: starting from an empty lab');
    rollouts(['lab', 'down', '--purge']);
    rollouts(['lab', 'up']);
  }
  const env = labEnv();
  const kubeDir = path.dirname(env.KUBECONFIG ?? path.join(labDir, 'kube', 'kubeconfig'));
  const seedObjects = ['00-namespace.yaml', '01-services.yaml', '02-virtualservice.yaml', '03-gateway.yaml'];
  const apply = spawnSync(
    'bash',
    [
      path.join(root, 'scripts', 'kube-control-plane.sh'),
      'apply',
      kubeDir,
      ...seedObjects.map((f) => path.join(examples, f)),
    ],
    {
      encoding: 'utf8',
    },
  );
  if (apply.status !== 0)
    throw new Error(
      `applying the seed's Namespace, Services, VirtualService and Gateway failed:\n${apply.stderr}`,
    );
  const manifests = [
    '-f',
    path.join(examples, '04-analysistemplate.yaml'),
    '-f',
    path.join(examples, '05-rollout.yaml'),
  ];

  console.log('\n== 1. myapp runs blue; all traffic on myapp-stable-svc');
  rollouts(['apply', ...manifests]);
  await waitFor('blue is Healthy', onImage('blue'));

  console.log(
    '\n== 2. set image yellow: a canary at 20 %, paused until promoted, analysis in the background',
  );
  rollouts(['set', 'image', 'myapp', `myapp=${image('yellow')}`, ...NS]);
  await waitFor('yellow is paused at 20 %', pausedOn('yellow'));

  console.log('\n== 3. PROMOTE: 40 %, 60 %, 80 % with timed pauses, then yellow becomes stable');
  rollouts(['promote', 'myapp', ...NS]);
  await waitFor('yellow is stable', onImage('yellow'));

  console.log('\n== 4. set image green, PROMOTE, and green answers 65 % of requests with errors');
  rollouts(['set', 'image', 'myapp', `myapp=${image('green')}`, ...NS]);
  await waitFor('green is paused at 20 %', pausedOn('green'));
  rollouts(['lab', 'errors', image('green'), '0.65']);
  rollouts(['promote', 'myapp', ...NS]);
  const aborted = await waitFor(
    'the analysis rolls green back by itself',
    (s) => s.aborted && s.weights.canary === 0,
  );
  console.log(`\nrolled back: ${aborted.message}`);

  console.log('\n== 5. set image purple (the fix), PROMOTE: this time it completes');
  rollouts(['set', 'image', 'myapp', `myapp=${image('purple')}`, ...NS]);
  await waitFor('purple is paused at 20 %', pausedOn('purple'));
  rollouts(['promote', 'myapp', ...NS]);
  await waitFor('purple is stable', onImage('purple'));

  const ui = env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233';
  console.log(`\n== done in ${Math.round((Date.now() - started) / 1000)} s. Where to look:`);
  console.log(
    `   the rollout's workflow: ${ui}/namespaces/default/workflows/${encodeURIComponent('rollout:rollouts-demo/myapp')}`,
  );
  console.log(
    `   every rollout by phase: ${ui}/namespaces/default/workflows?query=${encodeURIComponent("RolloutPhase = 'Healthy'")}`,
  );
  console.log(`   Prometheus:             ${env.PROMETHEUS_URL ?? ''}`);
  console.log(`   live traffic (mesh):    ${env.MESH_URL ?? ''}`);
  console.log('   source .lab/env to use `rollouts` yourself; `rollouts lab down` stops the lab.');
}

main().catch((err: unknown) => {
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
