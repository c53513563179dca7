// What a person asked for by writing a Rollout's status, as the kubectl-argo-rollouts plugin does
// (v1.10.2 pkg/kubectl-argo-rollouts/cmd: abort, retry, promote): those verbs patch `/status` fields
// that the controller otherwise owns. Each status we write remembers, in `status.temporal`, the values
// it gave those fields; a field that differs from them is a request. The workflow answers it, and the
// next status written says so, which is how Argo's controller acknowledges them too.
import { isObject } from '../json.js';
import { sameJson } from './merge-patch.js';

/** The request fields as our last write gave them (absent: not written, as Argo's omitempty). */
export interface Acknowledged {
  abort?: boolean;
  promoteFull?: boolean;
  currentStepIndex?: number;
  pauseConditions?: unknown[];
}

/** What every status we write carries beside Argo's fields: who wrote it, in what order, what it said. */
export interface WorkflowStamp {
  workflowId: string;
  /** Rises by one with every write of this rollout's status: an older write never lands over a newer. */
  sequence: number;
  acknowledged: Acknowledged;
}

export type StatusRequest =
  { kind: 'abort' } | { kind: 'retry' } | { kind: 'promote'; full: boolean; skipTo?: number };

/** The request fields of a status as written, for its stamp. */
export function acknowledgedOf(status: Readonly<Record<string, unknown>>): Acknowledged {
  const fields: Acknowledged = {};
  if (status.abort === true) fields.abort = true;
  if (status.promoteFull === true) fields.promoteFull = true;
  if (typeof status.currentStepIndex === 'number') fields.currentStepIndex = status.currentStepIndex;
  if (Array.isArray(status.pauseConditions) && status.pauseConditions.length)
    fields.pauseConditions = status.pauseConditions;
  return fields;
}

/** The stamp of a status as read, when it holds one of ours (absent: never written by us, or pruned). */
export function stampOf(status: unknown): WorkflowStamp | undefined {
  const stamp = isObject(status) ? status.temporal : undefined;
  if (!isObject(stamp) || typeof stamp.sequence !== 'number' || !isObject(stamp.acknowledged))
    return undefined;
  return stamp as unknown as WorkflowStamp;
}

/**
 * The requests a status as read holds against what we last wrote: abort and retry first, then at most
 * one promote (the plugin's `promote --full` sets promoteFull or the last step index; `promote` clears
 * pauseConditions or moves currentStepIndex one on). `steps` is the number of canary steps.
 */
export function requestsIn(status: unknown, steps: number): StatusRequest[] {
  const stamp = stampOf(status);
  if (!stamp || !isObject(status)) return [];
  const ack = stamp.acknowledged;
  const requests: StatusRequest[] = [];
  const aborting = status.abort === true;
  if (aborting && ack.abort !== true) requests.push({ kind: 'abort' });
  if (!aborting && ack.abort === true) requests.push({ kind: 'retry' });
  const index = status.currentStepIndex;
  const moved = typeof index === 'number' && index !== ack.currentStepIndex;
  if ((status.promoteFull === true && ack.promoteFull !== true) || (moved && index >= steps))
    requests.push({ kind: 'promote', full: true });
  else if (moved) requests.push({ kind: 'promote', full: false, skipTo: index });
  else if (ack.pauseConditions && !(Array.isArray(status.pauseConditions) && status.pauseConditions.length))
    requests.push({ kind: 'promote', full: false });
  return requests;
}

/**
 * The merge patch that puts the request fields back as we last wrote them: a request the rollout
 * refused ("nothing to promote") must not stay on the object looking like state.
 */
export function restoreAcknowledged(status: unknown): Record<string, unknown> | undefined {
  const stamp = stampOf(status);
  if (!stamp || !isObject(status)) return undefined;
  const ack = stamp.acknowledged;
  const patch: Record<string, unknown> = {};
  const fields = ['abort', 'promoteFull', 'currentStepIndex', 'pauseConditions'] as const;
  for (const field of fields)
    if (!sameJson(status[field] ?? null, ack[field] ?? null)) patch[field] = ack[field] ?? null;
  return Object.keys(patch).length ? patch : undefined;
}
