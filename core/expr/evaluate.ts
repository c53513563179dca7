// Evaluates a parsed condition against one measurement, with expr-lang's semantics (vm/runtime):
// `&&`/`||` short-circuit and need bools, `/` always divides as floats, `%` needs ints (the type
// check says which nodes are ints; those are computed exactly as int64), `==` is deep, `<` fails
// across types, and `a?.b` ends with nil when `a` is nil. Run it after check.ts, as Argo does.
// Deterministic and pure: the only loops are the predicates', one pass over an array each.

import { isPlainObject } from '../json.js';
import type { BinaryOperator, Expr } from './ast.js';
import { functionSpec, type Call } from './functions.js';
import { compileRegexp } from './regexp.js';
import { callMethod, GoDuration, GoTime, timeArithmetic } from './time.js';
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
  /**
   * The nodes the type check found to be ints (check.ts): computed exactly as int64 (wrapping as Go
   * does), and the only operands `%` takes. Without it, every whole number counts as an int.
   */
  ints?: WeakSet<Expr>;
  /** The isNaN/isInf calls whose int argument Argo's expr-lang cannot pass as a float64 (check.ts). */
  intArguments?: WeakSet<Expr>;
  /** The rules of runs begun before conditions followed Argo's (evaluateConditionAsBefore). */
  legacy?: boolean;
}

const ARITHMETIC: ReadonlySet<BinaryOperator> = new Set(['+', '-', '*', '%']);
const INT_OPERATORS: ReadonlySet<BinaryOperator> = new Set([...ARITHMETIC, '==', '!=', '<', '<=', '>', '>=']);

/** Marks a chain that a `?.` on nil has ended; only member and slice accesses ever see it. */
const ENDED = Symbol('ended chain');

interface Frame {
  element: unknown;
  index: number;
  acc: unknown;
}

/** Evaluates a parsed expression; throws an ExpressionEvalError when a value does not fit an operation. */
export function evaluate(expr: Expr, env: Environment): unknown {
  return new Evaluator(nil(env.result), env.ints, env.intArguments, env.legacy === true).run(expr);
}

class Evaluator {
  /** The elements of the enclosing predicates, innermost last. */
  private readonly frames: Frame[] = [];
  /** The values `let` has bound, innermost last. */
  private readonly scope: { name: string; value: unknown }[] = [];

  constructor(
    private readonly result: unknown,
    private readonly ints: WeakSet<Expr> | undefined,
    private readonly intArguments: WeakSet<Expr> | undefined = undefined,
    private readonly legacy = false,
  ) {}

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
      case 'env':
        return { result: this.result };
      case 'variable': {
        for (let i = this.scope.length - 1; i >= 0; i -= 1) {
          const binding = this.scope[i];
          if (binding?.name === expr.name) return binding.value;
        }
        return fail(`unknown name "${expr.name}"`);
      }
      case 'let':
        this.scope.push({ name: expr.name, value: this.run(expr.value) });
        try {
          return this.run(expr.body);
        } finally {
          this.scope.pop();
        }
      case 'sequence':
        return expr.items.map((item) => this.run(item)).pop() ?? null;
      case 'pointer': {
        const frame = this.frames[this.frames.length - 1];
        if (frame === undefined) return fail('# can only be used inside a predicate');
        return expr.name === 'index' ? frame.index : expr.name === 'acc' ? frame.acc : frame.element;
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
        return this.binaryNode(expr);
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
        if (this.intArguments?.has(expr) === true) {
          expr.args.forEach((arg) => this.run(arg));
          return fail(
            `${expr.name}() needs a float64: this int cannot be one (write ${expr.name}(float(x)))`,
          );
        }
        return this.call(expr.name, expr.args);
      case 'method':
        return callMethod(
          this.run(expr.object),
          expr.name,
          expr.args.map((arg) => this.run(arg)),
        );
      case 'closure':
        return this.run(expr.body);
    }
  }

  private isInt(expr: Expr): boolean {
    return this.ints?.has(expr) ?? false;
  }

  private binaryNode(expr: Extract<Expr, { kind: 'binary' }>): unknown {
    const { operator, left, right } = expr;
    if (this.ints === undefined) return this.binary(operator, left, right);
    const bothInts = this.isInt(left) && this.isInt(right);
    if (operator === '%' && !bothInts) {
      // Every number a provider returns is a float64, and expr-lang's % takes ints only.
      this.run(left);
      this.run(right);
      return fail('invalid operation: % needs two ints (asInt() makes one of a float)');
    }
    if (bothInts && INT_OPERATORS.has(operator)) {
      const a = this.exact(left);
      const b = this.exact(right);
      switch (operator) {
        case '==':
          return a === b;
        case '!=':
          return a !== b;
        case '<':
          return a < b;
        case '<=':
          return a <= b;
        case '>':
          return a > b;
        case '>=':
          return a >= b;
        default:
          return Number(this.intArithmetic(operator, a, b));
      }
    }
    return this.binary(operator, left, right);
  }

  /** An int-typed node's value as an exact int64. */
  private exact(expr: Expr): bigint {
    if (expr.kind === 'literal' && expr.exact !== undefined) return BigInt(expr.exact);
    if (
      expr.kind === 'binary' &&
      ARITHMETIC.has(expr.operator) &&
      this.isInt(expr.left) &&
      this.isInt(expr.right)
    ) {
      return this.intArithmetic(expr.operator, this.exact(expr.left), this.exact(expr.right));
    }
    if (expr.kind === 'unary' && expr.operator === '-' && this.isInt(expr.operand)) {
      return BigInt.asIntN(64, -this.exact(expr.operand));
    }
    const value = this.run(expr);
    if (typeof value !== 'number' || !Number.isInteger(value))
      return fail(`expected an int, got ${describe(value)}`);
    return BigInt(value);
  }

  /** Go's int64 arithmetic: wraps around on overflow; % by zero is an error. */
  private intArithmetic(operator: BinaryOperator, a: bigint, b: bigint): bigint {
    switch (operator) {
      case '+':
        return BigInt.asIntN(64, a + b);
      case '-':
        return BigInt.asIntN(64, a - b);
      case '*':
        return BigInt.asIntN(64, a * b);
      case '%':
        if (b === 0n) fail('integer divide by zero');
        return a % b;
      default:
        return fail(`${operator} is not an int operation`);
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
    if (
      (operator === '+' || operator === '-' || operator === '*') &&
      [left, right].some((v) => v instanceof GoTime || v instanceof GoDuration)
    ) {
      return timeArithmetic(operator, left, right);
    }
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
      case 'matches':
        if (left === null || right === null) return false; // expr-lang: nil on either side is false
        if (typeof left !== 'string' || typeof right !== 'string') {
          return fail(`matches needs two strings, got ${typeName(left)} and ${typeName(right)}`);
        }
        return compileRegexp(right)(left);
      case 'contains':
      case 'startsWith':
      case 'endsWith': {
        // expr-lang: nil on either side is false (the rules before Argo's failed)
        if (!this.legacy && (left === null || right === null)) return false;
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
      case '..':
        return range(left, right);
    }
  }

  private call(name: string, args: Expr[]): unknown {
    const [only] = args;
    if (name === 'type' && args.length === 1 && only !== undefined && this.isInt(only)) {
      this.run(only);
      return 'int'; // a whole number of int type; every number from a provider is a float
    }
    const spec = functionSpec(name);
    if (spec === undefined) return fail(`unknown function "${name}"`);
    const argument = (index: number): Expr => args[index] ?? { kind: 'literal', value: null };
    const call: Call = {
      name,
      count: args.length,
      result: this.result,
      legacy: this.legacy,
      value: (index) => this.run(argument(index)),
      predicate: (index, element, position, acc = null) => {
        this.frames.push({ element, index: position, acc });
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

/** `a..b`: the ints from a to b, both included (empty when b < a), as expr-lang's. */
function range(from: unknown, to: unknown): number[] {
  if (!Number.isInteger(from) || !Number.isInteger(to)) {
    return fail(`a range needs two ints, got ${describe(from)} and ${describe(to)}`);
  }
  const [a, b] = [from as number, to as number];
  if (b - a > 1_000_000) return fail(`the range ${a}..${b} is too long (at most 1000000 items)`);
  return b < a ? [] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
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
