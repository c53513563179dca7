// The seed's walkthrough (../shared/seed/README.md, steps 1-5) at demo pace (examples/fast), as one
// script of `rollouts` commands, waits and stops: blue runs; yellow waits at 20 %, is promoted and walks
// 40-60-80 % to stable; green is promoted, fails 65 % of requests and is rolled back by its analysis;
// purple completes. Who plays it decides what a stop does: `npm run demo` (lab/demo.ts) prints the tree
// for people, the end-to-end test and the fault suite (test/support/walkthrough.ts) check the cluster
// against what the stop expects. One script, so the demo shows what the tests prove.
import fs from 'node:fs';
import path from 'node:path';
import type { AnalysisPhase } from '../core/analysis/types.js';
import type { RolloutStatus } from '../core/status.js';
import { repoRoot } from './stack/paths.js';

export const WALKTHROUGH_ROLLOUT = 'myapp';
export const WALKTHROUGH_NAMESPACE = 'rollouts-demo';
export const image = (colour: string) => `argoproj/rollouts-demo:${colour}`;
/** `rollouts lab errors …` before green is promoted: 65 % of green's requests fail. */
export const GREEN_ERRORS_COMMAND = ['lab', 'errors', image('green'), '0.65'];

const NAME = WALKTHROUGH_ROLLOUT;
const examples = path.join(repoRoot, 'examples', 'fast');
const EXAMPLE_ADDRESS = 'http://127.0.0.1:9090';

/** What a stop should show (colours, not images); a field left out is not looked at. */
export interface Expected {
  phase?: RolloutStatus['phase'];
  canaryWeight?: number;
  stableImage?: string;
  canaryImage?: string;
  /** revision → phase of its AnalysisRun. */
  verdicts?: Record<number, AnalysisPhase>;
  /** A timed pause: it may end while the stop is read, and then the stop is skipped. */
  mayMoveOn?: boolean;
}

/** How one player plays the script: the demo for people, the tests with their checks. */
export interface WalkthroughPlayer {
  /** A line of the story: what the next part does. */
  say(line: string): void;
  /** `rollouts ARGS -n <namespace>`; an exit code other than 0 is an error carrying the output. */
  rollouts(...args: string[]): Promise<string>;
  /** The same, for a command the rollout may refuse: its exit code and error output. */
  tryRollouts(...args: string[]): Promise<{ code: number | null; err: string }>;
  /** Polls the rollout's status until `done` holds. */
  waitFor(what: string, done: (s: RolloutStatus) => boolean): Promise<RolloutStatus>;
  /** One stop: `s` is the status the wait ended on. */
  stop(stage: string, s: RolloutStatus, expected: Expected): Promise<unknown>;
  /** Before green is promoted: makes green fail (GREEN_ERRORS_COMMAND). */
  beforeGreenPromote(): Promise<void>;
}

/** The example files, for one lab and namespace: `objects` once per namespace, then `rollout`. */
export interface WalkthroughManifests {
  /** Namespace, Services, VirtualService and Gateway: plain Kubernetes objects. */
  objects: string[];
  /** The AnalysisTemplate and the Rollout, for `rollouts apply`. */
  rollout: string[];
}

/**
 * The example files for a lab and namespace: examples/fast itself when they fit as written (the demo's
 * lab on its default ports), else copies in `dir` with the namespace renamed and the lab's Prometheus.
 */
export function walkthroughManifests(
  dir: string,
  namespace: string,
  prometheusUrl: string,
): WalkthroughManifests {
  const asWritten = namespace === WALKTHROUGH_NAMESPACE && prometheusUrl === EXAMPLE_ADDRESS;
  if (!asWritten) fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => {
    const example = path.join(examples, name);
    if (asWritten) return example;
    const text = fs
      .readFileSync(example, 'utf8')
      .replaceAll(`namespace: ${WALKTHROUGH_NAMESPACE}`, `namespace: ${namespace}`)
      .replace(new RegExp(`^(\\s+name: )${WALKTHROUGH_NAMESPACE}$`, 'm'), `$1${namespace}`)
      .replaceAll(EXAMPLE_ADDRESS, prometheusUrl);
    const target = path.join(dir, name);
    fs.writeFileSync(target, text);
    return target;
  };
  return {
    objects: ['00-namespace.yaml', '01-services.yaml', '02-virtualservice.yaml', '03-gateway.yaml'].map(file),
    rollout: ['04-analysistemplate.yaml', '05-rollout.yaml'].map(file),
  };
}

const onImage = (colour: string) => (s: RolloutStatus) =>
  s.phase === 'Healthy' && s.stableRevision?.images[NAME] === image(colour) && !s.canaryRevision;
const pausedAtFirstStep = (colour: string) => (s: RolloutStatus) =>
  s.phase === 'Paused' && s.canaryRevision?.images[NAME] === image(colour) && s.currentStepIndex === 1;

/** Steps 1-5, on a lab whose namespace has the `objects` applied; returns the last status. */
export async function playWalkthrough(
  manifests: WalkthroughManifests,
  player: WalkthroughPlayer,
): Promise<RolloutStatus> {
  await blue(manifests, player);
  await yellow(player);
  await green(player);
  return purple(player);
}

async function blue(manifests: WalkthroughManifests, player: WalkthroughPlayer): Promise<void> {
  player.say('1. myapp runs blue; all traffic on myapp-stable-svc');
  const [template, rollout] = manifests.rollout as [string, string];
  await player.rollouts('apply', '-f', template, '-f', rollout);
  const s = await player.waitFor('blue is Healthy', onImage('blue'));
  await player.stop('1. blue deployed', s, {
    phase: 'Healthy',
    canaryWeight: 0,
    stableImage: 'blue',
    canaryImage: 'blue',
  });
}

async function yellow(player: WalkthroughPlayer): Promise<void> {
  player.say('2. set image yellow: a canary at 20 %, paused until promoted, analysis in the background');
  await player.rollouts('set', 'image', NAME, `${NAME}=${image('yellow')}`);
  let s = await player.waitFor('yellow is paused at 20 %', pausedAtFirstStep('yellow'));
  await player.stop('2. yellow at 20 %, paused', s, {
    phase: 'Paused',
    canaryWeight: 20,
    stableImage: 'blue',
    canaryImage: 'yellow',
    verdicts: { 2: 'Running' },
  });

  player.say('3. PROMOTE: 40 %, 60 %, 80 % with timed pauses, then yellow becomes stable');
  await player.rollouts('promote', NAME);
  for (const [step, weight] of [
    [3, 40],
    [5, 60],
    [7, 80],
  ] as const) {
    s = await player.waitFor(
      `yellow is paused at ${weight} %`,
      (x) => (x.currentStepIndex ?? 0) > step || (x.currentStepIndex === step && x.phase === 'Paused'),
    );
    // A timed pause the wait did not see (it polls) is passed by, not waited for.
    if (s.currentStepIndex === step)
      await player.stop(`3. yellow at ${weight} %, timed pause`, s, {
        phase: 'Paused',
        canaryWeight: weight,
        stableImage: 'blue',
        canaryImage: 'yellow',
        mayMoveOn: true,
      });
  }
  s = await player.waitFor('yellow is stable', onImage('yellow'));
  await player.stop('3. yellow stable', s, {
    phase: 'Healthy',
    canaryWeight: 0,
    stableImage: 'yellow',
    canaryImage: 'yellow',
    verdicts: { 2: 'Successful' },
  });
}

async function green(player: WalkthroughPlayer): Promise<void> {
  player.say('4. set image green, PROMOTE, and green answers 65 % of requests with errors');
  await player.rollouts('set', 'image', NAME, `${NAME}=${image('green')}`);
  let s = await player.waitFor(
    'green is paused at 20 % (or already rolled back)',
    (x) => pausedAtFirstStep('green')(x) || x.aborted,
  );
  if (!s.aborted)
    await player.stop('4. green at 20 %, paused', s, {
      phase: 'Paused',
      canaryWeight: 20,
      stableImage: 'yellow',
      canaryImage: 'green',
    });
  await player.beforeGreenPromote();
  if (!s.aborted) {
    // The analysis may abort green between the wait above and this promote: then the rollout refuses it
    // ("myapp is aborted: use retry…"), or there is nothing left to promote.
    const promoted = await player.tryRollouts('promote', NAME);
    if (
      promoted.code !== 0 &&
      !promoted.err.startsWith('nothing to promote') &&
      !promoted.err.startsWith(`${NAME} is aborted`)
    )
      throw new Error(`promote green: ${promoted.err}`);
  }
  s = await player.waitFor(
    'the analysis rolls green back by itself',
    (x) =>
      x.aborted &&
      x.weights.canary === 0 &&
      // The rollback is done once the canary Service selects stable again (the abort reports first).
      x.weights.canaryPodTemplateHash === x.stableRevision?.podTemplateHash &&
      x.analysisRuns.some((r) => r.revision === 3 && r.phase === 'Failed'),
  );
  await player.stop('4. green rolled back by its analysis', s, {
    phase: 'Degraded',
    canaryWeight: 0,
    stableImage: 'yellow',
    canaryImage: 'yellow',
    verdicts: { 3: 'Failed' },
  });
}

async function purple(player: WalkthroughPlayer): Promise<RolloutStatus> {
  player.say('5. set image purple (the fix), PROMOTE: this time it completes');
  await player.rollouts('set', 'image', NAME, `${NAME}=${image('purple')}`);
  let s = await player.waitFor('purple is paused at 20 %', pausedAtFirstStep('purple'));
  await player.stop('5. purple at 20 %, paused', s, {
    phase: 'Paused',
    canaryWeight: 20,
    stableImage: 'yellow',
    canaryImage: 'purple',
  });
  await player.rollouts('promote', NAME);
  s = await player.waitFor('purple is stable', onImage('purple'));
  await player.stop('5. purple stable', s, {
    phase: 'Healthy',
    canaryWeight: 0,
    stableImage: 'purple',
    canaryImage: 'purple',
    verdicts: { 4: 'Successful' },
  });
  return s;
}

/** What a stop expects, in words: "Paused at 20 %; stable Service → blue, canary Service → yellow". */
export function describeExpected(expected: Expected): string {
  const parts: string[] = [];
  if (expected.phase !== undefined)
    parts.push(
      expected.canaryWeight ? `${expected.phase} at ${expected.canaryWeight} %` : `${expected.phase}`,
    );
  const services: string[] = [];
  if (expected.stableImage) services.push(`stable Service → ${expected.stableImage}`);
  if (expected.canaryImage) services.push(`canary Service → ${expected.canaryImage}`);
  if (services.length) parts.push(services.join(', '));
  const verdicts = Object.entries(expected.verdicts ?? {}).map(
    ([revision, phase]) => `analysis of revision ${revision} ${phase}`,
  );
  if (verdicts.length) parts.push(verdicts.join(', '));
  return parts.join('; ');
}
