// matches runs Go's RE2 syntax in linear time (core/expr/regexp.ts): the patterns that make a
// backtracking engine take exponential time finish at once, and what Go refuses is refused.
import { describe, expect, it } from '@jest/globals';
import { compileRegexp } from '../../core/expr/regexp.js';

describe('compileRegexp', () => {
  it('matches as Go does', () => {
    expect(compileRegexp('^prod-(east|west)$')('prod-west')).toBe(true);
    expect(compileRegexp('(?i)HEALTHY')('healthy')).toBe(true);
    expect(compileRegexp('^a{1,2}$')('aaa')).toBe(false);
    expect(compileRegexp('(?m)^b$')('a\nb')).toBe(true);
    expect(compileRegexp('^b')('a\nb')).toBe(false);
    expect(compileRegexp('^.$')('é')).toBe(true);
    expect(compileRegexp('\\bok\\b')('is ok.')).toBe(true);
    expect(compileRegexp('[[:digit:]]+')('v12')).toBe(true);
  });

  it('answers catastrophic patterns in linear time (a backtracking engine would not finish)', () => {
    const text = `${'a'.repeat(5000)}!`;
    expect(compileRegexp('^(a+)+$')(text)).toBe(false);
    expect(compileRegexp('(a|aa)*b')(text)).toBe(false);
  });

  it("refuses what Go's regexp refuses", () => {
    for (const pattern of ['[', '(', 'x**', '(?=a)', '(a)\\1', 'a{1001}', '\\q', '[[:constructor:]]']) {
      expect(() => compileRegexp(pattern)).toThrow(/error parsing regexp|invalid/);
    }
  });
});
