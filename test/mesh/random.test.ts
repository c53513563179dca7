import { describe, expect, it } from '@jest/globals';
import { pickWeighted, seededRandom } from '../../lab/mesh/random.js';

function counts(weights: number[], picks: number, seed = 1): number[] {
  const random = seededRandom(seed);
  const result = weights.map(() => 0);
  for (let i = 0; i < picks; i++) {
    const index = pickWeighted(weights, random);
    if (index !== undefined) result[index] = (result[index] ?? 0) + 1;
  }
  return result;
}

describe('seededRandom', () => {
  it('gives the same numbers for the same seed, others for another, all in [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const c = seededRandom(43);
    const first = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(first);
    expect(Array.from({ length: 1000 }, () => c())).not.toEqual(first);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('is roughly uniform', () => {
    const random = seededRandom(7);
    const deciles = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) deciles[Math.floor(random() * 10)]! += 1;
    for (const n of deciles) expect(Math.abs(n - 10_000)).toBeLessThan(500);
  });
});

describe('pickWeighted', () => {
  it('picks in proportion to the weights (80/20)', () => {
    const [stable, canary] = counts([80, 20], 20_000) as [number, number];
    expect(stable / 20_000).toBeCloseTo(0.8, 1);
    expect(Math.abs(canary / 20_000 - 0.2)).toBeLessThan(0.015);
  });

  it('never picks a weight of 0 (100/0), nor a negative or non-finite one', () => {
    expect(counts([100, 0], 5000)).toEqual([5000, 0]);
    expect(counts([0, 100], 5000)).toEqual([0, 5000]);
    expect(counts([-5, 10, NaN, Infinity], 5000)).toEqual([0, 5000, 0, 0]);
  });

  it('weights need not add up to 100', () => {
    const [a, b, c] = counts([1, 1, 2], 40_000) as [number, number, number];
    expect(Math.abs(a / 40_000 - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(b / 40_000 - 0.25)).toBeLessThan(0.015);
    expect(Math.abs(c / 40_000 - 0.5)).toBeLessThan(0.015);
  });

  it('is undefined when nothing has weight', () => {
    expect(pickWeighted([], seededRandom(1))).toBeUndefined();
    expect(pickWeighted([0, 0], seededRandom(1))).toBeUndefined();
  });

  it('handles the edges of the random range', () => {
    expect(pickWeighted([1, 1], () => 0)).toBe(0);
    expect(pickWeighted([1, 1], () => 0.9999999999)).toBe(1);
    expect(pickWeighted([1, 0], () => 0.9999999999)).toBe(0);
    expect(pickWeighted([0, 3, 0], () => 0.5)).toBe(1);
  });

  it('is deterministic for a seed', () => {
    expect(counts([30, 70], 1000, 9)).toEqual(counts([30, 70], 1000, 9));
  });
});
