// `RolloutsClient.list` against a stand-in Temporal client: one visibility list, the namespace in its
// query when our search attributes are registered, each line from the workflow's memo summary, and a
// status query only for the workflows without one (older runs, a list without memos).
import { describe, expect, it } from '@jest/globals';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, WorkflowNotFoundError } from '@temporalio/common';
import { RolloutsClient } from '../../client/rollouts-client.js';
import { summaryOf, type RolloutSummary } from '../../core/rollout-summary.js';
import type { RolloutStatus } from '../../core/status.js';

const summary = (phase: RolloutSummary['phase'], step: number | null, weight: number): RolloutSummary => ({
  phase,
  message: `${phase} at ${step}`,
  step,
  steps: 8,
  weight,
});

function statusOf(id: string): RolloutStatus {
  const [namespace = '', name = ''] = id.replace(/^rollout:/, '').split('/');
  return {
    name,
    namespace,
    phase: 'Progressing',
    message: `queried ${name}`,
    currentStepIndex: 2,
    steps: [0, 1, 2, 3].map((index) => ({ index, text: `step ${index}` })),
    pauseConditions: [],
    paused: false,
    aborted: false,
    weights: { canary: 40, stable: 60 },
    replicas: 1,
    replicaSets: [],
    conditions: [],
    analysisRuns: [],
    revision: 2,
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}

interface Execution {
  workflowId: string;
  memo?: Record<string, unknown>;
}

interface StubOptions {
  executions: Execution[];
  /** The server knows our search attributes (the operator API answers with them). */
  registered?: boolean;
  /** No list queries (the time-skipping server): the older list call answers, raw memos and all. */
  noListQueries?: boolean;
  /** Workflows whose status query finds no workflow (ended since the list). */
  gone?: string[];
}

function stub(options: StubOptions) {
  const queries: string[] = [];
  const listed: { query?: string; pageSize?: number }[] = [];
  const client = {
    options: { namespace: 'default', loadedDataConverter: { payloadConverter: defaultPayloadConverter } },
    connection: {
      operatorService: {
        listSearchAttributes: () =>
          options.registered
            ? Promise.resolve({ customAttributes: { RolloutName: 2, RolloutNamespace: 2 } })
            : Promise.reject(Object.assign(new Error('unimplemented'), { code: 12 })),
      },
    },
    withDeadline: <R>(_deadline: number, fn: () => Promise<R>) => fn(),
    workflow: {
      list: (input: { query?: string; pageSize?: number }) => {
        listed.push(input);
        if (options.noListQueries) throw Object.assign(new Error('list queries unimplemented'), { code: 12 });
        return (async function* () {
          for (const e of options.executions) yield await Promise.resolve(e);
        })();
      },
      getHandle: (workflowId: string) => ({
        query: () => {
          queries.push(workflowId);
          return (options.gone ?? []).includes(workflowId)
            ? Promise.reject(new WorkflowNotFoundError('not found', workflowId, undefined))
            : Promise.resolve(statusOf(workflowId));
        },
      }),
    },
    workflowService: {
      listOpenWorkflowExecutions: () =>
        Promise.resolve({
          executions: options.executions.map((e) => ({
            execution: { workflowId: e.workflowId },
            memo: e.memo
              ? {
                  fields: Object.fromEntries(
                    Object.entries(e.memo).map(([k, v]) => [k, defaultPayloadConverter.toPayload(v)]),
                  ),
                }
              : null,
          })),
          nextPageToken: new Uint8Array(),
        }),
    },
  };
  return { rollouts: new RolloutsClient(client as unknown as Client, 'rollouts'), queries, listed };
}

const executions: Execution[] = [
  { workflowId: 'rollout:team-b/api', memo: { summary: summary('Healthy', 8, 0) } },
  { workflowId: 'rollout:team-a/web', memo: { summary: summary('Paused', 1, 20), other: 'kept' } },
  { workflowId: 'rollout:team-a/old' }, // a run from before summaries
  { workflowId: 'rollout:team-a/odd', memo: { summary: 'not one' } },
  { workflowId: 'something-else' },
];

describe('RolloutsClient.list', () => {
  it('reads each line from the memo and queries only the workflows without a summary', async () => {
    const { rollouts, queries, listed } = stub({ executions });
    expect(await rollouts.list()).toEqual([
      { namespace: 'team-a', name: 'odd', ...summaryOf(statusOf('rollout:team-a/odd')) },
      { namespace: 'team-a', name: 'old', ...summaryOf(statusOf('rollout:team-a/old')) },
      { namespace: 'team-a', name: 'web', ...summary('Paused', 1, 20) },
      { namespace: 'team-b', name: 'api', ...summary('Healthy', 8, 0) },
    ]);
    expect(queries.sort()).toEqual(['rollout:team-a/odd', 'rollout:team-a/old']);
    expect(listed).toEqual([
      { query: "WorkflowType = 'rolloutWorkflow' AND ExecutionStatus = 'Running'", pageSize: 1000 },
    ]);
  });

  it('puts the namespace in the query when the search attributes are registered', async () => {
    const { rollouts, listed } = stub({ executions, registered: true });
    // (The stand-in does not filter: the ids are filtered again, which is what keeps the rest out.)
    expect((await rollouts.list('team-a')).map((i) => i.name)).toEqual(['odd', 'old', 'web']);
    expect(listed[0]?.query).toBe(
      "WorkflowType = 'rolloutWorkflow' AND ExecutionStatus = 'Running' AND (RolloutNamespace = 'team-a' OR RolloutNamespace IS NULL)",
    );
  });

  it('filters by id alone without the search attributes', async () => {
    const { rollouts, listed, queries } = stub({ executions });
    expect(await rollouts.list('team-b')).toEqual([
      { namespace: 'team-b', name: 'api', ...summary('Healthy', 8, 0) },
    ]);
    expect(listed[0]?.query).toBe("WorkflowType = 'rolloutWorkflow' AND ExecutionStatus = 'Running'");
    expect(queries).toEqual([]);
  });

  it('leaves out a rollout that ended between the list and its query', async () => {
    const { rollouts } = stub({ executions, gone: ['rollout:team-a/old'] });
    expect((await rollouts.list()).map((i) => i.name)).toEqual(['odd', 'web', 'api']);
  });

  it('reads the memos of the older list call on a server without list queries', async () => {
    const { rollouts, queries } = stub({ executions, noListQueries: true });
    expect((await rollouts.list('team-a')).map((i) => [i.name, i.phase])).toEqual([
      ['odd', 'Progressing'],
      ['old', 'Progressing'],
      ['web', 'Paused'],
    ]);
    expect(queries.sort()).toEqual(['rollout:team-a/odd', 'rollout:team-a/old']);
  });

  it('statuses (list -o json) queries every rollout, in order', async () => {
    const { rollouts, queries } = stub({ executions });
    const statuses = await rollouts.statuses('team-a');
    expect(statuses.map((s) => s.name)).toEqual(['odd', 'old', 'web']);
    expect(queries.sort()).toEqual(['rollout:team-a/odd', 'rollout:team-a/old', 'rollout:team-a/web']);
  });

  it('running gives the refs, as the watcher uses them', async () => {
    const { rollouts, queries } = stub({ executions });
    expect(await rollouts.running('team-b')).toEqual([{ namespace: 'team-b', name: 'api' }]);
    expect(queries).toEqual([]);
  });
});
