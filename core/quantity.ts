// Kubernetes' resource.Quantity (k8s.io/apimachinery v0.34.5, pkg/api/resource) as far as a pod template
// needs it: the value ParseQuantity gives (rounded up to a nano, binary values capped at 2^63-1), RoundUp,
// comparison by exact value (apiequality.Semantic's rule for quantities) and the canonical string Go
// writes back. Values are exact (a BigInt coefficient and a power of ten), never floats.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** coefficient × 10^exponent, normalised: no trailing zeros in the coefficient, and zero is 0 × 10^0. */
export interface Quantity {
  coefficient: bigint;
  exponent: number;
  /** How Go prints it (Quantity.Format): the notation it was parsed from. */
  format: QuantityFormat;
}

const NANO = -9;
const MAX_INT64 = (1n << 63n) - 1n;
const DECIMAL_SUFFIXES: Record<string, number> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const SUFFIX_LETTERS = 'eEinumkKMGTP';

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const pow10 = (n: number): bigint => 10n ** BigInt(n);
const digitCount = (n: bigint): number => (n < 0n ? -n : n).toString().length;

function normalised(coefficient: bigint, exponent: number, format: QuantityFormat): Quantity {
  if (coefficient === 0n) return { coefficient, exponent: 0, format };
  while (coefficient % 10n === 0n) {
    coefficient /= 10n;
    exponent += 1;
  }
  return { coefficient, exponent, format };
}

/** Rounds to a multiple of 10^scale away from zero, as Quantity.RoundUp and inf.RoundUp do. */
function roundAwayFromZero(q: Quantity, scale: number): Quantity {
  if (q.exponent >= scale) return q;
  const shift = scale - q.exponent;
  const sign = q.coefficient < 0n ? -1n : 1n;
  // 10^shift may be astronomically large (1e-999999999): the magnitude is then below one unit.
  if (shift > digitCount(q.coefficient)) return normalised(sign, scale, q.format);
  const divisor = pow10(shift);
  const quotient = q.coefficient / divisor;
  const exact = quotient * divisor === q.coefficient;
  return normalised(exact ? quotient : quotient + sign, scale, q.format);
}

interface Scanned {
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** parseQuantityString, character for character: the number, its fraction and the suffix. */
function scan(str: string): Scanned | undefined {
  const end = str.length;
  let pos = 0;
  if (str[0] === '-' || str[0] === '+') pos++;
  while (str[pos] === '0') pos++;
  if (pos >= end) return { value: '0', num: '0', denom: '', suffix: '' };
  let i = pos;
  while (isDigit(str[i])) i++;
  let num = str.slice(pos, i);
  if (i >= end) return { value: str, num, denom: '', suffix: '' };
  pos = i;
  if (num === '') num = '0';
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    i = pos;
    while (isDigit(str[i])) i++;
    denom = str.slice(pos, i);
    if (i >= end) return { value: str, num, denom, suffix: '' };
    pos = i;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  while (pos < end && SUFFIX_LETTERS.includes(str[pos] as string)) pos++;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (isDigit(str[pos])) pos++;
  // Go's scanner stops at the first character that fits neither a suffix nor its exponent.
  return pos >= end ? { value, num, denom, suffix: str.slice(suffixStart) } : undefined;
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

function interpret(suffix: string): Suffix | undefined {
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (decimal !== undefined) return { base: 10, exponent: decimal, format: 'DecimalSI' };
  const binary = BINARY_SUFFIXES[suffix];
  if (binary !== undefined) return { base: 2, exponent: binary, format: 'BinarySI' };
  if (!/^[eE][+-]?[0-9]+$/.test(suffix)) return undefined;
  // Go keeps the exponent in an int32 and wraps past it (into another number, or a computation that
  // never ends): such a text is refused here, and so compared as written, never by a wrong value.
  const parsed = BigInt(suffix.slice(1));
  if (parsed > 2n ** 31n - 1n || parsed < -(2n ** 31n)) return undefined;
  return { base: 10, exponent: Number(parsed), format: 'DecimalExponent' };
}

/** ParseQuantity: undefined where Go answers an error (the template then does not decode at all). */
export function parseQuantity(str: string): Quantity | undefined {
  if (str === '') return undefined;
  if (str === '0') return normalised(0n, 0, 'DecimalSI');
  const scanned = scan(str);
  if (scanned === undefined) return undefined;
  const suffix = interpret(scanned.suffix);
  if (suffix === undefined) return undefined;
  const { num, denom } = scanned;
  const sign = str[0] === '-' ? -1n : 1n;
  const digits = sign * BigInt(num + denom);
  if (suffix.base === 10) {
    const exponent = suffix.exponent - denom.length;
    // Go's int64 fast path needs at most 18 digits and a scale of at least nano; past it, inf.Dec must
    // read the number, and a number without a digit ("." before e-10) is then an error.
    const slow = num.length + denom.length > 18 || exponent < NANO;
    if (slow && !/[0-9]/.test(scanned.value)) return undefined;
    return roundAwayFromZero(normalised(digits, exponent, suffix.format), NANO);
  }
  // Go's fast path for binary suffixes (a whole number that fits an int64) is skipped for Pi and Ei
  // even without digits, and inf.Dec then refuses "Pi" or ".Ei" while "Ki" reads as 0.
  const precision = 14 - num.length - Math.trunc((suffix.exponent * 3) / 10);
  if ((denom.length > 0 || precision < 0) && !/[0-9]/.test(scanned.value)) return undefined;
  let q = roundAwayFromZero(normalised(digits << BigInt(suffix.exponent), -denom.length, 'BinarySI'), NANO);
  const magnitude = q.coefficient < 0n ? -q.coefficient : q.coefficient;
  // Binary quantities are capped at the largest int64 (in units), keeping their sign.
  if (
    q.exponent >= 0 ? magnitude * pow10(q.exponent) > MAX_INT64 : magnitude > MAX_INT64 * pow10(-q.exponent)
  )
    q = normalised(q.coefficient < 0n ? -MAX_INT64 : MAX_INT64, 0, 'BinarySI');
  // A binary value between 0 and 1 could only be printed rounded: Go switches it to decimal.
  const belowOne = q.coefficient !== 0n && q.exponent < 0 && digitCount(q.coefficient) <= -q.exponent;
  return belowOne ? { ...q, format: 'DecimalSI' } : q;
}

/**
 * A quantity as Quantity.UnmarshalJSON reads it: a JSON string (quotes stripped, spaces trimmed) or a
 * bare number. undefined for anything Go refuses.
 */
export function quantityFromJson(value: unknown): Quantity | undefined {
  if (typeof value === 'number')
    return Number.isFinite(value) ? parseQuantity(JSON.stringify(value)) : undefined;
  return typeof value === 'string' ? parseQuantity(value.trim()) : undefined;
}

/** Quantity.RoundUp(scale): a multiple of 10^scale, rounded away from zero; the format is kept. */
export function roundUpQuantity(q: Quantity, scale: number): Quantity {
  return roundAwayFromZero(q, scale);
}

/** The exact value as text: equal for equal values, whatever the notation (Semantic.DeepEqual's rule). */
export function quantityKey(q: Quantity): string {
  return `${q.coefficient}e${q.exponent}`;
}

/**
 * The string Go writes for a quantity it has no cached text for (Quantity.CanonicalizeBytes): decimal
 * with an exponent that is a multiple of three and its SI suffix, or binary (Ki..Ei) for whole
 * multiples of 1024 at least 1024 in size. Go's quirk is kept: a decimal exponent past E (18) has no
 * suffix, so it is dropped.
 */
export function formatQuantity(q: Quantity): string {
  if (q.coefficient === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    // Normalised, a negative exponent means a fraction, which only decimal can show exactly.
    const magnitude = q.coefficient < 0n ? -q.coefficient : q.coefficient;
    if (q.exponent < 0 || magnitude * pow10(q.exponent) < 1024n) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let units = q.coefficient * pow10(q.exponent);
    let power = 0;
    while ((units < 0n ? -units : units) >= 1024n && units % 1024n === 0n) {
      units /= 1024n;
      power += 10;
    }
    const suffix = Object.entries(BINARY_SUFFIXES).find(([, p]) => p === power)?.[0] ?? '';
    return `${units}${suffix}`;
  }
  let { coefficient, exponent } = q;
  while (exponent % 3 !== 0) {
    coefficient *= 10n;
    exponent -= 1;
  }
  if (format === 'DecimalExponent') return exponent === 0 ? `${coefficient}` : `${coefficient}e${exponent}`;
  const suffix = Object.entries(DECIMAL_SUFFIXES).find(([, p]) => p === exponent)?.[0] ?? '';
  return `${coefficient}${suffix}`;
}
