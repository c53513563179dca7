// Objects as the API server lists them, shaped like the seed's (examples/seed) mid-canary: two
// ReplicaSets of the myapp rollout (blue stable, green canary) with their pod-template-hash labels,
// the Services pointed at them, and the VirtualService at a weight the test picks.
import type {
  ClusterObjects,
  ReplicaSetObject,
  ServiceObject,
  VirtualServiceObject,
} from '../../lab/mesh/routing.js';

export const NS = 'rollouts-demo';
export const BLUE = 'argoproj/rollouts-demo:blue';
export const GREEN = 'argoproj/rollouts-demo:green';
export const HASH_LABEL = 'rollouts-pod-template-hash';

export function replicaSet(name: string, hash: string, image: string, available: number, namespace = NS) {
  return {
    metadata: { name, namespace },
    spec: {
      template: {
        metadata: { labels: { app: 'myapp', [HASH_LABEL]: hash } },
        spec: { containers: [{ image }, { image: 'sidecar:1' }] },
      },
    },
    status: { availableReplicas: available },
  } satisfies ReplicaSetObject;
}

export function service(name: string, selector: Record<string, string> | undefined, namespace = NS) {
  return { metadata: { name, namespace }, spec: { selector } } satisfies ServiceObject;
}

export function virtualService(
  stableWeight: number,
  canaryWeight: number,
  hosts = { stable: 'myapp-stable-svc', canary: 'myapp-canary-svc' },
): VirtualServiceObject {
  return {
    metadata: { name: 'myapp-vsvc', namespace: NS },
    spec: {
      hosts: ['myapp.apps.argoproj.io'],
      http: [
        {
          name: 'primary',
          route: [
            { destination: { host: hosts.stable }, weight: stableWeight },
            { destination: { host: hosts.canary }, weight: canaryWeight },
          ],
        },
      ],
    },
  };
}

/** The seed mid-canary: blue (hash aaa, 2 pods) stable, green (hash bbb, 1 pod) canary. */
export function seedObjects(stableWeight = 80, canaryWeight = 20): ClusterObjects {
  return {
    virtualServices: [virtualService(stableWeight, canaryWeight)],
    services: [
      service('myapp-stable-svc', { app: 'myapp', [HASH_LABEL]: 'aaa' }),
      service('myapp-canary-svc', { app: 'myapp', [HASH_LABEL]: 'bbb' }),
    ],
    replicaSets: [replicaSet('myapp-aaa', 'aaa', BLUE, 2), replicaSet('myapp-bbb', 'bbb', GREEN, 1)],
  };
}
