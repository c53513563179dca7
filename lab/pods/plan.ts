// The pod simulator's decisions, pure: from one list of ReplicaSets and one list of pods, what the
// ReplicaSet controller, the kubelet and the garbage collector would do next. Per ReplicaSet (its pods:
// controlled by it through an ownerReference and matching its selector, as the controller counts them):
// create the missing ones, delete the surplus (not ready first, then the newest: Kubernetes' own ranking
// starts the same way), mark ready those whose start-up delay has passed, and the status its pods give.
// Beside them: terminating pods on the simulated node get the kubelet's final delete, and pods whose
// ReplicaSet is gone the garbage collector's. Labels are never compared with the template to decide
// anything but fullyLabeledReplicas: a ReplicaSet does not relabel or replace its existing pods.
import { hasLabels, selectorMatches, type LabelSelector, type Labels } from './selector.js';

export interface ReplicaSetCounts {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration: number;
}

export interface PlanReplicaSet {
  namespace: string;
  name: string;
  uid: string;
  replicas: number;
  generation: number;
  minReadySeconds: number;
  selector?: LabelSelector;
  templateLabels: Labels;
  /** The status as listed (absent counts as 0). */
  status: ReplicaSetCounts;
  /** metadata.deletionTimestamp is set: the controller leaves it alone. */
  deleting: boolean;
  /** How long its pods take to become ready after they are created (Infinity: never). */
  startupDelayMs: number;
}

export interface PlanPod {
  namespace: string;
  name: string;
  uid: string;
  labels: Labels;
  /** uid of the controlling ownerReference when that is an apps/v1 ReplicaSet. */
  controllerUid?: string;
  nodeName?: string;
  /** When it was created, in ms (exact when the simulator made it, else creationTimestamp). */
  createdAt: number;
  /** metadata.deletionTimestamp is set. */
  terminating: boolean;
  /** Terminating with a grace period left: the API server waits for the kubelet's final delete. */
  awaitingKubelet: boolean;
  /** phase Succeeded or Failed. */
  finished: boolean;
  /** lastTransitionTime of a Ready condition that is True, in ms; absent when not ready. */
  readySince?: number;
}

export interface PlanInput {
  replicaSets: readonly PlanReplicaSet[];
  pods: readonly PlanPod[];
  now: number;
  /** The simulated node: its terminating pods are the simulator's to finish deleting. */
  nodeName: string;
  /** Every ReplicaSet of the namespaces looked at was listed: a pod whose owner is not among them lost it. */
  listedAll: boolean;
  /** uids of ReplicaSets known to be gone, for when not every ReplicaSet was listed. */
  goneOwners?: ReadonlySet<string>;
}

export interface ReplicaSetPlan {
  replicaSet: PlanReplicaSet;
  /** Pods to create from the template. */
  create: number;
  /** The surplus, in the order to delete it. */
  delete: PlanPod[];
  /** Pods whose start-up delay has passed: their status becomes Running and Ready. */
  markReady: PlanPod[];
  /** The status once the above is done. */
  counts: ReplicaSetCounts;
}

export interface Plan {
  /** Only the ReplicaSets with something to do. */
  replicaSets: ReplicaSetPlan[];
  /** Terminating pods on the simulated node: the kubelet's final delete. */
  finalize: PlanPod[];
  /** Pods whose ReplicaSet is gone: the garbage collector's delete. */
  orphans: PlanPod[];
  /** ms until something falls due (a pod's start-up, a pod's minReadySeconds); Infinity when nothing. */
  nextDueIn: number;
}

/** controller.FilterActivePods: neither finished nor being deleted. */
const isActive = (pod: PlanPod) => !pod.terminating && !pod.finished;

/** Scale-down order: not ready before ready, then the newest first (then by name, for a stable order). */
function surplusOrder(a: PlanPod, b: PlanPod): number {
  const ready = Number(a.readySince !== undefined) - Number(b.readySince !== undefined);
  if (ready !== 0) return ready;
  if (a.createdAt !== b.createdAt) return b.createdAt - a.createdAt;
  return a.name < b.name ? 1 : a.name > b.name ? -1 : 0;
}

export const sameCounts = (a: ReplicaSetCounts, b: ReplicaSetCounts) =>
  a.replicas === b.replicas &&
  a.fullyLabeledReplicas === b.fullyLabeledReplicas &&
  a.readyReplicas === b.readyReplicas &&
  a.availableReplicas === b.availableReplicas &&
  a.observedGeneration === b.observedGeneration;

export function planPods(input: PlanInput): Plan {
  const { now } = input;
  let nextDueIn = Infinity;
  const due = (at: number) => {
    if (at > now) nextDueIn = Math.min(nextDueIn, at - now);
  };
  const owned = new Map<string, PlanPod[]>();
  for (const pod of input.pods)
    if (pod.controllerUid !== undefined) {
      const list = owned.get(pod.controllerUid) ?? [];
      list.push(pod);
      owned.set(pod.controllerUid, list);
    }

  const plans: ReplicaSetPlan[] = [];
  for (const rs of input.replicaSets) {
    if (rs.deleting) continue;
    const active = (owned.get(rs.uid) ?? []).filter(
      (pod) => pod.namespace === rs.namespace && isActive(pod) && selectorMatches(rs.selector, pod.labels),
    );
    const create = Math.max(rs.replicas - active.length, 0);
    const surplus = [...active].sort(surplusOrder).slice(0, Math.max(active.length - rs.replicas, 0));
    const kept = active.filter((pod) => !surplus.includes(pod));
    const markReady: PlanPod[] = [];
    const readySince = new Map<PlanPod, number>();
    for (const pod of kept) {
      if (pod.readySince !== undefined) readySince.set(pod, pod.readySince);
      else if (pod.createdAt + rs.startupDelayMs <= now) {
        markReady.push(pod);
        readySince.set(pod, now);
      } else due(pod.createdAt + rs.startupDelayMs);
    }
    let available = 0;
    for (const since of readySince.values()) {
      const at = since + rs.minReadySeconds * 1000;
      if (at <= now) available++;
      else due(at);
    }
    // New pods carry the template's labels; a pod with a label changed by someone else may not.
    const fullyLabeled = kept.filter((pod) => hasLabels(pod.labels, rs.templateLabels)).length + create;
    const counts: ReplicaSetCounts = {
      replicas: kept.length + create,
      fullyLabeledReplicas: fullyLabeled,
      readyReplicas: readySince.size,
      availableReplicas: available,
      observedGeneration: rs.generation,
    };
    if (create > 0 || surplus.length > 0 || markReady.length > 0 || !sameCounts(counts, rs.status))
      plans.push({ replicaSet: rs, create, delete: surplus, markReady, counts });
  }

  const listed = new Set(input.replicaSets.map((rs) => rs.uid));
  const orphans = input.pods.filter(
    (pod) =>
      pod.controllerUid !== undefined &&
      !pod.terminating &&
      !listed.has(pod.controllerUid) &&
      (input.listedAll || (input.goneOwners?.has(pod.controllerUid) ?? false)),
  );
  const finalize = input.pods.filter((pod) => pod.awaitingKubelet && pod.nodeName === input.nodeName);
  return { replicaSets: plans, finalize, orphans, nextDueIn };
}

/**
 * The status to write once the plan was carried out, when some of it was not (a create or a status write
 * failed, or was held back): those pods are not counted. Undefined when it is the status already listed.
 */
export function statusAfter(
  plan: ReplicaSetPlan,
  missed: { notCreated: number; notReady: number } = { notCreated: 0, notReady: 0 },
): ReplicaSetCounts | undefined {
  const { counts, replicaSet } = plan;
  const notAvailable = replicaSet.minReadySeconds === 0 ? missed.notReady : 0;
  const after: ReplicaSetCounts = {
    replicas: counts.replicas - missed.notCreated,
    fullyLabeledReplicas: counts.fullyLabeledReplicas - missed.notCreated,
    readyReplicas: counts.readyReplicas - missed.notReady,
    availableReplicas: counts.availableReplicas - notAvailable,
    observedGeneration: counts.observedGeneration,
  };
  return sameCounts(after, replicaSet.status) ? undefined : after;
}
