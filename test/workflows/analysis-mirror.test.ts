// The AnalysisRun objects of a rollout driven by its Rollout object (workflows/analysis-mirror.ts), on
// the time-skipping server against the FakeCluster: each run mirrors itself under Argo's name, labels
// and owner from its first write to its verdict, a retried revision's run takes the next `.N` name,
// writes never go back, measurements stay out of the rollout's history, and a write the cluster
// forbids is logged while the run goes on.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { attachAnalysisTemplates } from '../../core/analysis/attach.js';
import { podTemplateHash } from '../../core/hash.js';
import type { AnalysisSpec } from '../../core/analysis/types.js';
import { loadManifests } from '../../core/manifest/index.js';
import { analysisRunWorkflow } from '../../workflows/analysis-run.js';
import type { CanaryStep, RolloutDefinition } from '../../core/types.js';
import { Worker } from '@temporalio/worker';
import type { RolloutHarness } from '../support/rollout-harness.js';
import { workflowBundle } from '../support/temporal-env.js';
import { seedDir } from '../support/paths.js';
import { seedRollout, timeSkippingServerPerTest, withImage } from '../support/rollout-harness.js';

const YELLOW = 'argoproj/rollouts-demo:yellow';
const UID = '6f1c2d9e-0000-4000-8000-0000000000a1';
const NS = 'rollouts-demo';

const server = timeSkippingServerPerTest();

type Status = Record<string, unknown> & {
  phase?: string;
  metricResults?: (Record<string, unknown> & { measurements?: Record<string, unknown>[] })[];
  runSummary?: Record<string, number>;
};

/**
 * The seed rollout (its background analysis from step 1) with its template measuring at once and every
 * second: the runs measure in wall-clock time, without env.sleep (which, once the rollout has
 * continued as new, can find the test server's time skipping locked and take its full length).
 */
function fastSeed(): RolloutDefinition {
  const text = fs
    .readFileSync(path.join(seedDir, '04-analysistemplate.yaml'), 'utf8')
    .replace('initialDelay: 60s', 'initialDelay: 0s')
    .replace('interval: 20s', 'interval: 1s');
  const loaded = loadManifests(text, '04-analysistemplate.yaml');
  if (loaded.errors.length) throw new Error(loaded.errors.map((e) => e.message).join('\n'));
  const seed = seedRollout();
  const { analysisTemplates: _, ...rest } = seed;
  const attached = attachAnalysisTemplates(rest, loaded.analysisTemplates);
  if (attached.errors.length) throw new Error(attached.errors.join('\n'));
  return attached.rollout;
}

/** blue deployed from its object, then yellow (generation 2): the canary paused at step 1. */
async function yellowFromObject(def: RolloutDefinition = seedRollout()): Promise<RolloutHarness> {
  const h = server.harness(def);
  await h.start();
  await h.rollouts.deployFromCluster(def, { uid: UID, generation: 1 });
  await h.healthyOn(podTemplateHash(def.template));
  await h.rollouts.deployFromCluster(withImage(def, YELLOW), { uid: UID, generation: 2 });
  return h;
}

function objectOf(h: RolloutHarness, name: string) {
  const object = h.cluster.analysisRuns.get(name);
  if (!object) throw new Error(`no AnalysisRun ${name}: ${[...h.cluster.analysisRuns.keys()].join(', ')}`);
  return { ...object, status: object.status as Status };
}

/** Waits (a little wall-clock time: the writes follow the run's state) until the object shows `done`. */
async function objectShows(h: RolloutHarness, name: string, what: string, done: (s: Status) => boolean) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const object = h.cluster.analysisRuns.get(name);
    if (object && done(object.status)) return objectOf(h, name);
    if (Date.now() > deadline)
      throw new Error(`AnalysisRun ${name} never showed ${what}: ${JSON.stringify(object?.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('AnalysisRun objects of a rollout driven by its Rollout object', () => {
  it('mirrors the background run under Argo’s name, labels and owner, from its first write to its end', async () => {
    const h = await yellowFromObject(fastSeed());
    await h.pausedAt(1);
    const hash = podTemplateHash(withImage(seedRollout(), YELLOW).template);
    const name = `myapp-${hash}-2`;
    let object = await objectShows(h, name, 'a status', (s) => s.phase !== undefined);
    expect(object.metadata.labels).toEqual({
      'rollouts-pod-template-hash': hash,
      'rollout-type': 'Background',
      app: 'myapp',
    });
    expect(object.metadata.annotations['rollout.argoproj.io/revision']).toBe('2');
    expect(object.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'myapp',
        uid: UID,
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(object.spec.metrics).toEqual([
      expect.objectContaining({
        name: 'success-rate',
        interval: '1s',
        failureLimit: 3,
      }),
    ]);

    object = await objectShows(h, name, '3 measurements', (s) => Number(s.metricResults?.[0]?.count) >= 3);
    expect(object.status).toMatchObject({
      phase: 'Running',
      metricResults: [{ name: 'success-rate', phase: 'Running' }],
      runSummary: { count: 1 },
    });
    const result = object.status.metricResults?.[0];
    expect(result?.successful).toBe(result?.count);
    expect(result?.measurements?.map((m) => [m.phase, m.value])).toEqual(
      Array.from({ length: Math.min(Number(result?.count), 10) }, () => ['Successful', '[0.99]']),
    );

    // An abort ends the run (terminated: Successful, as Argo's); the object says so before the rollout goes on.
    await h.rollouts.abort(NS, 'myapp');
    object = await objectShows(h, name, 'its end', (s) => s.completedAt !== undefined);
    expect(object.spec.terminate).toBe(true);
    expect(object.status).toMatchObject({ phase: 'Successful', runSummary: { count: 1, successful: 1 } });

    // retry (once aborted): a new run of the same revision takes Argo's next name.
    await h.waitFor('aborted', (s) => s.aborted && s.phase === 'Degraded');
    await h.rollouts.retry(NS, 'myapp');
    await h.waitFor(
      'retried at step 1',
      (s) => s.phase === 'Paused' && !s.aborted && s.analysisRuns.length === 2,
    );
    object = await objectShows(
      h,
      `${name}.1`,
      'its first measurement',
      (s) => Number(s.metricResults?.[0]?.count) >= 1,
    );
    expect(object.metadata.annotations['rollouts.temporal.io/workflow-id']).toBe(
      (await h.status()).analysisRuns[1]?.workflowId,
    );
    // The first run's object is left as it ended.
    expect(objectOf(h, name).status.phase).toBe('Successful');

    await h.rollouts.promote(NS, 'myapp', true);
    await h.waitFor('Healthy on yellow', (s) => s.phase === 'Healthy' && s.stableRevision?.revision === 2);
    object = await objectShows(h, `${name}.1`, 'its end', (s) => s.completedAt !== undefined);
    expect(object.status.phase).toBe('Successful');

    // Each run's writes rise one by one, the first with the spec, later ones without it; at most one
    // write per change (coalesced), and none in the rollout's own history.
    const workflows = new Map<string, number[]>();
    for (const write of h.cluster.analysisRunWrites)
      workflows.set(write.workflowId, [...(workflows.get(write.workflowId) ?? []), write.sequence]);
    for (const sequences of workflows.values())
      expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, i) => i + 1));
    const writes = h.cluster.analysisRunWrites;
    expect(writes.filter((w) => w.spec !== undefined).map((w) => w.sequence)).toEqual([1, 1]);
    expect(writes.length).toBeLessThanOrEqual(h.cluster.measured.length + 2 * 3);
    expect(writes.filter((w) => w.prune).length).toBe(2);
    const history = await server.env.client.workflow.getHandle(h.workflowId).fetchHistory();
    const scheduled = (history.events ?? []).map(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name,
    );
    expect(scheduled).not.toContain('mirrorAnalysisRun');
    expect(scheduled).not.toContain('measure');

    // The runs' histories hold the patch marker and their writes, and replay against the code.
    for (const ref of (await h.status()).analysisRuns) {
      const run = await server.env.client.workflow.getHandle(ref.workflowId).fetchHistory();
      const events = run.events ?? [];
      const markers = events
        .filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
        .flatMap((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}))
        .flatMap((payloads) => payloads.payloads ?? [])
        .map((payload) => Buffer.from(payload.data ?? []).toString('utf8'));
      expect(markers.join(' ')).toContain('analysis-run-object');
      expect(events.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)).toContain(
        'mirrorAnalysisRun',
      );
      await Worker.runReplayHistory(
        { workflowBundle: await workflowBundle(), replayName: ref.workflowId },
        run,
      );
    }
    await Worker.runReplayHistory(
      { workflowBundle: await workflowBundle(), replayName: h.workflowId },
      history,
    );
    await h.saveHistories('analysis-run-object');
  });

  it('names a step’s run with its index and shows its failure', async () => {
    const loaded = loadManifests(
      `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: quick, namespace: ${NS}}
spec:
  metrics:
  - name: rate
    count: 2
    interval: 5s
    successCondition: result[0] > 0.9
    provider: {prometheus: {address: 'http://prometheus:9090', query: q}}
`,
      'quick.yaml',
    );
    expect(loaded.errors).toEqual([]);
    const seed = seedRollout();
    const steps: CanaryStep[] = [
      { kind: 'setWeight', weight: 20 },
      { kind: 'analysis', templates: [{ templateName: 'quick', clusterScope: false }], args: [] },
      { kind: 'pause' },
    ];
    const { analysis: _, ...canary } = seed.canary;
    const attached = attachAnalysisTemplates(
      { ...seed, canary: { ...canary, steps } },
      loaded.analysisTemplates,
    );
    expect(attached.errors).toEqual([]);
    const h = await yellowFromObject(attached.rollout);
    h.cluster.metric = { value: [0.3] };
    await h.waitFor('aborted by the step’s analysis', (s) => s.aborted);
    const hash = podTemplateHash(withImage(seed, YELLOW).template);
    const object = objectOf(h, `myapp-${hash}-2-1`);
    expect(object.metadata.labels).toEqual({
      'rollouts-pod-template-hash': hash,
      'rollout-type': 'Step',
      'step-index': '1',
      app: 'myapp',
    });
    expect(object.status).toMatchObject({
      phase: 'Failed',
      metricResults: [{ name: 'rate', phase: 'Failed', count: 1, failed: 1 }],
      runSummary: { count: 1, failed: 1 },
    });
    expect(object.status.completedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('goes on when the cluster forbids the object', async () => {
    const h = await yellowFromObject(fastSeed());
    h.cluster.analysisRunFailure = 'analysisruns.argoproj.io is forbidden';
    await h.pausedAt(1);
    await h.waitFor('measured', () => h.cluster.measured.length >= 1);
    await h.rollouts.promote(NS, 'myapp', true);
    const s = await h.waitFor(
      'Healthy on yellow',
      (st) => st.phase === 'Healthy' && st.stableRevision?.revision === 2,
    );
    expect(s.analysisRuns[0]?.phase).toBe('Successful');
    expect(h.cluster.analysisRuns.size).toBe(0);
    // Tried at each change, not in a loop: the first write and at most one per change after.
    expect(h.cluster.analysisRunWrites.length).toBeGreaterThanOrEqual(2);
    expect(h.cluster.analysisRunWrites.length).toBeLessThanOrEqual(h.cluster.measured.length + 3);
  });

  it('writes none for a rollout driven by `rollouts apply`', async () => {
    const plain = server.harness(fastSeed());
    await plain.start();
    await plain.rollouts.apply(fastSeed());
    await plain.healthyOn(podTemplateHash(seedRollout().template));
    await plain.rollouts.setImage(NS, 'myapp', 'myapp', YELLOW);
    await plain.pausedAt(1);
    await plain.waitFor('measured', () => plain.cluster.measured.length >= 1);
    expect(plain.cluster.analysisRunWrites).toEqual([]);
  });

  it('keeps one object, its writes rising, across a run that continues as new', async () => {
    const h = server.harness(seedRollout());
    await h.start();
    const spec: AnalysisSpec = {
      name: 'long',
      namespace: NS,
      metrics: [
        {
          name: 'success-rate',
          intervalSeconds: 20,
          initialDelaySeconds: 0,
          count: 12,
          successCondition: 'result[0] > 0.9',
          failureLimit: 3,
          inconclusiveLimit: 0,
          consecutiveErrorLimit: 4,
          consecutiveSuccessLimit: 0,
          dryRun: false,
          measurementRetention: 10,
          provider: { prometheus: { address: 'http://prometheus:9090', query: 'q' } },
        },
      ],
      secretArgs: [],
    };
    const object = { rollout: 'myapp', uid: UID, selector: { app: 'myapp' }, podHash: 'abc123', revision: 3 };
    const handle = await server.env.client.workflow.start(analysisRunWorkflow, {
      workflowId: 'analysis:long',
      taskQueue: h.taskQueue,
      args: [{ spec, measurementsPerRun: 4, object: { ...object, kind: 'background' } }],
    });
    const result = await handle.result();
    expect(result).toMatchObject({ phase: 'Successful', metrics: [{ count: 12 }] });
    expect([...h.cluster.analysisRuns.keys()]).toEqual(['myapp-abc123-3']);
    const final = objectOf(h, 'myapp-abc123-3');
    expect(final.status).toMatchObject({
      phase: 'Successful',
      metricResults: [{ count: 12, successful: 12 }],
    });
    expect(final.status.metricResults?.[0]?.measurements).toHaveLength(10);
    const sequences = h.cluster.analysisRunWrites.map((w) => w.sequence);
    expect(sequences).toEqual(Array.from({ length: sequences.length }, (_, i) => i + 1));
    expect(h.cluster.analysisRunWrites.filter((w) => w.spec !== undefined)).toHaveLength(1);
    expect(h.cluster.analysisRunWrites.at(-1)?.prune).toBe(true);
  });
});
