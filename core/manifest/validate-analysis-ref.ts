// A Rollout's `analysis` (an inline step, or the background run): which templates, with which args.

import { Issues, type FieldPath } from './errors.js';
import {
  checkKnownFields,
  checkUnique,
  describeSeveralSet,
  isAbsent,
  presentKeys,
  readBoolean,
  readInteger,
  readList,
  readMap,
  readString,
} from './fields.js';
import { readName, validateSecretKeyRef } from './names.js';
import { validateAnalysisRules } from './validate-analysis-rules.js';
import { UNSUPPORTED_ROLLOUT_ANALYSIS, refuseUnsupported } from './unsupported.js';

const ANALYSIS_FIELDS = ['templates', 'args', 'dryRun', 'measurementRetention', 'analysisRunMetadata'];
const TEMPLATES_EXPECTED = 'a non-empty list of {templateName, clusterScope?}';
const ARG_EXPECTED = 'a map with name and either value or valueFrom';
const VALUE_FROM_KINDS = ['fieldRef', 'podTemplateHashValue', 'secretKeyRef'];

/** Rollout fields that Argo's fieldRef reads through the downward API (fieldpath.ExtractFieldPathAsString). */
const METADATA_FIELD_PATH =
  /^metadata\.(name|namespace|uid|labels|annotations)$|^metadata\.(labels|annotations)\['[^']+'\]$/;

export interface AnalysisRefOptions {
  /** The background analysis also has startingStep, which must fall within the steps. */
  background?: { stepCount: number | undefined };
}

export function validateRolloutAnalysis(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  options: AnalysisRefOptions = {},
): void {
  const analysis = readMap(issues, value, path, `a map with templates and args`, { required: true });
  if (analysis === undefined) return;
  checkKnownFields(
    issues,
    analysis,
    path,
    options.background ? [...ANALYSIS_FIELDS, 'startingStep'] : ANALYSIS_FIELDS,
  );
  refuseUnsupported(issues, analysis, path, UNSUPPORTED_ROLLOUT_ANALYSIS);

  const templates = readList(issues, analysis.templates, [...path, 'templates'], TEMPLATES_EXPECTED, {
    required: true,
    nonEmpty: true,
  });
  templates?.forEach((template, index) =>
    validateTemplateRef(issues, template, [...path, 'templates', index]),
  );

  const args = readList(issues, analysis.args, [...path, 'args'], `a list of ${ARG_EXPECTED}`);
  if (args !== undefined) {
    const names = args.map((arg, index) => validateArgument(issues, arg, [...path, 'args', index]));
    checkUnique(issues, names, (index) => [...path, 'args', index, 'name'], 'argument name');
  }

  // Merged before the templates' own rules when a run starts (core/analysis/flatten.ts), as Argo's.
  validateAnalysisRules(issues, analysis, path);

  if (options.background) {
    const { stepCount } = options.background;
    readInteger(issues, analysis.startingStep, [...path, 'startingStep'], { min: 0, max: stepCount });
  }
}

/** `{templateName, clusterScope?}`: a Rollout's analysis reference, or an AnalysisTemplate's `spec.templates` entry. */
export function validateTemplateRef(issues: Issues, value: unknown, path: FieldPath): void {
  const ref = readMap(issues, value, path, 'a map with templateName', { required: true });
  if (ref === undefined) return;
  checkKnownFields(issues, ref, path, ['templateName', 'clusterScope']);
  readName(issues, ref.templateName, [...path, 'templateName'], 'subdomain', 253);
  readBoolean(issues, ref.clusterScope, [...path, 'clusterScope']);
}

/** Checks one argument and returns its name (for the uniqueness check) when it has one. */
function validateArgument(issues: Issues, value: unknown, path: FieldPath): string | undefined {
  const arg = readMap(issues, value, path, ARG_EXPECTED, { required: true });
  if (arg === undefined) return undefined;
  checkKnownFields(issues, arg, path, ['name', 'value', 'valueFrom']);
  const name = readString(issues, arg.name, [...path, 'name'], 'a non-empty argument name', {
    required: true,
    nonEmpty: true,
  });

  const hasValue = arg.value !== undefined && arg.value !== null;
  const hasValueFrom = !isAbsent(arg.valueFrom);
  if (hasValue) readString(issues, arg.value, [...path, 'value'], 'a string (quote numbers and booleans)');
  if (hasValue && hasValueFrom) {
    issues.add(
      path,
      'value and valueFrom',
      'exactly one of value or valueFrom',
      'both value and valueFrom are set, expected exactly one',
    );
  } else if (!hasValue && !hasValueFrom) {
    issues.add(
      [...path, 'value'],
      undefined,
      'value or valueFrom',
      `missing: argument ${name === undefined ? '' : `"${name}" `}needs a value or valueFrom`,
    );
  }
  if (hasValueFrom) validateValueFrom(issues, arg.valueFrom, [...path, 'valueFrom']);
  return name;
}

function validateValueFrom(issues: Issues, value: unknown, path: FieldPath): void {
  const expected = `a map with exactly one of ${VALUE_FROM_KINDS.join(', ')}`;
  const valueFrom = readMap(issues, value, path, expected);
  if (valueFrom === undefined) return;
  checkKnownFields(issues, valueFrom, path, VALUE_FROM_KINDS);
  const set = presentKeys(valueFrom, VALUE_FROM_KINDS);
  if (set.length !== 1) {
    const problem =
      set.length === 0
        ? `nothing is set, expected ${expected}`
        : `${describeSeveralSet(set)}, expected exactly one`;
    issues.add(path, valueFrom, expected, problem);
  }

  const fieldRef = readMap(issues, valueFrom.fieldRef, [...path, 'fieldRef'], 'a map with fieldPath');
  if (fieldRef !== undefined) {
    checkKnownFields(issues, fieldRef, [...path, 'fieldRef'], ['fieldPath']);
    const fieldPathAt = [...path, 'fieldRef', 'fieldPath'];
    const fieldPath = readString(
      issues,
      fieldRef.fieldPath,
      fieldPathAt,
      'a field path such as metadata.namespace',
      {
        required: true,
        nonEmpty: true,
      },
    );
    if (fieldPath?.startsWith('metadata') && !METADATA_FIELD_PATH.test(fieldPath)) {
      const expected = "metadata.name, .namespace, .uid, .labels['key'] or .annotations['key']";
      issues.add(
        fieldPathAt,
        fieldPath,
        expected,
        `"${fieldPath}" is not a metadata field Argo can read, expected ${expected}`,
      );
    }
  }

  const hashValue = valueFrom.podTemplateHashValue;
  if (!isAbsent(hashValue) && hashValue !== 'Stable' && hashValue !== 'Latest') {
    issues.add([...path, 'podTemplateHashValue'], hashValue, 'Stable or Latest');
  }

  validateSecretKeyRef(issues, valueFrom.secretKeyRef, [...path, 'secretKeyRef']);
}
