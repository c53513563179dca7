// Kubernetes name and label syntax (apimachinery's validation), checked early so that a typo fails
// in lint rather than as a 422 from the API server halfway through a rollout.

import { Issues, type FieldPath } from './errors.js';
import { isObject } from '../json.js';
import { checkKnownFields, isAbsent, readMap, readString } from './fields.js';
import type { Labels } from '../types.js';
import { MAX_IMAGE_LENGTH } from '../limits.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;

export type NameRule = 'label' | 'subdomain' | 'service';

const RULES: Record<NameRule, { pattern: RegExp; text: string }> = {
  label: { pattern: DNS1123_LABEL, text: "a DNS-1123 label (lowercase letters, digits and '-')" },
  subdomain: {
    pattern: DNS1123_SUBDOMAIN,
    text: "a DNS-1123 name (lowercase letters, digits, '-' and '.')",
  },
  service: {
    pattern: DNS1035_LABEL,
    text: "a Service name (DNS-1035: lowercase letters, digits and '-', starting with a letter)",
  },
};

/** The expected-phrase for a name rule, e.g. for messages about missing names. */
export function describeName(rule: NameRule, maxLength: number): string {
  return `${RULES[rule].text}, at most ${maxLength} characters`;
}

/** Only these characters: an image name, tag and digest (OCI distribution). */
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/:@+-]*$/;

/** Why `image` is not a container image reference, or undefined when it is one. */
export function imageProblem(image: string): string | undefined {
  if (image.length > MAX_IMAGE_LENGTH)
    return `is ${image.length} characters long, expected at most ${MAX_IMAGE_LENGTH}`;
  if (!IMAGE_REFERENCE.test(image))
    return `${JSON.stringify(image)} is not a container image reference (such as argoproj/rollouts-demo:blue)`;
  return undefined;
}

/** Why `name` breaks the rule (one phrase naming it), or undefined when it is a valid name. */
export function nameProblem(name: string, rule: NameRule, maxLength: number): string | undefined {
  if (name.length > maxLength)
    return `"${name.slice(0, 40)}${name.length > 40 ? '…' : ''}" is ${name.length} characters long, expected at most ${maxLength}`;
  if (!RULES[rule].pattern.test(name)) return `"${name}" is not ${describeName(rule, maxLength)}`;
  return undefined;
}

/** A required, well-formed name; returns it only when valid. */
export function readName(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  rule: NameRule,
  maxLength: number,
  options: { required?: boolean } = { required: true },
): string | undefined {
  const expected = describeName(rule, maxLength);
  const name = readString(issues, value, path, expected, { required: options.required, nonEmpty: true });
  if (name === undefined) return undefined;
  if (name.length > maxLength) {
    issues.add(
      path,
      name,
      expected,
      `"${name}" is ${name.length} characters long, expected at most ${maxLength}`,
    );
    return undefined;
  }
  if (!RULES[rule].pattern.test(name)) {
    issues.add(path, name, expected, `"${name}" is not ${expected}`);
    return undefined;
  }
  return name;
}

function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) {
    return `its prefix "${prefix}" is not a DNS-1123 subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) {
    return "its name part must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  }
  return undefined;
}

function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !LABEL_NAME.test(value)) {
    return "expected at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit";
  }
  return undefined;
}

const LABELS_EXPECTED = 'a map of label names to string values';

/**
 * A map of valid labels. Values must be strings: an unquoted `version: 1` is a number to YAML and
 * the API server would refuse it, so say so here.
 */
export function readLabels(
  issues: Issues,
  value: unknown,
  path: FieldPath,
  options: { required?: boolean; nonEmpty?: boolean } = {},
): Labels | undefined {
  if (isAbsent(value)) {
    if (options.required) issues.add(path, undefined, `a non-empty ${LABELS_EXPECTED}`);
    return undefined;
  }
  if (!isObject(value)) {
    issues.wrongType(path, value, LABELS_EXPECTED);
    return undefined;
  }
  if (options.nonEmpty && Object.keys(value).length === 0) {
    issues.add(
      path,
      value,
      `a non-empty ${LABELS_EXPECTED}`,
      `the map is empty, expected at least one label`,
    );
    return undefined;
  }
  const labels: Labels = {};
  let valid = true;
  for (const [key, labelValue] of Object.entries(value)) {
    const keyProblem = labelKeyProblem(key);
    if (keyProblem !== undefined) {
      issues.add([...path, key], key, 'a valid label name', `label name "${key}" is invalid: ${keyProblem}`);
      valid = false;
      continue;
    }
    if (typeof labelValue !== 'string') {
      issues.wrongType([...path, key], labelValue, 'a string (quote it)');
      valid = false;
      continue;
    }
    const valueProblem = labelValueProblem(labelValue);
    if (valueProblem !== undefined) {
      issues.add(
        [...path, key],
        labelValue,
        'a valid label value',
        `"${labelValue}" is not a valid label value: ${valueProblem}`,
      );
      valid = false;
      continue;
    }
    labels[key] = labelValue;
  }
  return valid ? labels : undefined;
}

/** Annotations: any keys, string values. */
export function readAnnotations(issues: Issues, value: unknown, path: FieldPath): Labels | undefined {
  const expected = 'a map of annotation names to string values';
  if (isAbsent(value)) return undefined;
  if (!isObject(value)) {
    issues.wrongType(path, value, expected);
    return undefined;
  }
  let valid = true;
  for (const [key, annotation] of Object.entries(value)) {
    if (typeof annotation !== 'string') {
      issues.wrongType([...path, key], annotation, 'a string (quote it)');
      valid = false;
    }
  }
  return valid ? (value as Labels) : undefined;
}

/** An arg's `valueFrom.secretKeyRef` (a Rollout's or a template's): the Secret's name and one key. */
export function validateSecretKeyRef(issues: Issues, value: unknown, path: FieldPath): void {
  const ref = readMap(issues, value, path, 'a map with name and key');
  if (ref === undefined) return;
  checkKnownFields(issues, ref, path, ['name', 'key']);
  readName(issues, ref.name, [...path, 'name'], 'subdomain', 253);
  readString(issues, ref.key, [...path, 'key'], 'a key of the Secret', { required: true, nonEmpty: true });
}
