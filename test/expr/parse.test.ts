// The parser: expr-lang's precedence and associativity, the tree it builds, and its errors' positions.
import { describe, expect, it } from '@jest/globals';
import {
  ExpressionEvalError,
  ExpressionSyntaxError,
  FUNCTIONS,
  evaluate,
  parseExpression,
  type Expr,
} from '../../core/expr/index.js';

const result: Expr = { kind: 'result' };
const num = (value: number): Expr => ({ kind: 'literal', value });
const bin = (operator: string, left: Expr, right: Expr): Expr =>
  ({ kind: 'binary', operator, left, right }) as Expr;

describe('parseExpression', () => {
  it.each([
    ['1 + 2 * 3', bin('+', num(1), bin('*', num(2), num(3)))],
    ['1 - 2 - 3', bin('-', bin('-', num(1), num(2)), num(3))],
    ['2 ** 3 ** 2', bin('**', num(2), bin('**', num(3), num(2)))],
    ['2 ^ 3', bin('**', num(2), num(3))],
    ['-2 ** 2', { kind: 'unary', operator: '-', operand: bin('**', num(2), num(2)) }],
    ['result or result and result', bin('||', result, bin('&&', result, result))],
    ['0 < result < 1', bin('&&', bin('<', num(0), result), bin('<', result, num(1)))],
    ['result ?? 1 ?? 2', bin('??', bin('??', result, num(1)), num(2))],
    [
      'result not in [1]',
      { kind: 'unary', operator: '!', operand: bin('in', result, { kind: 'array', items: [num(1)] }) },
    ],
    ['result[0]', { kind: 'member', object: result, property: num(0), optional: false }],
    [
      'result.a',
      { kind: 'member', object: result, property: { kind: 'literal', value: 'a' }, optional: false },
    ],
    [
      'result?.a.b',
      {
        kind: 'chain',
        node: {
          kind: 'member',
          object: {
            kind: 'member',
            object: result,
            property: { kind: 'literal', value: 'a' },
            optional: true,
          },
          property: { kind: 'literal', value: 'b' },
          optional: false,
        },
      },
    ],
    ['result[1:]', { kind: 'slice', object: result, from: num(1) }],
    [
      'all(result, {# > 0.9})',
      {
        kind: 'call',
        name: 'all',
        args: [
          result,
          {
            kind: 'closure',
            body: bin(
              '>',
              { kind: 'pointer', name: 'element' },
              { kind: 'literal', value: 0.9, float: true },
            ),
          },
        ],
      },
    ],
    ['result | len()', { kind: 'call', name: 'len', args: [result] }],
    ['result ? 1 : 2', { kind: 'conditional', test: result, then: num(1), otherwise: num(2) }],
  ] as [string, Expr][])('%s', (text, expected) => {
    expect(parseExpression(text)).toEqual(expected);
  });

  it('parses a predicate with or without braces to the same tree', () => {
    expect(parseExpression('any(result, # < 5)')).toEqual(parseExpression('any(result, {# < 5})'));
    expect(parseExpression('all(result, .ok)')).toEqual(parseExpression('all(result, #.ok)'));
  });

  it('builds plain data: the tree survives JSON', () => {
    const tree = parseExpression(
      'len(result) == 0 || all(result, {# > 0.9 && #index < 10}) ? true : result?.x',
    );
    expect(JSON.parse(JSON.stringify(tree))).toEqual(tree);
  });

  it('reports the position of a syntax error as line, column and detail', () => {
    let error: unknown;
    try {
      parseExpression('result > 0.9 &&\n  len(result, 2) > 0');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ExpressionSyntaxError);
    expect(error).toMatchObject({
      name: 'ExpressionSyntaxError',
      line: 2,
      column: 3,
      detail: 'len() takes 1 argument, got 2: len(array | string | map)',
      message: 'len() takes 1 argument, got 2: len(array | string | map) at line 2, column 3',
    });
  });

  it('counts columns in characters, not UTF-16 units', () => {
    expect(() => parseExpression('"😀é" == résult')).toThrow(
      'unknown name "résult" (the measurement is called result) at column 9',
    );
  });

  it('refuses expressions nested deeper than any condition needs', () => {
    expect(() => parseExpression(`${'('.repeat(300)}1${')'.repeat(300)}`)).toThrow('nested too deeply');
    expect(() => parseExpression(`${'1 + '.repeat(10_000)}1`)).toThrow('nested too deeply');
    expect(parseExpression(`${'1 + '.repeat(100)}1`)).toBeDefined();
  });

  it('rejects integers beyond int64 and floats beyond float64, as expr-lang does', () => {
    expect(() => parseExpression('9223372036854775808 > 1')).toThrow(
      'integer 9223372036854775808 is too large',
    );
    expect(() => parseExpression('1e400 > 1')).toThrow('number 1e400 is too large');
    expect(() => parseExpression('0x > 1')).toThrow('invalid number "0x"');
  });

  it('knows the functions Argo and expr-lang give conditions', () => {
    expect(Object.keys(FUNCTIONS)).toEqual(
      expect.arrayContaining([
        'len',
        'all',
        'any',
        'none',
        'one',
        'filter',
        'map',
        'count',
        'isNaN',
        'isInf',
      ]),
    );
    expect(Object.keys(FUNCTIONS)).toEqual(
      expect.arrayContaining(['isNil', 'default', 'asInt', 'asFloat', 'abs', 'max', 'min', 'sum']),
    );
  });
});

describe('evaluate', () => {
  const run = (text: string, value: unknown = null): unknown =>
    evaluate(parseExpression(text), { result: value });

  it.each([
    ['1 / 2', null, 0.5],
    ['7 / 0', null, Infinity],
    ['0 / 0', null, NaN],
    ['-6 % 3', null, 0],
    ['2 ** 0.5', null, Math.SQRT2],
    ['result[1:]', [1, 2, 3], [2, 3]],
    ['result[-2:]', 'hello', 'lo'],
    ['result[:]', [1, 2], [1, 2]],
    ['map(result, #.name)', [{ name: 'a' }, { name: 'b' }], ['a', 'b']],
    ['filter(result, # > 1)', [1, 2, 3], [2, 3]],
    ['map(result, #index)', ['x', 'y'], [0, 1]],
    ['{"a": result, b: [1]}', 5, { a: 5, b: [1] }],
    ['result.x', {}, null],
    ['result?.x.y.z', null, null],
    ['result ?? "none"', null, 'none'],
    ['default(result, 2)', null, 2],
    ['max(result)', [], null],
    ['max([1, 2], 5, [3])', null, 5],
    ['asInt("-12")', null, -12],
    ['asInt(-1.9)', null, -1],
    ['asFloat("+Inf")', null, Infinity],
    ['asFloat("1e3")', null, 1000],
    ['len("😀")', null, 1],
    ['"😀é"[1]', null, 'é'],
    ['true ? result : 0', 'picked', 'picked'],
  ])('%s with %j gives %j', (text, value, expected) => {
    expect(run(text, value)).toEqual(expected);
  });

  it('gives the same answer every time and leaves the result as it was', () => {
    const value = Object.freeze([
      Object.freeze({ ok: true, rate: 0.99 }),
      Object.freeze({ ok: false, rate: 0.5 }),
    ]);
    const tree = parseExpression('map(filter(result, .ok), #.rate)');
    expect(evaluate(tree, { result: value })).toEqual([0.99]);
    expect(evaluate(tree, { result: value })).toEqual([0.99]);
    expect(value).toEqual([
      { ok: true, rate: 0.99 },
      { ok: false, rate: 0.5 },
    ]);
  });

  it('keeps a "__proto__" key in a map literal a key', () => {
    const value = run('{"__proto__": 1}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
  });

  it('reads only own data properties: no getters run, nothing inherited is seen', () => {
    let reads = 0;
    const value: Record<string, unknown> = {};
    Object.defineProperty(value, 'secret', { enumerable: true, get: () => ++reads });
    expect(run('result.secret', value)).toBeNull();
    expect(reads).toBe(0);
    expect(run('result.hasOwnProperty', Object.create(null) as unknown)).toBeNull();
    expect(() => run('result.inherited', Object.create({ inherited: 1 }) as unknown)).toThrow(
      'cannot fetch "inherited" from unsupported value',
    );
  });

  it('does not look into values that are not JSON', () => {
    expect(() => run('result.getTime', new Date(0))).toThrow(ExpressionEvalError);
    expect(() => run('result.size', new Map())).toThrow('cannot fetch "size" from unsupported value');
    expect(run('result == nil', undefined)).toBe(true);
  });
});
