// A Prometheus rangeQuery's start and end: expr-lang expressions that give a time, evaluated as Argo's
// utils/evaluate.EvalTime does (now(), duration(), date() and the other builtins; no `result`, since
// there is no measurement yet). Pure: the measuring activity calls it when it asks, lint to check it.

import { Checker } from './check.js';
import { ExpressionEvalError } from './errors.js';
import { evaluate } from './evaluate.js';
import { parseExpression } from './parser.js';
import { GoDuration, GoTime } from './time.js';

/**
 * The time `text` gives now. Throws ExpressionSyntaxError when it does not parse, ExpressionEvalError
 * when it cannot be evaluated or gives anything but a time (Argo: "expected time.Time, but got int").
 */
export function evaluateTime(text: string): GoTime {
  const expr = parseExpression(text);
  // EvalTime's environment has no `result`: expr-lang refuses the name when it compiles.
  if (mentionsResult(expr)) throw new ExpressionEvalError('unknown name result');
  const checker = new Checker({ kind: 'nil' });
  checker.check(expr);
  const value = evaluate(expr, { result: undefined, ints: checker.ints, intArguments: checker.intArguments });
  if (!(value instanceof GoTime))
    throw new ExpressionEvalError(`expected time.Time, but got ${goTypeName(value)}`);
  return value;
}

function mentionsResult(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(mentionsResult);
  if (typeof node !== 'object' || node === null) return false;
  if ((node as { kind?: unknown }).kind === 'result') return true;
  return Object.values(node).some(mentionsResult);
}

/** Go's %T of what expr-lang gives, for the message Argo writes. */
function goTypeName(value: unknown): string {
  if (value instanceof GoDuration) return 'time.Duration';
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  if (Array.isArray(value)) return '[]interface {}';
  return 'map[string]interface {}';
}

/** Unix seconds as Prometheus' client writes a time: whole seconds and the fraction, no exponent. */
export function unixSecondsText(time: GoTime): string {
  return secondsText(time.ns);
}

/** A duration in seconds as Prometheus' client writes a step (Go's Duration.Seconds(), 'f', -1). */
export function durationSecondsText(duration: GoDuration): string {
  return secondsText(duration.ns);
}

function secondsText(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  const whole = abs / 1_000_000_000n;
  const fraction = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}
