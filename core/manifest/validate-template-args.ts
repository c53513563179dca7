// A template's `spec.args` (name, and a value or a Secret's key or a field of the Rollout), and that
// every `{{args.x}}` in a metric names one of them, by the one rule in core/analysis/args.ts.
import { argReferences } from '../analysis/args.js';
import { mapStrings } from '../json.js';
import { Issues, type FieldPath } from './errors.js';
import {
  checkKnownFields,
  describeSeveralSet,
  isAbsent,
  presentKeys,
  readMap,
  readString,
  type JsonMap,
} from './fields.js';
import { validateSecretKeyRef } from './names.js';

/** Checks one arg and returns its name when it has one. */
export function validateTemplateArgument(
  issues: Issues,
  value: unknown,
  path: FieldPath,
): string | undefined {
  const arg = readMap(issues, value, path, 'a map with name, and optionally value or valueFrom', {
    required: true,
  });
  if (arg === undefined) return undefined;
  checkKnownFields(issues, arg, path, ['name', 'value', 'valueFrom']);
  const name = readString(issues, arg.name, [...path, 'name'], 'a non-empty argument name', {
    required: true,
    nonEmpty: true,
  });
  readString(issues, arg.value, [...path, 'value'], 'a string (quote numbers and booleans)');
  if (arg.value !== undefined && arg.value !== null && !isAbsent(arg.valueFrom)) {
    issues.add(
      path,
      arg,
      'value or valueFrom, not both',
      'both value and valueFrom are set, expected at most one',
    );
  }

  const fromPath = [...path, 'valueFrom'];
  const valueFrom = readMap(issues, arg.valueFrom, fromPath, 'a map with secretKeyRef or fieldRef');
  if (valueFrom === undefined) return name;
  checkKnownFields(issues, valueFrom, fromPath, ['secretKeyRef', 'fieldRef']);
  const sources = presentKeys(valueFrom, ['secretKeyRef', 'fieldRef']);
  if (sources.length !== 1) {
    const expected = 'exactly one of secretKeyRef or fieldRef';
    const problem =
      sources.length === 0
        ? `nothing is set, expected ${expected}`
        : `${describeSeveralSet(sources)}, expected one`;
    issues.add(fromPath, valueFrom, expected, problem);
  } else if (sources[0] === 'fieldRef') {
    // The run would not read it (core/analysis/template.ts): the arg would silently need the Rollout.
    issues.notSupported(
      [...fromPath, 'fieldRef'],
      valueFrom.fieldRef,
      "fieldRef in an AnalysisTemplate's arg",
      "give the arg in the Rollout's analysis args, with valueFrom.fieldRef there",
    );
  }
  validateSecretKeyRef(issues, valueFrom.secretKeyRef, [...fromPath, 'secretKeyRef']);
  const field = readMap(issues, valueFrom.fieldRef, [...fromPath, 'fieldRef'], 'a map with fieldPath');
  if (field !== undefined) {
    checkKnownFields(issues, field, [...fromPath, 'fieldRef'], ['fieldPath']);
    readString(
      issues,
      field.fieldPath,
      [...fromPath, 'fieldRef', 'fieldPath'],
      'a field path such as metadata.namespace',
      {
        required: true,
        nonEmpty: true,
      },
    );
  }
  return name;
}

/** Every `{{args.x}}` in the metric must name an argument the template declares (args.ts: Argo's rule). */
export function checkArgReferences(
  issues: Issues,
  metric: JsonMap,
  path: FieldPath,
  declared: ReadonlySet<string | undefined>,
): void {
  mapStrings(metric, (text, at) => {
    for (const { written, name } of argReferences(text))
      if (!declared.has(name))
        issues.add(
          [...path, ...at],
          written,
          'a name from spec.args',
          `${written} refers to an argument that spec.args does not declare`,
        );
    return text;
  });
}
