import { describe, expect, it } from '@jest/globals';
import { ErrorRates } from '../../lab/mesh/error-rates.js';
import { buildRoutingTable } from '../../lab/mesh/routing.js';
import { buildState } from '../../lab/mesh/state.js';
import { TrafficStats } from '../../lab/mesh/stats.js';
import { BLUE, GREEN, NS, seedObjects } from './fixtures.js';

const CANARY = `myapp-canary-svc.${NS}.svc.cluster.local`;
const STABLE = `myapp-stable-svc.${NS}.svc.cluster.local`;
const PURPLE = 'argoproj/rollouts-demo:purple';

describe('buildState', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  const stats = new TrafficStats(10, 100, () => now.getTime());
  stats.add({ host: 'myapp.apps.argoproj.io', service: STABLE, image: BLUE, code: 200 });
  stats.add({ host: 'myapp.apps.argoproj.io', service: CANARY, image: GREEN, code: 500 });
  stats.add({ host: 'myapp.apps.argoproj.io', service: CANARY, image: GREEN, code: 200 });
  const errorRates = new ErrorRates();
  errorRates.set({ image: GREEN, rate: 0.65 });
  errorRates.set({ image: PURPLE, rate: 0.1 });
  const inputs = {
    table: buildRoutingTable(seedObjects(80, 20)),
    stats,
    errorRates,
    ratePerSecond: 20,
    refreshedAt: new Date('2029-12-31T23:59:59.500Z'),
    now,
  };

  it('gives the routes, their weights and traffic, the images with colours and rates, and the requests', () => {
    expect(buildState(inputs)).toEqual({
      time: '2030-01-01T00:00:00.000Z',
      ratePerSecond: 20,
      windowSeconds: 10,
      routing: { refreshedAt: '2029-12-31T23:59:59.500Z' },
      hosts: [
        {
          host: 'myapp.apps.argoproj.io',
          virtualService: `${NS}/myapp-vsvc`,
          route: 'primary',
          destinations: [
            {
              host: 'myapp-stable-svc',
              service: STABLE,
              weight: 80,
              requests: 1,
              errors: 0,
              replicaSets: [{ name: 'myapp-aaa', image: BLUE, availableReplicas: 2 }],
            },
            {
              host: 'myapp-canary-svc',
              service: CANARY,
              weight: 20,
              requests: 2,
              errors: 1,
              replicaSets: [{ name: 'myapp-bbb', image: GREEN, availableReplicas: 1 }],
            },
          ],
        },
      ],
      images: [
        {
          image: BLUE,
          color: 'blue',
          css: expect.any(String),
          errorRate: 0,
          requests: 1,
          errors: 0,
          observedErrorRate: 0,
        },
        {
          image: GREEN,
          color: 'green',
          css: expect.any(String),
          errorRate: 0.65,
          requests: 2,
          errors: 1,
          observedErrorRate: 0.5,
        },
        // Not deployed, but has a rate set: listed so the page can change it.
        {
          image: PURPLE,
          color: 'purple',
          css: expect.any(String),
          errorRate: 0.1,
          requests: 0,
          errors: 0,
          observedErrorRate: null,
        },
      ],
      recent: {
        last: 3,
        requests: [
          { seq: 1, host: 'myapp.apps.argoproj.io', service: STABLE, image: BLUE, code: 200 },
          { seq: 2, host: 'myapp.apps.argoproj.io', service: CANARY, image: GREEN, code: 500 },
          { seq: 3, host: 'myapp.apps.argoproj.io', service: CANARY, image: GREEN, code: 200 },
        ],
      },
    });
  });

  it('gives only the requests after `since`, at most `limit`, and the routing error', () => {
    const state = buildState({
      ...inputs,
      since: 1,
      limit: 1,
      routingError: 'listing VirtualService: HTTP 404',
    });
    expect(state.recent).toEqual({ last: 3, requests: [expect.objectContaining({ seq: 3 })] });
    expect(state.routing).toEqual({
      refreshedAt: '2029-12-31T23:59:59.500Z',
      error: 'listing VirtualService: HTTP 404',
    });
  });
});
