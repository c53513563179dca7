// The objects the pod simulator writes, pure: a pod as the ReplicaSet controller makes it from the
// template (name from generateName, owner reference, bound to the simulated node as no scheduler runs),
// and the status a kubelet reports once its containers run (every IP is data only: nothing listens).
import { createHash } from 'node:crypto';
import type {
  V1ContainerStatus,
  V1Pod,
  V1PodCondition,
  V1PodStatus,
  V1ReplicaSet,
} from '@kubernetes/client-node';

export const LAB_NODE_NAME = 'lab-node';
export const LAB_NODE_IP = '10.0.0.10';

/** The pod the ReplicaSet controller would create (controller.GetPodFromTemplate). */
export function podFromReplicaSet(rs: V1ReplicaSet, nodeName: string): V1Pod {
  const template = rs.spec?.template;
  const name = rs.metadata?.name ?? '';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      // The API server adds 5 random characters, as for the controller's pods.
      generateName: `${name}-`,
      namespace: rs.metadata?.namespace ?? '',
      ...(template?.metadata?.labels ? { labels: { ...template.metadata.labels } } : {}),
      ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name,
          uid: rs.metadata?.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { ...template?.spec, containers: template?.spec?.containers ?? [], nodeName },
  };
}

const digest = (text: string) => createHash('sha256').update(text).digest('hex');

/** 10.244.x.y for the n-th pod (n ≥ 0), skipping .0 and .255. */
export function podIP(n: number): string {
  const host = (n % 254) + 1;
  const net = Math.floor(n / 254) % 256;
  return `10.244.${net}.${host}`;
}

/** What the kubelet reports for a pod whose containers all run and are ready, from `now` on. */
export function runningStatus(pod: V1Pod, now: Date, ip: string, hostIP = LAB_NODE_IP): V1PodStatus {
  const uid = pod.metadata?.uid ?? '';
  const condition = (type: string): V1PodCondition => ({ type, status: 'True', lastTransitionTime: now });
  const container = (name: string, image: string): V1ContainerStatus => ({
    name,
    image,
    imageID: `${image.split(':')[0]}@sha256:${digest(image)}`,
    containerID: `containerd://${digest(`${uid}/${name}`)}`,
    ready: true,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: now } },
  });
  const initContainers = pod.spec?.initContainers ?? [];
  return {
    ...pod.status,
    phase: 'Running',
    conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map(
      condition,
    ),
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP: ip,
    podIPs: [{ ip }],
    startTime: pod.status?.startTime ?? now,
    ...(initContainers.length > 0
      ? {
          initContainerStatuses: initContainers.map((c) => ({
            ...container(c.name, c.image ?? ''),
            // A sidecar (restartPolicy Always) keeps running; the others ran to completion.
            ...(c.restartPolicy === 'Always'
              ? {}
              : {
                  started: false,
                  state: {
                    terminated: { exitCode: 0, reason: 'Completed', startedAt: now, finishedAt: now },
                  },
                }),
          })),
        }
      : {}),
    containerStatuses: (pod.spec?.containers ?? []).map((c) => container(c.name, c.image ?? '')),
  };
}
