// A VirtualService named `name.namespace` (Istio's shorthand, which Argo accepts): split as Argo's
// GetVirtualServiceNamespaceName does, carried by the normalized definition, and used by the activity
// for the request path (issue 11, bullet 6), including a definition from before that holds the dotted name.
import { describe, expect, it } from '@jest/globals';
import type { KubernetesObject } from '@kubernetes/client-node';
import { IstioRouter } from '../../activities/trafficrouting/istio.js';
import type { Kube, ObjectRef } from '../../activities/kube.js';
import { loadManifests } from '../../core/manifest/index.js';
import { splitVirtualServiceName, virtualServiceLocation } from '../../core/manifest/virtual-service-name.js';
import type { IstioVirtualServiceRef } from '../../core/types.js';

describe('splitVirtualServiceName (Argo utils/istio GetVirtualServiceNamespaceName)', () => {
  it.each([
    ['myapp-vsvc', { name: 'myapp-vsvc' }],
    ['myapp-vsvc.edge', { name: 'myapp-vsvc', namespace: 'edge' }],
    // the last segment is the namespace, the rest the name (argo-rollouts#4709)
    ['my.vsvc.edge', { name: 'my.vsvc', namespace: 'edge' }],
    ['myapp-vsvc.edge.cluster.local', { name: 'myapp-vsvc', namespace: 'edge' }],
  ])('%s', (written, expected) => {
    expect(splitVirtualServiceName(written)).toEqual(expected);
  });

  it('locates a reference in the Rollout namespace unless it names another', () => {
    expect(virtualServiceLocation({ name: 'vs' }, 'demo')).toEqual({ name: 'vs', namespace: 'demo' });
    expect(virtualServiceLocation({ name: 'vs', namespace: 'edge' }, 'demo')).toEqual({
      name: 'vs',
      namespace: 'edge',
    });
    // a definition normalized before the split still holds the dotted name
    expect(virtualServiceLocation({ name: 'vs.edge' }, 'demo')).toEqual({ name: 'vs', namespace: 'edge' });
  });
});

const rollout = (vsName: string) => `
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: myapp, namespace: rollouts-demo}
spec:
  selector: {matchLabels: {app: myapp}}
  template:
    metadata: {labels: {app: myapp}}
    spec: {containers: [{name: myapp, image: "argoproj/rollouts-demo:blue"}]}
  strategy:
    canary:
      canaryService: myapp-canary
      stableService: myapp-stable
      trafficRouting:
        istio:
          virtualService: {name: ${vsName}}
      steps: [{setWeight: 20}]
`;

describe('the normalized definition', () => {
  it('carries the namespace of name.namespace, and leaves a plain name as written', () => {
    const routing = (name: string) =>
      loadManifests(rollout(name), 'r.yaml').rollouts[0]?.canary.trafficRouting?.istio.virtualServices[0];
    expect(routing('myapp-vsvc.edge')).toMatchObject({ name: 'myapp-vsvc', namespace: 'edge' });
    expect(routing('myapp-vsvc')).toEqual({ name: 'myapp-vsvc', routes: [], tlsRoutes: [], tcpRoutes: [] });
  });

  it('refuses a namespace that is no namespace name', () => {
    const name = `vs.${'n'.repeat(64)}`;
    const { errors } = loadManifests(rollout(name), 'r.yaml');
    expect(errors.map((e) => e.path)).toEqual([
      'spec.strategy.canary.trafficRouting.istio.virtualService.name',
    ]);
    expect(errors[0]?.message).toContain(`the namespace "${'n'.repeat(64)}"`);
  });
});

/** A Kube that holds one VirtualService and records the refs it is asked for. */
function fakeKube() {
  const asked: ObjectRef[] = [];
  const vs = {
    spec: {
      http: [
        {
          route: [
            { destination: { host: 'myapp-stable' }, weight: 100 },
            { destination: { host: 'myapp-canary' }, weight: 0 },
          ],
        },
      ],
    },
  };
  const kube = {
    async update<T extends KubernetesObject>(ref: ObjectRef, change: (object: T) => T | undefined) {
      asked.push(ref);
      const changed = change(JSON.parse(JSON.stringify(vs)) as T);
      if (changed) Object.assign(vs, changed);
      return Promise.resolve(vs as unknown as T);
    },
    async read<T extends KubernetesObject>(ref: ObjectRef) {
      asked.push(ref);
      return Promise.resolve(vs as unknown as T);
    },
  };
  return { asked, kube: kube as unknown as Kube };
}

describe('IstioRouter.setWeight', () => {
  const input = (ref: IstioVirtualServiceRef) => ({
    namespace: 'rollouts-demo',
    rollout: 'myapp',
    routing: { istio: { virtualServices: [ref] } },
    canaryService: 'myapp-canary',
    stableService: 'myapp-stable',
    canaryWeight: 20,
  });
  const plain = { routes: [], tlsRoutes: [], tcpRoutes: [] };

  it.each([
    ['the namespace the definition carries', { name: 'myapp-vsvc', namespace: 'edge', ...plain }],
    ['a dotted name of a definition from before', { name: 'myapp-vsvc.edge', ...plain }],
  ])('asks for the VirtualService in the namespace of name.namespace: %s', async (_, ref) => {
    const { asked, kube } = fakeKube();
    const result = await new IstioRouter(kube).setWeight(input(ref));
    expect(result).toEqual({ canary: 20, stable: 80, verified: true });
    // One update: what the server answered is what is checked, no second read.
    expect(asked.map((r) => `${r.namespace}/${r.name}`)).toEqual(['edge/myapp-vsvc']);
  });

  it("asks in the Rollout's namespace for a plain name", async () => {
    const { asked, kube } = fakeKube();
    await new IstioRouter(kube).setWeight(input({ name: 'myapp-vsvc', ...plain }));
    expect(asked.map((r) => `${r.namespace}/${r.name}`)).toEqual(['rollouts-demo/myapp-vsvc']);
  });
});
