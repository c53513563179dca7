// A hand-written Pratt parser for expr-lang (github.com/expr-lang/expr, parser/parser.go), the
// language of Argo's successCondition and failureCondition.
//
// Why not a library: the well-kept JavaScript expression parsers (jsep and its plugins, expr-eval,
// filtrex) parse JavaScript-like or their own grammars. None of them has expr-lang's predicates
// (`all(result, {# > 0.9})`, bare `# > 0.9`, `#index`, `.field` inside a predicate), its word
// operators with their own precedences (`not` binds looser than `*`, `??` tighter than anything,
// `not in`), chained comparisons (`0 < x < 1`), the pipe (`result | len()`) or Go's escapes; adapting
// them means plugins plus an AST rewrite and still another language's corner cases, while the
// grammar itself is about 300 lines. This follows expr-lang's own parser function for function:
// same precedence table, same recursion, so the same text parses to the same tree. It has no
// dependencies and no I/O, so workflow code can import it.
//
// Unlike expr-lang it resolves names while parsing: `result`, `$env` and the names `let` binds are the
// only variables and only the functions in functions.ts exist, so a misspelt name is a syntax error
// that lint can report. `let`, `if … else`, `;`, `a..b` and `matches` parse as in expr-lang.

import type { BinaryOperator, Expr, UnaryOperator } from './ast.js';
import type { ExpressionSyntaxError } from './errors.js';
import { functionSpec, type FunctionSpec } from './functions.js';
import { syntaxError, tokenize, type Token, type TokenKind } from './lexer.js';

interface BinaryRule {
  precedence: number;
  rightAssociative?: boolean;
  operator?: BinaryOperator;
  /** Why an expr-lang operator is not accepted here. */
  unsupported?: string;
}

/** expr-lang's parser/operator/operator.go, with each spelling mapped to one operator. */
const BINARY: Readonly<Record<string, BinaryRule>> = {
  '|': { precedence: 0 },
  or: { precedence: 10, operator: '||' },
  '||': { precedence: 10, operator: '||' },
  and: { precedence: 15, operator: '&&' },
  '&&': { precedence: 15, operator: '&&' },
  '==': { precedence: 20, operator: '==' },
  '!=': { precedence: 20, operator: '!=' },
  '<': { precedence: 20, operator: '<' },
  '>': { precedence: 20, operator: '>' },
  '>=': { precedence: 20, operator: '>=' },
  '<=': { precedence: 20, operator: '<=' },
  in: { precedence: 20, operator: 'in' },
  contains: { precedence: 20, operator: 'contains' },
  startsWith: { precedence: 20, operator: 'startsWith' },
  endsWith: { precedence: 20, operator: 'endsWith' },
  // Go's RE2 syntax, run in linear time by regexp.ts (never JavaScript's backtracking RegExp).
  matches: { precedence: 20, operator: 'matches' },
  '..': { precedence: 25, operator: '..' },
  '+': { precedence: 30, operator: '+' },
  '-': { precedence: 30, operator: '-' },
  '*': { precedence: 60, operator: '*' },
  '/': { precedence: 60, operator: '/' },
  '%': { precedence: 60, operator: '%' },
  '**': { precedence: 100, rightAssociative: true, operator: '**' },
  '^': { precedence: 100, rightAssociative: true, operator: '**' },
  '??': { precedence: 500, operator: '??' },
};
const COMPARISON_PRECEDENCE = 20;
/** Only these chain (`0 < x < 1`); `==`, `in`, `contains`… at the same precedence nest leftwards, as in expr-lang. */
const CHAINING: ReadonlySet<string> = new Set(['<', '>', '<=', '>=']);

const UNARY: Readonly<Record<string, { precedence: number; operator: UnaryOperator }>> = {
  not: { precedence: 50, operator: '!' },
  '!': { precedence: 50, operator: '!' },
  '-': { precedence: 90, operator: '-' },
  '+': { precedence: 90, operator: '+' },
};

/** Operators that `not` may precede: `a not in b`. */
const NEGATABLE = new Set(['in', 'contains', 'startsWith', 'endsWith', 'matches']);

/** For tokens that are only ever there by mistake, or from a newer expr-lang than ours. */
const HINTS: Readonly<Record<string, string>> = {
  '=': 'did you mean "=="?',
  '&': 'did you mean "&&"?',
  ';': 'a ; needs an expression before and after it',
};

/** Far beyond any real condition; keeps parsing and evaluation well inside the call stack. */
const MAX_DEPTH = 200;
const MAX_INT64 = 2n ** 63n;

/** Parses a condition; throws an ExpressionSyntaxError that says what is wrong and at which column. */
export function parseExpression(text: string, options: { legacy?: boolean } = {}): Expr {
  return new Parser(text, options.legacy === true).parse();
}

class Parser {
  private readonly tokens: Token[];
  private pos = 0;
  /** How many predicates enclose the current position (where `#` is allowed). */
  private closures = 0;
  private nesting = 0;
  private readonly depths = new WeakMap<Expr, number>();
  /** The names `let` has bound around the current position, innermost last. */
  private readonly variables: string[] = [];

  /** legacy: the rules of runs begun before conditions followed Argo's (evaluateConditionAsBefore). */
  constructor(
    private readonly text: string,
    private readonly legacy = false,
  ) {
    this.tokens = tokenize(text);
  }

  parse(): Expr {
    if (this.is('eof')) throw this.error(this.current, 'the expression is empty');
    const node = this.parseSequence();
    if (!this.is('eof')) throw this.unexpected(this.current);
    return node;
  }

  /** `a; b; c` (expr-lang's sequence): a trailing `;` is allowed. */
  private parseSequence(): Expr {
    const items = [this.parseExpression(0)];
    while (this.is('operator', ';')) {
      this.next();
      if (this.is('eof')) break;
      items.push(this.parseExpression(0));
    }
    return items.length === 1 ? (items[0] as Expr) : { kind: 'sequence', items };
  }

  /** `let name = value; body`: `name` is visible in the body only. */
  private parseLet(): Expr {
    this.next();
    const name = this.current;
    if (name.kind !== 'identifier') throw this.unexpected(name);
    this.next();
    this.expect('operator', '=');
    const value = this.parseExpression(0);
    this.expect('operator', ';');
    this.variables.push(name.value);
    try {
      const body = this.parseSequence();
      return this.node({ kind: 'let', name: name.value, value, body }, name, value, body);
    } finally {
      this.variables.pop();
    }
  }

  /** `if a { b } else { c }`, `else if` chaining: the ternary in another spelling. */
  private parseIf(): Expr {
    const token = this.current;
    this.next();
    const test = this.parseExpression(0);
    this.expect('bracket', '{');
    const then = this.parseSequence();
    this.expect('bracket', '}');
    this.expect('operator', 'else');
    let otherwise: Expr;
    if (this.is('operator', 'if')) {
      otherwise = this.parseIf();
    } else {
      this.expect('bracket', '{');
      otherwise = this.parseSequence();
      this.expect('bracket', '}');
    }
    return this.node({ kind: 'conditional', test, then, otherwise }, token, test, then, otherwise);
  }

  private get current(): Token {
    return this.tokens[this.pos] ?? this.eof;
  }

  private get eof(): Token {
    return { kind: 'eof', value: '', start: this.text.length, end: this.text.length };
  }

  private next(): void {
    if (this.pos < this.tokens.length - 1) this.pos += 1;
  }

  private is(kind: TokenKind, value?: string): boolean {
    return this.current.kind === kind && (value === undefined || this.current.value === value);
  }

  private expect(kind: TokenKind, value: string): void {
    if (!this.is(kind, value)) throw this.unexpected(this.current);
    this.next();
  }

  private error(token: Token, detail: string): ExpressionSyntaxError {
    return syntaxError(this.text, token.start, detail);
  }

  private unexpected(token: Token): ExpressionSyntaxError {
    if (token.kind === 'eof') return this.error(token, 'unexpected end of expression');
    const hint = token.kind === 'operator' ? HINTS[token.value] : undefined;
    const text = JSON.stringify(this.text.slice(token.start, token.end));
    return this.error(token, `unexpected token ${text}${hint === undefined ? '' : ` (${hint})`}`);
  }

  /** Records a node's depth and refuses trees deep enough to strain the evaluator's stack. */
  private node<T extends Expr>(node: T, at: Token, ...children: (Expr | undefined)[]): T {
    const depth = 1 + Math.max(0, ...children.map((child) => (child ? (this.depths.get(child) ?? 1) : 0)));
    if (depth > MAX_DEPTH)
      throw this.error(at, `the expression is nested too deeply (more than ${MAX_DEPTH} levels)`);
    this.depths.set(node, depth);
    return node;
  }

  private parseExpression(precedence: number): Expr {
    this.nesting += 1;
    if (this.nesting > MAX_DEPTH) {
      throw this.error(this.current, `the expression is nested too deeply (more than ${MAX_DEPTH} levels)`);
    }
    if (precedence === 0 && (this.is('operator', 'let') || this.is('operator', 'if'))) {
      const node = this.is('operator', 'let') ? this.parseLet() : this.parseIf();
      this.nesting -= 1;
      return node;
    }
    let left = this.parsePrimary();
    let previous = '';
    for (;;) {
      let token = this.current;
      if (token.kind !== 'operator') break;
      let negate = false;
      if (token.value === 'not') {
        const after = this.tokens[this.pos + 1] ?? this.eof;
        if (after.kind !== 'operator' || !NEGATABLE.has(after.value)) throw this.unexpected(after);
        if (COMPARISON_PRECEDENCE < precedence) break;
        this.next();
        token = this.current;
        negate = true;
      }
      const rule = BINARY[token.value];
      if (rule === undefined || rule.precedence < precedence) break;
      this.next();

      if (token.value === '|') {
        const name = this.current;
        if (name.kind !== 'identifier') throw this.unexpected(name);
        this.next();
        left = this.parseCall(name, [left]);
        previous = token.value;
        continue;
      }
      if (previous === '??' && token.value !== '??') {
        throw this.error(
          token,
          `cannot mix ?? and ${token.value} without parentheses, as in (result ?? 0) ${token.value} 1`,
        );
      }
      if (rule.unsupported !== undefined) throw this.error(token, rule.unsupported);

      if (this.chains(token.value)) {
        left = this.parseComparison(left, token);
      } else {
        const right = this.parseExpression(rule.rightAssociative ? rule.precedence : rule.precedence + 1);
        left = this.node(
          { kind: 'binary', operator: rule.operator ?? '||', left, right },
          token,
          left,
          right,
        );
      }
      if (negate) left = this.node({ kind: 'unary', operator: '!', operand: left }, token, left);
      previous = token.value;
    }
    if (precedence === 0) left = this.parseConditional(left);
    this.nesting -= 1;
    return left;
  }

  /** `a < b < c` means `a < b && b < c`, as in expr-lang. */
  private parseComparison(first: Expr, firstOperator: Token): Expr {
    let root: Expr | undefined;
    let left = first;
    let token = firstOperator;
    for (;;) {
      const rule = BINARY[token.value];
      if (rule?.unsupported !== undefined) throw this.error(token, rule.unsupported);
      const right = this.parseExpression(COMPARISON_PRECEDENCE + 1);
      const comparison = this.node(
        { kind: 'binary', operator: rule?.operator ?? '==', left, right },
        token,
        left,
        right,
      );
      root =
        root === undefined
          ? comparison
          : this.node(
              { kind: 'binary', operator: '&&', left: root, right: comparison },
              token,
              root,
              comparison,
            );
      left = right;
      token = this.current;
      if (token.kind !== 'operator' || !this.chains(token.value)) return root;
      this.next();
    }
  }

  private parseConditional(test: Expr): Expr {
    let node = test;
    while (this.is('operator', '?')) {
      const token = this.current;
      this.next();
      const then = this.parseExpression(0);
      this.expect('operator', ':');
      const otherwise = this.parseExpression(0);
      node = this.node({ kind: 'conditional', test: node, then, otherwise }, token, node, then, otherwise);
    }
    return node;
  }

  private parsePrimary(): Expr {
    const token = this.current;
    const unary = token.kind === 'operator' ? UNARY[token.value] : undefined;
    if (unary !== undefined) {
      this.next();
      const operand = this.parseExpression(unary.precedence);
      return this.parsePostfix(
        this.node({ kind: 'unary', operator: unary.operator, operand }, token, operand),
      );
    }
    if (this.is('bracket', '(')) {
      this.next();
      const inner = this.parseExpression(0);
      this.expect('bracket', ')');
      return this.parsePostfix(inner);
    }
    if (token.kind === 'pointer' || (token.kind === 'operator' && token.value === '.')) {
      if (this.closures === 0) {
        throw this.error(
          token,
          token.kind === 'pointer'
            ? `${this.text.slice(token.start, token.end)} can only be used inside a predicate, as in all(result, {# > 0.9})`
            : 'a leading "." can only be used inside a predicate, as in all(result, {.ok})',
        );
      }
      // `.field` inside a predicate is `#.field`: the "." is left for parsePostfix.
      if (token.kind === 'pointer') {
        if (token.value !== '' && token.value !== 'index' && token.value !== 'acc') {
          throw this.error(token, `unknown pointer #${token.value} (only #, #index and #acc exist)`);
        }
        this.next();
      }
      const name = token.value === 'index' || token.value === 'acc' ? token.value : 'element';
      return this.parsePostfix(this.node({ kind: 'pointer', name }, token));
    }
    return this.parseSecondary();
  }

  private parseSecondary(): Expr {
    const token = this.current;
    let node: Expr;
    switch (token.kind) {
      case 'identifier': {
        this.next();
        if (token.value === 'true' || token.value === 'false')
          return { kind: 'literal', value: token.value === 'true' };
        if (token.value === 'nil') return { kind: 'literal', value: null };
        if (this.is('bracket', '(')) {
          node = this.parseCall(token, []);
        } else if (this.variables.includes(token.value)) {
          node = { kind: 'variable', name: token.value };
        } else if (token.value === 'result') {
          node = { kind: 'result' };
        } else if (token.value === '$env') {
          node = { kind: 'env' };
        } else if (functionSpec(token.value) !== undefined) {
          throw this.error(token, `${token.value} is a function: call it, as in ${token.value}(result)`);
        } else {
          throw this.error(token, `unknown name "${token.value}" (the measurement is called result)`);
        }
        break;
      }
      case 'number':
        this.next();
        node = this.numberLiteral(token);
        break;
      case 'string':
        this.next();
        node = { kind: 'literal', value: token.value };
        break;
      default:
        if (this.is('bracket', '[')) node = this.parseArray();
        else if (this.is('bracket', '{')) node = this.parseMap();
        else throw this.unexpected(token);
    }
    return this.parsePostfix(node);
  }

  /** expr-lang's number literals: `_` separators, 0x/0o/0b integers, floats with `.` or an exponent. */
  /** An int (`1`, `0x10`) or a float (`1.0`, `1e3`): expr-lang types them apart (`%` takes ints only). */
  private numberLiteral(token: Token): Expr {
    const value = this.number(token);
    if (!/^0[xob]/i.test(token.value) && /[.e]/i.test(token.value))
      return { kind: 'literal', value, float: true };
    if (Number.isSafeInteger(value)) return { kind: 'literal', value };
    return { kind: 'literal', value, exact: BigInt(token.value.replace(/_/g, '')).toString() };
  }

  private number(token: Token): number {
    const text = token.value.replace(/_/g, '');
    const radix = /^0[xob]/i.test(text);
    const float = !radix && /[.e]/i.test(text);
    // Number() reads all of these forms; a bare prefix ("0x") it would read as 0.
    const value = radix && text.length === 2 ? NaN : Number(text);
    if (Number.isNaN(value)) throw this.error(token, `invalid number ${JSON.stringify(token.value)}`);
    if (float && !Number.isFinite(value)) throw this.error(token, `number ${token.value} is too large`);
    if (!float && BigInt(text) >= MAX_INT64) throw this.error(token, `integer ${token.value} is too large`);
    return value;
  }

  /** Whether a comparison chains (`0 < x < 1`); the rules before Argo's chained `==` and `in` too. */
  private chains(operator: string): boolean {
    return this.legacy ? BINARY[operator]?.precedence === COMPARISON_PRECEDENCE : CHAINING.has(operator);
  }

  private parseCall(name: Token, piped: Expr[]): Expr {
    const spec = functionSpec(name.value);
    if (spec === undefined) throw this.error(name, `unknown function "${name.value}"`);
    const args = [...piped];
    this.expect('bracket', '(');
    while (!this.is('bracket', ')')) {
      if (args.length > piped.length) this.expect('operator', ',');
      args.push(spec.predicate && args.length === 1 ? this.parseClosure() : this.parseExpression(0));
    }
    this.next();
    const max = this.legacy ? (spec.legacyMax ?? spec.max) : spec.max;
    if (args.length < spec.min || args.length > max) {
      throw this.error(name, `${name.value}() takes ${arity(spec)}, got ${args.length}: ${spec.signature}`);
    }
    return this.node({ kind: 'call', name: name.value, args }, name, ...args);
  }

  /** A predicate: `{# > 0.9}` or bare `# > 0.9`; inside it, `#` is the element. */
  private parseClosure(): Expr {
    const token = this.current;
    const braced = this.is('bracket', '{');
    if (braced) this.next();
    this.closures += 1;
    const body = this.parseExpression(0);
    this.closures -= 1;
    if (braced) this.expect('bracket', '}');
    return this.node({ kind: 'closure', body }, token, body);
  }

  private parseArray(): Expr {
    const token = this.current;
    const items: Expr[] = [];
    this.expect('bracket', '[');
    while (!this.is('bracket', ']')) {
      if (items.length > 0) {
        this.expect('operator', ',');
        if (this.is('bracket', ']')) break;
      }
      items.push(this.parseExpression(0));
    }
    this.next();
    return this.node({ kind: 'array', items }, token, ...items);
  }

  /** `{"a": 1, b: 2, 3: x, (key): y}`: string, identifier and number keys are strings. */
  private parseMap(): Expr {
    const token = this.current;
    const entries: { key: Expr; value: Expr }[] = [];
    this.expect('bracket', '{');
    while (!this.is('bracket', '}')) {
      if (entries.length > 0) {
        this.expect('operator', ',');
        if (this.is('bracket', '}')) break;
      }
      const keyToken = this.current;
      let key: Expr;
      if (keyToken.kind === 'string' || keyToken.kind === 'identifier' || keyToken.kind === 'number') {
        key = { kind: 'literal', value: keyToken.value };
        this.next();
      } else if (this.is('bracket', '(')) {
        key = this.parseExpression(0);
      } else {
        throw this.error(
          keyToken,
          `a map key must be a string, a name, a number or an expression in parentheses, not ${JSON.stringify(
            this.text.slice(keyToken.start, keyToken.end) || 'the end',
          )}`,
        );
      }
      this.expect('operator', ':');
      const value = this.parseExpression(0);
      entries.push({ key, value });
    }
    this.next();
    return this.node(
      { kind: 'map', entries },
      token,
      ...entries.flatMap((entry) => [entry.key, entry.value]),
    );
  }

  /** `.name`, `?.name`, `[index]`, `?.[index]`, `[from:to]`, any number of times. */
  private parsePostfix(start: Expr): Expr {
    let node = start;
    for (;;) {
      const token = this.current;
      if (token.kind === 'operator' && (token.value === '.' || token.value === '?.')) {
        const optional = token.value === '?.';
        this.next();
        if (optional && this.is('bracket', '[')) {
          node = this.parseIndex(node, true);
          continue;
        }
        const property = this.current;
        const named =
          property.kind === 'identifier' ||
          (property.kind === 'operator' && /^[A-Za-z]+$/.test(property.value));
        if (!named) throw this.error(property, `expected a field name after "${token.value}"`);
        this.next();
        if (this.is('bracket', '(')) {
          this.next();
          const args: Expr[] = [];
          while (!this.is('bracket', ')')) {
            if (args.length > 0) this.expect('operator', ',');
            args.push(this.parseExpression(0));
          }
          this.next();
          node = this.node(
            { kind: 'method', object: node, name: property.value, args },
            property,
            node,
            ...args,
          );
          continue;
        }
        const key: Expr = { kind: 'literal', value: property.value };
        node = this.member(node, token, optional, (object) => ({
          kind: 'member',
          object,
          property: key,
          optional,
        }));
      } else if (this.is('bracket', '[')) {
        node = this.parseIndex(node, false);
      } else {
        return node;
      }
    }
  }

  private parseIndex(node: Expr, optional: boolean): Expr {
    const token = this.current;
    this.expect('bracket', '[');
    let from: Expr | undefined;
    if (!this.is('operator', ':')) {
      from = this.parseExpression(0);
      if (!this.is('operator', ':')) {
        this.expect('bracket', ']');
        const property = from;
        return this.member(
          node,
          token,
          optional,
          (object) => ({ kind: 'member', object, property, optional }),
          from,
        );
      }
    }
    this.next(); // the ':'
    const to = this.is('bracket', ']') ? undefined : this.parseExpression(0);
    this.expect('bracket', ']');
    const slice = (object: Expr): Expr => ({ kind: 'slice', object, from, to });
    return this.member(node, token, optional, slice, from, to);
  }

  /** Accesses after a `?.` stay inside one chain, which a nil before the `?.` ends with nil. */
  private member(
    object: Expr,
    token: Token,
    optional: boolean,
    build: (object: Expr) => Expr,
    ...children: (Expr | undefined)[]
  ): Expr {
    const inner = object.kind === 'chain' ? object.node : object;
    const access = this.node(build(inner), token, inner, ...children);
    return object.kind === 'chain' || optional
      ? this.node({ kind: 'chain', node: access }, token, access)
      : access;
  }
}

function arity(spec: FunctionSpec): string {
  const count = (n: number): string => `${n} argument${n === 1 ? '' : 's'}`;
  if (spec.min === spec.max) return count(spec.min);
  if (spec.max === Infinity) return `at least ${count(spec.min)}`;
  return `${spec.min} or ${count(spec.max)}`;
}
