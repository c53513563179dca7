// The one place the workflows call activities from: the stubs of both contracts
// (activities/interface.ts) with their timeouts and retry policies, chosen on purpose. Writes to the
// API server are short and retried forever with backoff (an API server that is down for a while must
// not abort a rollout); permanent failures are marked non-retryable by the activities themselves.
// `measure` returns a provider's failure as data, so only surprises are retried, a little. Every call
// carries a one-line summary, which the Temporal UI shows on the event.
import { proxyActivities, type ActivityOptions } from '@temporalio/workflow';
import type { MetricActivities, RolloutActivities } from '../activities/interface.js';

const retry = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' } as const;

const writeOptions: ActivityOptions = { startToCloseTimeout: '1 minute', retry };

/** Waiting for pods can take long; heartbeats tell a dead worker from a slow start. */
const waitOptions: ActivityOptions = { startToCloseTimeout: '1 day', heartbeatTimeout: '30 seconds', retry };

/** A provider's failure comes back as data (an Error measurement); only surprises are retried, a little. */
const measureOptions: ActivityOptions = {
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumAttempts: 3 },
};

type Activities = RolloutActivities & MetricActivities;
type Name = keyof Activities;
type Input<K extends Name> = Parameters<Activities[K]>[0];
type Output<K extends Name> = Awaited<ReturnType<Activities[K]>>;

// A call's options are deep-merged over its stub's, so each contract gets a stub made with its own
// options: `measure`'s retry must not inherit the writes' maximumInterval.
const clusterStubs = proxyActivities<RolloutActivities>(writeOptions);
const metricStubs = proxyActivities<MetricActivities>(measureOptions);

function optionsFor(name: Name): ActivityOptions {
  if (name === 'waitForReplicaSetAvailable') return waitOptions;
  if (name === 'measure') return measureOptions;
  return writeOptions;
}

/** Calls one activity of either contract with its options and a summary for the Temporal UI. */
export function callActivity<K extends Name>(name: K, summary: string, input: Input<K>): Promise<Output<K>> {
  const stub = (name === 'measure' ? metricStubs.measure : clusterStubs[name]) as unknown as {
    executeWithOptions(options: ActivityOptions, args: [Input<K>]): Promise<Output<K>>;
  };
  return stub.executeWithOptions({ ...optionsFor(name), summary }, [input]);
}
