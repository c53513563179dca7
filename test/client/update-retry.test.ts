// An update the server dropped unaccepted is sent again (client/update-retry.ts): under the same id
// when it may have been accepted, under a new one when the server says the workflow task failed.
import { describe, expect, it } from '@jest/globals';
import { ServiceError } from '@temporalio/client';
import { droppedUpdate, sendUpdate } from '../../client/update-retry.js';

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}
const aborted = () =>
  new ServiceError('Workflow Update failed', { cause: grpcError(14, 'workflow update was aborted') });
const taskFailed = () =>
  new ServiceError('Workflow Update failed', {
    cause: grpcError(
      9,
      'Unable to perform workflow execution update due to unexpected workflow task failure.',
    ),
  });

/** A send that fails with the given errors first, recording each update id it was given. */
function flakySend(failures: Error[]) {
  const ids: string[] = [];
  const send = (updateId: string): Promise<string> => {
    ids.push(updateId);
    const failure = failures.shift();
    return failure ? Promise.reject(failure) : Promise.resolve('done');
  };
  return { ids, send };
}

function fakeClock() {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: (ms: number): Promise<void> => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

describe('droppedUpdate', () => {
  it('tells an unaccepted update from any other error', () => {
    expect(droppedUpdate(aborted())).toBe('maybe-accepted');
    expect(droppedUpdate(taskFailed())).toBe('not-accepted');
    expect(
      droppedUpdate(new ServiceError('x', { cause: grpcError(9, 'namespace is not ready') })),
    ).toBeUndefined();
    expect(droppedUpdate(new ServiceError('x', { cause: grpcError(3, 'bad request') }))).toBeUndefined();
    expect(droppedUpdate(grpcError(14, 'bare gRPC error, not from the client library'))).toBeUndefined();
    expect(droppedUpdate(new Error('rejected'))).toBeUndefined();
  });
});

describe('sendUpdate', () => {
  it('sends an aborted update again under the same id, backing off', async () => {
    const { ids, send } = flakySend([aborted(), aborted(), aborted()]);
    const clock = fakeClock();
    await expect(sendUpdate(send, { ...clock, firstDelayMs: 100, maxDelayMs: 300 })).resolves.toBe('done');
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(1);
    expect(clock.slept).toEqual([100, 200, 300]);
  });

  it('sends an update whose workflow task failed again under a new id', async () => {
    const { ids, send } = flakySend([taskFailed(), aborted()]);
    await expect(sendUpdate(send, fakeClock())).resolves.toBe('done');
    expect(ids).toHaveLength(3);
    expect(ids[1]).not.toBe(ids[0]);
    expect(ids[2]).toBe(ids[1]);
  });

  it('throws any other error at once', async () => {
    const rejected = new Error('nothing to promote');
    const { ids, send } = flakySend([rejected]);
    await expect(sendUpdate(send, fakeClock())).rejects.toBe(rejected);
    expect(ids).toHaveLength(1);
  });

  it('gives up with the server error once its budget is spent', async () => {
    const failures = Array.from({ length: 50 }, aborted);
    const last = failures[3];
    const { ids, send } = flakySend(failures);
    const clock = fakeClock();
    await expect(
      sendUpdate(send, { ...clock, budgetMs: 1000, firstDelayMs: 200, maxDelayMs: 400 }),
    ).rejects.toBe(last);
    expect(clock.slept).toEqual([200, 400, 400]);
    expect(ids).toHaveLength(4);
  });
});
