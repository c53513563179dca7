// The Kubernetes Events a change of a Rollout's status tells, with the reasons and messages of Argo's
// controller (utils/conditions/conditions.go; rollout/sync.go, canary.go, analysis.go,
// trafficrouting.go), so `kubectl describe rollout` tells the story as it does under Argo. Pure: from
// the status last written and the next, the events between them, in the order they happened.
import type { ArgoAnalysisRunStatus, ArgoRolloutStatus } from '../argo-status.js';

export interface RolloutEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface EventContext {
  /** The revision the rollout is at (our revision counter, Argo's rollout.argoproj.io/revision). */
  revision: number;
  /** Each step as `describeStep` writes it, e.g. "setWeight: 20". */
  steps: readonly string[];
}

type Status = Partial<ArgoRolloutStatus>;

const hasCondition = (status: Status | undefined, type: string) =>
  (status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

/** syncRolloutStatusCanary's RolloutStepCompleted, once for each step passed. */
function stepsCompleted(previous: Status, next: Status, context: EventContext): RolloutEvent[] {
  const from = previous.currentStepIndex;
  const to = next.currentStepIndex;
  if (from === undefined || to === undefined || to <= from || next.abort) return [];
  // A promotion straight to the end (promote --full) completes no step one by one.
  if (next.phase === 'Healthy' && previous.phase !== 'Progressing' && to - from > 1) return [];
  const total = context.steps.length;
  const events: RolloutEvent[] = [];
  for (let index = from; index < to; index++)
    events.push({
      type: 'Normal',
      reason: 'RolloutStepCompleted',
      message: `Rollout step ${index + 1}/${total} completed (${context.steps[index] ?? '?'})`,
    });
  return events;
}

/** emitAnalysisRunStatusChanges: a run new, or the same run in a new phase. */
function analysisChanged(
  kind: 'Step' | 'Background',
  previous: ArgoAnalysisRunStatus | undefined,
  next: ArgoAnalysisRunStatus | undefined,
): RolloutEvent[] {
  if (!next?.status) return [];
  const same = previous?.name === next.name ? previous : undefined;
  if (same?.status === next.status) return [];
  const failed = next.status === 'Failed' || next.status === 'Error';
  return [
    {
      type: failed ? 'Warning' : 'Normal',
      reason: `AnalysisRun${next.status}`,
      message: `${kind} Analysis Run '${next.name}' Status New: '${next.status}' Previous: '${same?.status ?? 'NoPreviousStatus'}'`,
    },
  ];
}

/** trafficWeightUpdatedMessage. */
function weightChanged(previous: Status, next: Status): RolloutEvent[] {
  const before = previous.canary?.weights?.canary.weight;
  const after = next.canary?.weights?.canary.weight;
  if (after === undefined || before === after) return [];
  const detail = before === undefined ? `to ${after}` : `from ${before} to ${after}`;
  return [{ type: 'Normal', reason: 'TrafficWeightUpdated', message: `Traffic weight updated ${detail}` }];
}

/** The events from `previous` (absent: the first status written) to `next`. */
export function eventsBetween(
  previous: Status | undefined,
  next: Status,
  context: EventContext,
): RolloutEvent[] {
  const before = previous ?? {};
  const events: RolloutEvent[] = [];
  const invalid = hasCondition(next, 'InvalidSpec');
  if (invalid && !hasCondition(before, 'InvalidSpec'))
    events.push({ type: 'Warning', reason: 'InvalidSpec', message: next.message ?? 'the spec is invalid' });
  if (invalid) return events;
  if (previous && next.currentPodHash && previous.currentPodHash !== next.currentPodHash)
    events.push({
      type: 'Normal',
      reason: 'RolloutUpdated',
      message: `Rollout updated to revision ${context.revision}`,
    });
  events.push(...stepsCompleted(before, next, context));
  events.push(...weightChanged(before, next));
  events.push(
    ...analysisChanged(
      'Step',
      before.canary?.currentStepAnalysisRunStatus,
      next.canary?.currentStepAnalysisRunStatus,
    ),
    ...analysisChanged(
      'Background',
      before.canary?.currentBackgroundAnalysisRunStatus,
      next.canary?.currentBackgroundAnalysisRunStatus,
    ),
  );
  if (next.abort && !before.abort)
    events.push({
      type: 'Warning',
      reason: 'RolloutAborted',
      message: next.message ?? `Rollout aborted update to revision ${context.revision}`,
    });
  const pausedBefore = (before.pauseConditions ?? []).length > 0;
  const pausedNow = (next.pauseConditions ?? []).length > 0;
  if (pausedNow && !pausedBefore)
    events.push({
      type: 'Normal',
      reason: 'RolloutPaused',
      message: `Rollout is paused (${next.pauseConditions?.[0]?.reason ?? ''})`,
    });
  if (!pausedNow && pausedBefore && !next.abort)
    events.push({ type: 'Normal', reason: 'RolloutResumed', message: 'Rollout is resumed' });
  // promoteStable: only when the stable switched (the first deploy too); the reason as Argo's for a canary.
  if (next.stableRS && next.stableRS === next.currentPodHash && before.stableRS !== next.stableRS)
    events.push({
      type: 'Normal',
      reason: 'RolloutCompleted',
      message: `Rollout completed update to revision ${context.revision} (${next.stableRS}): ${
        previous && (before.currentStepIndex ?? 0) < context.steps.length - 1
          ? 'Full promotion requested'
          : `Completed all ${context.steps.length} canary steps`
      }`,
    });
  return events;
}
