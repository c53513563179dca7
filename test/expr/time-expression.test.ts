// rangeQuery's start and end (evaluateTime) against Argo's utils/evaluate.EvalTime: every case below was
// run through Argo v1.10.2's own function (a Go build of it from the module cache) and gave the same
// time (fixed dates to the nanosecond; now() within the seconds between the two runs) or an error in
// both. Also the unix-seconds text Prometheus' Go client sends for a time and a step.
import { describe, expect, it } from '@jest/globals';
import {
  durationSecondsText,
  evaluateTime,
  parseGoDuration,
  unixSecondsText,
} from '../../core/expr/index.js';

/** Offsets from now(), in seconds, as Argo gave them. */
const RELATIVE: [string, number][] = [
  ['now()', 0],
  ['now() - duration("10m")', -600],
  ['now() - duration("1h30m")', -5400],
  ['now() + duration("-90s")', -90],
  ['now().Add(duration("-1h"))', -3600],
  ['duration("10m") + now()', 600],
  ['true ? now() : now() - duration("1h")', 0],
  ['let t = now(); t - duration("1m")', -60],
  ['now() - duration("10m") - duration("5m")', -900],
];

/** Fixed times: Argo's UnixNano. */
const FIXED: [string, bigint][] = [
  ['date("2024-05-01T10:00:00Z")', 1714557600000000000n],
  ['date("2024-05-01T10:00:00.25Z")', 1714557600250000000n],
  ['date("2024-05-01T10:00:00+02:00")', 1714550400000000000n],
  ['date("2024-05-01")', 1714521600000000000n],
  ['date("2024-05-01 10:00:00")', 1714557600000000000n],
  ['date("2024-05-01T10:00:00Z") - duration("1.5h")', 1714552200000000000n],
];

/** Errors in both; where Argo's words are ours too, they are given. */
const ERRORS: [string, string | RegExp][] = [
  ['now() - 5', 'invalid operation: - (mismatched types time.Time and int)'],
  ['now().Add(-duration("1h"))', 'invalid operation: - (mismatched type time.Duration)'],
  ['now() - duration("5")', 'time: missing unit in duration "5"'],
  ['1 + 1', 'expected time.Time, but got int'],
  ['duration("1m")', 'expected time.Time, but got time.Duration'],
  ['now() - now()', 'expected time.Time, but got time.Duration'],
  ['"now"', 'expected time.Time, but got string'],
  ['isNaN(1.0)', 'expected time.Time, but got bool'],
  ['now() > now()', 'expected time.Time, but got bool'],
  ['nil', 'expected time.Time, but got <nil>'],
  ['[now()]', 'expected time.Time, but got []interface {}'],
  ['result', 'unknown name result'],
  ['now-5m', /^bad number syntax: "5m"/],
  ['now', /now is a function/],
  ['now(', /unexpected end of expression/],
  ['date("2024-13-01")', /out of range/],
];

describe("evaluateTime: Argo's EvalTime", () => {
  it.each(RELATIVE)('%s', (text, offset) => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const ns = evaluateTime(text).ns;
    const after = BigInt(Date.now()) * 1_000_000n;
    const shift = BigInt(offset) * 1_000_000_000n;
    expect(ns >= before + shift && ns <= after + shift).toBe(true);
  });

  it.each(FIXED)('%s', (text, ns) => {
    expect(evaluateTime(text).ns).toBe(ns);
  });

  it.each(ERRORS)('%s is an error', (text, message) => {
    expect(() => evaluateTime(text)).toThrow(message);
  });
});

describe("as Prometheus' client sends them", () => {
  it('a time in unix seconds, the fraction without trailing zeros', () => {
    expect(unixSecondsText(evaluateTime('date("2024-05-01T10:00:00Z")'))).toBe('1714557600');
    expect(unixSecondsText(evaluateTime('date("2024-05-01T10:00:00.25Z")'))).toBe('1714557600.25');
    expect(unixSecondsText(evaluateTime('date("1969-12-31T23:59:59.5Z")'))).toBe('-0.5');
  });

  it('a step in seconds', () => {
    expect(
      ['1m', '1m30s', '100ms', '1.5h', '1ns'].map((s) => durationSecondsText(parseGoDuration(s))),
    ).toEqual(['60', '90', '0.1', '5400', '0.000000001']);
  });
});
