// A script that drives a rollout through the client library instead of the `rollouts` command:
// apply the manifests, set a new image, wait for the canary's pause, promote it, wait until Healthy.
// Temporal is found as the command finds it (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, … or a local
// server). Build with `npm run build`, then, against a lab (`source .lab/env`):
//
//   node dist/examples/promote-script.js examples/fast/04-analysistemplate.yaml examples/fast/05-rollout.yaml
//
// IMAGE (default argoproj/rollouts-demo:yellow) is the new image.
import { connectRollouts } from 'temporal-rollouts';

const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node dist/examples/promote-script.js MANIFEST.yaml…');
  process.exit(2);
}
const image = process.env.IMAGE ?? 'argoproj/rollouts-demo:yellow';

const { rollouts, close } = await connectRollouts();
try {
  const [first] = await rollouts.applyFiles(files);
  if (!first) throw new Error(`no Rollout in ${files.join(', ')}`);
  const { namespace, name } = first.rollout;
  const container = first.rollout.template.spec.containers[0]?.name ?? name;
  console.log(first.result.message);
  // The first revision goes straight to full scale.
  await rollouts.waitForPhase(namespace, name, 'Healthy');

  console.log((await rollouts.setImage(namespace, name, container, image)).message);
  const paused = await rollouts.waitForPhase(namespace, name, 'Paused');
  console.log(`${name} is Paused at step ${paused.currentStepIndex}: ${paused.message}`);

  console.log((await rollouts.promote(namespace, name)).message);
  // Timed pauses come after this one: Healthy once the new image is stable.
  const healthy = await rollouts.waitForPhase(
    namespace,
    name,
    (s) => s.phase === 'Healthy' && s.stableRevision?.images[container] === image,
    300_000,
  );
  console.log(`${name} is Healthy on ${healthy.stableRevision?.images[container]}`);
} finally {
  await close();
}
