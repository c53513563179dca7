// `npm run demo`: the seed's walkthrough (lab/walkthrough.ts, the script the end-to-end test runs) played
// for people on the local lab, at demo pace, through the `rollouts` command as a user would type it. It
// echoes every command, shows the status as it changes while it waits, prints the rollout tree at every
// stop with what to see there, and at the end where to look (Temporal UI, Prometheus, the mesh page).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { RolloutStatus } from '../core/status.js';
import { rolloutWorkflowId } from '../workflows/messages.js';
import { parseEnvFile, shellQuote } from './stack/env-file.js';
import { kubeScript, labPaths, repoRoot } from './stack/paths.js';
import { TEMPORAL_NAMESPACE } from './stack/settings.js';
import {
  describeExpected,
  GREEN_ERRORS_COMMAND,
  playWalkthrough,
  WALKTHROUGH_NAMESPACE as NAMESPACE,
  WALKTHROUGH_ROLLOUT as NAME,
  walkthroughManifests,
  type WalkthroughPlayer,
} from './walkthrough.js';

const rolloutsBin = path.join(repoRoot, 'bin', 'rollouts.js');
const paths = labPaths();
const WAIT_SECONDS = 180;

function labEnv(): Record<string, string> {
  if (!fs.existsSync(paths.envFile))
    throw new Error(`${paths.envFile} is missing: did \`rollouts lab up\` run?`);
  return parseEnvFile(fs.readFileSync(paths.envFile, 'utf8'));
}

interface RunOptions {
  /** Not echoed (the status polls). */
  quiet?: boolean;
  /** A non-zero exit is returned, not thrown. */
  allowFailure?: boolean;
}

/** Runs `rollouts ARGS` with the lab's environment, echoing the command and its output. */
function rollouts(
  args: string[],
  options: RunOptions = {},
): { code: number | null; out: string; err: string } {
  if (!options.quiet) console.log(`\n$ rollouts ${args.join(' ')}`);
  const run = spawnSync(process.execPath, [rolloutsBin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, ...(args[0] === 'lab' ? {} : labEnv()) },
  });
  const output = `${run.stdout}${run.stderr}`.trimEnd();
  if (!options.quiet && output) console.log(output);
  if (run.status !== 0 && !options.allowFailure)
    throw new Error(`rollouts ${args.join(' ')} exited ${run.status}:\n${output}`);
  return { code: run.status, out: run.stdout, err: run.stderr.trim() };
}

const inNamespace = (args: string[]) => [...args, '-n', NAMESPACE];

function status(): RolloutStatus {
  return JSON.parse(rollouts(inNamespace(['get', NAME, '-o', 'json']), { quiet: true }).out) as RolloutStatus;
}

/** Polls every second, printing the status whenever it changes. */
async function waitFor(what: string, done: (s: RolloutStatus) => boolean): Promise<RolloutStatus> {
  console.log(`\n… waiting until ${what}`);
  const deadline = Date.now() + WAIT_SECONDS * 1000;
  let shown = '';
  for (;;) {
    const s = status();
    const summary = `${s.phase} ${s.message} step ${s.currentStepIndex} weight ${s.weights.canary}`;
    if (summary !== shown) {
      console.log(`   ${new Date().toISOString().slice(11, 19)}  ${summary}`);
      shown = summary;
    }
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what} after ${WAIT_SECONDS}s`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** The walkthrough for people: every command echoed, the tree at every stop. */
const player: WalkthroughPlayer = {
  say: (line) => console.log(`\n== ${line}`),
  rollouts: (...args) => Promise.resolve(rollouts(inNamespace(args)).out),
  tryRollouts: (...args) => Promise.resolve(rollouts(inNamespace(args), { allowFailure: true })),
  waitFor,
  stop(stage, s, expected) {
    rollouts(inNamespace(['get', NAME]));
    console.log(`\n-- ${stage}: ${describeExpected(expected)}`);
    if (s.aborted) console.log(`\nrolled back: ${s.message}`);
    return Promise.resolve();
  },
  beforeGreenPromote() {
    rollouts(GREEN_ERRORS_COMMAND);
    return Promise.resolve();
  },
};

/** `lab up`, from an empty lab: the walkthrough starts from blue with no history. */
function startLab(): Record<string, string> {
  console.log('== the local lab: Temporal, kube-apiserver, Prometheus, mesh simulator, worker');
  rollouts(['lab', 'up']);
  const exists = rollouts(inNamespace(['get', NAME, '-o', 'json']), { quiet: true, allowFailure: true });
  if (exists.code === 0) {
    // An earlier run's myapp would turn step 1 into a canary: its lab is replaced, history included.
    console.log('\nmyapp is there from an earlier run: starting from an empty lab');
    rollouts(['lab', 'down', '--purge']);
    rollouts(['lab', 'up']);
  }
  return labEnv();
}

/** The Namespace, Services, VirtualService and Gateway, applied as plain Kubernetes objects. */
function applyObjects(files: string[]): void {
  const apply = spawnSync('bash', [kubeScript, 'apply', paths.kubeDir, ...files], { encoding: 'utf8' });
  if (apply.status !== 0)
    throw new Error(
      `applying the seed's Namespace, Services, VirtualService and Gateway failed:\n${apply.stderr}`,
    );
}

function whereToLook(env: Record<string, string>, seconds: number): void {
  const ui = `${env.TEMPORAL_UI_URL ?? 'http://127.0.0.1:8233'}/namespaces/${TEMPORAL_NAMESPACE}/workflows`;
  const envFile = path.relative(process.cwd(), paths.envFile);
  console.log(`\n== done in ${seconds} s. Where to look:`);
  console.log(`   the rollout's workflow: ${ui}/${encodeURIComponent(rolloutWorkflowId(NAMESPACE, NAME))}`);
  console.log(`   every rollout by phase: ${ui}?query=${encodeURIComponent("RolloutPhase = 'Healthy'")}`);
  console.log(`   Prometheus:             ${env.PROMETHEUS_URL ?? ''}`);
  console.log(`   live traffic (mesh):    ${env.MESH_URL ?? ''}`);
  console.log(
    `   source ${shellQuote(envFile)} to use \`rollouts\` yourself; \`rollouts lab down\` stops the lab.`,
  );
}

async function main(): Promise<void> {
  const started = Date.now();
  const env = startLab();
  const manifests = walkthroughManifests(
    path.join(paths.walkthroughDir, NAMESPACE),
    NAMESPACE,
    env.PROMETHEUS_URL ?? 'http://127.0.0.1:9090',
  );
  applyObjects(manifests.objects);
  await playWalkthrough(manifests, player);
  whereToLook(env, Math.round((Date.now() - started) / 1000));
}

main().catch((err: unknown) => {
  console.error(`\ndemo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
