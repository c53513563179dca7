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
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | '**';

export type UnaryOperator = '-' | '+' | '!';

export type Literal = null | boolean | number | string;

export type Expr =
  | { kind: 'literal'; value: Literal }
  /** The measurement's value: the only variable there is. */
  | { kind: 'result' }
  /** `#` (the element) or `#index` (its position) inside a predicate. */
  | { kind: 'pointer'; name: 'element' | 'index' }
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
  /** A predicate argument (`{# > 0.9}` or bare `# > 0.9`): evaluated once per element. */
  | { kind: 'closure'; body: Expr };
