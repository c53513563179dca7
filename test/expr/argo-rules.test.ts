// The rules issue 11 found us deciding differently from Argo (each row checked against Argo v1.10.2
// with tools/argo-oracle): chaining, isNil/default, % on floats, type checks of untaken branches,
// nil comparisons, isInf's arity, asInt of NaN, int64 literals, and the syntax and builtins we lacked.
import { describe, expect, it } from '@jest/globals';
import { evaluateCondition } from '../../core/expr/index.js';
import type { ResultShape } from '../../core/expr/check.js';

type Row = [condition: string, result: unknown, expected: boolean | 'error', shape?: ResultShape];

const ROWS: Row[] = [
  // == != in contains startsWith endsWith do not chain like < > (expr nests them leftwards).
  ['result[0] > 0.9 == true', [0.95], true, 'vector'],
  ['result > 0.9 != false', 0.95, true],
  ['"a" in ["a"] == true', null, true],
  ['1 < 2 < 3', null, true],
  // isNil and default look at the whole result.
  ['isNil(result.missing)', {}, false],
  ['isNil(result)', null, true],
  ['default(result, 0.5) > 0.4', null, true],
  ['default(result.missing, 5) == 5', { a: 1 }, false],
  ['default(result.missing, 5) == 5', null, 'error'],
  // % takes ints only: every number from a provider is a float64.
  ['result % 2 == 1', 7, 'error'],
  ['result.count % 2 == 0', { count: 12 }, 'error'],
  ['asInt(result) % 2 == 1', 7, true],
  ['-7 % 3 == -1', null, true],
  // expr's type check covers branches never taken.
  ['false && result % 2 == 0', 7, 'error'],
  ['true || result[0] % 2 == 0', [1], 'error', 'vector'],
  ['true || result[0] % 2 == 0', [1], true, 'json'],
  ['len(result) > 0 || result.x == 1', [], 'error', 'vector'],
  ['result == "x"', 0.5, 'error'],
  // Comparisons on a nil result.
  ['result > 0', null, 'error'],
  ['result == nil', null, true],
  // isInf takes one argument; asInt of NaN is Go's amd64 answer.
  ['isInf(result, 1)', Infinity, 'error'],
  ['asInt(result) < 0', NaN, true],
  // int64 literals, exact and wrapping.
  ['9223372036854775807 > 0', null, true],
  ['9007199254740993 - 9007199254740992 == 1', null, true],
  ['9223372036854775807 + 1 < 0', null, true],
  ['type(1) == "int" && type(result) == "float"', 1, true],
  // Syntax and builtins Argo's expr-lang has.
  ['let x = result[0]; let y = x * 2; y > 1', [0.95], true, 'vector'],
  ['if result > 0.5 { true } else { false }', 0.95, true],
  ['$env.result == result && "result" in $env', 1, true],
  ['asInt(result) in 0..10', 3, true],
  ['reduce([1, 2, 3], #acc + #) == 6', null, true],
  ['upper(trim(result)) == "HEALTHY"', ' Healthy ', true],
  ['result matches "(?i)^heal"', 'Healthy', true],
  ['result matches "["', 'x', 'error'],
  ['duration("1h30m").Minutes() == 90', null, true],
  ['date("2024-01-02T03:04:05+02:00").Hour() == 3', null, true],
];

describe("conditions decide as Argo's (issue 11)", () => {
  it.each(ROWS.map((row) => [`${JSON.stringify(row[0])} on ${JSON.stringify(row[1])}`, row] as const))(
    '%s',
    (_title, [condition, result, expected, shape]) => {
      if (expected === 'error') {
        expect(() => evaluateCondition(condition, result, shape)).toThrow();
      } else {
        expect(evaluateCondition(condition, result, shape)).toBe(expected);
      }
    },
  );
});
