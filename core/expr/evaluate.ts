// Evaluates a parsed condition against one measurement, with expr-lang's semantics (vm/runtime):
// `&&`/`||` short-circuit and need bools, `/` always divides as floats, `%` needs integers, `==` is
// deep and never fails, `<` fails across types, and `a?.b` ends with nil when `a` is nil.
// Deterministic and pure: the only loops are the predicates', one pass over an array each.

import { isPlainObject } from '../json.js';
import type { BinaryOperator, Expr } from './ast.js';
import { functionSpec, type Call } from './functions.js';
import {
  asBoolean,
  asNumber,
  compare,
  describe,
  equal,
  fail,
  fetch,
  hasOwn,
  nil,
  slice,
  typeName,
} from './runtime.js';

export interface Environment {
  /** The measurement's value, NaN and ±Inf as numbers (see decodeMetricValue). */
  result: unknown;
}

/** Marks a chain that a `?.` on nil has ended; only member and slice accesses ever see it. */
const ENDED = Symbol('ended chain');

interface Frame {
  element: unknown;
  index: number;
}

/** Evaluates a parsed expression; throws an ExpressionEvalError when a value does not fit an operation. */
export function evaluate(expr: Expr, env: Environment): unknown {
  return new Evaluator(nil(env.result)).run(expr);
}

class Evaluator {
  /** The elements of the enclosing predicates, innermost last. */
  private readonly frames: Frame[] = [];

  constructor(private readonly result: unknown) {}

  run(expr: Expr): unknown {
    const value = this.compute(expr);
    return value === ENDED ? null : value;
  }

  private compute(expr: Expr): unknown {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'result':
        return this.result;
      case 'pointer': {
        const frame = this.frames[this.frames.length - 1];
        if (frame === undefined) return fail('# can only be used inside a predicate');
        return expr.name === 'index' ? frame.index : frame.element;
      }
      case 'array':
        return expr.items.map((item) => this.run(item));
      case 'map': {
        const entries = expr.entries.map(({ key, value }): [string, unknown] => {
          const name = this.run(key);
          if (typeof name !== 'string') fail(`map keys must be strings, got ${describe(name)}`);
          return [name, this.run(value)];
        });
        // fromEntries defines own properties: a "__proto__" key stays a key.
        return Object.fromEntries(entries);
      }
      case 'unary': {
        const operand = this.run(expr.operand);
        if (expr.operator === '!') return !asBoolean(operand, 'the operand of !');
        const number = asNumber(operand, `the operand of unary ${expr.operator}`);
        return expr.operator === '-' ? -number : number;
      }
      case 'binary':
        return this.binary(expr.operator, expr.left, expr.right);
      case 'member': {
        const object = this.compute(expr.object);
        if (object === ENDED || (expr.optional && object === null)) return ENDED;
        return fetch(object, this.run(expr.property));
      }
      case 'slice': {
        const object = this.compute(expr.object);
        if (object === ENDED) return ENDED;
        const from = expr.from === undefined ? undefined : this.run(expr.from);
        const to = expr.to === undefined ? undefined : this.run(expr.to);
        return slice(object, from, to);
      }
      case 'chain':
        return this.run(expr.node);
      case 'conditional':
        return asBoolean(this.run(expr.test), 'the condition of ?:')
          ? this.run(expr.then)
          : this.run(expr.otherwise);
      case 'call':
        return this.call(expr.name, expr.args);
      case 'closure':
        return this.run(expr.body);
    }
  }

  private binary(operator: BinaryOperator, leftExpr: Expr, rightExpr: Expr): unknown {
    const left = this.run(leftExpr);
    switch (operator) {
      case '||':
        return (
          asBoolean(left, 'the left side of ||') || asBoolean(this.run(rightExpr), 'the right side of ||')
        );
      case '&&':
        return (
          asBoolean(left, 'the left side of &&') && asBoolean(this.run(rightExpr), 'the right side of &&')
        );
      case '??':
        return left === null ? this.run(rightExpr) : left;
      default:
        break;
    }
    const right = this.run(rightExpr);
    switch (operator) {
      case '==':
        return equal(left, right);
      case '!=':
        return !equal(left, right);
      case '<':
      case '<=':
      case '>':
      case '>=':
        return compare(operator, left, right);
      case 'in':
        return contains(right, left);
      case 'contains':
      case 'startsWith':
      case 'endsWith': {
        if (typeof left !== 'string' || typeof right !== 'string') {
          return fail(`${operator} needs two strings, got ${typeName(left)} and ${typeName(right)}`);
        }
        if (operator === 'contains') return left.includes(right);
        return operator === 'startsWith' ? left.startsWith(right) : left.endsWith(right);
      }
      case '+':
        if (typeof left === 'string' && typeof right === 'string') return left + right;
        return arithmetic(operator, left, right, (a, b) => a + b);
      case '-':
        return arithmetic(operator, left, right, (a, b) => a - b);
      case '*':
        return arithmetic(operator, left, right, (a, b) => a * b);
      case '/':
        // expr-lang divides as floats, integers included: 1 / 2 is 0.5, 1 / 0 is +Inf.
        return arithmetic(operator, left, right, (a, b) => a / b);
      case '%':
        return arithmetic(operator, left, right, (a, b) => {
          if (!Number.isInteger(a) || !Number.isInteger(b)) {
            fail(`% needs integers, got ${describe(left)} and ${describe(right)}`);
          }
          if (b === 0) fail('integer divide by zero');
          return (a % b) + 0; // Go's remainder has the dividend's sign too; + 0 drops a -0
        });
      case '**':
        return arithmetic(operator, left, right, power);
    }
  }

  private call(name: string, args: Expr[]): unknown {
    const spec = functionSpec(name);
    if (spec === undefined) return fail(`unknown function "${name}"`);
    const argument = (index: number): Expr => args[index] ?? { kind: 'literal', value: null };
    const call: Call = {
      name,
      count: args.length,
      value: (index) => this.run(argument(index)),
      predicate: (index, element, position) => {
        this.frames.push({ element, index: position });
        try {
          return this.run(argument(index));
        } finally {
          this.frames.pop();
        }
      },
    };
    return spec.apply(call);
  }
}

function arithmetic(
  operator: string,
  left: unknown,
  right: unknown,
  apply: (a: number, b: number) => number,
): number {
  if (typeof left !== 'number' || typeof right !== 'number') {
    return fail(`cannot apply ${operator} to ${typeName(left)} and ${typeName(right)}`);
  }
  return apply(left, right);
}

/** Go's math.Pow where it differs from JavaScript's: x ** 0 and 1 ** y are 1, (-1) ** ±Inf is 1. */
function power(base: number, exponent: number): number {
  if (exponent === 0 || base === 1) return 1;
  if (base === -1 && Math.abs(exponent) === Infinity) return 1;
  return base ** exponent;
}

/** `x in array` compares with ==; `key in map` asks for the key; `x in nil` is false. */
function contains(haystack: unknown, needle: unknown): boolean {
  if (haystack === null) return false;
  if (Array.isArray(haystack)) return haystack.some((item) => equal(item, needle));
  if (isPlainObject(haystack)) {
    if (typeof needle !== 'string')
      return fail(`a map's keys are strings, cannot look up ${describe(needle)}`);
    return hasOwn(haystack, needle);
  }
  return fail(`in needs an array or a map on its right, got ${describe(haystack)}`);
}
