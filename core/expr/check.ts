// expr-lang's type check (checker/checker.go), which Argo runs before any evaluation: `result` has the
// Go type its provider gave it (Prometheus: float64 or []float64; the web provider: what encoding/json
// makes), literals have theirs (1 is an int, 1.0 a float), and an operation whose types can never fit
// is an error even in a branch that is never taken (`false && result % 2 == 0` on a float).
// Values of unknown type (a JSON map's fields) pass here and are checked when evaluated.

import type { Expr } from './ast.js';
import {
  ARGO_FUNCTIONS,
  assignable,
  BOOL,
  comparable,
  constantInt,
  DURATION,
  elementNature,
  FLOAT,
  floatAfterConversion,
  INT,
  isNumber,
  isUnknown,
  maybe,
  promote,
  RETURNS,
  show,
  STRING,
  TIME,
  UNKNOWN,
  type Nature,
} from './natures.js';
import { own } from './own.js';
import { compileRegexp } from './regexp.js';
import { fail } from './runtime.js';
import { METHOD_RESULTS } from './time.js';

export { natureOf, type Nature, type ResultShape } from './natures.js';

export class Checker {
  /** The nodes whose type is int: the evaluator computes them exactly (int64) and `%` needs two. */
  readonly ints = new WeakSet<Expr>();
  /**
   * Calls of isNaN/isInf whose int argument expr cannot make a float of: it turns int literals into
   * floats (through + - * and unary signs) when it compiles; any other int fails when the call runs.
   */
  readonly intArguments = new WeakSet<Expr>();

  /** The natures `let` has bound, innermost last. */
  private readonly scope: { name: string; nature: Nature }[] = [];

  constructor(private readonly result: Nature) {}

  check(expr: Expr): Nature {
    const nature = this.visit(expr);
    if (nature.kind === 'int') this.ints.add(expr);
    return nature;
  }

  private visit(expr: Expr): Nature {
    switch (expr.kind) {
      case 'literal': {
        const v = expr.value;
        if (v === null) return { kind: 'nil' };
        if (typeof v === 'boolean') return BOOL;
        if (typeof v === 'string') return STRING;
        return expr.float === true ? FLOAT : INT;
      }
      case 'result':
        return this.result;
      case 'env':
        return { kind: 'map' };
      case 'variable':
        return [...this.scope].reverse().find((b) => b.name === expr.name)?.nature ?? UNKNOWN;
      case 'let':
        this.scope.push({ name: expr.name, nature: this.check(expr.value) });
        try {
          return this.check(expr.body);
        } finally {
          this.scope.pop();
        }
      case 'sequence':
        return expr.items.map((item) => this.check(item)).pop() ?? UNKNOWN;
      case 'pointer':
        return UNKNOWN;
      case 'array': {
        // expr types [1, 2] as []int, a mixed list as []interface{}.
        const kinds = expr.items.map((item) => this.check(item));
        const first = kinds[0];
        const same =
          first !== undefined && first.kind !== 'array' && kinds.every((n) => n.kind === first.kind);
        return { kind: 'array', elem: same ? first : UNKNOWN };
      }
      case 'map':
        expr.entries.forEach(({ key, value }) => (this.check(key), this.check(value)));
        return { kind: 'map' };
      case 'unary': {
        const n = this.check(expr.operand);
        if (expr.operator === '!') {
          if (n.kind === 'bool' || isUnknown(n)) return BOOL;
        } else if (isNumber(n) || isUnknown(n)) {
          return n;
        }
        return fail(`invalid operation: ${expr.operator} (mismatched type ${show(n)})`);
      }
      case 'binary':
        return this.binary(expr);
      case 'member':
        if (expr.object.kind === 'env') {
          // $env.result and $env["result"] are the variable itself; other keys are unknown.
          const p = expr.property;
          if (p.kind === 'literal' && p.value === 'result') return this.result;
          this.check(p);
          return UNKNOWN;
        }
        return this.member(this.check(expr.object), this.check(expr.property), expr.property);
      case 'slice': {
        const n = this.check(expr.object);
        if (expr.from !== undefined) this.check(expr.from);
        if (expr.to !== undefined) this.check(expr.to);
        if (isUnknown(n) || n.kind === 'string' || n.kind === 'array') return n;
        return fail(`cannot slice ${show(n)}`);
      }
      case 'chain':
        return this.check(expr.node);
      case 'conditional': {
        const test = this.check(expr.test);
        if (test.kind !== 'bool' && !isUnknown(test)) {
          fail(`non-bool expression (type ${show(test)}) used as condition`);
        }
        const a = this.check(expr.then);
        const b = this.check(expr.otherwise);
        return a.kind === b.kind && a.kind !== 'array' ? a : UNKNOWN;
      }
      case 'call': {
        const nature = this.call(expr.name, expr.args);
        const [only] = expr.args;
        if (own(ARGO_FUNCTIONS, expr.name)?.params[0]?.kind === 'float' && only !== undefined) {
          if (this.ints.has(only) && !floatAfterConversion(only, this.ints)) this.intArguments.add(expr);
        }
        return nature;
      }
      case 'method': {
        const object = this.check(expr.object);
        expr.args.forEach((arg) => this.check(arg));
        if (isUnknown(object)) return UNKNOWN;
        const table = object.kind === 'time' || object.kind === 'duration' ? METHOD_RESULTS[object.kind] : {};
        const returns = own(table, expr.name);
        if (returns === undefined) return fail(`type ${show(object)} has no method ${expr.name}`);
        return { kind: returns } as Nature;
      }
      case 'closure':
        return this.check(expr.body);
    }
  }

  private member(base: Nature, prop: Nature, property: Expr): Nature {
    if (isUnknown(base)) return UNKNOWN;
    const name =
      property.kind === 'literal' && typeof property.value === 'string' ? property.value : undefined;
    if (base.kind === 'nil' && name !== undefined) return fail(`type nil has no field ${name}`);
    if (base.kind === 'map') {
      if (prop.kind !== 'string' && !isUnknown(prop)) {
        fail(`cannot use ${show(prop)} to get an element from ${show(base)}`);
      }
      return UNKNOWN;
    }
    if (base.kind === 'array') {
      if (prop.kind !== 'int' && !isUnknown(prop)) {
        fail(`array elements can only be selected using an integer (got ${show(prop)})`);
      }
      return base.elem;
    }
    if (name !== undefined) return fail(`type ${show(base)} has no field ${name}`);
    return fail(`type ${show(base)}[${show(prop)}] is undefined`);
  }

  private call(name: string, args: Expr[]): Nature {
    const natures = args.map((arg) => this.check(arg));
    const argo = own(ARGO_FUNCTIONS, name);
    const list = natures[0];
    if (name === 'join' && list?.kind === 'array' && !['unknown', 'string'].includes(list.elem.kind)) {
      fail(`join() takes []string or []interface {}, not ${show(list)}`);
    }
    if (argo === undefined) return own(RETURNS, name) ?? elementNature(name, list);
    if (natures.length !== argo.params.length) {
      fail(`too ${natures.length < argo.params.length ? 'few' : 'many'} arguments to call ${name}`);
    }
    natures.forEach((n, i) => {
      const param = argo.params[i] ?? UNKNOWN;
      if (isUnknown(param) || isUnknown(n) || n.kind === param.kind) return;
      if (param.kind === 'float' && n.kind === 'int') return; // expr converts an int argument to float64
      fail(`cannot use ${show(n)} as argument (type ${show(param)}) to call ${name}`);
    });
    return argo.returns;
  }

  private binary(expr: Extract<Expr, { kind: 'binary' }>): Nature {
    const l = this.check(expr.left);
    const r = this.check(expr.right);
    const op = expr.operator;
    switch (op) {
      case '==':
      case '!=':
        if (comparable(l, r)) return BOOL;
        break;
      case '||':
      case '&&':
        if ((l.kind === 'bool' && r.kind === 'bool') || maybe(l, r, (n) => n.kind === 'bool')) return BOOL;
        break;
      case '<':
      case '<=':
      case '>':
      case '>=':
        if ((isNumber(l) && isNumber(r)) || (l.kind === 'string' && r.kind === 'string')) return BOOL;
        if ((l.kind === 'time' || l.kind === 'duration') && l.kind === r.kind) return BOOL;
        if (maybe(l, r, (n) => isNumber(n) || n.kind === 'string')) return BOOL;
        break;
      case '-':
      case '*':
        if (isNumber(l) && isNumber(r)) return promote(l, r);
        if (op === '-' && l.kind === 'time') {
          if (r.kind === 'time') return DURATION;
          if (r.kind === 'duration') return TIME;
        }
        if (l.kind === 'duration' && r.kind === 'duration') return DURATION;
        if (
          op === '*' &&
          ((isNumber(l) && r.kind === 'duration') || (l.kind === 'duration' && isNumber(r)))
        ) {
          return DURATION;
        }
        if (maybe(l, r, isNumber)) return UNKNOWN;
        break;
      case '/':
      case '**':
        if ((isNumber(l) && isNumber(r)) || maybe(l, r, isNumber)) return FLOAT;
        break;
      case '%':
        // expr folds constants when it compiles: a constant % 0 fails even in a branch never taken.
        if (constantInt(expr.right) === 0n && constantInt(expr.left) !== undefined)
          fail('integer divide by zero');
        if (l.kind === 'int' && r.kind === 'int') return INT;
        if (maybe(l, r, (n) => n.kind === 'int')) return INT;
        break;
      case '+':
        if (isNumber(l) && isNumber(r)) return promote(l, r);
        if (l.kind === 'string' && r.kind === 'string') return STRING;
        if ((l.kind === 'time' && r.kind === 'duration') || (l.kind === 'duration' && r.kind === 'time'))
          return TIME;
        if (l.kind === 'duration' && r.kind === 'duration') return DURATION;
        if (maybe(l, r, (n) => isNumber(n) || n.kind === 'string')) return UNKNOWN;
        break;
      case 'in':
        if (r.kind === 'map') {
          if (!isUnknown(l) && !assignable(l, STRING))
            fail(`cannot use ${show(l)} as type string in map key`);
          return BOOL;
        }
        if (r.kind === 'array') {
          if (!comparable(l, r.elem)) fail(`cannot use ${show(l)} as type ${show(r.elem)} in array`);
          return BOOL;
        }
        if (isUnknown(l) && r.kind === 'string') return BOOL;
        if (isUnknown(r)) return BOOL;
        break;
      case 'matches':
        // expr compiles a literal pattern with the condition: a bad one fails even if never reached.
        if (expr.right.kind === 'literal' && typeof expr.right.value === 'string')
          compileRegexp(expr.right.value);
        if ((l.kind === 'string' && r.kind === 'string') || maybe(l, r, (n) => n.kind === 'string'))
          return BOOL;
        break;
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        if ((l.kind === 'string' && r.kind === 'string') || maybe(l, r, (n) => n.kind === 'string'))
          return BOOL;
        break;
      case '..':
        if ((l.kind === 'int' && r.kind === 'int') || maybe(l, r, (n) => n.kind === 'int')) {
          return { kind: 'array', elem: INT };
        }
        break;
      case '??':
        if (l.kind === 'nil') return r;
        if (r.kind === 'nil') return l;
        return assignable(r, l) ? l : UNKNOWN;
    }
    return fail(`invalid operation: ${op} (mismatched types ${show(l)} and ${show(r)})`);
  }
}
