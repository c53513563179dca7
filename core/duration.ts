// Argo durations (DESIGN.md §2). A bare number is seconds, as is a digits-only string (Argo's pause
// reads `"30"` that way before trying Go). Other strings follow Go's time.ParseDuration: decimal numbers
// with a unit each, summed (`30s`, `10m`, `1h30m`, `1.5h`). Negative durations are refused: nothing in a
// Rollout or an AnalysisTemplate means anything by them.

/** Nanoseconds per unit: summing integers of nanoseconds keeps `100ms` exactly 0.1 s. */
const UNIT_NANOS: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3, // U+00B5 micro sign, as Go accepts
  μs: 1e3, // U+03BC Greek mu, likewise
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

const KNOWN_UNITS = 'ns, us, ms, s, m, h';
const EXAMPLES = 'e.g. 30, "30s", "10m", "1h30m"';

export class DurationError extends Error {
  override name = 'DurationError';
}

/** Seconds (possibly fractional) in an Argo duration; throws DurationError saying what is wrong. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isInteger(input) || input < 0) {
      throw new DurationError(
        `${input} is not a duration: a bare number must be whole, non-negative seconds`,
      );
    }
    return input;
  }
  if (input === '') throw new DurationError(`an empty string is not a duration (${EXAMPLES})`);
  if (/^\d+$/.test(input)) return Number(input);
  if (input.startsWith('-'))
    throw new DurationError(`"${input}" is negative, expected a duration of zero or more`);

  let rest = input.startsWith('+') ? input.slice(1) : input;
  let nanos = 0;
  while (rest !== '') {
    const part = /^(\d+\.?\d*|\.\d+)([^\d.]*)/.exec(rest);
    if (!part) throw new DurationError(`"${input}" is not a duration (${EXAMPLES})`);
    const [whole, amount = '', unit = ''] = part;
    if (unit === '') throw new DurationError(`"${input}" is missing a unit after ${amount} (${KNOWN_UNITS})`);
    const perUnit = Object.hasOwn(UNIT_NANOS, unit) ? UNIT_NANOS[unit] : undefined; // not "toString"
    if (perUnit === undefined) {
      throw new DurationError(`"${input}" has an unknown unit "${unit}" (${KNOWN_UNITS})`);
    }
    nanos += Number(amount) * perUnit;
    rest = rest.slice(whole.length);
  }
  if (!Number.isFinite(nanos)) throw new DurationError(`"${input}" is too long a duration`);
  return nanos / 1e9;
}

/**
 * Seconds as an Argo duration string that parseDuration reads back to the same value.
 * Under two minutes, seconds read better and match how manifests write them (`60s`, `90s`);
 * longer ones use hours and minutes, leaving out zero parts (`10m`, `1h30m`, `2h0m5s` → `2h5s`).
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(`cannot format ${seconds} as a duration: expected non-negative seconds`);
  }
  const millis = Math.round(seconds * 1000);
  if (millis === 0) return '0s';
  if (millis < 1000) return `${millis}ms`;
  if (millis < 120_000) return `${millis / 1000}s`;
  const hours = Math.floor(millis / 3_600_000);
  const minutes = Math.floor((millis % 3_600_000) / 60_000);
  const restMillis = millis % 60_000;
  return (
    (hours > 0 ? `${hours}h` : '') +
    (minutes > 0 ? `${minutes}m` : '') +
    (restMillis > 0 ? `${restMillis / 1000}s` : '')
  );
}
