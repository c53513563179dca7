// The two ways a condition can go wrong: it does not parse (a manifest error, reported by lint with
// its column), or it parses but cannot be evaluated against this measurement (an Error measurement).

/** The text is not a valid expression. `column` (and `line`, for multi-line text) are 1-based. */
export class ExpressionSyntaxError extends Error {
  override name = 'ExpressionSyntaxError';

  constructor(
    /** What is wrong, without the position: `unexpected token ")"`. */
    readonly detail: string,
    readonly line: number,
    readonly column: number,
    multiline: boolean,
  ) {
    super(`${detail} at ${multiline ? `line ${line}, column ${column}` : `column ${column}`}`);
  }
}

/** The expression parsed but cannot be evaluated for this result (wrong type, index out of range, …). */
export class ExpressionEvalError extends Error {
  override name = 'ExpressionEvalError';
}
