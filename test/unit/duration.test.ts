// Argo durations (core/duration.ts): parsing Go-style and bare-number durations, and formatting them back.
import { describe, expect, it } from '@jest/globals';
import { DurationError, formatDuration, parseDuration } from '../../core/duration.js';

describe('parseDuration', () => {
  it.each<[string | number, number]>([
    [0, 0],
    [30, 30],
    ['30', 30],
    ['0', 0],
    ['30s', 30],
    ['10m', 600],
    ['1h', 3600],
    ['1h30m', 5400],
    ['1.5h', 5400],
    ['2h45m30s', 9930],
    ['30m1h', 5400], // Go accepts the units in any order
    ['500ms', 0.5],
    ['100ms', 0.1],
    ['1m500ms', 60.5],
    ['.5s', 0.5],
    ['1.s', 1],
    ['+5s', 5],
    ['1500us', 0.0015],
    ['2µs', 0.000002],
    ['250000000ns', 0.25],
    ['0s', 0],
  ])('reads %p as %p seconds', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each<[string | number, string]>([
    ['', 'empty'],
    ['-5s', 'negative'],
    [-1, 'non-negative'],
    [1.5, 'whole'],
    ['1d', 'unknown unit "d"'],
    ['10 m', 'unknown unit " m"'],
    ['1.5', 'missing a unit'],
    ['5m3', 'missing a unit'],
    ['s', 'not a duration'],
    ['1h-30m', 'unknown unit "h-"'],
    ['abc', 'not a duration'],
    ['1..5s', 'missing a unit after 1.'],
    ['1constructor', 'unknown unit "constructor"'],
  ])('refuses %p, saying %p', (input, problem) => {
    expect(() => parseDuration(input)).toThrow(DurationError);
    expect(() => parseDuration(input)).toThrow(problem);
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0s'],
    [0.25, '250ms'],
    [1, '1s'],
    [1.5, '1.5s'],
    [30, '30s'],
    [60, '60s'],
    [90, '90s'],
    [120, '2m'],
    [600, '10m'],
    [3600, '1h'],
    [5400, '1h30m'],
    [7205, '2h5s'],
    [86400, '24h'],
  ])('writes %p seconds as %p', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('round-trips through parseDuration', () => {
    for (const seconds of [0, 0.5, 1, 59, 60, 61, 119, 120, 121, 599, 3599, 3600, 3661, 5400, 90061]) {
      expect(parseDuration(formatDuration(seconds))).toBe(seconds);
    }
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p', (seconds) => {
    expect(() => formatDuration(seconds)).toThrow(RangeError);
  });
});
