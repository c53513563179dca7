// Two objects with the same kind, namespace and name: the second would silently replace the first
// when applied, so it is an error.

import { describeObject, type ManifestError } from './errors.js';

export interface ObjectSummary {
  file: string;
  document: number;
  kind: string;
  /** '' for cluster-scoped kinds. */
  namespace: string;
  /** '' when metadata.name is missing. */
  name: string;
}

/**
 * One error for each repeat of an earlier object. With `acrossFilesOnly`, repeats within one file are
 * left out (loadManifests has reported them already).
 */
export function duplicateErrors(
  objects: readonly ObjectSummary[],
  options: { acrossFilesOnly?: boolean } = {},
): ManifestError[] {
  const firsts = new Map<string, ObjectSummary>();
  const errors: ManifestError[] = [];
  for (const object of objects) {
    if (object.name === '') continue;
    const key = `${object.kind}/${object.namespace}/${object.name}`;
    const first = firsts.get(key);
    if (first === undefined) {
      firsts.set(key, object);
      continue;
    }
    if (options.acrossFilesOnly && first.file === object.file) continue;
    const where =
      first.file === object.file ? `document ${first.document}` : `${first.file} document ${first.document}`;
    const expected = `a name not used by another ${object.kind}${object.namespace === '' ? '' : ` in ${object.namespace}`}`;
    errors.push({
      ...object,
      path: 'metadata.name',
      found: JSON.stringify(object.name),
      expected,
      message: `${object.file}: ${describeObject(object)}: metadata.name: "${object.name}" is already used by the ${object.kind} in ${where}`,
    });
  }
  return errors;
}
