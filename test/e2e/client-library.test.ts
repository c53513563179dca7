// The client as a library, on a lab of its own: examples/promote-script.ts (built into dist/examples)
// run as a person runs it, with the lab's environment. It applies the fast example's Rollout, sets a
// new image, waits for the pause, promotes and waits until Healthy; the lab then shows the new image
// stable with all traffic.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Lab } from '../support/lab.js';
import { repoRoot, testOutput } from '../support/paths.js';

const run = promisify(execFile);
const script = path.join(repoRoot, 'dist', 'examples', 'promote-script.js');
const fast = path.join(repoRoot, 'examples', 'fast');
const workDir = path.join(testOutput, 'e2e', 'client-library');

let lab: Lab;

beforeAll(async () => {
  fs.rmSync(workDir, { recursive: true, force: true });
  fs.mkdirSync(workDir, { recursive: true });
  lab = await Lab.start('client-library');
  await lab.applyFiles(
    ...['00-namespace.yaml', '01-services.yaml', '02-virtualservice.yaml', '03-gateway.yaml'].map((f) =>
      path.join(fast, f),
    ),
  );
}, 180_000);

afterAll(async () => {
  await lab?.down();
}, 60_000);

/** The fast example's template and Rollout, its analysis asking this lab's Prometheus. */
function rolloutFiles(): string[] {
  return ['04-analysistemplate.yaml', '05-rollout.yaml'].map((file) => {
    const text = fs
      .readFileSync(path.join(fast, file), 'utf8')
      .replaceAll('http://127.0.0.1:9090', lab.url('PROMETHEUS_URL'));
    fs.writeFileSync(path.join(workDir, file), text);
    return path.join(workDir, file);
  });
}

describe('examples/promote-script.ts against the lab', () => {
  it('starts the rollout, promotes the paused canary and ends Healthy on the new image', async () => {
    const yellow = 'argoproj/rollouts-demo:yellow';
    const { stdout } = await run(process.execPath, [script, ...rolloutFiles()], {
      cwd: repoRoot,
      env: { ...lab.env, IMAGE: yellow },
      timeout: 360_000,
    });
    expect(stdout.trimEnd().split('\n')).toEqual([
      'rollout rollouts-demo/myapp created',
      expect.stringMatching(/^myapp: revision 2 \(\w+\) accepted$/),
      'myapp is Paused at step 1: CanaryPauseStep: waiting for promote',
      'promoted myapp: next is step 3 (setWeight: 40)',
      `myapp is Healthy on ${yellow}`,
    ]);
    const status = await lab.status('myapp', 'rollouts-demo');
    expect(status).toMatchObject({ phase: 'Healthy', weights: { canary: 0, stable: 100 } });
    expect(status.stableRevision?.images).toEqual({ myapp: yellow });
    expect(await lab.routeWeights('rollouts-demo', 'myapp-vsvc', 'primary')).toEqual({
      'myapp-stable-svc': 100,
      'myapp-canary-svc': 0,
    });
  }, 400_000);
});
