// A Prometheus metric's rangeQuery (Argo's PrometheusRangeQueryArgs): start and end are expr-lang
// expressions giving a time (evaluated when each measurement asks, as Argo's EvalTime), step a Go
// duration. What Argo or Prometheus would refuse at every measurement is refused here, naming the field;
// a value with `{{args.x}}` in it is only known at run time and checked then.
import { hasArgReference } from '../analysis/args.js';
import {
  evaluateTime,
  ExpressionEvalError,
  ExpressionSyntaxError,
  parseGoDuration,
  type GoDuration,
  type GoTime,
} from '../expr/index.js';
import { Issues, render, type FieldPath } from './errors.js';
import { checkKnownFields, readMap, readString } from './fields.js';

const TIME_EXPECTED = 'an expr-lang expression giving a time, such as now() - duration("10m")';
const STEP_EXPECTED = 'a positive duration such as 30s, 1m or 1m30s';

/** Prometheus answers at most this many points per series ("exceeded maximum resolution"). */
const MAX_POINTS = 11_000n;

export function validateRangeQuery(issues: Issues, value: unknown, path: FieldPath): void {
  const range = readMap(issues, value, path, 'a map with start, end and step');
  if (range === undefined) return;
  checkKnownFields(issues, range, path, ['start', 'end', 'step']);
  const start = readTime(issues, range.start, [...path, 'start']);
  const end = readTime(issues, range.end, [...path, 'end']);
  const step = readStep(issues, range.step, [...path, 'step']);
  if (start === undefined || end === undefined) return;
  // Prometheus' own refusals of a range, which would make every measurement an Error.
  if (end.ns < start.ns) {
    issues.add(
      [...path, 'end'],
      range.end,
      'a time at or after start',
      `${render(range.end)} is before start (${render(range.start)}), expected a time at or after it`,
    );
  } else if (step !== undefined && (end.ns - start.ns) / step.ns > MAX_POINTS) {
    issues.add(
      [...path, 'step'],
      range.step,
      `a step that gives at most ${MAX_POINTS} points from start to end`,
      `${render(range.step)} gives more than ${MAX_POINTS} points from start to end (Prometheus' limit), expected a longer step`,
    );
  }
}

/** The time the expression gives now, when it has no `{{args.x}}`; reported when it gives none. */
function readTime(issues: Issues, value: unknown, path: FieldPath): GoTime | undefined {
  const text = readString(issues, value, path, TIME_EXPECTED, { required: true, nonEmpty: true });
  if (text === undefined || hasArgReference(text)) return undefined;
  try {
    return evaluateTime(text);
  } catch (error) {
    if (!(error instanceof ExpressionSyntaxError || error instanceof ExpressionEvalError)) throw error;
    const problem = error instanceof ExpressionSyntaxError ? 'does not parse' : 'gives no time';
    issues.add(
      path,
      text,
      TIME_EXPECTED,
      `${render(text)} ${problem}: ${error.message}, expected ${TIME_EXPECTED}`,
    );
    return undefined;
  }
}

function readStep(issues: Issues, value: unknown, path: FieldPath): GoDuration | undefined {
  const text = readString(issues, value, path, STEP_EXPECTED, { required: true, nonEmpty: true });
  if (text === undefined || hasArgReference(text)) return undefined;
  let step: GoDuration;
  try {
    step = parseGoDuration(text);
  } catch (error) {
    if (!(error instanceof ExpressionEvalError)) throw error;
    issues.add(path, text, STEP_EXPECTED, `${error.message}, expected ${STEP_EXPECTED}`);
    return undefined;
  }
  if (step.ns <= 0n) {
    issues.add(
      path,
      text,
      STEP_EXPECTED,
      `${render(text)} is not positive (Prometheus refuses it), expected ${STEP_EXPECTED}`,
    );
    return undefined;
  }
  return step;
}
