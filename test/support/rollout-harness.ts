// Drives a rollout workflow on the time-skipping server through the same client library as the CLI,
// against a FakeCluster (or activities handed in, e.g. the real ones on a real API server), and saves
// each run's history for the replay tests. `timeSkippingServerPerTest` is the set-up of a test file
// whose tests each need a server of their own.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from '@jest/globals';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { MetricActivities, RolloutActivities } from '../../activities/interface.js';
import { RolloutsClient } from '../../client/rollouts-client.js';
import { attachAnalysisTemplates } from '../../core/analysis/attach.js';
import { loadManifests } from '../../core/manifest/index.js';
import type { RolloutStatus } from '../../core/status.js';
import type { RolloutDefinition } from '../../core/types.js';
import { rolloutWorkflowId } from '../../workflows/messages.js';
import { FakeCluster } from './fake-cluster.js';
import { historiesDir, seedDir } from './paths.js';
import { createTimeSkippingEnv, createWorker, waitUntil } from './temporal-env.js';

/** The seed's Rollout with its AnalysisTemplate attached, as `rollouts apply -f` makes it. */
export function seedRollout(): RolloutDefinition {
  const load = (name: string) => {
    const file = path.join(seedDir, name);
    const loaded = loadManifests(fs.readFileSync(file, 'utf8'), file);
    if (loaded.errors.length) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
    return loaded;
  };
  const rollout = load('05-rollout.yaml').rollouts[0];
  if (!rollout) throw new Error('the seed has no Rollout');
  const attached = attachAnalysisTemplates(rollout, load('04-analysistemplate.yaml').analysisTemplates);
  if (attached.errors.length) throw new Error(attached.errors.join('\n'));
  return attached.rollout;
}

/** The seed rollout with another image, as `set image` would make it. */
export function withImage(def: RolloutDefinition, image: string): RolloutDefinition {
  const containers = def.template.spec.containers.map((c, i) => (i === 0 ? { ...c, image } : c));
  return { ...def, template: { ...def.template, spec: { ...def.template.spec, containers } } };
}

let queueCounter = 0;

export interface HarnessOptions {
  taskQueue?: string;
  /** What the worker runs; default: the harness's FakeCluster (whose `measure` also fills any gap). */
  activities?: RolloutActivities & Partial<MetricActivities>;
}

export class RolloutHarness {
  readonly cluster = new FakeCluster();
  readonly rollouts: RolloutsClient;
  readonly taskQueue: string;
  private readonly activities: RolloutActivities & MetricActivities;
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    readonly env: TestWorkflowEnvironment,
    readonly def: RolloutDefinition,
    options: HarnessOptions = {},
  ) {
    this.taskQueue = options.taskQueue ?? `rollouts-test-${process.pid}-${++queueCounter}`;
    const fake = this.cluster.activities();
    this.activities = { ...fake, ...(options.activities ?? {}) };
    this.rollouts = new RolloutsClient(env.client, this.taskQueue);
  }

  get namespace(): string {
    return this.def.namespace;
  }

  get name(): string {
    return this.def.name;
  }

  get workflowId(): string {
    return rolloutWorkflowId(this.def.namespace, this.def.name);
  }

  async start(): Promise<void> {
    this.worker = await createWorker(this.env, this.taskQueue, this.activities);
    this.running = this.worker.run();
  }

  status(): Promise<RolloutStatus> {
    return this.rollouts.status(this.namespace, this.name);
  }

  waitFor(what: string, done: (s: RolloutStatus) => boolean, timeoutMs?: number): Promise<RolloutStatus> {
    return waitUntil(
      () => this.status().catch(() => undefined as unknown as RolloutStatus),
      (s) => s !== undefined && done(s),
      what,
      timeoutMs,
    );
  }

  /** Waits until the rollout is paused at step `index` (0-based). */
  pausedAt(index: number): Promise<RolloutStatus> {
    return this.waitFor(
      `pause at step ${index}`,
      (s) => s.phase === 'Paused' && s.currentStepIndex === index,
    );
  }

  healthyOn(hash: string): Promise<RolloutStatus> {
    return this.waitFor(
      `Healthy on ${hash}`,
      (s) => s.phase === 'Healthy' && s.stableRevision?.podTemplateHash === hash,
    );
  }

  /** Every run (continue-as-new makes several) of one workflow, oldest first. */
  private async historyChain(workflowId: string): Promise<temporal.api.history.v1.IHistory[]> {
    const histories: temporal.api.history.v1.IHistory[] = [];
    // Walk back from the latest run: each run's first event names the run it continued from.
    let runId: string | undefined = undefined;
    for (;;) {
      const history: temporal.api.history.v1.IHistory = await this.env.client.workflow
        .getHandle(workflowId, runId)
        .fetchHistory();
      histories.unshift(history);
      const previous = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (!previous) break;
      runId = previous;
    }
    return histories;
  }

  /** Saves the histories of the rollout's workflow and of its AnalysisRuns, for the replay tests. */
  async saveHistories(label: string): Promise<void> {
    if (!process.env.RECORD_HISTORIES) return;
    fs.mkdirSync(historiesDir, { recursive: true });
    const save = (name: string, histories: temporal.api.history.v1.IHistory[]) =>
      histories.forEach((history, i) => {
        // Binary protobuf: exact, and free of the JSON conversion's dependence on one protobufjs copy.
        const bytes = temporal.api.history.v1.History.encode(history).finish();
        fs.writeFileSync(path.join(historiesDir, `${name}-run${i + 1}.binpb`), bytes);
      });
    save(label, await this.historyChain(this.workflowId));
    const runs = (await this.status()).analysisRuns;
    for (const [n, run] of runs.entries())
      save(`${label}-analysis${n + 1}`, await this.historyChain(run.workflowId));
  }

  async stop(): Promise<void> {
    await this.env.client.workflow
      .getHandle(this.workflowId)
      .terminate('test finished')
      .catch(() => undefined);
    this.worker?.shutdown();
    await this.running;
  }
}

export interface PerTestServer {
  /** The running test's server (only inside a test or its hooks). */
  readonly env: TestWorkflowEnvironment;
  /** A harness on the running test's server, stopped when the test ends. */
  harness(def: RolloutDefinition, options?: HarnessOptions): RolloutHarness;
}

/**
 * Registers a fresh time-skipping server before each test of the file, torn down after it with every
 * harness the test made: time skipping is global to a server, and one test's leftovers (an unanswered
 * query during continue-as-new, a running activity) must not hold another's clock.
 */
export function timeSkippingServerPerTest(): PerTestServer {
  let env: TestWorkflowEnvironment | undefined;
  let harnesses: RolloutHarness[] = [];
  beforeEach(async () => {
    env = await createTimeSkippingEnv();
  }, 120_000);
  afterEach(async () => {
    for (const harness of harnesses) await harness.stop();
    harnesses = [];
    await env?.teardown();
    env = undefined;
  });
  const server: PerTestServer = {
    get env(): TestWorkflowEnvironment {
      if (!env) throw new Error('the test server runs only inside a test');
      return env;
    },
    harness(def, options) {
      const harness = new RolloutHarness(server.env, def, options);
      harnesses.push(harness);
      return harness;
    },
  };
  return server;
}
