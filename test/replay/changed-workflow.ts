// A rollout workflow whose first command differs from the real one (a timer before anything else):
// replaying a real history against it must raise a DeterminismViolationError.
import { sleep } from '@temporalio/workflow';
import { rolloutWorkflow as real } from '../../workflows/rollout.js';
import type { RolloutWorkflowInput } from '../../workflows/state.js';

export async function rolloutWorkflow(input: RolloutWorkflowInput): Promise<void> {
  await sleep('1s');
  return real(input);
}
