// A seedable source of uniform numbers in [0, 1) (mulberry32): the same seed gives the same traffic, so
// tests can pin the picks; the lab seeds it from the clock.
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The index of one item, picked with probability weight / total; undefined when no weight is positive
 * (negative and non-finite weights count as 0).
 */
export function pickWeighted(weights: readonly number[], random: Random): number | undefined {
  const usable = weights.map((w) => (Number.isFinite(w) && w > 0 ? w : 0));
  const total = usable.reduce((sum, w) => sum + w, 0);
  if (total <= 0) return undefined;
  let point = random() * total;
  let last: number | undefined;
  for (const [index, weight] of usable.entries()) {
    if (weight <= 0) continue;
    last = index;
    if (point < weight) return index;
    point -= weight;
  }
  return last; // rounding at the very top end
}
