// The floor the bench measures beside our rollout: a bare workflow that, for each `patch` update, runs
// one activity doing one PATCH of a VirtualService's weights. Nothing a rollout decides: one workflow
// task, one activity, one request. `tick` is the scale bench's bare rollout: the same timers and
// activities as a rollout with a background analysis, and no logic.
import { condition, defineUpdate, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import type { FloorActivities } from './activities.js';

export const patchUpdate = defineUpdate<null, [number]>('patch');

const { patchWeight } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s' });
const { measureBare } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s' });

export interface FloorTarget {
  namespace: string;
  virtualService: string;
}

export async function floorWorkflow(target: FloorTarget): Promise<void> {
  const pending: number[] = [];
  setHandler(patchUpdate, (weight) => {
    pending.push(weight);
    return null;
  });
  for (;;) {
    await condition(() => pending.length > 0);
    await patchWeight(target, pending.shift() as number);
  }
}

export interface BareRolloutInput {
  url: string;
  intervalSeconds: number;
  measurements: number;
}

/** The bare twin of a rollout with a background analysis: a measurement every interval, nothing else. */
export async function bareRolloutWorkflow(input: BareRolloutInput): Promise<void> {
  for (let i = 0; i < input.measurements; i++) {
    await measureBare(input.url);
    await sleep(input.intervalSeconds * 1000);
  }
}
