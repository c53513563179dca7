import { describe, expect, it } from '@jest/globals';
import { seededRandom } from '../../lab/mesh/random.js';
import {
  buildRoutingTable,
  parseServiceHost,
  pickBackend,
  selectorMatches,
  type HostRoute,
} from '../../lab/mesh/routing.js';
import { BLUE, GREEN, HASH_LABEL, NS, replicaSet, seedObjects, service, virtualService } from './fixtures.js';

describe('selectorMatches', () => {
  it('is true when every selector key/value is among the labels', () => {
    expect(selectorMatches({ app: 'myapp' }, { app: 'myapp', [HASH_LABEL]: 'aaa' })).toBe(true);
    expect(
      selectorMatches({ app: 'myapp', [HASH_LABEL]: 'aaa' }, { app: 'myapp', [HASH_LABEL]: 'aaa' }),
    ).toBe(true);
  });

  it('is false when a key is missing or differs', () => {
    expect(
      selectorMatches({ app: 'myapp', [HASH_LABEL]: 'bbb' }, { app: 'myapp', [HASH_LABEL]: 'aaa' }),
    ).toBe(false);
    expect(selectorMatches({ app: 'myapp', [HASH_LABEL]: 'aaa' }, { app: 'myapp' })).toBe(false);
    expect(selectorMatches({ app: 'myapp' }, undefined)).toBe(false);
  });

  it('selects nothing with an empty or absent selector', () => {
    expect(selectorMatches({}, { app: 'myapp' })).toBe(false);
    expect(selectorMatches(undefined, { app: 'myapp' })).toBe(false);
  });
});

describe('parseServiceHost', () => {
  it.each([
    ['myapp-canary-svc', { namespace: NS, name: 'myapp-canary-svc' }],
    ['myapp-canary-svc.other', { namespace: 'other', name: 'myapp-canary-svc' }],
    ['myapp-canary-svc.other.svc', { namespace: 'other', name: 'myapp-canary-svc' }],
    ['myapp-canary-svc.other.svc.cluster.local', { namespace: 'other', name: 'myapp-canary-svc' }],
    ['api.example.com', undefined],
    ['*.example.com', undefined],
    ['', undefined],
  ])('%s', (host, expected) => {
    expect(parseServiceHost(host, NS)).toEqual(expected);
  });
});

describe('buildRoutingTable', () => {
  it("resolves the seed's route: hosts, weights, Services and the ReplicaSets their selectors match", () => {
    const table = buildRoutingTable(seedObjects(80, 20));
    expect(table).toEqual({
      hosts: [
        {
          host: 'myapp.apps.argoproj.io',
          virtualService: { namespace: NS, name: 'myapp-vsvc' },
          route: 'primary',
          destinations: [
            {
              host: 'myapp-stable-svc',
              weight: 80,
              service: `myapp-stable-svc.${NS}.svc.cluster.local`,
              serviceRef: { namespace: NS, name: 'myapp-stable-svc' },
              backends: [{ namespace: NS, replicaSet: 'myapp-aaa', image: BLUE, availableReplicas: 2 }],
            },
            {
              host: 'myapp-canary-svc',
              weight: 20,
              service: `myapp-canary-svc.${NS}.svc.cluster.local`,
              serviceRef: { namespace: NS, name: 'myapp-canary-svc' },
              backends: [{ namespace: NS, replicaSet: 'myapp-bbb', image: GREEN, availableReplicas: 1 }],
            },
          ],
        },
      ],
    });
  });

  it('takes destination hosts in FQDN form too', () => {
    const objects = seedObjects();
    objects.virtualServices = [
      virtualService(50, 50, {
        stable: `myapp-stable-svc.${NS}.svc.cluster.local`,
        canary: `myapp-canary-svc.${NS}`,
      }),
    ];
    const [stable, canary] = buildRoutingTable(objects).hosts[0]?.destinations ?? [];
    expect(stable?.service).toBe(`myapp-stable-svc.${NS}.svc.cluster.local`);
    expect(stable?.backends.map((b) => b.replicaSet)).toEqual(['myapp-aaa']);
    expect(canary?.service).toBe(`myapp-canary-svc.${NS}.svc.cluster.local`);
    expect(canary?.backends.map((b) => b.replicaSet)).toEqual(['myapp-bbb']);
  });

  it('a selector without the hash matches both ReplicaSets; unavailable and other-namespace ones never', () => {
    const objects = seedObjects();
    objects.services = [
      service('myapp-stable-svc', { app: 'myapp' }),
      service('myapp-canary-svc', { app: 'myapp' }),
    ];
    objects.replicaSets.push(
      replicaSet('myapp-ccc', 'ccc', 'argoproj/rollouts-demo:yellow', 0), // scaled down / not ready
      replicaSet('myapp-ddd', 'ddd', 'argoproj/rollouts-demo:red', 3, 'elsewhere'),
    );
    const [stable] = buildRoutingTable(objects).hosts[0]?.destinations ?? [];
    expect(stable?.backends.map((b) => b.replicaSet)).toEqual(['myapp-aaa', 'myapp-bbb']);
  });

  it('a Service that does not exist, or selects nothing available: no backends; a missing one keeps its host', () => {
    const objects = seedObjects();
    objects.services = [service('myapp-stable-svc', { app: 'myapp', [HASH_LABEL]: 'zzz' })];
    const [stable, canary] = buildRoutingTable(objects).hosts[0]?.destinations ?? [];
    expect(stable?.backends).toEqual([]);
    expect(stable?.service).toBe(`myapp-stable-svc.${NS}.svc.cluster.local`);
    expect(canary?.backends).toEqual([]);
    expect(canary?.service).toBe('myapp-canary-svc');
    expect(canary?.serviceRef).toBeUndefined();
  });

  it('one entry per VirtualService host; a lone destination without weight takes 100', () => {
    const objects = seedObjects();
    objects.virtualServices = [
      {
        metadata: { name: 'single', namespace: NS },
        spec: {
          hosts: ['a.example', 'b.example'],
          http: [{ route: [{ destination: { host: 'myapp-stable-svc' } }] }],
        },
      },
    ];
    const table = buildRoutingTable(objects);
    expect(table.hosts.map((h) => h.host)).toEqual(['a.example', 'b.example']);
    expect(table.hosts[0]?.route).toBeUndefined();
    expect(table.hosts[0]?.destinations.map((d) => d.weight)).toEqual([100]);
  });

  it('uses the first HTTP route without match conditions (a synthetic request carries no headers)', () => {
    const objects = seedObjects();
    objects.virtualServices = [
      {
        metadata: { name: 'vs', namespace: NS },
        spec: {
          hosts: ['myapp.apps.argoproj.io'],
          http: [
            {
              name: 'beta-users',
              match: [{ headers: {} }],
              route: [{ destination: { host: 'myapp-canary-svc' } }],
            },
            { name: 'primary', route: [{ destination: { host: 'myapp-stable-svc' } }] },
          ],
        },
      },
    ];
    expect(buildRoutingTable(objects).hosts[0]?.route).toBe('primary');
  });

  it('copes with objects missing fields', () => {
    const table = buildRoutingTable({
      virtualServices: [{}, { metadata: { name: 'x', namespace: NS }, spec: { hosts: ['h'] } }],
      services: [{}],
      replicaSets: [{}],
    });
    expect(table.hosts).toEqual([
      { host: 'h', virtualService: { namespace: NS, name: 'x' }, destinations: [] },
    ]);
  });
});

describe('pickBackend', () => {
  function split(route: HostRoute, picks: number): Record<string, number> {
    const random = seededRandom(3);
    const seen: Record<string, number> = {};
    for (let i = 0; i < picks; i++) {
      const { destination, backend } = pickBackend(route, random);
      const key = backend?.replicaSet ?? (destination ? `${destination.host}:none` : 'no-route');
      seen[key] = (seen[key] ?? 0) + 1;
    }
    return seen;
  }

  it('follows the route weights', () => {
    const route = buildRoutingTable(seedObjects(80, 20)).hosts[0] as HostRoute;
    const seen = split(route, 10_000);
    expect(Math.abs((seen['myapp-aaa'] ?? 0) / 10_000 - 0.8)).toBeLessThan(0.02);
    expect(Math.abs((seen['myapp-bbb'] ?? 0) / 10_000 - 0.2)).toBeLessThan(0.02);
  });

  it('100/0 sends nothing to the canary', () => {
    const route = buildRoutingTable(seedObjects(100, 0)).hosts[0] as HostRoute;
    expect(split(route, 2000)).toEqual({ 'myapp-aaa': 2000 });
  });

  it('splits a Service over its ReplicaSets by available replicas', () => {
    const objects = seedObjects(100, 0);
    objects.services = [service('myapp-stable-svc', { app: 'myapp' })];
    const route = buildRoutingTable(objects).hosts[0] as HostRoute;
    const seen = split(route, 9000);
    expect(Math.abs((seen['myapp-aaa'] ?? 0) / 9000 - 2 / 3)).toBeLessThan(0.02);
  });

  it('a destination without backends, or no weight at all', () => {
    const objects = seedObjects(0, 100);
    objects.replicaSets = [];
    expect(split(buildRoutingTable(objects).hosts[0] as HostRoute, 10)).toEqual({
      'myapp-canary-svc:none': 10,
    });
    expect(split(buildRoutingTable(seedObjects(0, 0)).hosts[0] as HostRoute, 10)).toEqual({ 'no-route': 10 });
  });
});
