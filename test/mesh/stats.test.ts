import { describe, expect, it } from '@jest/globals';
import { TrafficStats } from '../../lab/mesh/stats.js';

const BLUE = 'argoproj/rollouts-demo:blue';
const GREEN = 'argoproj/rollouts-demo:green';
const SVC = 'myapp-canary-svc.rollouts-demo.svc.cluster.local';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('TrafficStats', () => {
  it('counts requests and errors per image and per service', () => {
    const stats = new TrafficStats(10, 100, clock().now);
    stats.add({ host: 'h', service: SVC, image: GREEN, code: 200 });
    stats.add({ host: 'h', service: SVC, image: GREEN, code: 500 });
    stats.add({ host: 'h', service: SVC, image: BLUE, code: 200 });
    stats.add({ host: 'h', service: SVC, code: 503 }); // no healthy upstream: no image
    stats.add({ host: 'h', code: 503 }); // no route: neither
    expect(Object.fromEntries(stats.byImage())).toEqual({
      [GREEN]: { requests: 2, errors: 1 },
      [BLUE]: { requests: 1, errors: 0 },
    });
    expect(Object.fromEntries(stats.byService())).toEqual({ [SVC]: { requests: 4, errors: 2 } });
  });

  it('forgets what is older than the window', () => {
    const time = clock();
    const stats = new TrafficStats(3, 100, time.now);
    stats.add({ host: 'h', image: GREEN, code: 500 });
    time.advance(1000);
    stats.add({ host: 'h', image: GREEN, code: 200 });
    time.advance(1000);
    expect(stats.byImage().get(GREEN)).toEqual({ requests: 2, errors: 1 });
    time.advance(1000); // the first second has left the 3-second window
    expect(stats.byImage().get(GREEN)).toEqual({ requests: 1, errors: 0 });
    time.advance(5000);
    expect(stats.byImage().size).toBe(0);
  });

  it('keeps the latest requests numbered, and gives those after a number', () => {
    const stats = new TrafficStats(10, 3, clock().now);
    expect(stats.lastSeq).toBe(0);
    for (let i = 0; i < 5; i++) stats.add({ host: 'h', image: GREEN, code: 200 + i });
    expect(stats.lastSeq).toBe(5);
    expect(stats.recent().map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(stats.recent(3).map((e) => e.code)).toEqual([203, 204]);
    expect(stats.recent(5)).toEqual([]);
    expect(stats.recent(0, 2).map((e) => e.seq)).toEqual([4, 5]);
  });
});
