// Latency (issue 13, item 1): how long from a user's action, or a failing measurement, to the change in
// the cluster a mesh or controller would see through a watch. Each figure is measured on a steady
// rollout (paused, its pods ready), one sample at a time, after a few warm-up samples not counted.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { RolloutStatus } from '../core/status.js';
import type { BenchLab } from './bench-lab.js';
import {
  alternatingSteps,
  BENCH_NAMESPACE,
  IMAGE,
  virtualServiceName,
  type BenchRollout,
} from './manifests.js';
import { patchUpdate } from './floor/workflow.js';
import { nowMs } from './stats.js';

interface Route {
  name?: string;
  route?: { destination: { host: string }; weight?: number }[];
}
type VirtualService = KubernetesObject & { spec?: { http?: Route[] } };

export interface LatencySamples {
  /** Milliseconds per sample, by figure name. */
  [figure: string]: number[];
}

const WARM_UP = 3;

/** The canary's weight in a bench VirtualService. */
function canaryWeight(vs: VirtualService): number | undefined {
  const route = vs.spec?.http?.find((r) => r.name === 'primary');
  return route?.route?.find((d) => d.destination.host.endsWith('-canary'))?.weight;
}

function weightIs(name: string, weight: number) {
  return (vs: VirtualService) =>
    vs.metadata?.name === virtualServiceName(name) && canaryWeight(vs) === weight;
}

/** Polls the status query until `done` (the bench's own waits between samples, never timed). */
async function waitStatus(
  lab: BenchLab,
  name: string,
  what: string,
  done: (s: RolloutStatus) => boolean,
  timeoutMs = 60_000,
): Promise<RolloutStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: RolloutStatus | undefined;
  for (;;) {
    last = await lab.rollouts.status(BENCH_NAMESPACE, name);
    if (done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(
        `${name}: not ${what} within ${timeoutMs} ms (phase ${last.phase}, step ${last.currentStepIndex}: ${last.message})`,
      );
    await new Promise((r) => setTimeout(r, 25));
  }
}

const pausedAt = (step: number) => (s: RolloutStatus) => s.phase === 'Paused' && s.currentStepIndex === step;

/** Applies a rollout and takes it to its first canary pause (its first deploy goes straight to stable). */
async function startCanary(lab: BenchLab, rollout: BenchRollout, image = 2): Promise<void> {
  await lab.applyRollout(rollout);
  await waitStatus(lab, rollout.name, 'Healthy', (s) => s.phase === 'Healthy');
  await lab.rollouts.setImage(BENCH_NAMESPACE, rollout.name, 'app', `${IMAGE}:${image}`);
  await waitStatus(lab, rollout.name, 'paused at step 1', pausedAt(1));
}

/** promote → the next setWeight's weight in the VirtualService, and the promote update's round trip. */
export async function promoteToWeight(lab: BenchLab, samples: number, out: LatencySamples): Promise<void> {
  const pairs = 26;
  const name = 'lat-promote';
  await startCanary(lab, { name, steps: alternatingSteps(pairs) });
  let image = 2;
  let step = 1; // the pause it waits at
  for (let i = 0; i < samples + WARM_UP; i++) {
    if (step >= pairs * 2 - 1) {
      // The last pause: a new revision starts the steps again.
      image++;
      await lab.rollouts.setImage(BENCH_NAMESPACE, name, 'app', `${IMAGE}:${image}`);
      step = 1;
      await waitStatus(lab, name, 'paused at step 1', pausedAt(1));
    }
    const weight = ((step + 1) / 2) % 2 === 1 ? 20 : 10; // the weight of step `step + 1`
    const seen = lab.virtualServices.next(`${name} at ${weight}%`, weightIs(name, weight));
    const sent = nowMs();
    await lab.rollouts.promote(BENCH_NAMESPACE, name);
    const answered = nowMs();
    const at = await seen;
    if (i >= WARM_UP) {
      (out['promote update, round trip'] ??= []).push(answered - sent);
      (out['promote → weight written'] ??= []).push(at - sent);
    }
    step += 2;
    await waitStatus(lab, name, `paused at step ${step}`, pausedAt(step));
  }
}

/** abort → weight 0, then retry back to the canary's first pause. */
export async function abortToZero(lab: BenchLab, samples: number, out: LatencySamples): Promise<void> {
  const name = 'lat-abort';
  await startCanary(lab, { name, steps: [{ setWeight: 10 }, { pause: {} }] });
  for (let i = 0; i < samples + WARM_UP; i++) {
    const seen = lab.virtualServices.next(`${name} at 0%`, weightIs(name, 0));
    const sent = nowMs();
    await lab.rollouts.abort(BENCH_NAMESPACE, name);
    const at = await seen;
    if (i >= WARM_UP) (out['abort → weight 0'] ??= []).push(at - sent);
    await waitStatus(lab, name, 'Degraded', (s) => s.phase === 'Degraded');
    await lab.rollouts.retry(BENCH_NAMESPACE, name);
    await waitStatus(lab, name, 'paused at step 1', pausedAt(1));
  }
}

/**
 * A failing measurement → weight 0, from the moment the server recorded the measurement activity's
 * completion (the AnalysisRun's history) to the watch seeing the weight at 0.
 */
export async function failingMeasurementToZero(
  lab: BenchLab,
  samples: number,
  out: LatencySamples,
): Promise<void> {
  const name = 'lat-measure';
  const key = name;
  await startCanary(lab, {
    name,
    steps: [{ setWeight: 10 }, { pause: {} }],
    analysis: { url: lab.metrics.urlFor(key), intervalSeconds: 1 },
  });
  for (let i = 0; i < samples + WARM_UP; i++) {
    // At least one successful measurement of this run first, so the failure is a later one.
    const before = lab.metrics.arrivals.get(key)?.length ?? 0;
    while ((lab.metrics.arrivals.get(key)?.length ?? 0) <= before)
      await new Promise((r) => setTimeout(r, 20));
    const status = await lab.rollouts.status(BENCH_NAMESPACE, name);
    const run = status.analysisRuns.filter((r) => r.kind === 'background').at(-1);
    if (!run) throw new Error(`${name}: no background AnalysisRun while paused`);
    const seen = lab.virtualServices.next(`${name} at 0%`, weightIs(name, 0));
    lab.metrics.fail(key);
    const at = await seen;
    const completed = await lab.lastCompletion(run.workflowId, 'measure');
    if (i >= WARM_UP) (out['failing measurement → weight 0'] ??= []).push(at - completed);
    lab.metrics.fail(key, false);
    await waitStatus(lab, name, 'Degraded', (s) => s.phase === 'Degraded');
    await lab.rollouts.retry(BENCH_NAMESPACE, name);
    await waitStatus(lab, name, 'paused at step 1', pausedAt(1));
  }
}

/** `set image` → the new canary ReplicaSet created (seen by a watch of ReplicaSets). */
export async function setImageToReplicaSet(
  lab: BenchLab,
  samples: number,
  out: LatencySamples,
): Promise<void> {
  const name = 'lat-image';
  await startCanary(lab, { name, steps: [{ setWeight: 10 }, { pause: {} }] });
  for (let i = 0; i < samples + WARM_UP; i++) {
    const image = `${IMAGE}:${i + 3}`;
    const seen = lab.replicaSets.next(
      `${name}'s ReplicaSet of ${image}`,
      (rs, type) =>
        type === 'ADDED' &&
        rs.metadata?.labels?.app === name &&
        (rs as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } }).spec?.template
          ?.spec?.containers?.[0]?.image === image,
    );
    const sent = nowMs();
    await lab.rollouts.setImage(BENCH_NAMESPACE, name, 'app', image);
    const at = await seen;
    if (i >= WARM_UP) (out['set image → canary ReplicaSet created'] ??= []).push(at - sent);
    await waitStatus(lab, name, 'paused at step 1', pausedAt(1));
  }
}

/** The floor: a bare workflow's update → one activity → one PATCH of the weight, seen by the watch. */
export async function floor(lab: BenchLab, samples: number, out: LatencySamples): Promise<void> {
  const name = 'lat-floor';
  await lab.createClusterObjects({ name, steps: [] });
  const handle = await lab.startFloor({
    namespace: BENCH_NAMESPACE,
    virtualService: virtualServiceName(name),
  });
  for (let i = 0; i < samples + WARM_UP; i++) {
    const weight = i % 2 === 0 ? 20 : 10;
    const seen = lab.virtualServices.next(`${name} at ${weight}%`, weightIs(name, weight));
    const sent = nowMs();
    await handle.executeUpdate(patchUpdate, { args: [weight] });
    const at = await seen;
    if (i >= WARM_UP) (out['floor: bare workflow, one activity, one PATCH'] ??= []).push(at - sent);
    await new Promise((r) => setTimeout(r, 20));
  }
}
