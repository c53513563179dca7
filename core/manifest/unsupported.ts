// Fields of Argo's Rollout and AnalysisTemplate types that this project does not act on (yet). Each is
// refused at lint with "not supported yet" naming it: a field accepted and then ignored would let a
// rollout run differently from what its author wrote (issue 11). test/manifest/argo-fields.test.ts
// walks every field of Argo's types and holds each to "handled" or to one of these.

import { Issues, type FieldPath } from './errors.js';
import { isAbsent, type JsonMap } from './fields.js';

/** field → what to do instead (the sentence in brackets after "… is not supported yet"). */
export type UnsupportedFields = Readonly<Record<string, string>>;

/** RolloutSpec (types.go); workloadRef is refused by validate-rollout.ts itself. */
export const UNSUPPORTED_ROLLOUT_SPEC: UnsupportedFields = {
  analysis: 'AnalysisRun history limits: remove spec.analysis, the runs are kept with the rollout',
};

/** CanaryStrategy (types.go). */
export const UNSUPPORTED_CANARY: UnsupportedFields = {
  pingPong: 'use canaryService and stableService',
  replicaProgressThreshold: 'remove it; a step waits until every pod of the canary is available',
};

/** RolloutAnalysis (types.go), inline step or background. */
export const UNSUPPORTED_ROLLOUT_ANALYSIS: UnsupportedFields = {
  analysisRunMetadata: "remove it; the AnalysisRun objects carry Argo's own labels and annotations only",
};

/** IstioDestinationRule (types.go). */
export const UNSUPPORTED_DESTINATION_RULE: UnsupportedFields = {
  additionalSubsetNames: 'remove it; only the canary and stable subsets are managed',
};

/** Sigv4Config (analysis_types.go): credentials come from the worker's environment only. */
export const UNSUPPORTED_SIGV4: UnsupportedFields = {
  profile:
    "remove it and give the worker the profile's keys in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)",
  roleArn:
    "remove it and give the worker the role's temporary keys in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN",
};

/** Authentication (analysis_types.go) of a web metric: Argo's web provider never signs with sigv4. */
export const UNSUPPORTED_WEB_AUTHENTICATION: UnsupportedFields = {
  sigv4: "Argo's web provider ignores it; remove it, or use oauth2",
};

/** Reports every field of `table` that `map` sets (null counts as absent, as in Kubernetes). */
export function refuseUnsupported(
  issues: Issues,
  map: JsonMap,
  path: FieldPath,
  table: UnsupportedFields,
): void {
  for (const [field, instead] of Object.entries(table)) {
    if (!isAbsent(map[field])) issues.notSupported([...path, field], map[field], field, instead);
  }
}
