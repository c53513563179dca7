// The rollout workflow on the real time-skipping test server, activities faked: Argo's canary
// semantics step by step, with the status asserted at every stop and the cluster calls in order.
import { describe, expect, it } from '@jest/globals';
import { ActionRejectedError } from '../../client/rollouts-client.js';
import { podTemplateHash } from '../../core/hash.js';
import type { RolloutDefinition } from '../../core/types.js';
import {
  timeSkippingServerPerTest,
  type RolloutHarness,
  seedRollout,
  withImage,
} from '../support/rollout-harness.js';
import { waitUntil } from '../support/temporal-env.js';

const BLUE = 'argoproj/rollouts-demo:blue';
const YELLOW = 'argoproj/rollouts-demo:yellow';
const GREEN = 'argoproj/rollouts-demo:green';

const server = timeSkippingServerPerTest();

const hashOf = (def: RolloutDefinition, image: string) => podTemplateHash(withImage(def, image).template);

/** A harness with blue deployed and Healthy, calls cleared. */
async function blueDeployed(def: RolloutDefinition = seedRollout()): Promise<RolloutHarness> {
  const harness = server.harness(def);
  await harness.start();
  const applied = await harness.rollouts.apply(def);
  expect(applied.started).toBe(true);
  await harness.healthyOn(hashOf(def, BLUE));
  harness.cluster.calls = [];
  return harness;
}

async function setImage(h: RolloutHarness, image: string): Promise<string> {
  const result = await h.rollouts.setImage(h.namespace, h.name, 'myapp', image);
  return result.message;
}

describe('first revision', () => {
  it('goes straight to full scale and points both Services at it', async () => {
    const def = seedRollout();
    const harness = server.harness(def);
    await harness.start();
    await harness.rollouts.apply(def);
    const blue = hashOf(def, BLUE);
    const status = await harness.healthyOn(blue);

    expect(harness.cluster.calls).toEqual([
      `ensureReplicaSet myapp-${blue} 1`,
      `waitForReplicaSetAvailable myapp-${blue} 1`,
      `setServiceSelector myapp-stable-svc ${blue}`,
      `setServiceSelector myapp-canary-svc ${blue}`,
      'setTrafficWeight 0',
    ]);
    expect(status).toMatchObject({
      phase: 'Healthy',
      currentStepIndex: 8,
      aborted: false,
      pauseConditions: [],
      weights: { canary: 0, stable: 100, verified: true },
      stableRevision: { revision: 1, podTemplateHash: blue, images: { myapp: BLUE } },
      replicaSets: [{ name: `myapp-${blue}`, role: 'stable', desiredReplicas: 1, availableReplicas: 1 }],
    });
    expect(status.canaryRevision).toBeUndefined();
    expect(status.steps.map((s) => s.text)).toEqual([
      'setWeight: 20',
      'pause: until promoted',
      'setWeight: 40',
      'pause: 60s',
      'setWeight: 60',
      'pause: 60s',
      'setWeight: 80',
      'pause: 60s',
    ]);
    await harness.saveHistories('first-deploy');
  });
});

describe("the seed's canary", () => {
  it('runs all 8 steps: 20 → pause → 40 → 60 → 80 → full promotion, old ReplicaSet down after 30s', async () => {
    const h = await blueDeployed();
    const blue = hashOf(h.def, BLUE);
    const yellow = hashOf(h.def, YELLOW);

    expect(await setImage(h, YELLOW)).toContain(`revision 2 (${yellow}) accepted`);
    let s = await h.pausedAt(1);
    expect(s).toMatchObject({
      phase: 'Paused',
      message: 'CanaryPauseStep: waiting for promote',
      weights: { canary: 20, stable: 80, verified: true },
      stableRevision: { revision: 1, podTemplateHash: blue },
      canaryRevision: { revision: 2, podTemplateHash: yellow, images: { myapp: YELLOW } },
    });
    expect(s.pauseConditions).toEqual([{ reason: 'CanaryPauseStep', startTime: expect.any(String) }]);
    expect(h.cluster.calls).toEqual([
      `ensureReplicaSet myapp-${yellow} 0`,
      `setServiceSelector myapp-stable-svc ${blue}`,
      `setServiceSelector myapp-canary-svc ${yellow}`,
      `scaleReplicaSet myapp-${yellow} 1`,
      `waitForReplicaSetAvailable myapp-${yellow} 1`,
      'setTrafficWeight 20',
    ]);
    expect(h.cluster.selectors.get('myapp-stable-svc')).toBe(blue);
    expect(h.cluster.selectors.get('myapp-canary-svc')).toBe(yellow);

    expect((await h.rollouts.promote(h.namespace, h.name)).message).toContain(
      'next is step 3 (setWeight: 40)',
    );
    s = await h.pausedAt(3);
    // The status says which hash each Service selects, as Argo's status.canary.weights.
    expect(s.weights).toEqual({
      canary: 40,
      stable: 60,
      verified: true,
      canaryPodTemplateHash: yellow,
      stablePodTemplateHash: blue,
    });
    const pause = s.pauseConditions[0];
    expect(pause?.reason).toBe('CanaryPauseStep');
    expect(Date.parse(pause?.until ?? '') - Date.parse(pause?.startTime ?? '')).toBe(60_000);

    // Timed pauses elapse by themselves.
    await server.env.sleep('60s');
    s = await h.pausedAt(5);
    expect(s.weights).toMatchObject({ canary: 60, stable: 40, verified: true });
    await server.env.sleep('60s');
    s = await h.pausedAt(7);
    expect(s.weights).toMatchObject({ canary: 80, stable: 20, verified: true });
    await server.env.sleep('60s');

    s = await h.healthyOn(yellow);
    expect(s).toMatchObject({
      phase: 'Healthy',
      currentStepIndex: 8,
      weights: {
        canary: 0,
        stable: 100,
        verified: true,
        canaryPodTemplateHash: yellow,
        stablePodTemplateHash: yellow,
      },
      stableRevision: { revision: 2, podTemplateHash: yellow },
    });
    expect(s.canaryRevision).toBeUndefined();
    expect(h.cluster.selectors.get('myapp-stable-svc')).toBe(yellow);
    expect(h.cluster.selectors.get('myapp-canary-svc')).toBe(yellow);
    expect(h.cluster.callsOf('setTrafficWeight')).toEqual([
      'setTrafficWeight 20',
      'setTrafficWeight 40',
      'setTrafficWeight 60',
      'setTrafficWeight 80',
      'setTrafficWeight 0',
    ]);
    // The old stable keeps its pods for scaleDownDelaySeconds (30), then goes to zero.
    const old = s.replicaSets.find((rs) => rs.podTemplateHash === blue);
    expect(old).toMatchObject({ role: 'old', desiredReplicas: 1, scaleDownAt: expect.any(String) });
    expect(h.cluster.replicaSets.get(`myapp-${blue}`)?.replicas).toBe(1);

    await server.env.sleep('31s');
    s = await h.waitFor('old ReplicaSet scaled down', (st) =>
      st.replicaSets.some((rs) => rs.podTemplateHash === blue && rs.desiredReplicas === 0),
    );
    expect(s.replicaSets.find((rs) => rs.podTemplateHash === blue)?.scaleDownAt).toBeUndefined();
    expect(h.cluster.replicaSets.get(`myapp-${blue}`)?.replicas).toBe(0);
    expect(h.cluster.replicaSets.get(`myapp-${yellow}`)?.replicas).toBe(1);
    // Pruned at the promotion (as Argo does at once) and again after the scale-down.
    expect(h.cluster.callsOf('pruneReplicaSets')).toEqual(['pruneReplicaSets 2', 'pruneReplicaSets 2']);
    await h.saveHistories('seed-canary');
  });

  it('ends a timed pause early on promote', async () => {
    const h = await blueDeployed();
    await setImage(h, YELLOW);
    await h.pausedAt(1);
    await h.rollouts.promote(h.namespace, h.name);
    const first = await h.pausedAt(3);
    await h.rollouts.promote(h.namespace, h.name);
    const second = await h.pausedAt(5);
    // No time was skipped: the 60 s pause ended when promoted, not when its timer fired.
    const elapsed =
      Date.parse(second.pauseConditions[0]?.startTime ?? '') -
      Date.parse(first.pauseConditions[0]?.startTime ?? '');
    expect(elapsed).toBeLessThan(60_000);
    expect(second.weights.canary).toBe(60);
    await h.saveHistories('pause-promoted');
  });

  it('skips every remaining step on promote --full', async () => {
    const h = await blueDeployed();
    const yellow = hashOf(h.def, YELLOW);
    await setImage(h, YELLOW);
    await h.pausedAt(1);
    expect((await h.rollouts.promote(h.namespace, h.name, true)).message).toContain(
      'skipping the remaining steps',
    );
    const s = await h.healthyOn(yellow);
    expect(s.weights).toMatchObject({ canary: 0, stable: 100, verified: true });
    expect(h.cluster.callsOf('setTrafficWeight')).toEqual(['setTrafficWeight 20', 'setTrafficWeight 0']);
    expect(h.cluster.selectors.get('myapp-stable-svc')).toBe(yellow);
    await h.saveHistories('promote-full');
  });
});

describe('abort and retry', () => {
  it('sends traffic back to stable, scales the canary down after 30s, and retry starts the steps over', async () => {
    const h = await blueDeployed();
    const blue = hashOf(h.def, BLUE);
    const yellow = hashOf(h.def, YELLOW);
    await setImage(h, YELLOW);
    await h.pausedAt(1);

    expect((await h.rollouts.abort(h.namespace, h.name)).message).toContain('aborting myapp');
    let s = await h.waitFor('aborted and rolled back', (st) => st.aborted && st.weights.canary === 0);
    expect(s).toMatchObject({
      phase: 'Degraded',
      currentStepIndex: 0,
      aborted: true,
      abortedAt: expect.any(String),
      weights: { canary: 0, stable: 100, verified: true },
      stableRevision: { podTemplateHash: blue },
      canaryRevision: { podTemplateHash: yellow },
      pauseConditions: [],
    });
    expect(s.message).toMatch(/^RolloutAborted: aborted by user/);
    expect(h.cluster.selectors.get('myapp-canary-svc')).toBe(blue);
    expect(h.cluster.replicaSets.get(`myapp-${yellow}`)?.replicas).toBe(1);

    // Abort does not apply twice, promote does not apply to an aborted rollout.
    await expect(h.rollouts.abort(h.namespace, h.name)).rejects.toThrow('myapp is already aborted');
    await expect(h.rollouts.promote(h.namespace, h.name)).rejects.toThrow(ActionRejectedError);

    await server.env.sleep('31s');
    await waitUntil(
      () => Promise.resolve(h.cluster.replicaSets.get(`myapp-${yellow}`)?.replicas),
      (r) => r === 0,
      'canary scaled down after abortScaleDownDelaySeconds',
    );

    expect((await h.rollouts.retry(h.namespace, h.name)).message).toBe('retrying myapp from step 1');
    s = await h.pausedAt(1);
    expect(s).toMatchObject({ aborted: false, weights: { canary: 20, stable: 80 } });
    expect(s.conditions.find((c) => c.type === 'Aborted')).toBeUndefined();
    expect(h.cluster.replicaSets.get(`myapp-${yellow}`)?.replicas).toBe(1);
    expect(h.cluster.selectors.get('myapp-canary-svc')).toBe(yellow);
    await h.saveHistories('abort-retry');
  });

  it('answers at once when an action does not apply', async () => {
    const h = await blueDeployed();
    await expect(h.rollouts.promote(h.namespace, h.name)).rejects.toThrow(
      'nothing to promote: myapp is Healthy',
    );
    await expect(h.rollouts.abort(h.namespace, h.name)).rejects.toThrow('nothing to abort: myapp is Healthy');
    await expect(h.rollouts.retry(h.namespace, h.name)).rejects.toThrow(
      'nothing to retry: myapp is Healthy, not aborted',
    );
    await expect(h.rollouts.setImage(h.namespace, h.name, 'sidecar', YELLOW)).rejects.toThrow(
      'myapp has no container "sidecar" (containers: myapp)',
    );
    expect(await setImage(h, BLUE)).toContain('unchanged');
    // Nothing of that reached the history or the cluster.
    expect(h.cluster.calls).toEqual([]);
    expect((await h.status()).phase).toBe('Healthy');
  });

  it('aborts by itself when the traffic router fails permanently, naming the route', async () => {
    const h = await blueDeployed();
    h.cluster.weightFailure = 'VirtualService rollouts-demo/myapp-vsvc: HTTP route "primary" not found';
    await setImage(h, YELLOW);
    const s = await h.waitFor('aborted', (st) => st.aborted);
    expect(s.phase).toBe('Degraded');
    expect(s.message).toContain('HTTP route "primary" not found');
    await h.saveHistories('permanent-failure');
  });

  it('without a traffic router scales the canary down at once, as Argo does', async () => {
    const seed = seedRollout();
    const { trafficRouting: _, ...canary } = seed.canary;
    // What the manifest normalizes to without a router, whatever it says (lint refuses it said).
    const def: RolloutDefinition = { ...seed, canary: { ...canary, abortScaleDownDelaySeconds: 0 } };
    const h = await blueDeployed(def);
    const yellow = hashOf(def, YELLOW);
    await setImage(h, YELLOW);
    await h.pausedAt(1);
    expect(h.cluster.replicaSets.get(`myapp-${yellow}`)?.replicas).toBeGreaterThan(0);

    await h.rollouts.abort(h.namespace, h.name);
    const s = await h.waitFor(
      'aborted, canary at 0',
      (st) =>
        st.aborted && st.replicaSets.some((rs) => rs.podTemplateHash === yellow && rs.desiredReplicas === 0),
    );
    expect(s.replicaSets.find((rs) => rs.podTemplateHash === yellow)?.scaleDownAt).toBeUndefined();
    expect(h.cluster.replicaSets.get(`myapp-${yellow}`)?.replicas).toBe(0);
    expect(h.cluster.callsOf('setTrafficWeight')).toEqual([]);
    await h.saveHistories('abort-without-router');
  });
});

describe('dynamicStableScale: traffic never to fewer available pods than its share', () => {
  /** The seed at 10 replicas with dynamicStableScale: at 20 % the stable keeps 8 pods. */
  function dynamic(): RolloutDefinition {
    const seed = seedRollout();
    return { ...seed, replicas: 10, canary: { ...seed.canary, dynamicStableScale: true } };
  }

  /** Blue deployed, yellow paused at 20 %. */
  async function atFirstPause(def: RolloutDefinition = dynamic()) {
    const h = await blueDeployed(def);
    const blue = hashOf(def, BLUE);
    const yellow = hashOf(def, YELLOW);
    await setImage(h, YELLOW);
    await h.pausedAt(1);
    return { h, blue, yellow };
  }

  /** Waits until the workflow waits for the stable's 10 pods; the weight must not have moved yet. */
  async function heldOnStable(h: RolloutHarness, blue: string): Promise<void> {
    await waitUntil(
      () => Promise.resolve(h.cluster.calls),
      (calls) => calls.includes(`waitForReplicaSetAvailable myapp-${blue} 10`),
      'waiting for the stable to be available again',
    );
    expect(h.cluster.weights.canary).toBe(20);
    expect(h.cluster.callsOf('setTrafficWeight')).toEqual([]);
  }

  it('an abort scales the stable back up and moves traffic to it only once it is available', async () => {
    const { h, blue } = await atFirstPause();
    expect(h.cluster.replicaSets.get(`myapp-${blue}`)?.replicas).toBe(8);

    h.cluster.stuck.add(`myapp-${blue}`);
    h.cluster.calls = [];
    await h.rollouts.abort(h.namespace, h.name);
    await heldOnStable(h, blue);
    h.cluster.stuck.clear();
    await h.waitFor('rolled back', (st) => st.aborted && st.weights.canary === 0);
    expect(h.cluster.calls.slice(0, 3)).toEqual([
      `scaleReplicaSet myapp-${blue} 10`,
      `waitForReplicaSetAvailable myapp-${blue} 10`,
      'setTrafficWeight 0',
    ]);
    await h.saveHistories('dynamic-stable-abort');
  });

  it('a newer revision does the same before it drops the old canary', async () => {
    const { h, blue, yellow } = await atFirstPause();
    h.cluster.stuck.add(`myapp-${blue}`);
    h.cluster.calls = [];
    await setImage(h, GREEN);
    await heldOnStable(h, blue);
    h.cluster.stuck.clear();
    const s = await h.pausedAt(1);
    expect(s.canaryRevision?.images['myapp']).toBe(GREEN);
    expect(h.cluster.calls.slice(0, 4)).toEqual([
      `scaleReplicaSet myapp-${blue} 10`,
      `waitForReplicaSetAvailable myapp-${blue} 10`,
      'setTrafficWeight 0',
      `scaleReplicaSet myapp-${yellow} 0`,
    ]);
  });

  it("sizes the stable by a setCanaryScale too, as Argo's replica math", async () => {
    const base = dynamic();
    const def: RolloutDefinition = {
      ...base,
      canary: {
        ...base.canary,
        steps: [
          { kind: 'setWeight', weight: 40 },
          { kind: 'setCanaryScale', replicas: 2 },
          { kind: 'pause' },
        ],
      },
    };
    const h = await blueDeployed(def);
    const blue = hashOf(def, BLUE);
    const yellow = hashOf(def, YELLOW);
    await setImage(h, YELLOW);
    await h.pausedAt(2);
    // At 40 % the stable had 6 pods; a canary pinned at 2 pods leaves the stable all 10.
    expect(h.cluster.callsOf(`scaleReplicaSet myapp-${blue}`)).toEqual([
      `scaleReplicaSet myapp-${blue} 6`,
      `scaleReplicaSet myapp-${blue} 10`,
    ]);
    expect(h.cluster.replicaSets.get(`myapp-${yellow}`)?.replicas).toBe(2);
    await h.saveHistories('dynamic-stable-canary-scale');
  });

  it('a promotion scales the old stable down at once, not after scaleDownDelaySeconds', async () => {
    const { h, blue, yellow } = await atFirstPause();
    await h.rollouts.promote(h.namespace, h.name, true);
    const s = await h.healthyOn(yellow);
    // Due at once (a scale-down timer of 0, which may not have fired when the status is read).
    const old = s.replicaSets.find((rs) => rs.podTemplateHash === blue);
    if (old?.scaleDownAt !== undefined)
      expect(Date.parse(old.scaleDownAt)).toBeLessThanOrEqual(Date.parse(s.updatedAt));
    await waitUntil(
      () => Promise.resolve(h.cluster.replicaSets.get(`myapp-${blue}`)?.replicas),
      (replicas) => replicas === 0,
      'old stable scaled down',
    );
    await h.saveHistories('dynamic-stable-promote');
  });
});

describe('someone else edits a Service selector', () => {
  it('is put back at the next weight step, at the abort and at the promotion', async () => {
    const h = await blueDeployed();
    const blue = hashOf(h.def, BLUE);
    const yellow = hashOf(h.def, YELLOW);
    await setImage(h, YELLOW);
    await h.pausedAt(1);

    // By hand, while paused: the canary Service back on blue. Nothing changes until the next step.
    h.cluster.selectors.set('myapp-canary-svc', blue);
    h.cluster.calls = [];
    await h.rollouts.promote(h.namespace, h.name);
    await h.pausedAt(3);
    // The canary's count does not change at 40%: one activity looks at its pods, puts both
    // selectors back and moves the weight.
    expect(h.cluster.calls).toEqual([
      `shiftTraffic myapp-${yellow} 1`,
      `  setServiceSelector myapp-stable-svc ${blue}`,
      `  setServiceSelector myapp-canary-svc ${yellow}`,
      '  setTrafficWeight 40',
    ]);
    expect(h.cluster.selectors.get('myapp-canary-svc')).toBe(yellow);

    // The stable Service on the canary: the abort puts it back on stable.
    h.cluster.selectors.set('myapp-stable-svc', yellow);
    await h.rollouts.abort(h.namespace, h.name);
    // The abort is reported before its rollback ends; the Services' hashes in the status say when it has.
    await h.waitFor(
      'aborted and rolled back',
      (st) =>
        st.aborted &&
        st.weights.canary === 0 &&
        st.weights.canaryPodTemplateHash === blue &&
        st.weights.stablePodTemplateHash === blue,
    );
    expect(h.cluster.selectors.get('myapp-stable-svc')).toBe(blue);
    expect(h.cluster.selectors.get('myapp-canary-svc')).toBe(blue);

    // Retried, then the canary Service edited again: the full promotion points both at yellow.
    await h.rollouts.retry(h.namespace, h.name);
    await h.pausedAt(1);
    h.cluster.selectors.set('myapp-canary-svc', 'someone-elses');
    await h.rollouts.promote(h.namespace, h.name, true);
    await h.healthyOn(yellow);
    expect(h.cluster.selectors.get('myapp-stable-svc')).toBe(yellow);
    expect(h.cluster.selectors.get('myapp-canary-svc')).toBe(yellow);
    await h.saveHistories('foreign-selector-edits');
  });
});

describe('a new revision in the middle of a canary', () => {
  it('abandons the old canary (no traffic, no pods) and starts the newest at step 0', async () => {
    const h = await blueDeployed();
    const yellow = hashOf(h.def, YELLOW);
    const green = hashOf(h.def, GREEN);
    await setImage(h, YELLOW);
    await h.pausedAt(1);
    h.cluster.calls = [];

    expect(await setImage(h, GREEN)).toContain(`revision 3 (${green}) accepted`);
    const s = await h.waitFor(
      'green paused at step 1',
      (st) => st.phase === 'Paused' && st.canaryRevision?.podTemplateHash === green,
    );
    expect(s).toMatchObject({
      currentStepIndex: 1,
      weights: { canary: 20, stable: 80 },
      canaryRevision: { revision: 3 },
    });
    expect(h.cluster.calls.slice(0, 4)).toEqual([
      'setTrafficWeight 0',
      `scaleReplicaSet myapp-${yellow} 0`,
      `ensureReplicaSet myapp-${green} 0`,
      `setServiceSelector myapp-stable-svc ${hashOf(h.def, BLUE)}`,
    ]);
    expect(h.cluster.replicaSets.get(`myapp-${yellow}`)?.replicas).toBe(0);
    expect(s.replicaSets.find((rs) => rs.podTemplateHash === yellow)).toMatchObject({
      role: 'old',
      desiredReplicas: 0,
    });
    await h.saveHistories('superseded');
  });

  it('goes straight back to Healthy when the new template is the stable one', async () => {
    const h = await blueDeployed();
    const blue = hashOf(h.def, BLUE);
    const yellow = hashOf(h.def, YELLOW);
    await setImage(h, YELLOW);
    await h.pausedAt(1);
    expect(await setImage(h, BLUE)).toContain('back to the stable template');
    const s = await h.healthyOn(blue);
    expect(s.weights).toEqual({
      canary: 0,
      stable: 100,
      verified: true,
      canaryPodTemplateHash: blue,
      stablePodTemplateHash: blue,
    });
    expect(h.cluster.replicaSets.get(`myapp-${yellow}`)?.replicas).toBe(0);
    expect(h.cluster.selectors.get('myapp-canary-svc')).toBe(blue);
  });
});

// Pods that never come are held back by a running (heartbeating) activity, and the test server does
// not skip time while an activity runs: these tests use short deadlines in real time instead.
describe('progressDeadlineSeconds', () => {
  it('marks the rollout Degraded when pods are late, and goes on when they arrive', async () => {
    const h = await blueDeployed({ ...seedRollout(), progressDeadlineSeconds: 2 });
    const yellow = hashOf(h.def, YELLOW);
    h.cluster.stuck.add(`myapp-${yellow}`);
    await setImage(h, YELLOW);
    let s = await h.waitFor('deadline exceeded', (st) => st.phase === 'Degraded');
    expect(s.message).toBe(
      `ProgressDeadlineExceeded: ReplicaSet myapp-${yellow} has not made 1 pods available within 2s`,
    );
    expect(s.aborted).toBe(false);
    expect(s.currentStepIndex).toBe(0);
    expect(s.conditions.find((c) => c.type === 'ProgressDeadlineExceeded')?.status).toBe(true);
    h.cluster.stuck.clear();
    s = await h.pausedAt(1);
    expect(s.conditions.find((c) => c.type === 'ProgressDeadlineExceeded')).toBeUndefined();
    expect(s.weights.canary).toBe(20);
    await h.saveHistories('deadline');
  });

  it('aborts with progressDeadlineAbort, cancelling the wait', async () => {
    const h = await blueDeployed({
      ...seedRollout(),
      progressDeadlineAbort: true,
      progressDeadlineSeconds: 2,
    });
    const yellow = hashOf(h.def, YELLOW);
    h.cluster.stuck.add(`myapp-${yellow}`);
    await setImage(h, YELLOW);
    const s = await h.waitFor('aborted and rolled back', (st) => st.aborted && st.weights.canary === 0);
    expect(s.phase).toBe('Degraded');
    expect(s.message).toContain('has not made 1 pods available within 2s');
    expect(h.cluster.callsOf('setTrafficWeight')).toEqual(['setTrafficWeight 0']);
    await h.saveHistories('deadline-abort');
  });
});

describe('signals (the Temporal UI, `temporal workflow signal`) and user pause', () => {
  it('promote, abort and retry work as signals; bad payloads are ignored and break nothing', async () => {
    const h = await blueDeployed();
    await setImage(h, YELLOW);
    await h.pausedAt(1);
    const handle = server.env.client.workflow.getHandle(h.workflowId);
    await handle.signal('promote', { full: 'yes' });
    await handle.signal('promote', 'now');
    await handle.signal('deploy', { rollout: { name: 42 } });
    await handle.signal('deploy', { image: { container: 'nope', image: 'x' } });
    await handle.signal('abort', { reason: 7 });
    let s = await h.status();
    expect(s).toMatchObject({ phase: 'Paused', currentStepIndex: 1, aborted: false, revision: 2 });

    await handle.signal('promote');
    await h.pausedAt(3);
    await handle.signal('abort', { reason: 'bad latency seen on the dashboard' });
    s = await h.waitFor('aborted and rolled back', (st) => st.aborted && st.weights.canary === 0);
    expect(s.message).toBe('RolloutAborted: aborted by user: bad latency seen on the dashboard');
    await handle.signal('retry');
    s = await h.pausedAt(1);
    expect(s.aborted).toBe(false);
    await h.saveHistories('signals');
  });

  it('pause holds the rollout before its next step; resume lets it go on', async () => {
    const h = await blueDeployed();
    await setImage(h, YELLOW);
    await h.pausedAt(1);
    await h.rollouts.promote(h.namespace, h.name);
    await h.pausedAt(3);
    expect((await h.rollouts.pause(h.namespace, h.name)).message).toBe(
      'paused myapp: it stops before its next step',
    );
    await expect(h.rollouts.pause(h.namespace, h.name)).rejects.toThrow('myapp is already paused');
    await server.env.sleep('60s'); // the timed pause ends, but the user's pause holds step 5
    let s = await h.waitFor('held by the user', (st) => st.pauseConditions[0]?.reason === 'PausedByUser');
    expect(s).toMatchObject({ phase: 'Paused', paused: true, currentStepIndex: 4, weights: { canary: 40 } });
    expect(s.message).toBe('PausedByUser: waiting for resume');
    expect((await h.rollouts.resume(h.namespace, h.name)).message).toBe('resumed myapp');
    s = await h.pausedAt(5);
    expect(s).toMatchObject({ paused: false, weights: { canary: 60, stable: 40 } });
    await h.saveHistories('user-pause');
  });

  it("promote resumes a user's pause; in a pause step it also ends the step, in the user's own pause only resumes", async () => {
    const h = await blueDeployed();
    await setImage(h, YELLOW);
    await h.pausedAt(1);
    await h.rollouts.pause(h.namespace, h.name);
    expect((await h.rollouts.promote(h.namespace, h.name)).message).toBe(
      'promoted myapp: next is step 3 (setWeight: 40)',
    );
    let s = await h.pausedAt(3);
    expect(s).toMatchObject({ paused: false, weights: { canary: 40 } });

    await h.rollouts.pause(h.namespace, h.name);
    await server.env.sleep('60s'); // the timed pause ends, the user's pause holds step 5
    await h.waitFor('held by the user', (st) => st.pauseConditions[0]?.reason === 'PausedByUser');
    expect((await h.rollouts.promote(h.namespace, h.name)).message).toBe('resumed myapp');
    // The promote was spent on the resume: the next pause step holds as ever.
    s = await h.pausedAt(5);
    expect(s).toMatchObject({ paused: false, weights: { canary: 60 } });
    expect(s.pauseConditions.map((p) => p.reason)).toEqual(['CanaryPauseStep']);
  });
});

describe('cancelling the workflow', () => {
  it('rolls a canary in flight back before it stops', async () => {
    const h = await blueDeployed();
    const blue = hashOf(h.def, BLUE);
    await setImage(h, YELLOW);
    await h.pausedAt(1);
    const handle = server.env.client.workflow.getHandle(h.workflowId);
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    expect(h.cluster.weights).toEqual({ canary: 0, stable: 100 });
    expect(h.cluster.selectors.get('myapp-canary-svc')).toBe(blue);
    await h.saveHistories('cancelled');
  });
});
