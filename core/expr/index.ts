// Argo's analysis conditions (successCondition, failureCondition): expr-lang expressions over
// `result`, parsed and evaluated by pure code that workflows, lint and tests share (DESIGN.md §5).

export type { BinaryOperator, Expr, Literal, UnaryOperator } from './ast.js';
export type { ResultShape } from './check.js';
export { evaluateCondition, evaluateConditionAsBefore } from './condition.js';
export { ExpressionEvalError, ExpressionSyntaxError } from './errors.js';
export { evaluate, type Environment } from './evaluate.js';
export { FUNCTIONS } from './functions.js';
export { parseExpression } from './parser.js';
export { durationSecondsText, evaluateTime, unixSecondsText } from './time-expression.js';
export { GoDuration, GoTime, parseDuration as parseGoDuration } from './time.js';
