// The watcher's decision for one event of one Rollout object (worker/watcher/reconcile.ts), against a
// fake of the rollouts client: each generation deployed once, an invalid one shown as InvalidSpec (on
// the object itself when no workflow runs yet), the plugin's status requests sent once and taken back
// when refused, a deletion ending the workflow.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { applyMergePatch } from '../../core/cluster/merge-patch.js';
import { acknowledgedOf } from '../../core/cluster/requests.js';
import type { RolloutDefinition } from '../../core/types.js';
import { ActionRejectedError, RolloutNotFoundError } from '../../client/rollouts-client.js';
import type { ClusterSource } from '../../workflows/messages.js';
import {
  Handled,
  reconcileDeleted,
  reconcileRollout,
  reconcileVanished,
  type ReconcileDeps,
} from '../../worker/watcher/reconcile.js';
import type { RolloutObject } from '../../worker/watcher/rollout-object.js';

const spec = (image: string) => ({
  replicas: 2,
  selector: { matchLabels: { app: 'web' } },
  template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
  strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }, { setWeight: 60 }] } },
});

function rollout(
  generation: number,
  fields: { spec?: unknown; status?: Record<string, unknown> } = {},
): RolloutObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: {
      name: 'web',
      namespace: 'shop',
      uid: 'uid-1',
      generation,
      resourceVersion: String(100 + generation),
    },
    spec: fields.spec ?? spec('web:1'),
    ...(fields.status ? { status: fields.status } : {}),
  };
}

function stamped(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    ...fields,
    temporal: { workflowId: 'rollout:shop/web', sequence: 3, acknowledged: acknowledgedOf(fields) },
  };
}

class FakeRollouts {
  calls: string[] = [];
  hasWorkflow = true;
  /** The uid of the object driving the workflow (clusterUid's answer). */
  driving?: string = 'uid-1';
  listed: { namespace: string; name: string }[] = [];
  refuse?: string;
  deployed: { rollout: RolloutDefinition; cluster: ClusterSource }[] = [];

  private answer(call: string) {
    this.calls.push(call);
    if (this.refuse) return Promise.reject(new ActionRejectedError(this.refuse));
    return Promise.resolve({ message: `${call}: ok` });
  }
  deployFromCluster(rollout: RolloutDefinition, cluster: ClusterSource) {
    this.deployed.push({ rollout, cluster });
    return this.answer(`deploy ${cluster.generation}`);
  }
  invalidSpec(namespace: string, name: string, cluster: ClusterSource, message: string) {
    if (!this.hasWorkflow) return Promise.reject(new RolloutNotFoundError(namespace, name));
    return this.answer(`invalidSpec ${cluster.generation} ${message.slice(0, 40)}`);
  }
  promote(_ns: string, _name: string, full = false) {
    return this.answer(full ? 'promote --full' : 'promote');
  }
  abort() {
    return this.answer('abort');
  }
  retry() {
    return this.answer('retry');
  }
  endDeleted(_ns: string, _name: string, uid: string) {
    this.calls.push(`endDeleted ${uid}`);
    return Promise.resolve(true);
  }
  clusterUid() {
    return Promise.resolve(this.hasWorkflow ? this.driving : undefined);
  }
  running() {
    return Promise.resolve(this.listed);
  }
}

let rollouts: FakeRollouts;
let patches: Record<string, unknown>[];
let deps: ReconcileDeps;
let handled: Handled;
/** The uid of the object as the API server has it (readUid's answer); undefined: none. */
let liveUid: string | undefined;

beforeEach(() => {
  rollouts = new FakeRollouts();
  patches = [];
  handled = new Handled();
  deps = {
    rollouts: rollouts,
    fetchTemplates: () => Promise.resolve({ templates: [], errors: [] }),
    patchStatus: (_object, patch) => {
      patches.push(patch);
      return Promise.resolve();
    },
    readUid: () => Promise.resolve(liveUid),
    now: () => new Date('2026-12-07T10:00:00.123Z'),
    log: () => undefined,
  };
  liveUid = undefined;
});

describe('the spec', () => {
  it('deploys each generation once, with the object as its source', async () => {
    await reconcileRollout(rollout(1), deps, handled);
    await reconcileRollout(rollout(1, { status: { phase: 'Progressing' } }), deps, handled);
    await reconcileRollout(rollout(2, { spec: spec('web:2') }), deps, handled);
    expect(rollouts.calls).toEqual(['deploy 1', 'deploy 2']);
    expect(rollouts.deployed[1]?.cluster).toMatchObject({ uid: 'uid-1', generation: 2 });
    expect(rollouts.deployed[1]?.cluster.stepHash).toMatch(/^[a-z0-9]+$/);
    expect(rollouts.deployed[1]?.rollout.template.spec.containers[0]?.image).toBe('web:2');
    expect(rollouts.deployed[0]?.rollout).toMatchObject({ name: 'web', namespace: 'shop', replicas: 2 });
  });

  it('sends nothing for a generation our status already observed (a relist after a restart)', async () => {
    await reconcileRollout(rollout(4, { status: stamped({ observedGeneration: '4' }) }), deps, new Handled());
    expect(rollouts.calls).toEqual([]);
  });

  it('takes a refusal ("already taken", from a second watcher) as the answer', async () => {
    rollouts.refuse = 'deploy: generation 1 of web is already taken (at generation 1)';
    await expect(reconcileRollout(rollout(1), deps, handled)).resolves.toBeUndefined();
    expect(rollouts.calls).toEqual(['deploy 1']);
  });

  it('shows an invalid generation as InvalidSpec on the running workflow', async () => {
    const bad = spec('web:1') as Record<string, unknown>;
    bad.replicas = -1;
    await reconcileRollout(rollout(3, { spec: bad }), deps, handled);
    expect(rollouts.calls).toHaveLength(1);
    expect(rollouts.calls[0]).toMatch(/^invalidSpec 3 /);
    expect(patches).toEqual([]);
  });

  it('writes InvalidSpec onto the object itself when no workflow runs it yet', async () => {
    rollouts.hasWorkflow = false;
    const bad = spec('web:1') as Record<string, unknown>;
    delete bad.selector;
    await reconcileRollout(rollout(1, { spec: bad }), deps, handled);
    expect(patches).toHaveLength(1);
    expect(patches[0]).toMatchObject({
      observedGeneration: '1',
      phase: 'Degraded',
      conditions: [
        {
          type: 'InvalidSpec',
          status: 'True',
          reason: 'InvalidSpec',
          lastTransitionTime: '2026-12-07T10:00:00Z',
        },
      ],
    });
    expect(String(patches[0]?.message)).toMatch(/^InvalidSpec: .*selector/);
  });

  it('leaves an object being deleted to its delete event', async () => {
    const object = rollout(1);
    object.metadata = { ...object.metadata, deletionTimestamp: new Date() };
    await reconcileRollout(object, deps, handled);
    expect(rollouts.calls).toEqual([]);
  });
});

describe('the plugin’s requests in the status', () => {
  const paused = stamped({
    observedGeneration: '1',
    phase: 'Paused',
    currentStepIndex: 1,
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-12-07T09:00:00Z' }],
  });

  it('sends a promote once for `promote` (pauseConditions cleared), however many events show it', async () => {
    const asked = applyMergePatch(paused, { pauseConditions: null }) as Record<string, unknown>;
    await reconcileRollout(rollout(1, { status: asked }), deps, handled);
    await reconcileRollout(rollout(1, { status: asked }), deps, handled);
    expect(rollouts.calls).toEqual(['promote']);
  });

  it('sends abort, then retry, as the status changes', async () => {
    await reconcileRollout(
      rollout(1, { status: applyMergePatch(paused, { abort: true }) as Record<string, unknown> }),
      deps,
      handled,
    );
    const abortedStatus = stamped({
      observedGeneration: '1',
      phase: 'Degraded',
      abort: true,
      abortedAt: '2026-12-07T09:01:00Z',
    });
    await reconcileRollout(rollout(1, { status: abortedStatus }), deps, handled);
    await reconcileRollout(
      rollout(1, { status: applyMergePatch(abortedStatus, { abort: false }) as Record<string, unknown> }),
      deps,
      handled,
    );
    expect(rollouts.calls).toEqual(['abort', 'retry']);
  });

  it('sends promote --full for {"promoteFull":true}', async () => {
    await reconcileRollout(
      rollout(1, { status: applyMergePatch(paused, { promoteFull: true }) as Record<string, unknown> }),
      deps,
      handled,
    );
    expect(rollouts.calls).toEqual(['promote --full']);
    expect(patches).toEqual([{ promoteFull: null }]);
  });

  it('puts the fields back when the rollout refuses the request', async () => {
    rollouts.refuse = 'nothing to promote: web is Healthy';
    const asked = applyMergePatch(paused, { pauseConditions: null, currentStepIndex: 2 }) as Record<
      string,
      unknown
    >;
    await reconcileRollout(rollout(1, { status: asked }), deps, handled);
    expect(rollouts.calls).toEqual(['promote']);
    expect(patches).toEqual([{ currentStepIndex: 1, pauseConditions: paused.pauseConditions }]);
  });
});

describe('a deletion', () => {
  it('ends the workflow of that object (by uid)', async () => {
    await reconcileDeleted(rollout(2), deps, handled);
    expect(rollouts.calls).toEqual(['endDeleted uid-1']);
  });
});

describe('a deletion no watcher saw', () => {
  it('ends the workflow once the object driving it is gone', async () => {
    await reconcileVanished('shop', 'web', deps, handled);
    expect(rollouts.calls).toEqual(['endDeleted uid-1']);
  });

  it('leaves a workflow whose object exists after all (created after the list)', async () => {
    liveUid = 'uid-1';
    await reconcileVanished('shop', 'web', deps, handled);
    expect(rollouts.calls).toEqual([]);
  });

  it('leaves a workflow no object drives (`rollouts apply`), and one that ended meanwhile', async () => {
    rollouts.driving = undefined;
    await reconcileVanished('shop', 'web', deps, handled);
    rollouts.hasWorkflow = false;
    await reconcileVanished('shop', 'web', deps, handled);
    expect(rollouts.calls).toEqual([]);
  });

  it('ends the old workflow before the first generation of an object created again under its name', async () => {
    rollouts.driving = 'uid-0';
    await reconcileRollout(rollout(1), deps, handled);
    expect(rollouts.calls).toEqual(['endDeleted uid-0', 'deploy 1']);
    // Asked once per object and watcher: the next generation goes straight on.
    await reconcileRollout(rollout(2, { spec: spec('web:2') }), deps, handled);
    expect(rollouts.calls).toEqual(['endDeleted uid-0', 'deploy 1', 'deploy 2']);
  });

  it('does not end the workflow of the same object', async () => {
    await reconcileRollout(rollout(1), deps, handled);
    expect(rollouts.calls).toEqual(['deploy 1']);
  });
});
