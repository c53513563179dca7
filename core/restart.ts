// Argo's pod restart (rollout/restart.go): once spec.restartAt has passed, the rollout's pods created
// before it are evicted, as many at a time as the availability budget allows, until none is left;
// then status.restartedAt takes restartAt's value and the restart is done. The decisions, without I/O.
import { maxUnavailable, type IntOrPercent } from './basic-canary.js';

/**
 * Argo's NeedsRestart without its clock half (the workflow waits for restartAt with a timer): a
 * restartAt is set and restartedAt does not record the same time.
 */
export function restartPending(restartAt: string | undefined, restartedAt: string | undefined): boolean {
  if (restartAt === undefined) return false;
  return restartedAt === undefined || Date.parse(restartedAt) !== Date.parse(restartAt);
}

/**
 * Argo's MaxUnavailable of a canary (replicaset.go): maxSurge and maxUnavailable resolved as a basic
 * canary resolves them (25 % each unless set; with a router they are never set here).
 */
export function canaryMaxUnavailable(
  replicas: number,
  fields: { maxSurge?: IntOrPercent; maxUnavailable?: IntOrPercent } = {},
): number {
  return maxUnavailable({ replicas, weight: 0, oldRSs: [], ...fields });
}

export interface RestartPod {
  name: string;
  /** creationTimestamp, epoch ms. */
  createdAt: number;
  /** Ready for minReadySeconds (podutil.IsPodAvailable) and not being deleted. */
  available: boolean;
  /** deletionTimestamp set: already on its way out. */
  terminating: boolean;
}

export interface RestartPlan {
  /** Pods created before restartAt (terminating ones included): 0 means the restart is done. */
  needsRestart: number;
  /** Pods to evict in order, until `budget` evictions have succeeded (a PDB may refuse one). */
  candidates: string[];
  /** How many may be evicted now: available pods above the minimum to keep. */
  budget: number;
}

export function planRestart(input: {
  restartAt: string;
  replicas: number;
  /** The canary's maxSurge and maxUnavailable as written (absent: Argo's 25 %). */
  maxSurge?: IntOrPercent;
  maxUnavailable?: IntOrPercent;
  /** spec.replicas summed over the rollout's ReplicaSets (above replicas mid-canary). */
  totalReplicas: number;
  pods: readonly RestartPod[];
}): RestartPlan {
  const at = Date.parse(input.restartAt);
  const available = input.pods.filter((p) => p.available && !p.terminating).length;
  // maxUnavailable may be 0; at least one pod is restarted at a time.
  const { maxSurge, maxUnavailable: unavailable } = input;
  const fields = {
    ...(maxSurge !== undefined ? { maxSurge } : {}),
    ...(unavailable !== undefined ? { maxUnavailable: unavailable } : {}),
  };
  const concurrent = Math.max(canaryMaxUnavailable(input.replicas, fields), 1);
  const budget = available - (Math.max(input.replicas, input.totalReplicas) - concurrent);
  const old = input.pods.filter((p) => p.createdAt < at);
  return {
    needsRestart: old.length,
    candidates: old.filter((p) => !p.terminating).map((p) => p.name),
    budget: Math.max(budget, 0),
  };
}
