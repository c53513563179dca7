// The parsed form of a condition: plain data (no functions, no classes), so it can be built once and
// evaluated many times, logged, or compared in tests.

export type BinaryOperator =
  | '||'
  | '&&'
  | '??'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'in'
  | 'contains'
  | 'startsWith'
  | 'endsWith'
  | 'matches'
  | '..'
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '**';

export type UnaryOperator = '-' | '+' | '!';

export type Literal = null | boolean | number | string;

export type Expr =
  /**
   * `float`: a number written as a float (`1.0`, `1e3`); other numbers are ints, and `exact` holds
   * the decimal digits of one too large for a double to keep (beyond 2^53).
   */
  | { kind: 'literal'; value: Literal; float?: true; exact?: string }
  /** The measurement's value. */
  | { kind: 'result' }
  /** `$env`: the environment as a map (`$env.result`, `"result" in $env`). */
  | { kind: 'env' }
  /** A name bound by `let`. */
  | { kind: 'variable'; name: string }
  /** `let name = value; body`. */
  | { kind: 'let'; name: string; value: Expr; body: Expr }
  /** `a; b`: each evaluated, the last one's value. */
  | { kind: 'sequence'; items: Expr[] }
  /** `#` (the element), `#index` (its position) or `#acc` (reduce's accumulator) inside a predicate. */
  | { kind: 'pointer'; name: 'element' | 'index' | 'acc' }
  | { kind: 'array'; items: Expr[] }
  | { kind: 'map'; entries: { key: Expr; value: Expr }[] }
  | { kind: 'unary'; operator: UnaryOperator; operand: Expr }
  | { kind: 'binary'; operator: BinaryOperator; left: Expr; right: Expr }
  /** `a.b`, `a[0]`, `a?.b`: with `optional`, a nil `object` ends the enclosing chain with nil. */
  | { kind: 'member'; object: Expr; property: Expr; optional: boolean }
  | { kind: 'slice'; object: Expr; from?: Expr; to?: Expr }
  /** Encloses member accesses that contain a `?.`. */
  | { kind: 'chain'; node: Expr }
  | { kind: 'conditional'; test: Expr; then: Expr; otherwise: Expr }
  | { kind: 'call'; name: string; args: Expr[] }
  /** `date("2024-01-02").Year()`: a Go method of a time or a duration. */
  | { kind: 'method'; object: Expr; name: string; args: Expr[] }
  /** A predicate argument (`{# > 0.9}` or bare `# > 0.9`): evaluated once per element. */
  | { kind: 'closure'; body: Expr };
