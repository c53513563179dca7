// The types expr-lang's checker gives values (checker/nature), as far as Argo's conditions need them:
// how the measurement is typed, which types compare, fit, promote; what Argo's functions and the
// builtins return; and the two compile-time rules of expr's own (constant folding, int-to-float
// arguments) that turn some conditions into errors before they run.

import type { Expr } from './ast.js';

export type Nature =
  | { kind: 'unknown' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'map' | 'time' | 'duration' }
  | { kind: 'array'; elem: Nature };

export const UNKNOWN: Nature = { kind: 'unknown' };
export const BOOL: Nature = { kind: 'bool' };
export const INT: Nature = { kind: 'int' };
export const FLOAT: Nature = { kind: 'float' };
export const STRING: Nature = { kind: 'string' };
export const TIME: Nature = { kind: 'time' };
export const DURATION: Nature = { kind: 'duration' };

/** How a measurement is typed: a Prometheus vector is []float64, a JSON list []interface{}. */
export type ResultShape = 'vector' | 'json';

/** The Go type Argo's evaluator sees for this measurement (reflect.TypeOf of the env's `result`). */
export function natureOf(value: unknown, shape: ResultShape = 'json'): Nature {
  if (value === null || value === undefined) return { kind: 'nil' };
  if (typeof value === 'number') return FLOAT;
  if (typeof value === 'string') return STRING;
  if (typeof value === 'boolean') return BOOL;
  if (Array.isArray(value)) return { kind: 'array', elem: shape === 'vector' ? FLOAT : UNKNOWN };
  return { kind: 'map' };
}

export function show(n: Nature): string {
  switch (n.kind) {
    case 'unknown':
    case 'nil':
      return 'unknown';
    case 'float':
      return 'float64';
    case 'time':
      return 'time.Time';
    case 'duration':
      return 'time.Duration';
    case 'map':
      return 'map[string]interface {}';
    case 'array':
      return n.elem.kind === 'unknown' ? '[]interface {}' : `[]${show(n.elem)}`;
    default:
      return n.kind;
  }
}

export const isUnknown = (n: Nature): boolean => n.kind === 'unknown';
export const isNumber = (n: Nature): boolean => n.kind === 'int' || n.kind === 'float';

/** expr's MaybeCompatible: both unknown, or one unknown and the other passes `fits`. */
export function maybe(l: Nature, r: Nature, fits: (n: Nature) => boolean): boolean {
  return (isUnknown(l) && isUnknown(r)) || (isUnknown(l) && fits(r)) || (isUnknown(r) && fits(l));
}

export function assignable(n: Nature, to: Nature): boolean {
  if (n.kind === 'nil') return to.kind === 'map' || to.kind === 'array' || to.kind === 'unknown';
  if (to.kind === 'unknown') return n.kind !== 'unknown';
  if (n.kind !== to.kind) return false;
  return n.kind !== 'array' || to.kind !== 'array' || n.elem.kind === to.elem.kind;
}

export function comparable(l: Nature, r: Nature): boolean {
  return (
    isUnknown(l) ||
    isUnknown(r) ||
    l.kind === 'nil' ||
    r.kind === 'nil' ||
    (isNumber(l) && isNumber(r)) ||
    (l.kind === 'array' && r.kind === 'array') ||
    assignable(l, r)
  );
}

export const promote = (l: Nature, r: Nature): Nature =>
  l.kind === 'float' || r.kind === 'float' ? FLOAT : INT;

/** What each of Argo's env functions returns, and the type of each of its parameters. */
export const ARGO_FUNCTIONS: Readonly<Record<string, { params: Nature[]; returns: Nature }>> = {
  asInt: { params: [UNKNOWN], returns: INT },
  asFloat: { params: [UNKNOWN], returns: FLOAT },
  isNaN: { params: [FLOAT], returns: BOOL },
  isInf: { params: [FLOAT], returns: BOOL },
  isNil: { params: [UNKNOWN], returns: BOOL },
  default: { params: [UNKNOWN, UNKNOWN], returns: UNKNOWN },
};

/** What the builtins return where it matters to the checks above; the rest are unknown. */
export const RETURNS: Readonly<Record<string, Nature>> = {
  len: INT,
  count: INT,
  findIndex: INT,
  indexOf: INT,
  all: BOOL,
  any: BOOL,
  none: BOOL,
  one: BOOL,
  hasPrefix: BOOL,
  hasSuffix: BOOL,
  upper: STRING,
  lower: STRING,
  trim: STRING,
  string: STRING,
  type: STRING,
  round: FLOAT,
  ceil: FLOAT,
  floor: FLOAT,
  float: FLOAT,
  int: INT,
  now: TIME,
  date: TIME,
  duration: DURATION,
};

/** What sum, first, last, find, findLast and abs give for an array (or number) of this nature. */
export function elementNature(name: string, list: Nature | undefined): Nature {
  if (list === undefined) return UNKNOWN;
  if (name === 'abs') return isNumber(list) ? list : UNKNOWN;
  if (list.kind !== 'array') return UNKNOWN;
  return ['sum', 'first', 'last', 'find', 'findLast'].includes(name) ? list.elem : UNKNOWN;
}

/** The value of an int expression expr's optimizer folds into a constant, or undefined. */
export function constantInt(expr: Expr): bigint | undefined {
  if (expr.kind === 'literal') {
    if (typeof expr.value !== 'number' || expr.float === true) return undefined;
    return BigInt(expr.exact ?? expr.value);
  }
  if (expr.kind === 'unary' && expr.operator !== '!') {
    const value = constantInt(expr.operand);
    return value === undefined ? undefined : expr.operator === '-' ? BigInt.asIntN(64, -value) : value;
  }
  if (expr.kind === 'binary' && ['+', '-', '*', '%'].includes(expr.operator)) {
    const a = constantInt(expr.left);
    const b = constantInt(expr.right);
    if (a === undefined || b === undefined) return undefined;
    if (expr.operator === '%') return b === 0n ? undefined : a % b;
    return BigInt.asIntN(64, expr.operator === '+' ? a + b : expr.operator === '-' ? a - b : a * b);
  }
  return undefined;
}

/** Whether an int argument is a float once expr has turned its int literals into floats. */
export function floatAfterConversion(expr: Expr, ints: WeakSet<Expr>): boolean {
  if (expr.kind === 'literal') return typeof expr.value === 'number';
  if (!ints.has(expr)) return true;
  if (expr.kind === 'unary') return floatAfterConversion(expr.operand, ints);
  if (expr.kind === 'binary' && ['+', '-', '*'].includes(expr.operator)) {
    return floatAfterConversion(expr.left, ints) || floatAfterConversion(expr.right, ints);
  }
  return false;
}
