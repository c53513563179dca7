// The `rollouts` command end to end through `run()`: real argument parsing, real manifests, a real
// (time-skipping) Temporal server behind the client library; exit codes and one-line answers.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { run, type Io } from '../../client/cli.js';
import { RolloutsClient } from '../../client/rollouts-client.js';
import type { RolloutStatus } from '../../core/status.js';
import { FakeCluster } from '../support/fake-cluster.js';
import { repoRoot, seedDir } from '../support/paths.js';
import { createTimeSkippingEnv, createWorker, waitUntil } from '../support/temporal-env.js';

const badDir = path.join(repoRoot, 'test', 'fixtures', 'manifests', 'bad');

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function rollouts(args: string[], connect?: Io['connect']): Promise<Captured> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(args, {
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    ...(connect ? { connect } : {}),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('rollouts lint', () => {
  it('accepts the seed manifests', async () => {
    const files = [
      '00-namespace.yaml',
      '01-services.yaml',
      '02-virtualservice.yaml',
      '03-gateway.yaml',
      '04-analysistemplate.yaml',
      '05-rollout.yaml',
    ];
    const result = await rollouts(['lint', '-f', ...files.map((f) => path.join(seedDir, f))]);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/^7 object\(s\) valid in /);
  });

  it('prints each error with file, object and field, and exits 1', async () => {
    const file = path.join(badDir, 'set-weight-150.yaml');
    const result = await rollouts(['lint', '-f', file]);
    expect(result.code).toBe(1);
    expect(result.err.split('\n')[0]).toBe(
      `${file}: Rollout rollouts-demo/myapp: spec.strategy.canary.steps[2].setWeight: 150 is not between 0 and 100`,
    );
    expect(result.err).toContain('1 error(s) in');
  });

  it('says which file is missing (usage error, exit 2)', async () => {
    const result = await rollouts(['lint', '-f', '/nonexistent.yaml']);
    expect(result).toEqual({ code: 2, out: '', err: 'error: -f /nonexistent.yaml: no such file' });
  });
});

describe('bad command lines', () => {
  it.each([
    [
      ['set', 'image', 'myapp', 'yellow'],
      'set image: "yellow" is not CONTAINER=IMAGE (e.g. myapp=argoproj/rollouts-demo:yellow)',
    ],
    [['get', 'rollout', 'a', 'b'], 'get: expected one rollout NAME'],
    [
      ['get', 'myapp', '--watch', '--interval', 'soon'],
      '--interval: soon is not a whole number of milliseconds ≥ 100',
    ],
    // What is missing, as the usage line names it (not commander's "missing required argument 'words'")
    [['get'], "missing the rollout's NAME: rollouts get NAME [-n NAMESPACE] [-o tree|json] [--watch]"],
    [['promote'], "missing the rollout's NAME: rollouts promote NAME [--full] [-n NAMESPACE]"],
    [['abort'], "missing the rollout's NAME: rollouts abort NAME [--reason TEXT] [-n NAMESPACE]"],
    [['retry'], "missing the rollout's NAME: rollouts retry NAME [-n NAMESPACE]"],
    [['pause'], "missing the rollout's NAME: rollouts pause NAME [-n NAMESPACE]"],
    [['resume'], "missing the rollout's NAME: rollouts resume NAME [-n NAMESPACE]"],
    [['set', 'image'], "missing the rollout's NAME: rollouts set image NAME CONTAINER=IMAGE [-n NAMESPACE]"],
    [
      ['set', 'image', 'myapp'],
      'missing CONTAINER=IMAGE: rollouts set image NAME CONTAINER=IMAGE [-n NAMESPACE]',
    ],
    [['lab', 'errors'], 'missing the IMAGE: rollouts lab errors IMAGE RATE'],
    [['lab', 'errors', 'app:green'], 'missing the error RATE: rollouts lab errors IMAGE RATE'],
  ])('%j → exit 2 with %s', async (args, message) => {
    const connect: Io['connect'] = () => Promise.reject(new Error('must not connect'));
    const result = await rollouts(args, connect);
    expect(result.code).toBe(2);
    expect(result.err).toBe(`error: ${message}`);
  });

  it('rejects unknown commands and options', async () => {
    expect((await rollouts(['deploy'])).code).toBe(2);
    expect((await rollouts(['promote'])).code).toBe(2);
    expect((await rollouts(['get', 'myapp', '-o', 'yaml'])).code).toBe(2);
  });

  it('names the file and the errors when apply is given a bad manifest, and applies nothing', async () => {
    const connect: Io['connect'] = () => Promise.reject(new Error('must not connect'));
    const result = await rollouts(['apply', '-f', path.join(badDir, 'set-weight-150.yaml')], connect);
    expect(result.code).toBe(1);
    expect(result.err).toContain('steps[2].setWeight: 150 is not between 0 and 100');
    expect(result.err).toContain('nothing applied: 1 error(s)');
  });

  it('explains a TEMPORAL_ADDRESS that is not host:port', async () => {
    const saved = process.env.TEMPORAL_ADDRESS;
    process.env.TEMPORAL_ADDRESS = 'http://localhost';
    try {
      const result = await rollouts(['get', 'myapp']);
      expect(result).toEqual({
        code: 2,
        out: '',
        err: 'error: TEMPORAL_ADDRESS=http://localhost: expected host:port, e.g. localhost:7233',
      });
    } finally {
      if (saved === undefined) delete process.env.TEMPORAL_ADDRESS;
      else process.env.TEMPORAL_ADDRESS = saved;
    }
  });
});

describe('rollouts against a Temporal server', () => {
  let env: TestWorkflowEnvironment;
  const taskQueue = `cli-test-${process.pid}`;
  let stopWorker: () => Promise<void>;
  let connect: Io['connect'];

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    const worker = await createWorker(env, taskQueue, new FakeCluster().activities());
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
    };
    connect = () =>
      Promise.resolve({
        rollouts: new RolloutsClient(env.client, taskQueue),
        close: () => Promise.resolve(),
      });
  }, 120_000);

  afterAll(async () => {
    await env.client.workflow
      .getHandle('rollout:rollouts-demo/myapp')
      .terminate('test finished')
      .catch(() => undefined);
    await stopWorker?.();
    await env?.teardown();
  });

  const status = async () => {
    const result = await rollouts(['get', 'myapp', '-n', 'rollouts-demo', '-o', 'json'], connect);
    return JSON.parse(result.out) as RolloutStatus;
  };

  it('applies, refuses what does not apply, and shows the rollout', async () => {
    // The Rollout alone, and no cluster to look in: its AnalysisTemplate is missing, nothing is applied.
    const savedKubeconfig = process.env.KUBECONFIG;
    process.env.KUBECONFIG = '/nonexistent/kubeconfig';
    const alone = await rollouts(['apply', '-f', path.join(seedDir, '05-rollout.yaml')], connect);
    if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = savedKubeconfig;
    expect(alone).toEqual({
      code: 1,
      out: '',
      err: [
        `${path.join(seedDir, '05-rollout.yaml')}: Rollout rollouts-demo/myapp: spec.strategy.canary.analysis: AnalysisTemplate "istio-success-rate" in namespace rollouts-demo not found: give it to apply -f with the Rollout`,
        'nothing applied: 1 error(s)',
      ].join('\n'),
    });
    const files = ['04-analysistemplate.yaml', '05-rollout.yaml'].map((f) => path.join(seedDir, f));
    const applied = await rollouts(['apply', '-f', ...files], connect);
    expect(applied).toEqual({ code: 0, out: 'rollout rollouts-demo/myapp created', err: '' });
    await waitUntil(status, (s) => s.phase === 'Healthy', 'Healthy');

    expect(await rollouts(['promote', 'myapp', '-n', 'rollouts-demo'], connect)).toEqual({
      code: 1,
      out: '',
      err: 'nothing to promote: myapp is Healthy',
    });
    expect((await rollouts(['abort', 'myapp', '-n', 'rollouts-demo'], connect)).err).toBe(
      'nothing to abort: myapp is Healthy',
    );
    expect((await rollouts(['retry', 'rollout', 'myapp', '-n', 'rollouts-demo'], connect)).err).toBe(
      'nothing to retry: myapp is Healthy, not aborted',
    );
    expect((await rollouts(['promote', 'other', '-n', 'rollouts-demo'], connect)).err).toBe(
      'rollout rollouts-demo/other not found (no workflow rollout:rollouts-demo/other)',
    );

    const set = await rollouts(
      ['set', 'image', 'myapp', 'myapp=argoproj/rollouts-demo:yellow', '-n', 'rollouts-demo'],
      connect,
    );
    expect(set.code).toBe(0);
    expect(set.out).toMatch(/^myapp: revision 2 \(\w+\) accepted$/);
    await waitUntil(status, (s) => s.phase === 'Paused', 'paused at step 1');

    const tree = await rollouts(['get', 'rollout', 'myapp', '-n', 'rollouts-demo'], connect);
    expect(tree.code).toBe(0);
    expect(tree.out).toContain('Status:          ॥ Paused');
    expect(tree.out).toContain('Message:         CanaryPauseStep: waiting for promote');
    expect(tree.out).toContain('  Step:          1/8');
    expect(tree.out).toContain('  ActualWeight:  20');
    expect(tree.out).toContain('AnalysisRuns:\n  ◌ istio-success-rate (background, revision 2): Running');
    expect(tree.out).toContain(
      '    ◷ success-rate: Pending, 0 measured: 0 ok, 0 failed, 0 inconclusive, 0 error',
    );
    expect(tree.out).toContain('argoproj/rollouts-demo:blue (stable)');
    expect(tree.out).toContain('argoproj/rollouts-demo:yellow (canary)');
    // Canary with one pod beside the stable one (setWeight 20 of 1 replica rounds up to 1).
    expect(tree.out).toContain(
      'Replicas:\n  Desired:       1\n  Current:       2\n  Updated:       1\n  Available:     2',
    );
    expect(tree.out).toMatch(/├──# revision:2\n│ {2}└──⧉ myapp-\w+ +ReplicaSet +✔ Healthy +canary/);
    expect(tree.out).toMatch(/└──# revision:1\n {3}└──⧉ myapp-\w+ +ReplicaSet +✔ Healthy +stable/);

    const promoted = await rollouts(['promote', 'myapp', '-n', 'rollouts-demo'], connect);
    expect(promoted).toEqual({ code: 0, out: 'promoted myapp: next is step 3 (setWeight: 40)', err: '' });
    const full = await rollouts(['promote', 'myapp', '--full', '-n', 'rollouts-demo'], connect);
    expect(full.out).toBe('promoting myapp fully: skipping the remaining steps');
    const healthy = await waitUntil(status, (s) => s.phase === 'Healthy', 'Healthy on yellow');
    expect(healthy.stableRevision?.images).toEqual({ myapp: 'argoproj/rollouts-demo:yellow' });
  });

  it('get --watch redraws when the rollout changes, and stops when interrupted', async () => {
    const frames: string[] = [];
    const interrupt = new AbortController();
    const watching = run(['get', 'myapp', '-n', 'rollouts-demo', '--watch', '--interval', '100'], {
      out: (t) => frames.push(t),
      err: (t) => frames.push(`ERR ${t}`),
      connect,
      signal: interrupt.signal,
    });
    await waitUntil(
      () => Promise.resolve(frames.length),
      (n) => n >= 1,
      'first frame',
    );
    expect(frames[0]).toContain('✔ Healthy');
    await rollouts(
      ['set', 'image', 'myapp', 'myapp=argoproj/rollouts-demo:green', '-n', 'rollouts-demo'],
      connect,
    );
    await waitUntil(
      () => Promise.resolve(frames.at(-1) ?? ''),
      (f) => f.includes('॥ Paused'),
      'a frame of the paused canary',
    );
    interrupt.abort();
    expect(await watching).toBe(0);
    expect(frames.every((f) => f.startsWith('\x1b[2J\x1b[H'))).toBe(true);
    // A redraw only when something changed: no two frames in a row are the same.
    expect(frames.every((f, i) => i === 0 || f !== frames[i - 1])).toBe(true);
  });
});
