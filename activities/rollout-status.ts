// The rollout's state written back onto its Rollout object's status subresource, where
// `kubectl argo rollouts get`, Argo CD's health check and an HPA read it. The workflow is the source of
// truth and calls this at every change of state; this write only carries it out, conditionally: an
// older write never lands over a newer one (the stamp's sequence), and a write changes only what
// changed since the last one, so a request the plugin wrote in between stands.
import os from 'node:os';
import type { KubernetesObject } from '@kubernetes/client-node';
import { mergePatchBetween } from '../core/cluster/merge-patch.js';
import { stampOf } from '../core/cluster/requests.js';
import { isObject } from '../core/json.js';
import type { WriteRolloutStatusInput, WriteRolloutStatusResult } from './interface.js';
import { transientFailure } from './errors.js';
import type { Kube, ObjectRef } from './kube.js';

export const ROLLOUT_API_VERSION = 'argoproj.io/v1alpha1';

export function rolloutRef(namespace: string, name: string): ObjectRef {
  return { apiVersion: ROLLOUT_API_VERSION, kind: 'Rollout', namespace, name };
}

interface RolloutWithStatus extends KubernetesObject {
  status?: Record<string, unknown>;
}

export async function writeRolloutStatus(
  kube: Kube,
  input: WriteRolloutStatusInput,
): Promise<WriteRolloutStatusResult> {
  const result = await patchStatus(kube, input);
  // The events go with their status: a retry after the status landed still records them (by name, once).
  if (result.written || result.reason === ALREADY_WRITTEN) await recordEvents(kube, input);
  return result;
}

const ALREADY_WRITTEN = 'already written (a retry)';

async function patchStatus(kube: Kube, input: WriteRolloutStatusInput): Promise<WriteRolloutStatusResult> {
  const ref = rolloutRef(input.namespace, input.name);
  const sequence = input.status.temporal.sequence;
  for (let attempt = 1; attempt <= 5; attempt++) {
    const object = await kube.readIfExists<RolloutWithStatus>(ref);
    // Deleted, or deleted and made again: the status is no longer this workflow's to write.
    if (!object) return { written: false, reason: 'the Rollout is gone' };
    if (object.metadata?.uid !== input.uid)
      return { written: false, reason: `the Rollout was replaced (uid ${object.metadata?.uid ?? '?'})` };
    const current = isObject(object.status) ? object.status : {};
    const stamp = stampOf(current);
    if (stamp?.sequence === sequence) return { written: false, reason: ALREADY_WRITTEN };
    if (stamp && stamp.sequence > sequence)
      return { written: false, reason: `a newer status is there (write ${stamp.sequence})` };
    // On top of our previous write: only what changed, so what others set since stands. Otherwise (a
    // first write, a status someone replaced): all of ours, over whatever is there.
    const follows =
      stamp !== undefined &&
      input.previous !== undefined &&
      stamp.sequence === input.previous.temporal.sequence;
    const patch = mergePatchBetween(follows && input.previous ? input.previous : current, input.status);
    if (!patch) return { written: false, reason: 'unchanged' };
    try {
      await kube.mergePatchStatus(ref, 'rollouts', {
        metadata: { resourceVersion: object.metadata?.resourceVersion },
        status: patch,
      });
      return { written: true };
    } catch (err) {
      // Changed since it was read (a watcher's acknowledgement, the plugin): read again, decide again.
      if (!isConflict(err)) throw err;
    }
  }
  throw transientFailure(
    `Rollout ${input.namespace}/${input.name} status: still changing under us after 5 attempts (HTTP 409)`,
  );
}

/** Kube classifies a 409 as a transient failure naming the code. */
function isConflict(err: unknown): boolean {
  return /HTTP 409/.test(err instanceof Error ? err.message : String(err));
}

/**
 * Each event as a core/v1 Event on the Rollout, as Argo's controller records them (its component name,
 * so filters made for Argo keep working). Named by the object, the write and its place in it.
 */
async function recordEvents(kube: Kube, input: WriteRolloutStatusInput): Promise<void> {
  const now = new Date().toISOString();
  const sequence = input.status.temporal.sequence;
  for (const [index, event] of (input.events ?? []).entries()) {
    const name = `${input.name}.${input.uid.slice(0, 8)}-${sequence}-${index}`;
    const ref = { apiVersion: 'v1', kind: 'Event', namespace: input.namespace, name };
    await kube.createUnlessExists(ref, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: input.namespace },
      involvedObject: {
        apiVersion: ROLLOUT_API_VERSION,
        kind: 'Rollout',
        name: input.name,
        namespace: input.namespace,
        uid: input.uid,
      },
      type: event.type,
      reason: event.reason,
      message: event.message,
      source: { component: EVENT_COMPONENT },
      reportingComponent: EVENT_COMPONENT,
      reportingInstance: os.hostname(),
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    } as KubernetesObject);
  }
}

/** Argo's controller's event source (its `kubectl describe` filters and alerts look for it). */
const EVENT_COMPONENT = 'rollouts-controller';
