// Argo's syncEphemeralMetadata (rollout/ephemeralmetadata.go): a ReplicaSet's pod template first, so
// that pods it creates meanwhile carry the role's metadata, then the pods it controls (listed by its
// selector, as Argo's GetPodsOwnedByReplicaSet). Only what the ReplicaSet's annotation says was
// injected is ever removed (core/pod-metadata.ts). Idempotent: it writes only what differs.
import type { KubernetesObject } from '@kubernetes/client-node';
import { PermanentFailureType } from '../core/failures.js';
import {
  applyMetadataPatch,
  ephemeralMetadataPatch,
  parseEphemeralMetadata,
  syncReplicaSetMetadata,
  type ObjectMetadata,
  type PodMetadata,
} from '../core/pod-metadata.js';
import type { Labels } from '../core/types.js';
import type { SyncPodMetadataInput, SyncPodMetadataResult } from './interface.js';
import { labelSelector, type Kube, type ObjectRef } from './kube.js';

interface ReplicaSet extends KubernetesObject {
  spec?: {
    replicas?: number;
    selector?: { matchLabels?: Labels };
    template?: { metadata?: ObjectMetadata; [field: string]: unknown };
  };
}

interface Pod extends KubernetesObject {
  metadata?: KubernetesObject['metadata'] & { labels?: Labels; annotations?: Labels };
}

const replicaSetRef = (namespace: string, name: string): ObjectRef => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  namespace,
  name,
});

export async function syncPodMetadata(
  kube: Kube,
  input: SyncPodMetadataInput,
): Promise<SyncPodMetadataResult> {
  const at = replicaSetRef(input.namespace, input.name);
  if ((await kube.readIfExists<ReplicaSet>(at)) === undefined)
    return { replicaSetChanged: false, podsChanged: 0 }; // gone: nothing carries the metadata (Argo: rs nil)
  // The annotation as it was before this sync says what the pods were given.
  let existing: PodMetadata | null = null;
  let changed = false;
  const rs = await kube.update<ReplicaSet>(at, (current) => {
    existing = parseEphemeralMetadata(current.metadata?.annotations);
    changed = false;
    const template = current.spec?.template;
    if (!template) return undefined;
    const next = syncReplicaSetMetadata(
      { annotations: current.metadata?.annotations, template: template.metadata ?? {} },
      input.podMetadata,
    );
    if (next === undefined) return undefined;
    changed = true;
    current.metadata = { ...current.metadata, annotations: next.annotations };
    template.metadata = next.template;
    return current;
  });
  // Argo's isZeroReplicaReplicaSet: a ReplicaSet scaled to zero has no pods to relabel.
  if ((rs.spec?.replicas ?? 0) === 0) return { replicaSetChanged: changed, podsChanged: 0 };
  const podsChanged = await syncPods(kube, rs, existing, input.podMetadata);
  return { replicaSetChanged: changed, podsChanged };
}

async function syncPods(
  kube: Kube,
  rs: ReplicaSet,
  existing: PodMetadata | null,
  desired: PodMetadata | null,
): Promise<number> {
  const namespace = rs.metadata?.namespace ?? '';
  const selector = labelSelector(rs.spec?.selector?.matchLabels ?? {});
  if (selector === '') return 0; // never list every pod of the namespace
  const pods = await kube.list<Pod>('v1', 'Pod', namespace, selector);
  let count = 0;
  for (const pod of pods) {
    // metav1.IsControlledBy: the pod's controller is this ReplicaSet (by uid).
    const owned = pod.metadata?.ownerReferences?.some(
      (owner) => owner.controller === true && owner.uid === rs.metadata?.uid,
    );
    const name = pod.metadata?.name;
    if (!owned || !name) continue;
    const ref: ObjectRef = { apiVersion: 'v1', kind: 'Pod', namespace, name };
    // Read, change, replace (Argo updates pods too): a 409 re-reads the pod, a pod gone is skipped.
    if (await updatePodMetadata(kube, ref, existing, desired)) count++;
  }
  return count;
}

async function updatePodMetadata(
  kube: Kube,
  ref: ObjectRef,
  existing: PodMetadata | null,
  desired: PodMetadata | null,
): Promise<boolean> {
  let changed = false;
  try {
    await kube.update<Pod>(ref, (pod) => {
      const { labels, annotations } = pod.metadata ?? {};
      const patch = ephemeralMetadataPatch({ labels, annotations }, existing, desired);
      changed = patch !== undefined;
      if (patch === undefined) return undefined;
      const next = applyMetadataPatch({ labels, annotations }, patch);
      pod.metadata = { ...pod.metadata, labels: next.labels, annotations: next.annotations };
      return pod;
    });
  } catch (err) {
    if ((err as { type?: unknown }).type === PermanentFailureType.NotFound) return false;
    throw err;
  }
  return changed;
}
