// The seed's walkthrough as a team coming from Argo Rollouts plays it: no `rollouts` command at all,
// only `kubectl apply -f` of the manifests (as Argo CD or Flux would) and the real kubectl-argo-rollouts
// plugin's verbs, with the Rollout object's status as the only view of the rollout. The watcher in the
// worker turns what these write into the workflow's deploys and actions; the workflow writes its state
// back. `npm run demo:kubectl` (lab/demo-kubectl.ts) plays it for people; the end-to-end test
// (test/e2e/kubectl-walkthrough.test.ts) checks the plugin's own output at every stop.
import fs from 'node:fs';
import path from 'node:path';
import {
  image,
  WALKTHROUGH_NAMESPACE,
  WALKTHROUGH_ROLLOUT as NAME,
  type WalkthroughManifests,
} from './walkthrough.js';

/** The Rollout object as `kubectl get rollout -o json` gives it: what the walkthrough reads. */
export interface RolloutView {
  generation: number;
  /** The image of the spec's first container. */
  image: string;
  status: {
    phase?: string;
    message?: string;
    observedGeneration?: string;
    currentStepIndex?: number;
    stableRS?: string;
    currentPodHash?: string;
    abort?: boolean;
    restartedAt?: string;
    canary?: { weights?: { canary: { weight: number } } };
  };
}

/** What a stop shows, as the plugin prints it (`kubectl argo rollouts get rollout`). */
export interface PluginExpected {
  status: 'Healthy' | 'Paused' | 'Degraded' | 'Progressing';
  /** "1/8" */
  step?: string;
  setWeight?: number;
  actualWeight?: number;
  stable: string;
  canary?: string;
}

export interface KubectlPlayer {
  say(line: string): void;
  /** `kubectl ARGS` with the lab's kubeconfig and the plugin on PATH; a non-zero exit throws. */
  kubectl(...args: string[]): Promise<string>;
  /** The same, returning the exit code instead of throwing. */
  tryKubectl(...args: string[]): Promise<{ code: number | null; out: string; err: string }>;
  waitFor(what: string, done: (view: RolloutView) => boolean): Promise<RolloutView>;
  stop(stage: string, view: RolloutView, expected: PluginExpected): Promise<void>;
  /** Before green is promoted: 65 % of green's requests fail (the mesh simulator). */
  makeGreenFail(): Promise<void>;
}

export function parseRolloutView(json: string): RolloutView {
  const object = JSON.parse(json) as {
    metadata: { generation: number };
    spec: { template: { spec: { containers: { image: string }[] } } };
    status?: RolloutView['status'];
  };
  return {
    generation: object.metadata.generation,
    image: object.spec.template.spec.containers[0]?.image ?? '',
    status: object.status ?? {},
  };
}

const current = (v: RolloutView) => v.status.observedGeneration === String(v.generation);
const healthyOn = (colour: string) => (v: RolloutView) =>
  current(v) &&
  v.status.phase === 'Healthy' &&
  v.image === image(colour) &&
  v.status.stableRS === v.status.currentPodHash;
const pausedAt = (step: number) => (v: RolloutView) =>
  current(v) && v.status.phase === 'Paused' && v.status.currentStepIndex === step;

/** A copy of the Rollout's manifest with another image, as a commit to the GitOps repository makes it. */
function withImage(dir: string, rolloutFile: string, colour: string): string {
  const text = fs.readFileSync(rolloutFile, 'utf8').replace(image('blue'), image(colour));
  const file = path.join(dir, `05-rollout-${colour}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

/** The walkthrough; `dir` holds the edited manifests a GitOps sync would apply. */
export async function playKubectlWalkthrough(
  manifests: WalkthroughManifests,
  dir: string,
  player: KubectlPlayer,
  namespace = WALKTHROUGH_NAMESPACE,
): Promise<RolloutView> {
  const ns = ['-n', namespace];
  const plugin = (...args: string[]) => player.kubectl('argo', 'rollouts', ...args, ...ns);
  const [, rolloutFile] = manifests.rollout as [string, string];
  fs.mkdirSync(dir, { recursive: true });

  player.say('1. kubectl apply -f: the Namespace, Services, VirtualService, AnalysisTemplate and Rollout');
  await player.kubectl('apply', ...[...manifests.objects, ...manifests.rollout].flatMap((f) => ['-f', f]));
  let v = await player.waitFor('blue is Healthy', healthyOn('blue'));
  await player.stop('1. blue deployed', v, {
    status: 'Healthy',
    step: '8/8',
    setWeight: 100,
    actualWeight: 100,
    stable: 'blue',
  });

  player.say('2. kubectl argo rollouts set image: yellow at 20 %, paused until promoted');
  await plugin('set', 'image', NAME, `${NAME}=${image('yellow')}`);
  v = await player.waitFor('yellow is paused at step 1', pausedAt(1));
  await player.stop('2. yellow at 20 %', v, {
    status: 'Paused',
    step: '1/8',
    setWeight: 20,
    actualWeight: 20,
    stable: 'blue',
    canary: 'yellow',
  });

  player.say('3. kubectl argo rollouts promote: 40-60-80 % with timed pauses, then yellow is stable');
  await plugin('promote', NAME);
  v = await player.waitFor('yellow is Healthy', healthyOn('yellow'));
  await player.stop('3. yellow stable', v, {
    status: 'Healthy',
    step: '8/8',
    setWeight: 100,
    actualWeight: 100,
    stable: 'yellow',
  });

  player.say(
    '4. GitOps: the manifest with green applied twice (a sync, then a resync), promoted; green fails',
  );
  const green = withImage(dir, rolloutFile, 'green');
  await player.kubectl('apply', '-f', green);
  const generation = (await player.waitFor('green is paused at step 1', pausedAt(1))).generation;
  await player.kubectl('apply', '-f', green);
  await player.waitFor('the resync changed nothing', (x) => x.generation === generation && pausedAt(1)(x));
  await player.makeGreenFail();
  await plugin('promote', NAME);
  v = await player.waitFor(
    'the analysis rolls green back',
    (x) =>
      x.status.phase === 'Degraded' &&
      x.status.abort === true &&
      x.status.canary?.weights?.canary.weight === 0,
  );
  await player.stop('4. green rolled back', v, {
    status: 'Degraded',
    step: '0/8',
    setWeight: 0,
    actualWeight: 0,
    stable: 'yellow',
  });
  const degraded = await player.tryKubectl('argo', 'rollouts', 'status', NAME, '--timeout', '5s', ...ns);
  if (degraded.code === 0) throw new Error('kubectl argo rollouts status: exit 0 for a Degraded rollout');

  player.say('5. set image purple, pause and promote it (one by hand, then --full): purple is stable');
  await plugin('set', 'image', NAME, `${NAME}=${image('purple')}`);
  await player.waitFor('purple is paused at step 1', pausedAt(1));
  await plugin('pause', NAME);
  await plugin('promote', NAME);
  await player.waitFor('purple past step 1', (x) => current(x) && (x.status.currentStepIndex ?? 0) > 1);
  await plugin('promote', NAME, '--full');
  v = await player.waitFor('purple is Healthy', healthyOn('purple'));
  await player.stop('5. purple stable', v, {
    status: 'Healthy',
    step: '8/8',
    setWeight: 100,
    actualWeight: 100,
    stable: 'purple',
  });
  await plugin('status', NAME, '--timeout', '10s');

  player.say('6. kubectl argo rollouts undo --to-revision 2 (yellow), abort, retry, abort, restart');
  // Revision 2 is yellow (1 blue, 3 green, 4 purple); a bare undo would go back to green, the one before.
  await plugin('undo', NAME, '--to-revision', '2');
  await player.waitFor(
    'yellow again, paused at step 1',
    (x) => x.image === image('yellow') && pausedAt(1)(x),
  );
  await plugin('abort', NAME);
  await player.waitFor('aborted', (x) => x.status.abort === true && x.status.phase === 'Degraded');
  await plugin('retry', 'rollout', NAME);
  await player.waitFor('retried, paused at step 1', (x) => !x.status.abort && pausedAt(1)(x));
  await plugin('abort', NAME);
  await player.waitFor(
    'aborted again',
    (x) => x.status.abort === true && x.status.canary?.weights?.canary.weight === 0,
  );
  await plugin('restart', NAME);
  v = await player.waitFor('the pods restarted', (x) => current(x) && x.status.restartedAt !== undefined);
  await player.stop('6. yellow aborted, purple restarted', v, { status: 'Degraded', stable: 'purple' });

  player.say('7. kubectl argo rollouts undo --to-revision 4 (purple, the stable): no steps, as Argo');
  // The plugin writes purple's ReplicaSet template back, server defaults and all: the stable's own pods.
  await plugin('undo', NAME, '--to-revision', '4');
  v = await player.waitFor('purple is Healthy, no step run', healthyOn('purple'));
  await player.stop('7. undone to the stable', v, {
    status: 'Healthy',
    step: '8/8',
    setWeight: 100,
    actualWeight: 100,
    stable: 'purple',
  });

  player.say('8. list, lint, and the Rollout deleted and applied again');
  await plugin('list', 'rollouts');
  await player.kubectl('argo', 'rollouts', 'lint', '-f', rolloutFile);
  await player.kubectl('delete', '-f', rolloutFile, '--wait=true');
  await player.kubectl('apply', '-f', rolloutFile);
  v = await player.waitFor(
    'blue is Healthy again, from its first generation',
    (x) => x.generation === 1 && healthyOn('blue')(x),
  );
  await player.stop('8. re-created', v, {
    status: 'Healthy',
    step: '8/8',
    setWeight: 100,
    actualWeight: 100,
    stable: 'blue',
  });
  return v;
}

/** The lines of `kubectl argo rollouts get rollout` a stop checks, from what it expects. */
export function pluginLines(expected: PluginExpected): string[] {
  const lines = [`Status:\\s+\\S+ ${expected.status}`];
  if (expected.step) lines.push(`Step:\\s+${expected.step}`);
  if (expected.setWeight !== undefined) lines.push(`SetWeight:\\s+${expected.setWeight}`);
  if (expected.actualWeight !== undefined) lines.push(`ActualWeight:\\s+${expected.actualWeight}`);
  lines.push(`${image(expected.stable).replace('/', '\\/')} \\(stable`);
  if (expected.canary) lines.push(`${image(expected.canary).replace('/', '\\/')} \\(canary`);
  return lines;
}
