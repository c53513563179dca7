// What a Rollout object owns (its ReplicaSets, its AnalysisRuns) names it as its controller, as
// metav1.NewControllerRef does, so the garbage collector deletes them with it and the plugin finds them.
export function rolloutControllerRef(owner: { rollout: string; uid: string }) {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    name: owner.rollout,
    uid: owner.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}
