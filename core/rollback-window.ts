// Argo's isRollbackWithinWindow (rollout/sync.go): the new pod template is an older ReplicaSet's, one
// created before the stable's, with fewer than `revisions` ReplicaSets created between the two. Such a
// rollback skips the steps and the analysis and is promoted fully. Argo orders ReplicaSets by creation
// time; the workflow by the revision that created each one (a rollback reuses the ReplicaSet, so its
// revision annotation moves on but its creation does not).

export interface ReplicaSetCreation {
  hash: string;
  /** The revision that created the ReplicaSet: orders ReplicaSets as their creation times do. */
  createdRevision: number;
}

export interface RollbackWindowInput {
  /** spec.rollbackWindow.revisions; absent or 0: no window. */
  revisions: number | undefined;
  desiredHash: string;
  stableHash: string;
  /** The rollout's ReplicaSets that still exist (pruned ones are gone, as from Argo's list). */
  replicaSets: readonly ReplicaSetCreation[];
}

export function isRollbackWithinWindow(input: RollbackWindowInput): boolean {
  const { revisions, desiredHash, stableHash, replicaSets } = input;
  if (revisions === undefined || revisions <= 0) return false;
  const desired = replicaSets.find((rs) => rs.hash === desiredHash);
  const stable = replicaSets.find((rs) => rs.hash === stableHash);
  // No older ReplicaSet for the template (never seen, or pruned): a new revision, not a rollback.
  if (!desired || !stable || desired.createdRevision >= stable.createdRevision) return false;
  const between = replicaSets.filter(
    (rs) => rs.createdRevision > desired.createdRevision && rs.createdRevision < stable.createdRevision,
  ).length;
  return between < revisions;
}
