// Activity stubs with their timeouts and retry policies, chosen on purpose: writes to the API server
// are short and retried forever with backoff (an API server that is down for a while must not abort a
// rollout); permanent failures are marked non-retryable by the activities themselves. Every call
// carries a one-line summary, which the Temporal UI shows on the event.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { RolloutActivities } from '../activities/interface.js';

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;

const writeOptions: ActivityOptions = { startToCloseTimeout: '1 minute', retry };

/** Waiting for pods can take long; heartbeats tell a dead worker from a slow start. */
const waitOptions: ActivityOptions = { startToCloseTimeout: '1 day', heartbeatTimeout: '30 seconds', retry };

const stubs = proxyActivities<RolloutActivities>(writeOptions);

type Name = keyof RolloutActivities;
type Input<K extends Name> = Parameters<RolloutActivities[K]>[0];
type Output<K extends Name> = Awaited<ReturnType<RolloutActivities[K]>>;

export function callActivity<K extends Name>(name: K, summary: string, input: Input<K>): Promise<Output<K>> {
  const options = name === 'waitForReplicaSetAvailable' ? waitOptions : writeOptions;
  const stub = stubs[name] as unknown as {
    executeWithOptions(options: ActivityOptions, args: [Input<K>]): Promise<Output<K>>;
  };
  return stub.executeWithOptions({ ...options, summary }, [input]);
}
