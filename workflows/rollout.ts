// One long-running entity workflow per Rollout (id `rollout:<namespace>/<name>`). It registers its
// message handlers first, then reconciles until the rollout is settled, waits for new work, and
// continues as new at each revision boundary so its history stays short however long it lives.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { RolloutController } from './controller.js';
import {
  abortSignal,
  abortUpdate,
  deploySignal,
  deployUpdate,
  pauseSignal,
  pauseUpdate,
  promoteSignal,
  promoteUpdate,
  resumeSignal,
  resumeUpdate,
  retrySignal,
  retryUpdate,
  statusQuery,
  type ActionResult,
} from './messages.js';
import { RolloutRequests } from './requests.js';
import { startScaleDowns } from './scale-downs.js';
import { initialState, RolloutState, type RolloutWorkflowInput } from './state.js';

type Check = (input: unknown) => string | undefined;

/** Registers a signal and an update of one name over the same check and action. */
function handle<I>(
  signal: SignalDefinition<[I?]> | SignalDefinition<[I]>,
  update: UpdateDefinition<ActionResult, [I]>,
  check: Check,
  apply: (input: I) => string,
): void {
  // A signal that does not apply is logged and dropped: throwing from a signal handler would fail
  // the workflow task, and a stray click in the UI must never wedge a rollout.
  setHandler(signal as SignalDefinition<[unknown]>, (input: unknown) => {
    const reason = check(input);
    if (reason !== undefined) log.warn('signal ignored', { signal: signal.name, reason });
    else log.info('signal', { signal: signal.name, result: apply(input as I) });
  });
  setHandler(update, (input: I): ActionResult => ({ message: apply(input) }), {
    validator: (input: I) => {
      const reason = check(input);
      if (reason !== undefined) throw new Error(reason);
    },
  });
}

export async function rolloutWorkflow(input: RolloutWorkflowInput): Promise<void> {
  const state = new RolloutState(input.carried ?? initialState(input.rollout), () => Date.now());
  const controller = new RolloutController(state);
  const requests = new RolloutRequests(controller);

  setHandler(statusQuery, () => controller.status());
  handle(
    promoteSignal,
    promoteUpdate,
    (i) => requests.checkPromote(i),
    (i) => requests.applyPromote(i),
  );
  handle(
    abortSignal,
    abortUpdate,
    (i) => requests.checkAbort(i),
    (i) => requests.applyAbort(i),
  );
  handle(
    retrySignal,
    retryUpdate,
    (i) => requests.checkRetry(i),
    () => requests.applyRetry(),
  );
  handle(
    pauseSignal,
    pauseUpdate,
    () => requests.checkPause(),
    () => requests.applyPause(),
  );
  handle(
    resumeSignal,
    resumeUpdate,
    () => requests.checkResume(),
    () => requests.applyResume(),
  );
  handle(
    deploySignal,
    deployUpdate,
    (i) => requests.checkDeploy(i),
    (i) => requests.applyDeploy(i),
  );

  startScaleDowns(state, controller.cluster);

  try {
    for (;;) {
      await controller.reconcile();
      // Settled: Healthy, or aborted. Wait for a new revision, a retry or a rescale.
      await condition(
        () => controller.hasWork() || (controller.didWork && workflowInfo().continueAsNewSuggested),
      );
      if (controller.didWork) {
        await condition(() => !controller.lock.busy && allHandlersFinished());
        await continueAsNew<typeof rolloutWorkflow>({ rollout: state.definition, carried: state.data });
      }
    }
  } catch (err) {
    // Cancelling the workflow stops managing the rollout; a canary in flight is rolled back first.
    if (isCancellation(err)) await controller.abortIfInProgress('the rollout workflow was cancelled');
    throw err;
  }
}
