import { describe, expect, it } from '@jest/globals';
import { ErrorRates } from '../../lab/mesh/error-rates.js';
import { IstioMetrics } from '../../lab/mesh/istio-metrics.js';
import { seededRandom } from '../../lab/mesh/random.js';
import {
  buildRoutingTable,
  type ClusterObjects,
  type HostRoute,
  type RoutingTable,
} from '../../lab/mesh/routing.js';
import { TrafficStats } from '../../lab/mesh/stats.js';
import { syntheticDurationMs, TrafficGenerator } from '../../lab/mesh/traffic.js';
import { parseExposition, sumSamples } from '../support/exposition.js';
import { BLUE, GREEN, NS, seedObjects } from './fixtures.js';

const CANARY = `myapp-canary-svc.${NS}.svc.cluster.local`;
const STABLE = `myapp-stable-svc.${NS}.svc.cluster.local`;

function setup(objects: ClusterObjects = seedObjects(80, 20), rate = 100, seed = 11) {
  let table: RoutingTable = buildRoutingTable(objects);
  let now = 5_000_000;
  const errorRates = new ErrorRates();
  const metrics = new IstioMetrics();
  const stats = new TrafficStats(10, 1000, () => now);
  const generator = new TrafficGenerator(() => table, errorRates, metrics, stats, {
    ratePerSecond: rate,
    random: seededRandom(seed),
    now: () => now,
  });
  return {
    generator,
    errorRates,
    metrics,
    stats,
    route: () => table.hosts[0] as HostRoute,
    setTable: (objects: ClusterObjects) => (table = buildRoutingTable(objects)),
    advance: (ms: number) => (now += ms),
  };
}

describe('TrafficGenerator', () => {
  it('splits requests by the route weights and counts them in the Istio metrics', () => {
    const { generator, metrics, route } = setup();
    generator.send(route(), 5000);
    const parsed = parseExposition(metrics.render());
    const total = sumSamples(parsed, 'istio_requests_total', { reporter: 'source' });
    const canary = sumSamples(parsed, 'istio_requests_total', { destination_service: CANARY });
    expect(total).toBe(5000);
    expect(Math.abs(canary / total - 0.2)).toBeLessThan(0.025);
    expect(
      sumSamples(parsed, 'istio_requests_total', {
        destination_service: STABLE,
        destination_workload: 'myapp-aaa',
      }),
    ).toBe(total - canary);
    expect(sumSamples(parsed, 'istio_request_duration_milliseconds_count')).toBe(5000);
  });

  it('answers 500 at the error rate set for the image, 200 otherwise', () => {
    const { generator, errorRates, metrics, stats, route } = setup();
    errorRates.set({ image: GREEN, rate: 0.65 });
    generator.send(route(), 10_000);
    const parsed = parseExposition(metrics.render());
    const canaryErrors = sumSamples(parsed, 'istio_requests_total', {
      destination_service: CANARY,
      response_code: '500',
    });
    const canaryAll = sumSamples(parsed, 'istio_requests_total', { destination_service: CANARY });
    expect(Math.abs(canaryErrors / canaryAll - 0.65)).toBeLessThan(0.04);
    expect(
      sumSamples(parsed, 'istio_requests_total', { destination_service: STABLE, response_code: '500' }),
    ).toBe(0);
    const green = stats.byImage().get(GREEN);
    expect(green?.errors).toBe(canaryErrors);
    expect(stats.byImage().get(BLUE)?.errors).toBe(0);
  });

  it('is deterministic for a seed', () => {
    const a = setup(seedObjects(50, 50), 100, 5);
    const b = setup(seedObjects(50, 50), 100, 5);
    a.errorRates.set({ image: GREEN, rate: 0.5 });
    b.errorRates.set({ image: GREEN, rate: 0.5 });
    expect(a.generator.send(a.route(), 200)).toEqual(b.generator.send(b.route(), 200));
  });

  it('no available ReplicaSet behind the Service: 503 from workload "unknown" (no healthy upstream)', () => {
    const objects = seedObjects(0, 100);
    objects.replicaSets = objects.replicaSets.filter((rs) => rs.metadata?.name !== 'myapp-bbb');
    const { generator, metrics, route } = setup(objects);
    const events = generator.send(route(), 10);
    expect(events.every((e) => e.code === 503 && e.image === undefined && e.service === CANARY)).toBe(true);
    const parsed = parseExposition(metrics.render());
    expect(
      sumSamples(parsed, 'istio_requests_total', {
        destination_service: CANARY,
        destination_workload: 'unknown',
        response_code: '503',
      }),
    ).toBe(10);
  });

  it('no weight anywhere: counted on the page, not in the metrics', () => {
    const { generator, metrics, route } = setup(seedObjects(0, 0));
    expect(generator.send(route(), 3).map((e) => e.code)).toEqual([503, 503, 503]);
    expect(sumSamples(parseExposition(metrics.render()), 'istio_requests_total')).toBe(0);
  });

  it('ticks send the rate per host over time, carrying fractions, at most a second after a stall', () => {
    const { generator, stats, advance } = setup(seedObjects(), 15);
    generator.start(); // sets the start time; the interval itself is not relied on here
    generator.stop();
    for (let i = 0; i < 20; i++) {
      advance(100);
      generator.tick();
    }
    expect(stats.lastSeq).toBe(30); // 15/s for 2 s
    advance(60_000);
    generator.tick();
    expect(stats.lastSeq).toBe(45); // one second's worth, not a minute's
  });

  it('follows a new routing table at once', () => {
    const { generator, route, setTable } = setup(seedObjects(100, 0));
    expect(new Set(generator.send(route(), 100).map((e) => e.image))).toEqual(new Set([BLUE]));
    setTable(seedObjects(0, 100));
    expect(new Set(generator.send(route(), 100).map((e) => e.image))).toEqual(new Set([GREEN]));
  });
});

describe('syntheticDurationMs', () => {
  it('is positive, a few ms for errors and longer for answers on average', () => {
    const random = seededRandom(1);
    const ok = Array.from({ length: 2000 }, () => syntheticDurationMs(200, random));
    const errors = Array.from({ length: 2000 }, () => syntheticDurationMs(500, random));
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(Math.min(...ok)).toBeGreaterThanOrEqual(8);
    expect(Math.min(...errors)).toBeGreaterThanOrEqual(1);
    expect(mean(ok)).toBeGreaterThan(15);
    expect(mean(ok)).toBeLessThan(25);
    expect(mean(errors)).toBeLessThan(6);
  });
});
