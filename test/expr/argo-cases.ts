// Condition/result pairs for the differential test against Argo's own evaluation (argo-oracle): a
// catalogue of condition forms (every rule issue 11 found diverging, and the forms Argo users write),
// each tried on every measurement shape, plus seeded random expressions for precedence and arithmetic.
// Deterministic: the same seed gives the same cases, in the same order.
import type { OracleResult } from '../support/argo-oracle.js';
import { seededRandom } from '../../lab/mesh/random.js';

const NAN = { $float: 'NaN' };
const INF = { $float: '+Inf' };
const NEG_INF = { $float: '-Inf' };

/** What Prometheus (vector, scalar) and the web provider (json) hand the evaluator, and nothing. */
export const RESULTS: readonly OracleResult[] = [
  { type: 'vector', value: [] },
  { type: 'vector', value: [0.95] },
  { type: 'vector', value: [0.5] },
  { type: 'vector', value: [3] },
  { type: 'vector', value: [0, 0.99, 2] },
  { type: 'vector', value: [NAN] },
  { type: 'vector', value: [INF, NEG_INF] },
  { type: 'scalar', value: 0.95 },
  { type: 'scalar', value: 0 },
  { type: 'scalar', value: 7 },
  { type: 'scalar', value: -2.5 },
  { type: 'scalar', value: NAN },
  { type: 'scalar', value: INF },
  { type: 'scalar', value: NEG_INF },
  {
    type: 'json',
    value: {
      ok: true,
      rate: 0.97,
      count: 12,
      name: 'prod-East',
      tags: ['a', 'b'],
      nested: { x: 1 },
      none: null,
    },
  },
  { type: 'json', value: { data: [{ v: 1 }, { v: 5 }], status: 'Healthy' } },
  { type: 'json', value: {} },
  { type: 'json', value: [1, 2, 3] },
  { type: 'json', value: ['a', 'b'] },
  { type: 'json', value: [] },
  { type: 'json', value: ' Healthy ' },
  { type: 'json', value: '12' },
  { type: 'json', value: '' },
  { type: 'json', value: true },
  { type: 'json', value: false },
  { type: 'json', value: 42 },
  { type: 'json', value: 0.5 },
  { type: 'json', value: null },
  { type: 'nil' },
];

/** Condition forms, each tried on every result above. */
export const FORMS: readonly string[] = [
  // The forms of Argo's documentation.
  'result[0] >= 0.95',
  'result[0] < 0.5',
  'len(result) == 0 || result[0] > 0.9',
  'len(result) > 0 && result[0] >= 0.95',
  'result > 0.9',
  'result == 0',
  'result == "Healthy"',
  'result.ok == true',
  'result.rate > 0.9',
  'result.data[1].v > 2',
  'result.status == "Healthy"',
  'result.count >= 10',
  'result == true',
  'result',
  '!result',
  // Chaining: == and friends are not comparisons.
  'result[0] > 0.9 == true',
  'result[0] > 0.9 != false',
  'result > 0.9 == true',
  'true == result > 0.5',
  '1 < 2 == true',
  '1 < 2 < 3',
  'result[0] < 1 < 2',
  '"a" in ["a"] == true',
  '1 == 1 == true',
  'result == nil == true',
  'result contains "e" == true',
  'result.name startsWith "prod" == true',
  'result endsWith " " != false',
  'result matches "^ ?H" == true',
  'result.name matches "(?i)east"',
  'result matches "["',
  '"abc" matches "b"',
  // matches: Go's RE2 syntax.
  'result matches "^[A-Z][a-z]+$"',
  'result matches "(?i)healthy"',
  'result.name matches "^prod-(East|West)$"',
  'result.name matches "(?i)^PROD-\\\\w+$"',
  'result matches "\\\\d+"',
  'result matches "^\\\\s*Healthy\\\\s*$"',
  'result matches "l{2,}"',
  'result matches "(?P<x>H)"',
  'result matches "x**"',
  'result matches "(?=H)"',
  'result matches "(H)\\\\1"',
  'result matches "[[:upper:]]"',
  'result matches "\\\\bHealthy\\\\b"',
  'result matches "^$"',
  'result matches "[^a-z ]"',
  'result matches "(?s).+"',
  'false && result matches "("',
  '"" matches ""',
  '"a\\nb" matches "^b"',
  '"a\\nb" matches "(?m)^b$"',
  '"é" matches "^.$"',
  '"ab" matches "a.?b"',
  '"aaa" matches "^a{1,2}$"',
  '"x" matches "a{1001}"',
  '"a.b" matches "a\\\\.b"',
  '"AB" matches "(?i:a)B"',
  'result not matches "H"',
  // in
  '0.95 in result',
  '1 in result',
  '"a" in result',
  '"ok" in result',
  '"a" in result.tags',
  '"x" in result.nested',
  'result in [1, 2]',
  '"a" not in result',
  // nil
  'result == nil',
  'result != nil',
  'result > 0',
  'result < 1',
  'result.missing == nil',
  'result.missing > 1',
  'result?.missing == nil',
  'result?.nested?.x == 1',
  'result.none ?? 3 == 3',
  'nil == nil',
  'nil > 1',
  // isNil and default look at the whole result.
  'isNil(result)',
  '!isNil(result)',
  'isNil(result[0])',
  'isNil(nil)',
  'isNil(1)',
  'isNil(result.missing)',
  'isNil()',
  'default(result, 0) == 0',
  'default(result, 0.5) > 0.4',
  'default(result[0], 0) > 0.5',
  'default(nil, 1) == 1',
  'default(result.missing, 5) == 5',
  'default(1) == 1',
  'len(default(result, [])) == 0',
  // Arithmetic, % on floats and ints.
  'result[0] % 2 == 0',
  'result % 2 == 1',
  'result.count % 2 == 0',
  '7 % 2 == 1',
  '-7 % 3 == -1',
  '7 % 0 == 0',
  '7.5 % 2 == 1.5',
  'asInt(result) % 2 == 1',
  'asInt(result[0]) % 2 == 0',
  'result * 2 > 1',
  'result[0] * 100 >= 95',
  'result + 1 > 1',
  'result - result == 0',
  'result / 0 > 1',
  '1 / 2 == 0.5',
  '10 / 4 == 2.5',
  '2 ** 10 == 1024',
  '2 ^ 3 == 8',
  'result[0] ** 2 < 1',
  '-result < 0',
  '-result[0] < 0',
  'result + "x" == "x"',
  '"a" + "b" == "ab"',
  '"a" < "b"',
  '"a" > 1',
  '1 + true',
  // asInt / asFloat
  'asInt(result) == 0',
  'asInt(result[0]) == 0',
  'asFloat(result) > 0.5',
  'asFloat(result[0]) > 0.5',
  'asFloat("1.5") == 1.5',
  'asInt("12") == 12',
  'asInt("x") == 1',
  'asInt(result.count) > 10',
  'asInt(result.name) == 0',
  'asFloat(result.rate) > 0.9',
  'asInt(0/0) == 0',
  'asInt(1.9) == 1',
  'asInt(-1.9) == -1',
  'asInt(nil) == 0',
  'asFloat(true) == 1',
  'asInt() == 0',
  // isNaN / isInf
  'isNaN(result)',
  'isNaN(result[0])',
  'isInf(result)',
  'isInf(result[0])',
  'isInf(result[1])',
  'isInf(result, 1)',
  'isNaN()',
  'isNaN("x")',
  'isNaN(1)',
  'isNaN(1.5)',
  'isNaN(0/0)',
  'isInf(1/0)',
  'isNaN(result.rate)',
  'isNaN(result) || result > 0.5',
  'result != result',
  'result[0] != result[0]',
  'result[0] == result[0]',
  // Builtins.
  'upper(result) == "HEALTHY"',
  'lower(result.name) == "prod-east"',
  'trim(result) == "Healthy"',
  'trimPrefix(result, " ") == "Healthy "',
  'split(result.name, "-")[1] == "East"',
  'len(split("a,b,c", ",")) == 3',
  'string(result) == "0.95"',
  'string(result[0]) == "0.95"',
  'string(1) == "1"',
  'sort(result)[0] == 0',
  'sort(result.tags)[0] == "a"',
  'reduce(result, #acc + #, 0) > 1',
  'reduce([1, 2, 3], #acc + #) == 6',
  'sort(keys(result))[0] == "count"',
  'len(keys(result)) == 7',
  '"ok" in keys(result)',
  'len(values(result)) > 0',
  'get(result, "rate") > 0.9',
  'get(result, 0) == 1',
  'get(result, 5) == nil',
  'type(result) == "float"',
  'type(result) == "array"',
  'type(result) == "map"',
  'type(result) == "string"',
  'type(result) == "nil"',
  'type(1) == "int"',
  'len(result) == 1',
  'len(result) > 0',
  'len(result.tags) == 2',
  'len(1) == 1',
  'all(result, # > 0.5)',
  'any(result, # > 0.9)',
  'none(result, # > 2)',
  'one(result, # > 0.9)',
  'all(result, {# > 0.5})',
  'filter(result, # > 0.5) == [0.95]',
  'len(filter(result, # > 0.5)) == 1',
  'map(result, # * 2)[0] > 1',
  'count(result, # > 0.5) == 1',
  'count(result.data, .v > 2) == 1',
  'all(result.data, .v > 0)',
  'find(result, # > 0.5) > 0.5',
  'findIndex(result, # > 0.5) == 0',
  'sum(result) > 1',
  'mean(result) > 0.5',
  'median(result) > 0.5',
  'max(result) > 1',
  'min(result) < 1',
  'max(1, 2.5) == 2.5',
  'abs(result) > 0',
  'abs(result[0]) > 0',
  'ceil(result) == 1',
  'floor(result[0]) == 0',
  'round(result) == 1',
  'int(result) == 0',
  'int("12") == 12',
  'float("1.5") == 1.5',
  'float(result) > 0',
  'first(result) > 0.5',
  'last(result) > 0.5',
  'join(result.tags, ",") == "a,b"',
  'join(result, ",") == "a,b"',
  'indexOf(result, "e") == 2',
  'hasPrefix(result, " H")',
  'hasSuffix(result.name, "East")',
  'repeat("a", 3) == "aaa"',
  'replace(result, " ", "") == "Healthy"',
  'toJSON(result) == "[0.95]"',
  'fromJSON("[1]")[0] == 1',
  'toBase64("a") == "YQ=="',
  'uniq([1, 1, 2]) == [1, 2]',
  'concat([1], [2]) == [1, 2]',
  'flatten([[1], [2]]) == [1, 2]',
  'reverse(result)[0] > 0',
  'take(result, 1) == [0.95]',
  'date("2024-01-02") < now()',
  'date("2024-01-02").Year() == 2024',
  'date("not a date") < now()',
  'duration("1h") > duration("30m")',
  'duration("1h").Hours() == 1',
  'duration("xyz") > duration("1m")',
  'now() > date("2020-01-01")',
  'duration("1h30m").Minutes() == 90',
  'duration("1.5s") == duration("1500ms")',
  'duration("-2m") < duration("0")',
  'duration("5") > duration("1s")',
  'duration("1d") > duration("1s")',
  'date("2024-01-02T03:04:05Z").Hour() == 3',
  'date("2024-01-02T03:04:05+02:00").Hour() == 1',
  'date("2024-01-02T03:04:05.5Z").Second() == 5',
  'date("2024-02-30") < now()',
  'date("2024-01-02") - date("2024-01-01") == duration("24h")',
  'date("2024-01-02") + duration("1h") > date("2024-01-02")',
  'date("2024-01-02").Before(date("2024-01-03"))',
  'date("2024-01-02").Month() == 1',
  'type(duration("1h")) == "time.Duration"',
  'type(now()) == "time.Time"',
  'duration("1h") * 2 == duration("2h")',
  'now() - date("2020-01-01") > duration("1h")',
  'date("12:30:00").Minute() == 30',
  'date("2024-01-02 10:00:00").Hour() == 10',
  'duration("1h") > 1',
  'date("2024-01-02") == date("2024-01-02")',
  'duration(result) > duration("1s")',
  'date("2024-01-02").Nope() == 1',
  'bitand(6, 3) == 2',
  'bitnot(0) == -1',
  'nosuchfunction(result)',
  // Ranges, let, if/else, ternary, $env.
  '1..3 == [1, 2, 3]',
  'len(1..10) == 10',
  'result[0] in 0..1',
  'result in 0..10',
  'asInt(result) in 0..10',
  'let x = result; x > 0.5',
  'let x = result[0]; let y = x * 2; y > 1',
  'let x = 1; x == 1',
  'if result > 0.5 { true } else { false }',
  'if len(result) > 0 { result[0] > 0.5 } else { true }',
  'result > 0.5 ? true : false',
  'len(result) > 0 ? result[0] > 0.5 : false',
  'result ? 1 : 2',
  'true ? "a" : 1',
  '$env.result == result',
  '$env["result"] > 0.5',
  '"result" in $env',
  // Integer literals, int64.
  '9223372036854775807 > 0',
  '9223372036854775808 > 0',
  '9007199254740993 == 9007199254740992',
  '9007199254740993 - 9007199254740992 == 1',
  'result < 9223372036854775807',
  '1_000 == 1000',
  '0x10 == 16',
  '0o17 == 15',
  '0b101 == 5',
  '1e3 == 1000',
  '.5 == 0.5',
  '1 == 1.0',
  '3 / 2 == 1.5',
  '9223372036854775807 + 1 < 0',
  '-9223372036854775808 < 0',
  // Syntax errors.
  'result[0] >',
  'result[0] > > 1',
  '(result > 1',
  'result[0] = 1',
  'result.',
  '"abc',
  '',
  'result > 1)',
  'result >= 0.5 &&',
  'result === 1',
  'result[0] >= 0.95 or',
  '[1, 2',
  '{a: 1',
  // Type errors, also in branches never taken.
  'result[0] && true',
  'true || result[0] % 2 == 0',
  'false && result % 2 == 0',
  'len(result) > 0 || result.x == 1',
  'result.x == 1',
  'result[0].x == 1',
  'result["a"] == 1',
  'false && result + "x" == "y"',
  'true ? true : result + "x" == "y"',
  'false && "a" > 1',
  'false && nil > 1',
  'false && 1 % 1.5 == 0',
  'result == "x"',
  'result[0] == "x"',
  'result[0] == nil',
  'result[5] > 1',
  'result[-1] > 0',
  'result[0.5] > 0',
  'result[1:] == []',
  'result[:1] == [0.95]',
  'result and true',
  'not result',
  '1',
  '"true"',
  'nil',
];

const ATOMS = [
  'result',
  'result[0]',
  'result.rate',
  'result.count',
  'asInt(result)',
  'len(result)',
  '0',
  '1',
  '2',
  '3',
  '0.5',
  '0.9',
  '2.5',
  '-1',
  '9223372036854775807',
  '"a"',
  '"Healthy"',
  'true',
  'nil',
  '[1, 2]',
];
const BINARY = [
  '+',
  '-',
  '*',
  '/',
  '%',
  '**',
  '<',
  '<=',
  '>',
  '>=',
  '==',
  '!=',
  '&&',
  '||',
  'in',
  'contains',
  'startsWith',
  'matches',
  '??',
  '..',
];

/** A random expression of atoms and operators, sometimes parenthesised, `depth` levels deep. */
function expression(next: () => number, depth: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  if (depth === 0 || next() < 0.25) return pick(ATOMS);
  const roll = next();
  if (roll < 0.08) return `!${expression(next, depth - 1)}`;
  if (roll < 0.15) return `-${expression(next, depth - 1)}`;
  if (roll < 0.3) return `(${expression(next, depth - 1)})`;
  return `${expression(next, depth - 1)} ${pick(BINARY)} ${expression(next, depth - 1)}`;
}

/** Number-valued atoms that fit this result, so typed expressions mostly give verdicts. */
function numericAtoms(result: OracleResult): string[] {
  const literals = ['0', '1', '2', '7', '0.5', '0.95', '2.5', '-3', '9007199254740993'];
  if (result.type === 'scalar') return [...literals, 'result', 'asInt(result)', 'asFloat(result)'];
  if (result.type === 'vector') {
    const atoms = [...literals, 'len(result)', 'sum(result)', 'default(len(result), 0)'];
    return result.value.length > 0 ? [...atoms, 'result[0]', 'asInt(result[0])', 'result[-1]'] : atoms;
  }
  if (result.type === 'json' && typeof result.value === 'object' && result.value !== null) {
    return 'rate' in result.value
      ? [...literals, 'result.rate', 'result.count', 'asInt(result.count)']
      : literals;
  }
  return literals;
}

/** A typed random condition: numbers (+ - * / % **, asInt) compared, then && || ! and ?: over them. */
function typedCondition(next: () => number, atoms: readonly string[], depth: number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
  const number = (level: number): string => {
    if (level === 0 || next() < 0.35) return pick(atoms);
    const operator = pick(['+', '-', '*', '/', '%', '**']);
    const text = `${number(level - 1)} ${operator} ${number(level - 1)}`;
    return next() < 0.3 ? `(${text})` : next() < 0.2 ? `asInt(${text})` : text;
  };
  const comparison = (): string => `${number(2)} ${pick(['<', '<=', '>', '>=', '==', '!='])} ${number(2)}`;
  if (depth === 0 || next() < 0.3) return next() < 0.1 ? `isNaN(${number(1)})` : comparison();
  const roll = next();
  if (roll < 0.1) return `!(${typedCondition(next, atoms, depth - 1)})`;
  if (roll < 0.2) return `${comparison()} ? ${typedCondition(next, atoms, depth - 1)} : ${comparison()}`;
  const joiner = pick(['&&', '||', 'and', 'or', '==', '!=']);
  return `${typedCondition(next, atoms, depth - 1)} ${joiner} ${typedCondition(next, atoms, depth - 1)}`;
}

export interface ConditionPair {
  condition: string;
  result: OracleResult;
}

/**
 * Every form on every result, then `randomCount` seeded random expressions and `typedCount` typed
 * random conditions (which mostly give verdicts), each on a random result.
 */
export function conditionPairs(seed = 11, randomCount = 3000, typedCount = 3000): ConditionPair[] {
  const pairs: ConditionPair[] = [];
  for (const condition of FORMS) for (const result of RESULTS) pairs.push({ condition, result });
  const next = seededRandom(seed); // the same seed, the same cases
  for (let i = 0; i < randomCount; i += 1) {
    const result = RESULTS[Math.floor(next() * RESULTS.length)] as OracleResult;
    pairs.push({ condition: expression(next, 3), result });
  }
  for (let i = 0; i < typedCount; i += 1) {
    const result = RESULTS[Math.floor(next() * RESULTS.length)] as OracleResult;
    pairs.push({ condition: typedCondition(next, numericAtoms(result), 2), result });
  }
  return pairs;
}
