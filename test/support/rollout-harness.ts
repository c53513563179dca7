// Drives a rollout workflow on the time-skipping server through the same client library as the CLI,
// against a FakeCluster (or activities handed in, e.g. the real ones on a real API server), and saves
// each run's history for the replay tests.
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { RolloutActivities } from '../../activities/interface.js';
import { RolloutsClient } from '../../client/rollouts-client.js';
import { loadManifests } from '../../core/manifest/index.js';
import type { RolloutStatus } from '../../core/status.js';
import type { RolloutDefinition } from '../../core/types.js';
import { rolloutWorkflowId } from '../../workflows/messages.js';
import { FakeCluster } from './fake-cluster.js';
import { historiesDir, seedDir } from './paths.js';
import { createWorker, waitUntil } from './temporal-env.js';

export function seedRollout(): RolloutDefinition {
  const file = path.join(seedDir, '05-rollout.yaml');
  const loaded = loadManifests(fs.readFileSync(file, 'utf8'), file);
  if (loaded.errors.length) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  const rollout = loaded.rollouts[0];
  if (!rollout) throw new Error('the seed has no Rollout');
  return rollout;
}

/** The seed rollout with another image, as `set image` would make it. */
export function withImage(def: RolloutDefinition, image: string): RolloutDefinition {
  const containers = def.template.spec.containers.map((c, i) => (i === 0 ? { ...c, image } : c));
  return { ...def, template: { ...def.template, spec: { ...def.template.spec, containers } } };
}

let queueCounter = 0;

export interface HarnessOptions {
  taskQueue?: string;
  /** What the worker runs; default: the harness's FakeCluster. */
  activities?: RolloutActivities;
}

export class RolloutHarness {
  readonly cluster = new FakeCluster();
  readonly rollouts: RolloutsClient;
  readonly taskQueue: string;
  private readonly activities: RolloutActivities;
  private worker?: Worker;
  private running?: Promise<void>;

  constructor(
    readonly env: TestWorkflowEnvironment,
    readonly def: RolloutDefinition,
    options: HarnessOptions = {},
  ) {
    this.taskQueue = options.taskQueue ?? `rollouts-test-${process.pid}-${++queueCounter}`;
    this.activities = options.activities ?? this.cluster.activities();
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

  /** Saves the histories of every run of this rollout's workflow (continue-as-new makes several). */
  async saveHistories(label: string): Promise<void> {
    if (!process.env.RECORD_HISTORIES) return;
    fs.mkdirSync(historiesDir, { recursive: true });
    const histories = [];
    // Walk back from the latest run: each run's first event names the run it continued from.
    let runId: string | undefined = undefined;
    for (;;) {
      const history: Awaited<
        ReturnType<ReturnType<typeof this.env.client.workflow.getHandle>['fetchHistory']>
      > = await this.env.client.workflow.getHandle(this.workflowId, runId).fetchHistory();
      histories.unshift(history);
      const previous: string | null | undefined =
        history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (!previous) break;
      runId = previous;
    }
    // Binary protobuf: exact, and free of the JSON conversion's dependence on one protobufjs copy.
    histories.forEach((history, i) => {
      const bytes = temporal.api.history.v1.History.encode(history).finish();
      fs.writeFileSync(path.join(historiesDir, `${label}-run${i + 1}.binpb`), bytes);
    });
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
