// The kinds of the argoproj.io API group: ours (Rollout, AnalysisTemplate, ClusterAnalysisTemplate),
// Argo Rollouts' others (refused: not supported yet), and those of the other Argo projects, which share
// the group and are passed on like a Service. Any other kind in the group is a typo (`kind: Rolout`):
// lint must not call a file valid when it skipped an object it did not understand.

import { Issues } from './errors.js';

export const ARGO_GROUP = 'argoproj.io';

/** The kinds this project reads. */
export const OUR_KINDS = ['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate'] as const;

/** Argo Rollouts' kinds that this project does not run. */
const UNSUPPORTED_ROLLOUTS_KINDS = ['Experiment', 'AnalysisRun'];

/** Kinds of Argo Workflows, Argo CD and Argo Events (same API group): not ours, not a typo. */
const OTHER_PROJECT_KINDS = new Set([
  'Workflow',
  'WorkflowTemplate',
  'ClusterWorkflowTemplate',
  'CronWorkflow',
  'WorkflowEventBinding',
  'WorkflowTaskSet',
  'WorkflowTaskResult',
  'WorkflowArtifactGCTask',
  'Application',
  'ApplicationSet',
  'AppProject',
  'EventSource',
  'Sensor',
  'EventBus',
]);

const KNOWN_TEXT = OUR_KINDS.join(', ');

/**
 * For an object that is none of OUR_KINDS: reports its kind when its apiVersion is in the argoproj.io
 * group and the kind is not another Argo project's. True when the object may pass as someone else's.
 */
export function checkArgoKind(issues: Issues, apiVersion: string, kind: string): boolean {
  if (apiVersion.split('/')[0] !== ARGO_GROUP || OTHER_PROJECT_KINDS.has(kind)) return true;
  if (UNSUPPORTED_ROLLOUTS_KINDS.includes(kind)) {
    issues.notSupported(['kind'], kind, `the ${kind} kind`, `known kinds: ${KNOWN_TEXT}`);
    return false;
  }
  const near = OUR_KINDS.find((known) => distance(known.toLowerCase(), kind.toLowerCase()) <= 2);
  const hint = near === undefined ? '' : ` (did you mean ${near}?)`;
  issues.add(
    ['kind'],
    kind,
    `one of ${KNOWN_TEXT}`,
    `"${kind}" is not a kind of ${apiVersion} that this project knows${hint}, expected one of ${KNOWN_TEXT}`,
  );
  return false;
}

/** Levenshtein distance, for "did you mean": kinds are short, so the plain table is fine. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[j] as number) + 1, (current[j - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
