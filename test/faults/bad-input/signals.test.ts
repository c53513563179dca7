// Bad input, part (c): signals and updates with bad payloads, sent by the real `temporal` command
// (.tools/bin/temporal, as someone at a terminal would) to a rollout paused at its first pause, on the
// real Temporal dev server, served by a worker running the real workflow bundle (activities faked).
// Each must be dropped with a reason that names the field or value (in the workflow's log, and in
// the update's rejection), change nothing, fail no workflow task, leave the worker running, and a
// good promote afterwards must still work.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type InjectedSinks, type LoggerSinks } from '@temporalio/worker';
import { RolloutsClient } from '../../../client/rollouts-client.js';
import type { RolloutStatus } from '../../../core/status.js';
import type { RolloutDefinition } from '../../../core/types.js';
import { workerDataConverter } from '../../../worker/payload-codec.js';
import { rolloutWorkflowId } from '../../../workflows/messages.js';
import { FakeCluster } from '../../support/fake-cluster.js';
import { testOutput, toolsBin } from '../../support/paths.js';
import { seedRollout, withImage } from '../../support/rollout-harness.js';
import { createDevServerEnv, waitUntil, workflowBundle } from '../../support/temporal-env.js';
import { Tally } from './report.js';

const run = promisify(execFile);
const temporalBin = path.join(toolsBin, 'temporal');
const inputsDir = path.join(testOutput, 'faults', 'bad-input', 'signal-inputs');

const def = seedRollout();
const workflowId = rolloutWorkflowId(def.namespace, def.name);
const tally = new Tally('signals');

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let workerError: unknown;
let rollouts: RolloutsClient;
let taskQueue: string;
/** What the workflow logged through `log` (the worker's log), newest last. */
const logged: { level: string; message: string; attrs: Record<string, unknown> }[] = [];

function capture(level: string) {
  return {
    fn: (_info: unknown, message: string, attrs?: Record<string, unknown>) =>
      void logged.push({ level, message, attrs: attrs ?? {} }),
    callDuringReplay: false,
  };
}

beforeAll(async () => {
  fs.rmSync(inputsDir, { recursive: true, force: true });
  fs.mkdirSync(inputsDir, { recursive: true });
  env = await createDevServerEnv();
  taskQueue = `bad-signals-${process.pid}`;
  // `defaultWorkerLogger` is the worker's logger sink under its public name: what `log` in the workflow
  // writes, which the worker would print (Runtime's logger is quiet in tests).
  const sinks: InjectedSinks<LoggerSinks> = {
    defaultWorkerLogger: {
      trace: capture('trace'),
      debug: capture('debug'),
      info: capture('info'),
      warn: capture('warn'),
      error: capture('error'),
    },
  };
  worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: new FakeCluster().activities(),
    dataConverter: workerDataConverter,
    sinks,
  });
  running = worker.run().catch((err: unknown) => void (workerError = err));
  rollouts = new RolloutsClient(env.client, taskQueue);
  await rollouts.apply(def);
  await waitFor('Healthy on blue', (s) => s.phase === 'Healthy');
  await rollouts.setImage(def.namespace, def.name, 'myapp', 'argoproj/rollouts-demo:yellow');
  await waitFor('paused at step 2', (s) => s.phase === 'Paused' && s.currentStepIndex === 1);
}, 120_000);

afterAll(async () => {
  const counts = tally.write();
  console.log(`bad signals: ${counts.handled}/${counts.tried} handled`);
  await env?.client.workflow
    .getHandle(workflowId)
    .terminate('test finished')
    .catch(() => undefined);
  worker?.shutdown();
  await running;
  await env?.teardown();
});

function status(): Promise<RolloutStatus> {
  return rollouts.status(def.namespace, def.name);
}

function waitFor(what: string, done: (s: RolloutStatus) => boolean): Promise<RolloutStatus> {
  return waitUntil(
    () => status().catch(() => undefined),
    (s) => s !== undefined && done(s),
    what,
  ) as Promise<RolloutStatus>;
}

/** What a test compares before and after: everything but timestamps. */
function essentials(s: RolloutStatus) {
  return {
    phase: s.phase,
    message: s.message,
    currentStepIndex: s.currentStepIndex,
    revision: s.revision,
    aborted: s.aborted,
    paused: s.paused,
    weights: s.weights,
    stable: s.stableRevision?.podTemplateHash,
    canary: s.canaryRevision?.podTemplateHash,
    images: s.canaryRevision?.images,
    conditions: s.conditions.map((c) => `${c.type}=${c.status} ${c.reason}`),
  };
}

/** Runs the real `temporal` command against the dev server; never throws. */
async function temporal(args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(
      temporalBin,
      [...args, '--address', env.address, '--namespace', 'default', '--output', 'json'],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, out: e.stdout ?? '', err: e.stderr ?? '' };
  }
}

let fileCounter = 0;

/** `--input` for short JSON, `--input-file` for long (one argv string is limited to 128 KiB). */
function inputArgs(inputs: string[]): string[] {
  return inputs.flatMap((input) => {
    if (input.length < 4096) return ['--input', input];
    const file = path.join(inputsDir, `input-${++fileCounter}.json`);
    fs.writeFileSync(file, input);
    return ['--input-file', file];
  });
}

function signalArgs(name: string, inputs: string[], extra: string[] = []): string[] {
  return ['workflow', 'signal', '--workflow-id', workflowId, '--name', name, ...inputArgs(inputs), ...extra];
}

/** Workflow task failures in the rollout's current run: any at all means a bad input wedged it. */
async function workflowTaskFailures(): Promise<string[]> {
  const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? [])
    .filter((e) => e.workflowTaskFailedEventAttributes)
    .map((e) => e.workflowTaskFailedEventAttributes?.failure?.message ?? 'workflow task failed');
}

const json = (value: unknown) => JSON.stringify(value);
const huge = (n: number) => 'x'.repeat(n);

/** The seed's definition with one thing broken (the definition is plain JSON). */
function broken(edit: (d: RolloutDefinition & Record<string, unknown>) => void): string {
  const copy = JSON.parse(JSON.stringify(def)) as RolloutDefinition & Record<string, unknown>;
  edit(copy);
  return json({ rollout: copy });
}

/** [signal name, --input values, a piece of the reason expected in the log, more flags] */
const SIGNALS: [string, string[], string, string[]?][] = [
  // payloads the payload converter cannot read: the worker's codec hands the workflow a marker instead
  [
    'promote',
    ['{"full":true}'],
    'promote: the payload could not be read: encoding binary/x-rot13 (13 bytes), expected json/plain',
    ['--input-meta', 'encoding=binary/x-rot13'],
  ],
  [
    'pause',
    ['{}'],
    'pause: the payload could not be read: encoding json/protobuf (2 bytes)',
    ['--input-meta', 'encoding=json/protobuf'],
  ],
  [
    'deploy',
    ['{"image":{"container":"myapp","image":"argoproj/rollouts-demo:green"}}'],
    'deploy: the payload could not be read: encoding binary/plain',
    ['--input-meta', 'encoding=binary/plain'],
  ],
  // promote: {full?: boolean}
  ['promote', ['"now"'], 'promote: payload must be an object like {"full": true}'],
  ['promote', ['42'], 'promote: payload must be an object'],
  ['promote', ['[true]'], 'promote: payload must be an object'],
  ['promote', ['{"full":"yes"}'], 'promote: "full" must be true or false, not "yes"'],
  ['promote', ['{"full":null}'], 'promote: "full" must be true or false, not null'],
  ['promote', ['{"ful":true}'], 'promote: unknown field "ful", expected full'],
  ['promote', ['{"full":true}', '{"full":true}'], 'promote: expected one payload, got 2'],
  ['promote', [json({ full: huge(300_000) })], 'promote: "full" must be true or false, not "xxxx'],
  // abort: {reason?: string}
  ['abort', ['"stop"'], 'abort: payload must be an object like {"reason": "…"}'],
  ['abort', ['{"reason":7}'], 'abort: "reason" must be a string, not 7'],
  ['abort', ['{"reason":["a","b"]}'], 'abort: "reason" must be a string, not ["a","b"]'],
  ['abort', ['{"reson":"typo"}'], 'abort: unknown field "reson", expected reason'],
  [
    'abort',
    [json({ reason: huge(200_000) })],
    'abort: "reason" is 200000 characters long, expected at most 1024',
  ],
  // retry, pause, resume: no fields
  ['retry', ['"now"'], 'retry: payload must be an object or empty'],
  ['retry', ['{"fromStep":2}'], 'retry: unknown field "fromStep", expected none'],
  ['pause', ['"please"'], 'pause: payload must be an object or empty'],
  ['pause', ['{"until":"tomorrow"}'], 'pause: unknown field "until", expected none'],
  ['pause', ['[]'], 'pause: payload must be an object or empty'],
  ['resume', ['17'], 'resume: payload must be an object or empty'],
  ['resume', ['{"force":true}'], 'resume: unknown field "force", expected none'],
  // deploy: {rollout} or {image: {container, image}}
  ['deploy', [], 'deploy: payload must be an object with "rollout" or "image"'],
  ['deploy', ['null'], 'deploy: payload must be an object with "rollout" or "image"'],
  ['deploy', ['"myapp=argoproj/rollouts-demo:green"'], 'deploy: payload must be an object'],
  ['deploy', ['[{"image":{}}]'], 'deploy: payload must be an object'],
  ['deploy', ['{}'], 'deploy: give exactly one of "rollout" or "image"'],
  ['deploy', ['{"imag":{"container":"myapp","image":"x"}}'], 'deploy: unknown field "imag"'],
  ['deploy', ['{"image":"argoproj/rollouts-demo:green"}'], 'deploy: "image" must be {"container"'],
  ['deploy', ['{"image":{"container":"nope","image":"x"}}'], 'deploy: myapp has no container "nope"'],
  ['deploy', ['{"image":{"container":"myapp","image":""}}'], 'deploy: "image" must be {"container"'],
  [
    'deploy',
    ['{"image":{"container":"myapp","image":"argoproj/rollouts demo:green"}}'],
    'deploy: image.image: "argoproj/rollouts demo:green" is not a container image reference',
  ],
  [
    'deploy',
    [json({ image: { container: 'myapp', image: `argoproj/${huge(100_000)}` } })],
    'deploy: image.image: is 100009 characters long, expected at most 1024',
  ],
  ['deploy', ['{"rollout":{"name":42}}'], 'deploy: rollout.name: 42 is an integer, expected a DNS-1123 name'],
  ['deploy', ['{"rollout":"myapp"}'], 'deploy: rollout: expected an object'],
  [
    'deploy',
    [broken((d) => (d.name = 'other'))],
    'deploy: this workflow manages rollouts-demo/myapp, not rollouts-demo/other',
  ],
  [
    'deploy',
    [broken((d) => (d.canary.steps = [{ kind: 'setWeight', weight: 150 }]))],
    'deploy: rollout.canary.steps[0].weight: 150 is not between 0 and 100',
  ],
  [
    'deploy',
    [broken((d) => (d.canary.steps = [{ kind: 'jump' } as never]))],
    'deploy: rollout.canary.steps[0].kind: expected setWeight, pause, setCanaryScale or analysis, found "jump"',
  ],
  [
    'deploy',
    [broken((d) => (d.canary.steps = [{ kind: 'setCanaryScale', replicas: -3 }]))],
    'deploy: rollout.canary.steps[0].replicas: -3 is negative, expected a non-negative integer',
  ],
  [
    'deploy',
    [broken((d) => (d.canary.steps = [{ kind: 'analysis', templates: 'x', args: [] } as never]))],
    'deploy: rollout.canary.steps[0].templates: "x" is a string, expected a non-empty list of templates',
  ],
  [
    'deploy',
    [
      broken(
        (d) =>
          (d.canary.steps = [
            { kind: 'analysis', templates: [{ templateName: 'gone', clusterScope: false }], args: [] },
          ]),
      ),
    ],
    'deploy: rollout.canary.steps[0].analysis: AnalysisTemplate "gone" in namespace rollouts-demo not found',
  ],
  [
    'deploy',
    [broken((d) => (d.canary.analysis = { ...d.canary.analysis!, startingStep: 99 }))],
    'deploy: rollout.canary.analysis.startingStep: 99 is not between 0 and 8',
  ],
  [
    'deploy',
    [broken((d) => (d.canary.analysis = { ...d.canary.analysis!, args: [] }))],
    'deploy: rollout.canary.analysis: analysis istio-success-rate: arg "service" of AnalysisTemplate istio-success-rate is required',
  ],
  [
    'deploy',
    [broken((d) => (d.canary.trafficRouting = 'istio' as never))],
    'deploy: rollout.canary.trafficRouting: "istio" is a string, expected {istio: {virtualServices}}',
  ],
  [
    'deploy',
    [broken((d) => (d.selector = { matchLabels: { app: 'other' } }))],
    'deploy: rollout.selector.matchLabels: app=other does not match the template labels',
  ],
  [
    'deploy',
    [broken((d) => (d.template.spec.containers[0]!.image = 'argoproj/rollouts demo'))],
    'deploy: rollout.template.spec.containers[0].image: "argoproj/rollouts demo" is not a container image reference',
  ],
  [
    'deploy',
    [broken((d) => (d.canary.canaryService = 42 as never))],
    'deploy: rollout.canary.canaryService: 42 is an integer, expected a Service name',
  ],
];

/** [update name, --input values, the rejection expected] through `temporal workflow update execute`. */
const UPDATES: [string, string[], string][] = [
  ['promote', ['"now"'], 'promote: payload must be an object like {"full": true}'],
  ['promote', ['{"ful":true}'], 'promote: unknown field "ful", expected full'],
  ['abort', ['{"reason":7}'], 'abort: "reason" must be a string, not 7'],
  ['pause', ['{"until":"tomorrow"}'], 'pause: unknown field "until", expected none'],
  ['deploy', ['{"image":{"container":"nope","image":"x"}}'], 'deploy: myapp has no container "nope"'],
  [
    'deploy',
    [broken((d) => (d.canary.steps = [{ kind: 'analysis', templates: 'x', args: [] } as never]))],
    'deploy: rollout.canary.steps[0].templates: "x" is a string, expected a non-empty list of templates',
  ],
];

describe('bad signals sent with `temporal workflow signal`', () => {
  let before: ReturnType<typeof essentials>;

  beforeAll(async () => {
    before = essentials(await status());
  });

  it.each(SIGNALS.map(([name, inputs, reason, extra], i) => [i, name, reason, inputs, extra] as const))(
    '#%i %s is dropped: %s',
    async (i, name, reason, inputs, extra) => {
      await tally.check(`signal #${i} ${name}`, async () => {
        const seen = logged.length;
        const sent = await temporal(signalArgs(name, inputs, extra));
        expect(sent.code === 0 ? '' : sent.err).toBe('');
        const entry = await waitUntil(
          () => Promise.resolve(logged.slice(seen).find((l) => l.message === 'signal ignored')),
          (l) => l !== undefined,
          `the workflow to log that it ignored ${name}`,
        );
        expect(entry?.attrs.signal).toBe(name);
        expect(String(entry?.attrs.reason)).toContain(reason);
        // one line, and not the whole payload back
        expect(String(entry?.attrs.reason)).not.toContain('\n');
        expect(String(entry?.attrs.reason).length).toBeLessThan(2000);
        expect(essentials(await status())).toEqual(before);
        expect(await workflowTaskFailures()).toEqual([]);
      });
    },
  );

  it.each(UPDATES.map(([name, inputs, reason], i) => [i, name, reason, inputs] as const))(
    '#%i update %s is rejected: %s',
    async (i, name, reason, inputs) => {
      await tally.check(`update #${i} ${name}`, async () => {
        const answer = await temporal([
          'workflow',
          'update',
          'execute',
          '--workflow-id',
          workflowId,
          '--name',
          name,
          ...inputArgs(inputs),
        ]);
        expect(answer.code).not.toBe(0);
        expect(answer.err).toContain(reason);
        expect(essentials(await status())).toEqual(before);
      });
    },
  );

  it('input that is not JSON is refused by the temporal command itself, and never reaches the rollout', async () => {
    await tally.check('signal with input that is not JSON', async () => {
      const sent = await temporal(signalArgs('promote', ['{full: true']));
      expect(sent.code).not.toBe(0);
      expect(sent.err).toMatch(/invalid|JSON/i);
      expect(essentials(await status())).toEqual(before);
    });
  });

  it('json/plain that is not JSON (the temporal command refuses to send it; a raw API call does not) is dropped', async () => {
    await tally.check('signal with json/plain that is not JSON', async () => {
      const seen = logged.length;
      const encoder = new TextEncoder();
      await env.client.workflowService.signalWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId },
        signalName: 'abort',
        identity: 'bad-input test',
        input: {
          payloads: [
            { metadata: { encoding: encoder.encode('json/plain') }, data: encoder.encode('{reason: "oops"') },
          ],
        },
      });
      const entry = await waitUntil(
        () => Promise.resolve(logged.slice(seen).find((l) => l.message === 'signal ignored')),
        (l) => l !== undefined,
        'the workflow to log that it ignored abort',
      );
      expect(String(entry?.attrs.reason)).toContain(
        'abort: the payload could not be read: json/plain that is not JSON',
      );
      expect(essentials(await status())).toEqual(before);
      expect(await workflowTaskFailures()).toEqual([]);
    });
  });

  it('after all of them: no workflow task failed, the worker runs, and good signals still work', async () => {
    expect(await workflowTaskFailures()).toEqual([]);
    {
      const described = await env.client.workflow.getHandle(workflowId).describe();
      expect(described.status.name).toBe('RUNNING');
      expect(worker.getState()).toBe('RUNNING');
      expect(workerError).toBeUndefined();
      expect(essentials(await status())).toEqual(before);

      expect((await temporal(signalArgs('promote', []))).code).toBe(0);
      await waitFor('paused at step 4', (s) => s.phase === 'Paused' && s.currentStepIndex === 3);
      expect((await temporal(signalArgs('promote', ['{"full":true}']))).code).toBe(0);
      const s = await waitFor('Healthy on yellow', (st) => st.phase === 'Healthy');
      expect(s.stableRevision?.images).toEqual({ myapp: 'argoproj/rollouts-demo:yellow' });
      // and a good deploy by signal starts the next revision
      const green = json({ rollout: withImage(def, 'argoproj/rollouts-demo:green') });
      expect((await temporal(signalArgs('deploy', [green]))).code).toBe(0);
      await waitFor('green paused at step 2', (st) => st.phase === 'Paused' && st.revision === 3);
      expect(await workflowTaskFailures()).toEqual([]);
    }
  }, 60_000);
});

/** [--input values, the failure expected, more flags] for `temporal workflow start --type rolloutWorkflow`. */
const STARTS: [string[], string, string[]?][] = [
  [[], 'invalid rollout input: expected {"rollout": {…}}'],
  [['"myapp"'], 'invalid rollout input: expected {"rollout": {…}}'],
  [
    ['{"rollout":{"name":"x"}}'],
    'invalid rollout input: rollout.namespace: missing, expected a DNS-1123 label',
  ],
  [
    [broken((d) => (d.canary.steps = [{ kind: 'setWeight', weight: 150 }]))],
    'invalid rollout input: rollout.canary.steps[0].weight: 150 is not between 0 and 100',
  ],
  [
    [broken((d) => (d.template.spec.containers = []))],
    'invalid rollout input: rollout.template.spec.containers: the list is empty',
  ],
  [
    ['{"rollout":{}}'],
    'invalid rollout input: the input could not be read: encoding binary/x-rot13',
    ['--input-meta', 'encoding=binary/x-rot13'],
  ],
];

describe('rollout workflows started by hand with a bad input (`temporal workflow start`)', () => {
  it.each(STARTS.map(([inputs, failure, extra], i) => [i, failure, inputs, extra] as const))(
    '#%i fails at once, not stuck: %s',
    async (i, failure, inputs, extra) => {
      await tally.check(`start #${i}`, async () => {
        const id = `rollout:bad-input/start-${i}`;
        const started = await temporal([
          'workflow',
          'start',
          '--type',
          'rolloutWorkflow',
          '--task-queue',
          taskQueue,
          '--workflow-id',
          id,
          ...inputArgs(inputs),
          ...(extra ?? []),
        ]);
        expect(started.code === 0 ? '' : started.err).toBe('');
        const outcome = await env.client.workflow
          .getHandle(id)
          .result()
          .then(
            () => 'completed',
            (err: WorkflowFailedError) => err.cause?.message ?? err.message,
          );
        expect(outcome).toContain(failure);
        const history = await env.client.workflow.getHandle(id).fetchHistory();
        expect(history.events?.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
      });
    },
  );
});
