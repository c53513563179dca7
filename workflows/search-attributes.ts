// Search attributes that make rollouts findable in the Temporal UI and CLI, e.g.
//   temporal workflow list --query "RolloutPhase = 'Paused' AND ExecutionStatus = 'Running'"
// They must be registered on the namespace (the lab and docker-compose do it). The client starts a
// rollout with them when the server knows them; the workflow keeps them current only if it was
// started with them, so the same code runs on a server that has none.
// What `rollouts list` shows (phase, step, weight, message) is the memo's `summary` instead, which needs
// no registration: kept current by `startSummaryMemo`, read back from the list by the client.
import { defineSearchAttributeKey } from '@temporalio/common';
import {
  CancellationScope,
  condition,
  patched,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  readSummary,
  sameSummary,
  summaryOf,
  SUMMARY_MEMO_KEY,
  type RolloutSummary,
} from '../core/rollout-summary.js';
import type { RolloutPhase } from '../core/status.js';
import { LIST_SUMMARY_MEMO } from './patches.js';
import type { RolloutState } from './state.js';

export const RolloutNameKey = defineSearchAttributeKey('RolloutName', 'KEYWORD');
export const RolloutNamespaceKey = defineSearchAttributeKey('RolloutNamespace', 'KEYWORD');
export const RolloutPhaseKey = defineSearchAttributeKey('RolloutPhase', 'KEYWORD');
export const RevisionImageKey = defineSearchAttributeKey('RevisionImage', 'KEYWORD');

export interface Published {
  phase: RolloutPhase;
  image: string;
}

/** Upserts phase and image when they changed and the rollout was started with search attributes. */
export class SearchAttributePublisher {
  private last?: Published;

  publish(now: Published): void {
    if (workflowInfo().typedSearchAttributes.get(RolloutNameKey) === undefined) return;
    if (this.last?.phase === now.phase && this.last.image === now.image) return;
    this.last = now;
    upsertSearchAttributes([
      { key: RolloutPhaseKey, value: now.phase },
      { key: RevisionImageKey, value: now.image },
    ]);
  }
}

/** The summary the status query would give now, without building the whole status. */
export function summaryOfState(state: RolloutState): RolloutSummary {
  return summaryOf({
    ...state.phase(),
    currentStepIndex: state.data.currentStepIndex,
    steps: state.definition.canary.steps,
    weights: state.data.weights,
  });
}

/**
 * Keeps the memo's `summary` equal to what the status query would say: one upsert at the end of each
 * workflow task in which it changed (a condition is looked at once the task's code has run), in that
 * task, never a task of its own. Compared with the memo the run started with, so a run continued as new
 * upserts nothing until something changes. It goes on while a cancelled workflow rolls back.
 */
export function startSummaryMemo(state: RolloutState): void {
  let last = readSummary(workflowInfo().memo);
  void CancellationScope.nonCancellable(async () => {
    for (;;) {
      await condition(() => !sameSummary(last, summaryOfState(state)));
      last = summaryOfState(state);
      // Histories from before have no memo upserts: they replay without them.
      if (patched(LIST_SUMMARY_MEMO)) upsertMemo({ [SUMMARY_MEMO_KEY]: last });
    }
  });
}
