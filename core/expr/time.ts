// Go's time.Time and time.Duration as expr-lang's now(), date() and duration() give them to Argo's
// conditions: exact nanoseconds (bigint), UTC (Argo's controller runs in UTC), compared and combined
// by the operators (time - time is a duration, time + duration a time) and read by their methods.

import { ExpressionEvalError } from './errors.js';
import { own } from './own.js';

function fail(message: string): never {
  throw new ExpressionEvalError(message);
}

/**
 * A point in time: nanoseconds since the Unix epoch, and the zone offset (seconds east of UTC) it was
 * written with, which its methods read it in (as Go's time.Time keeps its location).
 */
export class GoTime {
  constructor(
    readonly ns: bigint,
    readonly offset = 0,
  ) {
    Object.freeze(this);
  }
}

/** A length of time in nanoseconds (Go's time.Duration, an int64). */
export class GoDuration {
  constructor(readonly ns: bigint) {
    Object.freeze(this);
  }
}

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  μs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Go's time.ParseDuration: "1h30m", "1.5s", "-2m", "0". */
export function parseDuration(text: string): GoDuration {
  const bad = (): never => fail(`time: invalid duration ${JSON.stringify(text)}`);
  let rest = text;
  let sign = 1n;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1n : 1n;
    rest = rest.slice(1);
  }
  if (rest === '0') return new GoDuration(0n);
  if (rest === '') return bad();
  let total = 0n;
  while (rest !== '') {
    const part = /^([0-9]*)(?:\.([0-9]*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (part === null || (part[1] === '' && (part[2] ?? '') === '')) {
      return /^[0-9.]*$/.test(rest) ? fail(`time: missing unit in duration ${JSON.stringify(text)}`) : bad();
    }
    const unit = UNITS[part[3] ?? ''] ?? bad();
    const fraction = part[2] ?? '';
    total += BigInt(part[1] === '' ? '0' : (part[1] ?? '0')) * unit;
    if (fraction !== '') total += (BigInt(fraction) * unit) / 10n ** BigInt(fraction.length);
    rest = rest.slice(part[0].length);
  }
  if (total >= 2n ** 63n) return bad();
  return new GoDuration(sign * total);
}

/** expr-lang's date(text) without a layout: the layouts it tries, read as UTC. */
export function parseDate(text: string): GoTime {
  const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const clock = /^(\d{2}):(\d{2}):(\d{2})$/.exec(text);
  const dateTime = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(
    text,
  );
  let parts: number[];
  let fraction = '';
  let offsetMinutes = 0;
  if (dateOnly !== null) parts = [...dateOnly.slice(1, 4).map(Number), 0, 0, 0];
  else if (clock !== null) parts = [0, 1, 1, ...clock.slice(1, 4).map(Number)];
  else if (dateTime !== null) parts = dateTime.slice(1, 7).map(Number);
  else if (rfc3339 !== null) {
    parts = rfc3339.slice(1, 7).map(Number);
    fraction = rfc3339[7] ?? '';
    const zone = rfc3339[8] ?? 'Z';
    if (zone !== 'Z') {
      const minutes = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6));
      offsetMinutes = zone.startsWith('-') ? -minutes : minutes;
    }
  } else {
    return fail(
      `date(): cannot parse ${JSON.stringify(text)} (layouts: 2006-01-02, 15:04:05, 2006-01-02 15:04:05, RFC3339)`,
    );
  }
  const [year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0] = parts;
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return fail(`date(): ${JSON.stringify(text)} is out of range`);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  const ns = BigInt(date.getTime()) * 1_000_000n + BigInt(fraction.padEnd(9, '0') || '0');
  return new GoTime(ns - BigInt(offsetMinutes) * 60_000_000_000n, offsetMinutes * 60);
}

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function now(): GoTime {
  return new GoTime(BigInt(Date.now()) * 1_000_000n);
}

/** The wall clock of a time in its own zone, as a Date whose UTC fields are that clock. */
function wallClock(time: GoTime): Date {
  const ns = time.ns + BigInt(time.offset) * 1_000_000_000n;
  const ms = ns / 1_000_000n - (ns % 1_000_000n < 0n ? 1n : 0n);
  return new Date(Number(ms));
}

function asTime(value: unknown, what: string): GoTime {
  if (!(value instanceof GoTime)) fail(`${what} needs a time`);
  return value;
}

function asDuration(value: unknown, what: string): GoDuration {
  if (!(value instanceof GoDuration)) fail(`${what} needs a duration`);
  return value;
}

const SECOND = 1_000_000_000;

/** time - time, time ± duration, duration ± duration, number * duration: Go's rules. */
export function timeArithmetic(operator: '+' | '-' | '*', a: unknown, b: unknown): GoTime | GoDuration {
  if (operator === '-' && a instanceof GoTime && b instanceof GoTime) return new GoDuration(a.ns - b.ns);
  if (a instanceof GoTime && b instanceof GoDuration && operator !== '*') {
    return new GoTime(operator === '+' ? a.ns + b.ns : a.ns - b.ns, a.offset);
  }
  if (operator === '+' && a instanceof GoDuration && b instanceof GoTime)
    return new GoTime(a.ns + b.ns, b.offset);
  if (a instanceof GoDuration && b instanceof GoDuration) {
    return new GoDuration(operator === '+' ? a.ns + b.ns : operator === '-' ? a.ns - b.ns : a.ns * b.ns);
  }
  if (operator === '*') {
    if (a instanceof GoDuration && typeof b === 'number') return new GoDuration(a.ns * BigInt(Math.trunc(b)));
    if (b instanceof GoDuration && typeof a === 'number') return new GoDuration(b.ns * BigInt(Math.trunc(a)));
  }
  return fail(`invalid operation: ${operator} on these times and durations`);
}

/** Calls one of Go's methods of time.Time or time.Duration. */
export function callMethod(object: unknown, name: string, args: unknown[]): unknown {
  if (object instanceof GoTime) {
    const date = wallClock(object);
    const simple: Record<string, () => unknown> = {
      Year: () => date.getUTCFullYear(),
      Day: () => date.getUTCDate(),
      Hour: () => date.getUTCHours(),
      Minute: () => date.getUTCMinutes(),
      Second: () => date.getUTCSeconds(),
      Weekday: () => date.getUTCDay(),
      Unix: () => Number(object.ns / 1_000_000_000n),
      UnixMilli: () => Number(object.ns / 1_000_000n),
      Before: () => object.ns < asTime(args[0], 'Before()').ns,
      After: () => object.ns > asTime(args[0], 'After()').ns,
      Equal: () => object.ns === asTime(args[0], 'Equal()').ns,
      Sub: () => new GoDuration(object.ns - asTime(args[0], 'Sub()').ns),
      Add: () => new GoTime(object.ns + asDuration(args[0], 'Add()').ns, object.offset),
    };
    const method = own(simple, name);
    if (method !== undefined) return method();
  }
  if (object instanceof GoDuration) {
    const ns = Number(object.ns);
    const simple: Record<string, () => unknown> = {
      Hours: () => ns / (3600 * SECOND),
      Minutes: () => ns / (60 * SECOND),
      Seconds: () => ns / SECOND,
      Milliseconds: () => Number(object.ns / 1_000_000n),
      Microseconds: () => Number(object.ns / 1_000n),
      Nanoseconds: () => ns,
    };
    const method = own(simple, name);
    if (method !== undefined) return method();
  }
  return fail(`unknown method ${name}`);
}

/** What each method returns, for the type check. */
export const METHOD_RESULTS: Readonly<Record<'time' | 'duration', Readonly<Record<string, string>>>> = {
  time: {
    Year: 'int',
    Day: 'int',
    Hour: 'int',
    Minute: 'int',
    Second: 'int',
    Weekday: 'int',
    Unix: 'int',
    UnixMilli: 'int',
    Before: 'bool',
    After: 'bool',
    Equal: 'bool',
    Sub: 'duration',
    Add: 'time',
  },
  duration: {
    Hours: 'float',
    Minutes: 'float',
    Seconds: 'float',
    Milliseconds: 'int',
    Microseconds: 'int',
    Nanoseconds: 'int',
  },
};
