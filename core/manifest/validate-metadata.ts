// The parts every Argo object shares: apiVersion and metadata.

import { ARGO_API_VERSION } from './argo-types.js';
import { Issues } from './errors.js';
import { checkKnownFields, readMap, readString, type JsonMap } from './fields.js';
import { readAnnotations, readLabels, readName, type NameRule } from './names.js';

export function checkArgoApiVersion(issues: Issues, object: JsonMap): void {
  const apiVersion = readString(issues, object.apiVersion, ['apiVersion'], ARGO_API_VERSION, {
    required: true,
  });
  if (apiVersion !== undefined && apiVersion !== ARGO_API_VERSION) {
    issues.add(['apiVersion'], apiVersion, ARGO_API_VERSION, `"${apiVersion}" is not ${ARGO_API_VERSION}`);
  }
}

export interface MetadataRules {
  nameRule: NameRule;
  maxNameLength: number;
  /** Cluster-scoped objects have no namespace to check. */
  namespaced: boolean;
}

export function validateMetadata(issues: Issues, object: JsonMap, rules: MetadataRules): void {
  const metadata = readMap(issues, object.metadata, ['metadata'], 'a map with name', { required: true });
  if (metadata === undefined) return;
  readName(issues, metadata.name, ['metadata', 'name'], rules.nameRule, rules.maxNameLength);
  if (rules.namespaced) {
    readName(issues, metadata.namespace, ['metadata', 'namespace'], 'label', 63, { required: false });
  }
  readLabels(issues, metadata.labels, ['metadata', 'labels']);
  readAnnotations(issues, metadata.annotations, ['metadata', 'annotations']);
}

/** Rejects keys outside `known`; the top level of every Kubernetes object. */
export function checkTopLevelFields(issues: Issues, object: JsonMap): void {
  checkKnownFields(issues, object, [], ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
}
