// Search attributes that make rollouts findable in the Temporal UI and CLI, e.g.
//   temporal workflow list --query "RolloutPhase = 'Paused' AND ExecutionStatus = 'Running'"
// They must be registered on the namespace (the lab and docker-compose do it). The client starts a
// rollout with them when the server knows them; the workflow keeps them current only if it was
// started with them, so the same code runs on a server that has none.
import { defineSearchAttributeKey } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { RolloutPhase } from '../core/status.js';

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
