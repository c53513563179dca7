// The API's ReplicaSets and pods as the planner (plan.ts) sees them.
import type { V1Pod, V1ReplicaSet } from '@kubernetes/client-node';
import type { PlanPod, PlanReplicaSet } from './plan.js';

const time = (t: Date | string | undefined) => (t === undefined ? undefined : new Date(t).getTime());

export function planReplicaSet(rs: V1ReplicaSet, startupDelayMs: number): PlanReplicaSet {
  const status = rs.status;
  return {
    namespace: rs.metadata?.namespace ?? '',
    name: rs.metadata?.name ?? '',
    uid: rs.metadata?.uid ?? '',
    replicas: rs.spec?.replicas ?? 1,
    generation: rs.metadata?.generation ?? 0,
    minReadySeconds: rs.spec?.minReadySeconds ?? 0,
    ...(rs.spec?.selector ? { selector: rs.spec.selector } : {}),
    templateLabels: rs.spec?.template?.metadata?.labels ?? {},
    status: {
      replicas: status?.replicas ?? 0,
      fullyLabeledReplicas: status?.fullyLabeledReplicas ?? 0,
      readyReplicas: status?.readyReplicas ?? 0,
      availableReplicas: status?.availableReplicas ?? 0,
      observedGeneration: status?.observedGeneration ?? 0,
    },
    deleting: rs.metadata?.deletionTimestamp !== undefined,
    startupDelayMs,
  };
}

/** `createdAt`: when the simulator created it, if it did (creationTimestamp has whole seconds only). */
export function planPod(pod: V1Pod, createdAt?: number): PlanPod {
  const owner = pod.metadata?.ownerReferences?.find(
    (o) => o.controller === true && o.kind === 'ReplicaSet' && o.apiVersion.startsWith('apps/'),
  );
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True');
  const terminating = pod.metadata?.deletionTimestamp !== undefined;
  return {
    namespace: pod.metadata?.namespace ?? '',
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    labels: pod.metadata?.labels ?? {},
    ...(owner ? { controllerUid: owner.uid } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    createdAt: createdAt ?? time(pod.metadata?.creationTimestamp) ?? 0,
    terminating,
    awaitingKubelet: terminating && (pod.metadata?.deletionGracePeriodSeconds ?? 0) > 0,
    finished: pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed',
    ...(ready ? { readySince: time(ready.lastTransitionTime) ?? 0 } : {}),
  };
}
