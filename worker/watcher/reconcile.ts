// One event of one Rollout object, turned into what its workflow is told (Argo's controller would
// reconcile it). The spec: each new metadata.generation once, as the `deploy` update (starting the
// workflow when there is none), or as InvalidSpec when it fails lint. The status: the requests the
// plugin writes there (abort, retry, promote), as the same updates the `rollouts` command sends. The
// workflow is the one source of truth: it refuses a generation already taken and a request that does not
// apply, and what it decided reaches the object only through the status it writes.
import type { TemplateKey } from '../../core/analysis/attach.js';
import { computeStepHash, goStepsJson, metaTime } from '../../core/argo-status.js';
import { requestsIn, restoreAcknowledged, type StatusRequest } from '../../core/cluster/requests.js';
import { isObject } from '../../core/json.js';
import type { FetchedTemplates } from '../../client/cluster-templates.js';
import {
  ActionRejectedError,
  RolloutNotFoundError,
  type RolloutsClient,
} from '../../client/rollouts-client.js';
import type { ClusterSource } from '../../workflows/messages.js';
import { objectLabel, readRolloutObject, type RolloutObject } from './rollout-object.js';

export type Rollouts = Pick<
  RolloutsClient,
  | 'deployFromCluster'
  | 'invalidSpec'
  | 'promote'
  | 'abort'
  | 'retry'
  | 'endDeleted'
  | 'clusterUid'
  | 'running'
>;

export interface ReconcileDeps {
  rollouts: Rollouts;
  fetchTemplates: (keys: TemplateKey[]) => Promise<FetchedTemplates>;
  /** A merge patch of the object's status, conditional on the resourceVersion given. */
  patchStatus: (object: RolloutObject, patch: Record<string, unknown>) => Promise<void>;
  /** The uid of the Rollout object as the API server has it now; undefined when there is none. */
  readUid: (namespace: string, name: string) => Promise<string | undefined>;
  now: () => Date;
  log: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

/** What this watcher already handed on, so a status-only event does not send the same again. */
export class Handled {
  private readonly generations = new Map<string, string>();
  private readonly requests = new Map<string, string>();

  /** This watcher has handed on a generation of the object under this key since it started. */
  knows(key: string): boolean {
    return this.generations.has(key);
  }

  generation(key: string, source: ClusterSource): boolean {
    return this.generations.get(key) === `${source.uid}/${source.generation}`;
  }

  tookGeneration(key: string, source: ClusterSource): void {
    this.generations.set(key, `${source.uid}/${source.generation}`);
  }

  /** True the first time these request fields are seen on this object. */
  newRequests(key: string, fields: string): boolean {
    if (this.requests.get(key) === fields) return false;
    this.requests.set(key, fields);
    return true;
  }

  forget(key: string): void {
    this.generations.delete(key);
    this.requests.delete(key);
  }
}

function keyOf(object: RolloutObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function sourceOf(object: RolloutObject): ClusterSource | undefined {
  const uid = object.metadata?.uid;
  const generation = object.metadata?.generation;
  return uid && typeof generation === 'number' ? { uid, generation } : undefined;
}

/** Argo's currentStepHash of the steps as the object holds them (our definition keeps them normalized). */
function stepHashOf(spec: unknown): string | undefined {
  const canary = canaryOf(spec);
  return canary && Array.isArray(canary.steps) ? computeStepHash(goStepsJson(canary.steps)) : undefined;
}

/** The status Argo's controller writes for a spec it cannot run (a Rollout no workflow runs yet). */
export function invalidSpecStatus(generation: number, message: string, now: Date): Record<string, unknown> {
  const time = metaTime(now.toISOString());
  return {
    observedGeneration: String(generation),
    phase: 'Degraded',
    message: `InvalidSpec: ${message}`,
    conditions: [
      {
        type: 'InvalidSpec',
        status: 'True',
        reason: 'InvalidSpec',
        message,
        lastTransitionTime: time,
        lastUpdateTime: time,
      },
    ],
  };
}

/** A new generation of the spec, once: deployed, or shown as InvalidSpec. */
async function reconcileSpec(object: RolloutObject, deps: ReconcileDeps, handled: Handled): Promise<void> {
  const source = sourceOf(object);
  const key = keyOf(object);
  if (!source || handled.generation(key, source)) return;
  // Our own status says this generation was taken (a relist, a restart of the watcher).
  if (object.status?.observedGeneration === String(source.generation) && isObject(object.status.temporal)) {
    handled.tookGeneration(key, source);
    return;
  }
  const [namespace, name] = [object.metadata?.namespace ?? '', object.metadata?.name ?? ''];
  const read = await readRolloutObject(object, deps.fetchTemplates);
  if (!handled.knows(key)) await endReplaced(namespace, name, source.uid, deps);
  try {
    if ('definition' in read) {
      const stepHash = stepHashOf(object.spec);
      const result = await deps.rollouts.deployFromCluster(read.definition, {
        ...source,
        ...(stepHash ? { stepHash } : {}),
      });
      deps.log('info', 'deployed', { rollout: key, generation: source.generation, result: result.message });
    } else {
      deps.log('warn', 'invalid spec', {
        rollout: key,
        generation: source.generation,
        message: read.invalid,
      });
      await showInvalid(object, source, read.invalid, deps);
    }
  } catch (err) {
    if (!(err instanceof ActionRejectedError)) throw err;
    // Taken already (another watcher, a late event) or not this object's to change: the workflow says.
    deps.log('info', 'deploy refused', { rollout: key, generation: source.generation, reason: err.message });
  }
  handled.tookGeneration(key, source);

  async function showInvalid(o: RolloutObject, s: ClusterSource, message: string, d: ReconcileDeps) {
    try {
      await d.rollouts.invalidSpec(namespace, name, s, message);
    } catch (err) {
      if (!(err instanceof RolloutNotFoundError)) throw err;
      await d.patchStatus(o, invalidSpecStatus(s.generation, message, d.now()));
    }
  }
}

function send(rollouts: Rollouts, namespace: string, name: string, request: StatusRequest) {
  if (request.kind === 'abort') return rollouts.abort(namespace, name);
  if (request.kind === 'retry') return rollouts.retry(namespace, name);
  return rollouts.promote(namespace, name, request.full);
}

/** The requests written into the status, each sent once; one the workflow refuses is taken back. */
async function reconcileRequests(
  object: RolloutObject,
  deps: ReconcileDeps,
  handled: Handled,
): Promise<void> {
  const status = object.status;
  const steps = stepCount(object.spec);
  const requests = requestsIn(status, steps);
  const key = keyOf(object);
  const { abort, promoteFull, currentStepIndex, pauseConditions } = status ?? {};
  const fields = JSON.stringify([status?.temporal, abort, promoteFull, currentStepIndex, pauseConditions]);
  if (!requests.length || !handled.newRequests(key, fields)) return;
  const [namespace, name] = [object.metadata?.namespace ?? '', object.metadata?.name ?? ''];
  for (const request of requests) {
    try {
      const result = await send(deps.rollouts, namespace, name, request);
      deps.log('info', `${request.kind} from the status`, { rollout: key, result: result.message });
      // Argo's controller clears promoteFull once it has promoted; no status of ours ever sets it.
      if (status?.promoteFull === true) await deps.patchStatus(object, { promoteFull: null });
    } catch (err) {
      if (!(err instanceof ActionRejectedError) && !(err instanceof RolloutNotFoundError)) throw err;
      deps.log('warn', `${request.kind} from the status refused`, { rollout: key, reason: err.message });
      const restore = restoreAcknowledged(status);
      if (restore) await deps.patchStatus(object, restore);
    }
  }
}

function canaryOf(spec: unknown): Record<string, unknown> | undefined {
  const strategy = isObject(spec) && isObject(spec.strategy) ? spec.strategy : undefined;
  return strategy && isObject(strategy.canary) ? strategy.canary : undefined;
}

function stepCount(spec: unknown): number {
  const canary = canaryOf(spec);
  return canary && Array.isArray(canary.steps) ? canary.steps.length : 0;
}

/** An added or changed Rollout object. */
export async function reconcileRollout(
  object: RolloutObject,
  deps: ReconcileDeps,
  handled: Handled,
): Promise<void> {
  if (object.metadata?.deletionTimestamp) return; // on its way out: the delete event ends the workflow
  await reconcileSpec(object, deps, handled);
  await reconcileRequests(object, deps, handled);
}

/**
 * An object first seen by this watcher whose workflow was driven by another object of the same name
 * (deleted and created again while no watcher ran): that workflow ends, so the new object starts afresh
 * as Argo's controller would (the old one's ReplicaSets are the garbage collector's).
 */
async function endReplaced(namespace: string, name: string, uid: string, deps: ReconcileDeps): Promise<void> {
  // A workflow that does not answer (no worker polls its queue) is not this check's to wait for: the
  // deploy goes on as before, and the workflow refuses what is not its object's.
  const driving = await deps.rollouts.clusterUid(namespace, name).catch(() => undefined);
  if (driving === undefined || driving === uid) return;
  const ended = await deps.rollouts.endDeleted(namespace, name, driving);
  deps.log('info', ended ? 'created again: the workflow of the deleted object ended' : 'created again', {
    rollout: `${namespace}/${name}`,
    deleted: driving,
    created: uid,
  });
}

/**
 * A running workflow the list did not bring an object for (the object was deleted while no watcher
 * ran, so no delete event will come): it ends if an object drove it and that object is gone now. The
 * API server is asked again, since the object may have been created after the list.
 */
export async function reconcileVanished(
  namespace: string,
  name: string,
  deps: ReconcileDeps,
  handled: Handled,
): Promise<void> {
  const key = `${namespace}/${name}`;
  const driving = await deps.rollouts.clusterUid(namespace, name);
  if (driving === undefined) return; // none runs now, or `rollouts apply` drives it: not ours to end
  if ((await deps.readUid(namespace, name)) === driving) return;
  handled.forget(key);
  const ended = await deps.rollouts.endDeleted(namespace, name, driving);
  deps.log('info', ended ? 'deleted while not watched: workflow ended' : 'deleted while not watched', {
    rollout: key,
    uid: driving,
  });
}

/** A deleted Rollout object: its workflow ends, if it is this object's. */
export async function reconcileDeleted(
  object: RolloutObject,
  deps: ReconcileDeps,
  handled: Handled,
): Promise<void> {
  const key = keyOf(object);
  handled.forget(key);
  const uid = object.metadata?.uid;
  if (!uid) return;
  const ended = await deps.rollouts.endDeleted(
    object.metadata?.namespace ?? '',
    object.metadata?.name ?? '',
    uid,
  );
  deps.log('info', ended ? 'deleted: workflow ended' : 'deleted: no workflow of it ran', {
    rollout: key,
    object: objectLabel(object),
  });
}
