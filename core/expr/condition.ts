// A successCondition or failureCondition, start to end: the one call the analysis needs.

import { ExpressionEvalError } from './errors.js';
import { evaluate } from './evaluate.js';
import { parseExpression } from './parser.js';
import { describe } from './runtime.js';

/**
 * True or false for one measurement. `result` is the decoded value (decodeMetricValue: NaN and ±Inf
 * as numbers). Throws ExpressionSyntaxError when the text does not parse, ExpressionEvalError when it
 * cannot be evaluated for this result or gives anything but a bool (as Argo: "expected bool").
 */
export function evaluateCondition(text: string, result: unknown): boolean {
  const value = evaluate(parseExpression(text), { result });
  if (typeof value !== 'boolean') {
    throw new ExpressionEvalError(`expected bool, but the condition gave ${describe(value)}`);
  }
  return value;
}
