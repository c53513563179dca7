// Waiting for a ReplicaSet's pods: a heartbeating activity beside the progress deadline, a durable
// timer. Past progressDeadlineSeconds the rollout is Degraded (and aborted with
// progressDeadlineAbort), but the wait goes on: pods that become ready later still let it progress,
// as in Argo. A newer revision or an abort stops the wait at once.
import { CancellationScope, condition, isCancellation } from '@temporalio/workflow';
import type { ReplicaSetAvailability } from '../activities/interface.js';
import { formatDuration } from '../core/duration.js';
import { callActivity } from './activities.js';
import type { RolloutContext } from './context.js';
import type { Interrupt } from './pending-requests.js';
import { replicaSetName, type Revision, type RolloutState } from './state.js';

/** The heartbeating wait for `replicas` available pods of `rev`'s ReplicaSet. */
function waitForPods(ctx: RolloutContext, rev: Revision, replicas: number): Promise<ReplicaSetAvailability> {
  const name = replicaSetName(ctx.def.name, rev.hash);
  return callActivity('waitForReplicaSetAvailable', `wait for ${replicas} available pods of ${name}`, {
    namespace: ctx.def.namespace,
    name,
    replicas,
    minReadySeconds: ctx.def.minReadySeconds,
  });
}

/**
 * Remembers what the ReplicaSet's status said, for the status: the available pods, and its pods and
 * ready pods where the result has them (results recorded before do not: those counts are then
 * forgotten rather than left from an older look, and the status falls back to what it showed before).
 */
export function trackAvailability(state: RolloutState, rev: Revision, result: ReplicaSetAvailability): void {
  const tracked = state.replicaSet(rev.hash);
  if (!tracked) return;
  tracked.availableReplicas = result.availableReplicas;
  if (result.statusReplicas !== undefined) tracked.replicas = result.statusReplicas;
  else delete tracked.replicas;
  if (result.readyReplicas !== undefined) tracked.readyReplicas = result.readyReplicas;
  else delete tracked.readyReplicas;
}

/**
 * Waits, whatever else is asked meanwhile, until revision `rev`'s ReplicaSet has `replicas` available
 * pods: a rollback with dynamicStableScale moves traffic to the stable only once its pods can take it.
 */
export async function waitAvailableUninterrupted(
  ctx: RolloutContext,
  rev: Revision,
  replicas: number,
): Promise<void> {
  if (replicas === 0) return;
  const name = replicaSetName(ctx.def.name, rev.hash);
  ctx.state.work = {
    ...ctx.state.work,
    message: `waiting for ${replicas} available pods of ${name} before moving traffic to it`,
  };
  trackAvailability(ctx.state, rev, await waitForPods(ctx, rev, replicas));
}

/**
 * Waits until revision `rev`'s ReplicaSet (or `of`'s: the stable's, while `rev`'s canary scales) has
 * `replicas` available pods, or something interrupts `rev`.
 */
export async function waitAvailable(
  ctx: RolloutContext,
  rev: Revision,
  replicas: number,
  of: Revision = rev,
): Promise<Interrupt | undefined> {
  const { state, requests } = ctx;
  if (replicas === 0) return requests.interruptFor(rev);
  const name = replicaSetName(ctx.def.name, of.hash);
  let result: ReplicaSetAvailability | undefined;
  let failure: unknown;
  const scope = new CancellationScope();
  const waiting = scope
    .run(() => waitForPods(ctx, of, replicas))
    .then(
      (r) => void (result = r),
      (e: unknown) => void (failure = e),
    );
  const settled = () => result !== undefined || failure !== undefined;
  const stop = () => settled() || requests.urgentInterruptFor(rev) !== undefined;
  const deadline = ctx.def.progressDeadlineSeconds;
  if (
    !(await condition(stop, deadline * 1000, {
      summary: `progress deadline ${formatDuration(deadline)} for ${name}`,
    }))
  ) {
    const message = `ReplicaSet ${name} has not made ${replicas} pods available within ${deadline}s`;
    state.setCondition('ProgressDeadlineExceeded', true, 'ProgressDeadlineExceeded', message);
    if (ctx.def.progressDeadlineAbort) {
      scope.cancel();
      await waiting;
      return { kind: 'abort', message };
    }
    state.work = { ...state.work, deadlineExceeded: message };
    await condition(stop);
    state.work = { ...state.work, deadlineExceeded: undefined };
  }
  state.clearCondition('ProgressDeadlineExceeded');
  if (!settled()) {
    scope.cancel();
    await waiting;
    return requests.interruptFor(rev);
  }
  if (failure !== undefined && !isCancellation(failure)) throw failure as Error;
  if (result) trackAvailability(ctx.state, of, result);
  return requests.interruptFor(rev);
}
