import { describe, expect, it } from '@jest/globals';
import {
  readRouteWeights,
  RouteError,
  setRouteWeights,
  type VirtualServiceSpec,
} from '../../activities/trafficrouting/istio-routes.js';
import type { IstioVirtualServiceRef } from '../../core/types.js';

const hosts = { by: 'host', canary: 'myapp-canary-svc', stable: 'myapp-stable-svc' } as const;
const ref = (routes: string[], extra: Partial<IstioVirtualServiceRef> = {}): IstioVirtualServiceRef => ({
  name: 'myapp-vsvc',
  routes,
  tlsRoutes: [],
  tcpRoutes: [],
  ...extra,
});

function seedSpec(): VirtualServiceSpec {
  return {
    gateways: ['myapp-gateway'],
    hosts: ['myapp.apps.argoproj.io'],
    http: [
      {
        name: 'primary',
        route: [
          { destination: { host: 'myapp-stable-svc' }, weight: 100 },
          { destination: { host: 'myapp-canary-svc' }, weight: 0 },
        ],
      },
      { name: 'theirs', route: [{ destination: { host: 'other' }, weight: 100 }] },
    ],
  };
}

describe('Istio VirtualService weights', () => {
  it('sets canary and stable weights of a named route and touches nothing else', () => {
    const spec = seedSpec();
    const before = JSON.parse(JSON.stringify(spec)) as VirtualServiceSpec;
    expect(setRouteWeights('ns/vs', spec, ref(['primary']), hosts, 20)).toBe(true);
    expect(readRouteWeights('ns/vs', spec, ref(['primary']), hosts)).toEqual([{ canary: 20, stable: 80 }]);
    expect(spec.http?.[1]).toEqual(before.http?.[1]);
    expect(spec.gateways).toEqual(before.gateways);
    expect(setRouteWeights('ns/vs', spec, ref(['primary']), hosts, 20)).toBe(false);
  });

  it('matches destinations by short name, namespace-qualified or full cluster host', () => {
    const spec = seedSpec();
    const route = spec.http?.[0]?.route ?? [];
    (route[0] as { destination: { host: string } }).destination.host =
      'myapp-stable-svc.rollouts-demo.svc.cluster.local';
    (route[1] as { destination: { host: string } }).destination.host = 'myapp-canary-svc.rollouts-demo';
    setRouteWeights('ns/vs', spec, ref(['primary']), hosts, 60);
    expect(readRouteWeights('ns/vs', spec, ref(['primary']), hosts)).toEqual([{ canary: 60, stable: 40 }]);
  });

  it('names a missing route', () => {
    expect(() => setRouteWeights('ns/vs', seedSpec(), ref(['secondary']), hosts, 20)).toThrow(
      new RouteError('VirtualService ns/vs: HTTP route "secondary" not found (routes: primary, theirs)'),
    );
  });

  it('names a missing destination', () => {
    const spec = seedSpec();
    spec.http?.[0]?.route?.pop();
    expect(() => setRouteWeights('ns/vs', spec, ref(['primary']), hosts, 20)).toThrow(
      'VirtualService ns/vs: http route "primary" has no destination for the canary Service "myapp-canary-svc"',
    );
  });

  it('needs route names when there are several HTTP routes, not when there is one', () => {
    expect(() => setRouteWeights('ns/vs', seedSpec(), ref([]), hosts, 20)).toThrow('has 2 HTTP routes');
    const single = seedSpec();
    single.http = single.http?.slice(0, 1);
    expect(setRouteWeights('ns/vs', single, ref([]), hosts, 40)).toBe(true);
  });

  it('handles TLS routes by port and SNI, TCP routes by port, and subset-level sides', () => {
    const spec: VirtualServiceSpec = {
      tls: [
        {
          match: [{ port: 443, sniHosts: ['a.example'] }],
          route: [
            { destination: { host: 'svc', subset: 'stable' }, weight: 100 },
            { destination: { host: 'svc', subset: 'canary' }, weight: 0 },
          ],
        },
      ],
      tcp: [
        {
          match: [{ port: 3306 }],
          route: [
            { destination: { host: 'svc', subset: 'stable' }, weight: 100 },
            { destination: { host: 'svc', subset: 'canary' }, weight: 0 },
          ],
        },
      ],
    };
    const subsets = { by: 'subset', canary: 'canary', stable: 'stable' } as const;
    const r = ref([], { tlsRoutes: [{ port: 443, sniHosts: ['a.example'] }], tcpRoutes: [{ port: 3306 }] });
    setRouteWeights('ns/vs', spec, r, subsets, 30);
    expect(readRouteWeights('ns/vs', spec, r, subsets)).toEqual([
      { canary: 30, stable: 70 },
      { canary: 30, stable: 70 },
    ]);
    expect(() =>
      setRouteWeights('ns/vs', spec, ref([], { tcpRoutes: [{ port: 5432 }] }), subsets, 30),
    ).toThrow('VirtualService ns/vs: TCP route on port 5432 not found');
  });

  describe("TLS and TCP routes, as Argo's istio.go picks them", () => {
    const subsets = { by: 'subset', canary: 'canary', stable: 'stable' } as const;
    const route = () => [
      { destination: { host: 'svc', subset: 'stable' }, weight: 100 },
      { destination: { host: 'svc', subset: 'canary' }, weight: 0 },
    ];
    const tls = (match: { port?: number; sniHosts?: string[] }[]) => ({ match, route: route() });

    it('patches every TLS route that matches, not only the first', () => {
      const spec: VirtualServiceSpec = {
        tls: [
          tls([{ port: 443, sniHosts: ['a.example'] }]),
          tls([{ port: 443, sniHosts: ['b.example'] }]),
          tls([{ port: 443, sniHosts: ['a.example'] }]),
        ],
      };
      const r = ref([], { tlsRoutes: [{ port: 443, sniHosts: ['a.example'] }] });
      setRouteWeights('ns/vs', spec, r, subsets, 30);
      expect(spec.tls?.map((t) => t.route?.[1]?.weight)).toEqual([30, 0, 30]);
    });

    it('needs the exact SNI set of a route (in any order), and one port only', () => {
      const spec: VirtualServiceSpec = {
        tls: [
          tls([{ port: 443, sniHosts: ['a.example', 'b.example'] }]),
          tls([{ port: 443 }, { port: 8443 }]),
        ],
      };
      expect(() =>
        setRouteWeights(
          'ns/vs',
          spec,
          ref([], { tlsRoutes: [{ port: 443, sniHosts: ['a.example'] }] }),
          subsets,
          30,
        ),
      ).toThrow('VirtualService ns/vs: TLS route on port 443 for exactly a.example not found');
      const both = ref([], { tlsRoutes: [{ port: 443, sniHosts: ['b.example', 'a.example'] }] });
      setRouteWeights('ns/vs', spec, both, subsets, 30);
      expect(spec.tls?.map((t) => t.route?.[1]?.weight)).toEqual([30, 0]);
      // Two ports in one route never match, even the first of them.
      expect(() =>
        setRouteWeights('ns/vs', spec, ref([], { tlsRoutes: [{ port: 443 }] }), subsets, 30),
      ).toThrow('TLS route on port 443 without SNI hosts not found');
    });

    it('patches every TCP route on the port', () => {
      const spec: VirtualServiceSpec = {
        tcp: [
          { match: [{ port: 3306 }], route: route() },
          { match: [{ port: 3306 }], route: route() },
        ],
      };
      setRouteWeights('ns/vs', spec, ref([], { tcpRoutes: [{ port: 3306 }] }), subsets, 25);
      expect(spec.tcp?.map((t) => t.route?.[1]?.weight)).toEqual([25, 25]);
    });

    it('with nothing named, owns the only route of each section, and refuses several', () => {
      const spec: VirtualServiceSpec = {
        http: [{ name: 'primary', route: route() }],
        tls: [tls([{ port: 443, sniHosts: ['a.example'] }])],
      };
      setRouteWeights('ns/vs', spec, ref([]), subsets, 10);
      expect([spec.http?.[0]?.route?.[1]?.weight, spec.tls?.[0]?.route?.[1]?.weight]).toEqual([10, 10]);
      spec.tls?.push(tls([{ port: 443, sniHosts: ['b.example'] }]));
      expect(() => setRouteWeights('ns/vs', spec, ref(['primary']), subsets, 10)).toThrow(
        'has 2 TLS routes, so the Rollout must name the ones it owns (spec.strategy.canary.trafficRouting.istio.virtualService.tlsRoutes)',
      );
    });
  });
});
