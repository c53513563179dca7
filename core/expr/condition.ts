// A successCondition or failureCondition, start to end: the one call the analysis needs.

import { ExpressionEvalError } from './errors.js';
import { Checker, natureOf, type ResultShape } from './check.js';
import { evaluate } from './evaluate.js';
import { parseExpression } from './parser.js';
import { describe } from './runtime.js';

/**
 * True or false for one measurement. `result` is the decoded value (decodeMetricValue: NaN and ±Inf
 * as numbers). Throws ExpressionSyntaxError when the text does not parse, ExpressionEvalError when it
 * cannot be type-checked or evaluated for this result or gives anything but a bool (as Argo: "expected bool").
 */
export function evaluateCondition(text: string, result: unknown, shape: ResultShape = 'json'): boolean {
  const expr = parseExpression(text);
  // expr-lang's type check, as Argo compiles every condition before running it: with the measurement's
  // Go type (shape: a Prometheus vector is []float64, a JSON list []interface{}).
  const checker = new Checker(natureOf(result, shape));
  checker.check(expr);
  return asVerdict(evaluate(expr, { result, ints: checker.ints, intArguments: checker.intArguments }));
}

/**
 * The rules analysis runs begun before patch 'conditions-as-argo' judged by, kept so their histories
 * replay: no type check (a whole number is an int wherever it stands), isNil and default look at their
 * argument, isInf takes a sign, int(NaN) fails, a missing find index is -1, nil contains x fails, and
 * every comparison chains. Conditions that parse only under the new rules never reached such a run.
 */
export function evaluateConditionAsBefore(text: string, result: unknown): boolean {
  return asVerdict(evaluate(parseExpression(text, { legacy: true }), { result, legacy: true }));
}

function asVerdict(value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new ExpressionEvalError(`expected bool, but the condition gave ${describe(value)}`);
  }
  return value;
}
