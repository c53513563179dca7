// Argo's scaleDownDelayRevisionLimit (rollout/replicaset.go scaleDownDelayHelper, called by
// scaleDownOldReplicaSetsForCanary): the old ReplicaSets still up and waiting for their delayed
// scale-down are counted newest revision first; those past the limit are scaled down at once.

/** An old ReplicaSet as the rule sees it. */
export interface OldReplicaSet {
  hash: string;
  revision: number;
  replicas: number;
  /** Waiting for a delayed scale-down (Argo: it carries a scale-down-deadline). */
  waiting: boolean;
}

/**
 * The hashes to scale down now. Skipped, as Argo's loop skips them (and so not counted): ReplicaSets
 * still referenced (the stable, the canary, a Service's selector), those at zero, and those not
 * waiting. Absent limit: none (Argo's default is MaxInt32).
 */
export function beyondScaleDownRevisionLimit(
  replicaSets: readonly OldReplicaSet[],
  referenced: readonly string[],
  limit: number | undefined,
): string[] {
  if (limit === undefined) return [];
  return replicaSets
    .filter((rs) => rs.waiting && rs.replicas > 0 && !referenced.includes(rs.hash))
    .sort((a, b) => b.revision - a.revision)
    .slice(Math.max(0, limit))
    .map((rs) => rs.hash);
}
