// One long-running entity workflow per Rollout (id `rollout:<namespace>/<name>`). It registers its
// message handlers first, then reconciles until the rollout is settled, waits for new work, and
// continues as new at each revision boundary so its history stays short however long it lives.
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { checkDefinition } from '../core/definition-check.js';
import { isObject } from '../core/json.js';
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
  UNREADABLE_PAYLOAD,
  type ActionResult,
} from './messages.js';
import { RolloutRequests } from './requests.js';
import { startRestarts } from './restart.js';
import { startRescales } from './rescale.js';
import { startScaleDowns } from './scale-downs.js';
import { startStatusWriter } from './status-writer.js';
import { initialState, RolloutState, type RolloutWorkflowInput } from './state.js';

type Check = (input: unknown) => string | undefined;

/** What the worker's payload codec said about a payload it could not read (UNREADABLE_PAYLOAD). */
function unreadableReason(value: unknown): string | undefined {
  return isObject(value) && UNREADABLE_PAYLOAD in value ? String(value[UNREADABLE_PAYLOAD]) : undefined;
}

/**
 * Why a message cannot be taken: more than one payload, or what its check says. A check that throws
 * (a payload shaped in a way nobody foresaw) is a reason too, never an exception in the handler.
 */
function reasonToRefuse(name: string, args: unknown[], check: Check): string | undefined {
  if (args.length > 1) return `${name}: expected one payload, got ${args.length}`;
  const unreadable = unreadableReason(args[0]);
  if (unreadable !== undefined) return `${name}: the payload could not be read: ${unreadable}`;
  try {
    return check(args[0]);
  } catch (err) {
    return `${name}: the payload could not be checked: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** Registers a signal and an update of one name over the same check and action. */
function handle<I>(
  signal: SignalDefinition<[I?]> | SignalDefinition<[I]>,
  update: UpdateDefinition<ActionResult, [I]>,
  check: Check,
  apply: (input: I) => string,
): void {
  // A signal that does not apply is logged and dropped: throwing from a signal handler would fail
  // the workflow task, and a stray click in the UI must never wedge a rollout.
  setHandler(signal as unknown as SignalDefinition<unknown[]>, (...args: unknown[]) => {
    const reason = reasonToRefuse(signal.name, args, check);
    if (reason !== undefined) log.warn('signal ignored', { signal: signal.name, reason });
    else log.info('signal', { signal: signal.name, result: apply(args[0] as I) });
  });
  setHandler(update, (input: I): ActionResult => ({ message: apply(input) }), {
    validator: (...args: unknown[]) => {
      const reason = reasonToRefuse(update.name, args, check);
      if (reason !== undefined) throw new Error(reason);
    },
  });
}

/** What is wrong with a workflow input; a run continued as new carries what this check already passed. */
function inputProblems(input: unknown): string[] {
  const unreadable = unreadableReason(input);
  if (unreadable !== undefined) return [`the input could not be read: ${unreadable}`];
  if (!isObject(input)) return ['expected {"rollout": {…}}'];
  if (input.carried) return [];
  try {
    return checkDefinition(input.rollout);
  } catch (err) {
    return [`the definition could not be checked: ${err instanceof Error ? err.message : String(err)}`];
  }
}

export async function rolloutWorkflow(input: RolloutWorkflowInput): Promise<void> {
  // Started by hand (`temporal workflow start`) with a definition the workflow cannot run: fail at
  // once, naming the fields, instead of a workflow task that fails on every retry.
  const invalid = inputProblems(input);
  if (invalid.length)
    throw ApplicationFailure.nonRetryable(
      `invalid rollout input: ${invalid.slice(0, 5).join('; ')}${invalid.length > 5 ? ` (and ${invalid.length - 5} more)` : ''}`,
      'InvalidRolloutInput',
    );
  const state = new RolloutState(input.carried ?? initialState(input.rollout), () => Date.now());
  const controller = new RolloutController(state);
  const requests = new RolloutRequests(state);

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
    (i) => requests.checkPause(i),
    () => requests.applyPause(),
  );
  handle(
    resumeSignal,
    resumeUpdate,
    (i) => requests.checkResume(i),
    () => requests.applyResume(),
  );
  handle(
    deploySignal,
    deployUpdate,
    (i) => requests.checkDeploy(i),
    (i) => requests.applyDeploy(i),
  );

  startScaleDowns(state, controller.cluster);
  startRestarts(state, controller.lock);
  startRescales(state, controller.cluster);
  const statusWriter = startStatusWriter(state);

  try {
    for (;;) {
      await controller.reconcile();
      // Settled: Healthy, or aborted. Wait for a new revision, a retry or a rescale.
      await condition(
        () => controller.hasWork() || (controller.didWork && workflowInfo().continueAsNewSuggested),
      );
      if (controller.didWork) {
        await condition(() => !controller.lock.busy && !statusWriter.busy && allHandlersFinished());
        await continueAsNew<typeof rolloutWorkflow>({ rollout: state.definition, carried: state.data });
      }
    }
  } catch (err) {
    // Cancelling the workflow stops managing the rollout; a canary in flight is rolled back first.
    if (isCancellation(err)) await controller.abortIfInProgress('the rollout workflow was cancelled');
    throw err;
  }
}
