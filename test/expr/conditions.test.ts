// Conditions as Argo users write them, evaluated against measurements: one row per expression and
// result, expecting true, false, or an error whose message contains the given text.
import { describe, expect, it } from '@jest/globals';
import { ExpressionEvalError, ExpressionSyntaxError, evaluateCondition } from '../../core/expr/index.js';

interface Fails {
  error: typeof ExpressionEvalError | typeof ExpressionSyntaxError;
  message: string;
}
type Expected = boolean | Fails;
type Row = [expression: string, result: unknown, expected: Expected];

const fails = (message: string): Fails => ({ error: ExpressionEvalError, message });
const syntax = (message: string): Fails => ({ error: ExpressionSyntaxError, message });

/** Argo's documentation and evaluate_test.go, and what Prometheus and the web provider return. */
const ARGO_FORMS: Row[] = [
  ['result[0] >= 0.95', [0.97], true],
  ['result[0] >= 0.95', [0.9], false],
  ['result[0] <= 0.95', [0.5], true],
  ['result[0] >= 10', [12], true],
  ['result[0] >= 0.90', [0.9], true],
  ['result[0] < 0.50', [0.7], false],
  ['result == 1', 1, true],
  ['result == 1', 2, false],
  ['result == 1', '1', fails('invalid operation: == (mismatched types string and int)')],
  ['result > 1', 5, true],
  ['len(result) == 0 || result[0] > 0.90', [], true],
  ['len(result) == 0 || result[0] > 0.90', [0.95], true],
  ['len(result) == 0 || result[0] > 0.90', [0.5], false],
  ['len(result) > 0 && result[0] >= 0.95', [], false],
  ['len(result) > 0 && result[0] >= 0.95', [0.99], true],
  ['result.successful == true', { successful: true }, true],
  ['result.successful == true', { successful: false }, false],
  ['result.data.ok', { data: { ok: true } }, true],
  ['result.data.ok == false', { data: { ok: true } }, false],
  ['result == "ok"', 'ok', true],
  ['result == "ok"', 'degraded', false],
  ["result == 'true'", 'true', true],
  ['result == true', true, true],
  ['result == false', true, false],
  ['all(result, {# > 0.9})', [0.95, 0.99], true],
  ['all(result, {# > 0.9})', [0.95, 0.5], false],
  ['all(result, {# > 0.9})', [], true],
  ['any(result, # > 5)', [1, 6], true],
  ['any(result, # > 5)', [1, 2], false],
  ['any(result, # < 5)', [10, 4], true],
  [
    'all(result.service_apdex.values.values, {# > 1})',
    { service_apdex: { label: null, values: { values: [2, 2] } } },
    true,
  ],
  ['2 in result', [2, 2], true],
  ['isNaN(result)', NaN, true],
  ['isNaN(result)', 0.5, false],
  ['isNaN(result) || result >= 0.95', NaN, true],
  ['isNaN(result) || result >= 0.95', 0.9, false],
  ['isInf(result)', Infinity, true],
  ['isInf(result)', 0, false],
  ['default(result, 0) < 0.05', null, true],
  ['default(result, 0) < 0.05', 0.5, false],
  ['default(result, 0) > 1', 3, true],
  // Argo's default() gives the whole result unless it is nil, whatever its first argument.
  ['default(result[0], 0) >= 0.9', [0.95], fails('cannot compare array and number with >=')],
  ['default(result, 0) >= 0.9', null, false],
  ['default(result[0], 0) >= 0.9', [], fails('index 0 out of range (len 0)')],
  ['isNil(result)', null, true],
  ['isNil(result)', [], false],
  ['isNil(result)', 0, false],
  ['asInt(result) == 1', '1', true],
  ['asInt(result) == 1', 1, true],
  ['asInt(result) == 1', 1.123, true],
  ['asInt(result) == 1.1', '1.1', fails('asInt() cannot parse "1.1" as an integer')],
  ['asFloat(result) == 1.1', '1.1', true],
  ['asFloat(result) >= 1.1', '1.1', true],
  ['asFloat(result) <= 1.1', '1.1', true],
  ['asFloat(result) == 1.1', 1.1, true],
  ['asFloat(result) == 1', 1, true],
  ['asFloat(result) > 0.5', '0.7', true],
  ['asFloat(result) == 1.1', 'NotANum', fails('asFloat() cannot parse "NotANum" as a number')],
  ['asFloat(result) == "1.1"', '1.1', fails('invalid operation: == (mismatched types float64 and string)')],
];

/** NaN compares false with everything, itself included; ±Inf compare as numbers. */
const NAN_AND_INF: Row[] = [
  ['result > 0.9', NaN, false],
  ['result <= 0.9', NaN, false],
  ['result >= 0.95', NaN, false],
  ['result < 0.95', NaN, false],
  ['result == result', NaN, false],
  ['result != result', NaN, true],
  ['result >= 0.95', Infinity, true],
  ['result < 0', -Infinity, true],
  ['isInf(result)', -Infinity, true],
  ['isInf(result)', Infinity, true],
  ['isInf(result)', 1, false],
  ['isInf(result, -1)', -Infinity, syntax('isInf() takes 1 argument, got 2')],
  ['isInf(result)', -Infinity, true],
  ['isInf(result)', NaN, false],
  ['result[0] > 0.9', [NaN], false],
  ['any(result, isNaN(#))', [1, NaN], true],
  ['result == 1 / 0', Infinity, true],
  ['isNaN(0 / 0)', null, true],
  ['result == [1, 2]', [1, NaN], false],
  ['isNaN(result)', 'NaN', fails('cannot use string as argument (type float64) to call isNaN')],
];

const NIL: Row[] = [
  ['result == nil', null, true],
  ['result != nil', 1, true],
  ['nil == nil', 0, true],
  ['result == nil', [], false],
  ['result.missing == nil', {}, true],
  ['result["missing"] == nil', { present: 1 }, true],
  ['result.a.b == nil', { a: null }, fails('cannot fetch "b" from nil')],
  ['result?.a?.b == nil', { a: null }, true],
  ['result?.a.b == nil', null, fails('type nil has no field a')],
  ['result?.[0] == nil', null, fails('type unknown[int] is undefined')],
  ['(result ?? 0) > 1', null, false],
  ['(result ?? 0) > 1', 2, true],
  ['(result.rate ?? 1) == 1', {}, true],
  ['default(result.rate, 1) == 1', {}, false],
  ['default(result, 1) == 1', null, true],
  ['default(result.rate, 1) == 1', null, fails('type nil has no field rate')],
  ['result > 0.05', null, fails('invalid operation: > (mismatched types unknown and float64)')],
  ['len(result) == 0', null, fails('the argument of len() must be an array, a string or a map, got nil')],
  ['1 in result', null, fails('invalid operation: in (mismatched types int and unknown)')],
  ['isNil(result.x)', { x: null }, false],
  ['isNil(result)', null, true],
];

const OPERATORS: Row[] = [
  ['1 + 2 == 3', null, true],
  ['1 / 2 == 0.5', null, true],
  ['7 / 2 == 3.5', null, true],
  ['7 % 3 == 1', null, true],
  ['-7 % 3 == -1', null, true],
  ['2 ** 10 == 1024', null, true],
  ['2 ^ 3 == 8', null, true],
  ['2 ** 3 ** 2 == 512', null, true],
  ['-2 ** 2 == -4', null, true],
  ['10 - 2 - 3 == 5', null, true],
  ['2 + 3 * 4 == 14', null, true],
  ['(2 + 3) * 4 == 20', null, true],
  ['result * 100 > 95', 0.96, true],
  ['"a" + "b" == "ab"', null, true],
  ['1 == 1.0', null, true],
  ['1 < 1.5', null, true],
  ['"abc" < "abd"', null, true],
  ['[1, 2] == [1, 2]', null, true],
  ['[1, 2] != [2, 1]', null, true],
  ['result == {"a": [1, 2]}', { a: [1, 2] }, true],
  ['{a: 1, "b": 2}.b == 2', null, true],
  ['not false', null, true],
  ['!(1 > 2)', null, true],
  ['!true == false', null, true],
  ['true and not false', null, true],
  ['false or true', null, true],
  ['true && false || true', null, true],
  ['false && result.x.y', null, fails('type nil has no field x')],
  ['true || result.x.y', {}, true],
  ['result > 1 ? true : false', 2, true],
  ['result > 1 ? false : result == 0', 0, true],
  ['result in [1, 2, 3]', 2, true],
  ['result not in [1, 2]', 3, true],
  ['"a" in result', { a: 1 }, true],
  ['"b" in result', { a: 1 }, false],
  ['result contains "err"', 'an error', true],
  ['result startsWith "ok"', 'ok: 3', true],
  ['result endsWith "!"', 'done', false],
  ['result not contains "x"', 'abc', true],
  ['0 < result < 1', 0.5, true],
  ['0 < result < 1', 1.5, false],
  ['0 <= result <= 1', 0, true],
  ['result | filter(# > 1) | len() == 2', [1, 2, 3], true],
  ['result | all(# > 0)', [1, 2], true],
  ['result[1:] == [2, 3]', [1, 2, 3], true],
  ['result[:-1] == [1, 2]', [1, 2, 3], true],
  ['result[-1] == 3', [1, 2, 3], true],
  ['len(result[5:]) == 0', [1, 2, 3], true],
  ['result[1:3] == "el"', 'hello', true],
  ['result[0] == "h"', 'hello', fails('type string[int] is undefined')],
  ['result["field"] == 1', { field: 1 }, true],
  ['result.in == 1', { in: 1 }, true],
  ['result > 1 // over one', 2, true],
  ['/* first */ result[0] > 1', [2], true],
  ["'it\\'s' == \"it's\"", null, true],
  ['"\\u00e9\\x41" == "éA"', null, true],
  ['`raw\\n` == "raw\\\\n"', null, true],
  ['1e3 == 1000 && 1_000 == 1000 && 0x10 == 16 && 0b101 == 5 && 0o17 == 15 && .5 == 0.5', null, true],
];

const FUNCTIONS: Row[] = [
  ['len(result) == 3', [1, 2, 3], true],
  ['len(result) == 5', 'héllo', true],
  ['len(result) == 1', { a: 1 }, true],
  ['count(result, # > 1) == 2', [1, 2, 3], true],
  ['count([true, false, true]) == 2', null, true],
  ['len(filter(result, # > 1)) == 2', [1, 2, 3], true],
  ['map(result, # * 2) == [2, 4]', [1, 2], true],
  ['none(result, # < 0)', [1, 2], true],
  ['one(result, # == 1)', [1, 2], true],
  ['one(result, # > 0)', [1, 2], false],
  ['sum(result) == 6', [1, 2, 3], true],
  ['sum(result, # * 2) == 12', [1, 2, 3], true],
  ['max(result) == 3 && min(result) == 1', [2, 3, 1], true],
  ['max(1, 5, 2) == 5', null, true],
  ['mean(result) == 2', [1, 2, 3], true],
  ['median([3, 1, 2, 10]) == 2.5', null, true],
  ['abs(result) == 1', -1, true],
  ['round(2.5) == 3 && round(-2.5) == -3 && floor(2.7) == 2 && ceil(2.1) == 3', null, true],
  ['int("42") == 42 && float("1.5") == 1.5', null, true],
  ['find(result, # > 1) == 2 && findIndex(result, # > 1) == 1', [1, 2, 3], true],
  ['findLast(result, # > 1) == 3 && findLastIndex(result, # > 1) == 2', [1, 2, 3], true],
  ['findLastIndex(result, # > 5) == -1', [1, 2, 3], fails('findLastIndex() found no element')],
  ['first(result) == 1 && last(result) == 3', [1, 2, 3], true],
  ['first(result) == nil', [], true],
  ['all(result, {.ok})', [{ ok: true }, { ok: true }], true],
  ['any(result, #.code >= 500)', [{ code: 200 }, { code: 503 }], true],
  ['all(result, #index < 2)', [5, 6], true],
  ['all(result, any(#, # > 1))', [[1, 2], [3]], true],
];

const ERRORS: Row[] = [
  ['result[5] > 1', [1, 2, 3], fails('index 5 out of range (len 3)')],
  ['result[0] > 1', [], fails('index 0 out of range (len 0)')],
  ['result[0.5] > 1', [1], fails('array elements can only be selected using an integer (got float64)')],
  ['"a" > 1', null, fails('invalid operation: > (mismatched types string and int)')],
  ['result > 0.9', '0.95', fails('invalid operation: > (mismatched types string and float64)')],
  ['result + 1 > 1', 'a', fails('invalid operation: + (mismatched types string and int)')],
  ['result && true', 1, fails('invalid operation: && (mismatched types float64 and bool)')],
  ['false || result', 'yes', fails('invalid operation: || (mismatched types bool and string)')],
  ['!result', 1, fails('invalid operation: ! (mismatched type float64)')],
  ['result ? true : false', 1, fails('non-bool expression (type float64) used as condition')],
  ['all(result, # > 1)', 5, fails('the first argument of all() must be an array, got number (5)')],
  ['all(result, #)', [1], fails('the predicate of all() must be a bool, got number (1)')],
  ['result.x == 1', [1], fails('array elements can only be selected using an integer (got string)')],
  ['result.length > 1', 'abc', fails('type string has no field length')],
  ['result[0] == 1', { a: 1 }, fails('cannot use int to get an element from map[string]interface {}')],
  ['result % 2 == 0', 2.5, fails('invalid operation: % (mismatched types float64 and int)')],
  ['result.n % 2 == 0', { n: 2 }, fails('% needs two ints')],
  ['asInt(result) % 2 == 0', 2.5, true],
  ['1 % 0 == 0', null, fails('integer divide by zero')],
  ['asInt(result) == 1', true, fails('asInt() needs a number or a string, got bool (true)')],
  // Go's int64(NaN) on amd64, where Argo runs: the smallest int64.
  ['asInt(result) == 1', NaN, false],
  ['asInt(result) < 0', NaN, true],
  ['result in "abc"', 'a', fails('invalid operation: in (mismatched types string and string)')],
  ['result contains 1', 'a1', fails('invalid operation: contains (mismatched types string and int)')],
  // a condition must give a bool
  ['result', 0.5, fails('expected bool, but the condition gave number (0.5)')],
  ['len(result)', [1, 2, 3], fails('expected bool, but the condition gave number (3)')],
  ['result', 'ok', fails('expected bool, but the condition gave string ("ok")')],
  ['result', null, fails('expected bool, but the condition gave nil')],
  ['result', [true], fails('expected bool, but the condition gave array')],
  ['result[0]', [NaN], fails('expected bool, but the condition gave number (NaN)')],
];

/** Only `result` and the listed functions exist; JavaScript's object model is out of reach. */
const NO_ESCAPE: Row[] = [
  ['result.constructor == nil', {}, true],
  ['result.__proto__ == nil', {}, true],
  ['result["__proto__"] == nil', { a: 1 }, true],
  ['result.toString == nil', {}, true],
  ['result.hasOwnProperty == nil', { a: 1 }, true],
  [
    'result.constructor == nil',
    [1],
    fails('array elements can only be selected using an integer (got string)'),
  ],
  ['result.constructor.constructor == nil', {}, fails('cannot fetch "constructor" from nil')],
  ['result.valueOf == nil', 1, fails('type float64 has no field valueOf')],
  ['constructor == nil', {}, syntax('unknown name "constructor"')],
  ['this == nil', {}, syntax('unknown name "this"')],
  ['globalThis.process == nil', {}, syntax('unknown name "globalThis"')],
  ['eval("1") == 1', {}, syntax('unknown function "eval"')],
  ['result.toString() == ""', {}, fails('has no method toString')],
];

const SYNTAX_ERRORS: Row[] = [
  ['result[0] >= )', [1], syntax('unexpected token ")" at column 14')],
  ['lenn(result) == 0', [], syntax('unknown function "lenn" at column 1')],
  [
    'result > 0.9 && resutl < 1',
    1,
    syntax('unknown name "resutl" (the measurement is called result) at column 17'),
  ],
  ['len(result, 1) == 0', [], syntax('len() takes 1 argument, got 2: len(array | string | map) at column 1')],
  ['all(result)', [], syntax('all() takes 2 arguments, got 1: all(array, predicate) at column 1')],
  ['isInf(result, 1, 2)', 1, syntax('isInf() takes 1 argument, got 3')],
  ['default(result) > 1', 1, syntax('default() takes 2 arguments, got 1')],
  ['max() > 1', 1, syntax('max() takes at least 1 argument, got 0')],
  ['len > 1', 1, syntax('len is a function: call it, as in len(result) at column 1')],
  ['result >', 1, syntax('unexpected end of expression at column 9')],
  ['(result > 1', 1, syntax('unexpected end of expression at column 12')],
  ['result > 1)', 1, syntax('unexpected token ")" at column 11')],
  ['result > 1 and', 1, syntax('unexpected end of expression at column 15')],
  ['# > 1', 1, syntax('# can only be used inside a predicate, as in all(result, {# > 0.9}) at column 1')],
  ['#foo > 1', 1, syntax('#foo can only be used inside a predicate')],
  ['all(result, #foo > 1)', [1], syntax('unknown pointer #foo (only #, #index and #acc exist) at column 13')],
  ['result = 1', 1, syntax('unexpected token "=" (did you mean "=="?) at column 8')],
  ['result & true', true, syntax('unexpected token "&" (did you mean "&&"?) at column 8')],
  ['"abc == result', 'abc', syntax('string is not closed at column 1')],
  ['result @ 1', 1, syntax('unrecognized character "@" at column 8')],
  ['12abc > 1', 1, syntax('bad number syntax: "12a" at column 1')],
  ['1.2.3 > 1', 1, syntax('unexpected token ".3" at column 4')],
  [
    'result ?? 0 > 1',
    1,
    syntax('cannot mix ?? and > without parentheses, as in (result ?? 0) > 1 at column 13'),
  ],
  ['result matches "^ok"', 'ok', true],
  ['1..3 == [1, 2, 3]', 1, true],
  ['', 1, syntax('the expression is empty at column 1')],
  ['let x = 1; x > 0', 1, true],
  ['"\\q" == result', 'q', syntax('invalid escape "\\\\q" in string at column 2')],
  ['result. > 1', {}, syntax('expected a field name after "." at column 9')],
  [
    'result > 0.9 &&\n  reslt < 1',
    1,
    syntax('unknown name "reslt" (the measurement is called result) at line 2, column 3'),
  ],
  ['result not 5', 1, syntax('unexpected token "5" at column 12')],
  ['{# > 1}', 1, syntax('a map key must be a string, a name, a number or an expression in parentheses')],
];

const label = ([expression, result, expected]: Row): string => {
  const shown = JSON.stringify(result, (_key, value: unknown) =>
    typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
  );
  const outcome = typeof expected === 'boolean' ? String(expected) : `error "${expected.message}"`;
  return `${JSON.stringify(expression)} with result ${shown ?? 'undefined'} → ${outcome}`;
};

function check([expression, result, expected]: Row): void {
  if (typeof expected === 'boolean') {
    expect(evaluateCondition(expression, result)).toBe(expected);
    return;
  }
  let thrown: unknown;
  try {
    evaluateCondition(expression, result);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(expected.error);
  expect((thrown as Error).message).toContain(expected.message);
}

const GROUPS: [string, Row[]][] = [
  ["Argo's documented forms", ARGO_FORMS],
  ['NaN and ±Inf', NAN_AND_INF],
  ['nil', NIL],
  ['operators', OPERATORS],
  ['functions', FUNCTIONS],
  ['evaluation errors', ERRORS],
  ['no way out of the sandbox', NO_ESCAPE],
  ['syntax errors', SYNTAX_ERRORS],
];

describe.each(GROUPS)('conditions: %s', (_group, rows) => {
  it.each(rows.map((row) => [label(row), row] as const))('%s', (_title, row) => check(row));
});

describe('the table', () => {
  it('covers well over 70 expressions', () => {
    const expressions = new Set(GROUPS.flatMap(([, rows]) => rows.map(([expression]) => expression)));
    expect(expressions.size).toBeGreaterThanOrEqual(200);
  });
});
