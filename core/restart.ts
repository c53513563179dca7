// Argo's pod restart (rollout/restart.go): once spec.restartAt has passed, the rollout's pods created
// before it are evicted, as many at a time as the availability budget allows, until none is left;
// then status.restartedAt takes restartAt's value and the restart is done. The decisions, without I/O.

/**
 * Argo's NeedsRestart without its clock half (the workflow waits for restartAt with a timer): a
 * restartAt is set and restartedAt does not record the same time.
 */
export function restartPending(restartAt: string | undefined, restartedAt: string | undefined): boolean {
  if (restartAt === undefined) return false;
  return restartedAt === undefined || Date.parse(restartedAt) !== Date.parse(restartAt);
}

/**
 * Argo's MaxUnavailable for a canary with the default maxSurge and maxUnavailable (25 % each; both
 * fields are refused here): 25 % rounded down, never more than replicas.
 */
export function canaryMaxUnavailable(replicas: number): number {
  if (replicas === 0) return 0;
  return Math.min(Math.floor((replicas * 25) / 100), replicas);
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
  /** spec.replicas summed over the rollout's ReplicaSets (above replicas mid-canary). */
  totalReplicas: number;
  pods: readonly RestartPod[];
}): RestartPlan {
  const at = Date.parse(input.restartAt);
  const available = input.pods.filter((p) => p.available && !p.terminating).length;
  // maxUnavailable may be 0; at least one pod is restarted at a time.
  const concurrent = Math.max(canaryMaxUnavailable(input.replicas), 1);
  const budget = available - (Math.max(input.replicas, input.totalReplicas) - concurrent);
  const old = input.pods.filter((p) => p.createdAt < at);
  return {
    needsRestart: old.length,
    candidates: old.filter((p) => !p.terminating).map((p) => p.name),
    budget: Math.max(budget, 0),
  };
}
