// Many calls at once, but a bounded number (client/concurrency.ts), and `rollouts apply` of a file of
// many Rollouts through it: answers in the files' order, a refusal said for its object alone.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '../../client/cli.js';
import { forEachInOrder, mapInOrder, CALLS_AT_ONCE, type Outcome } from '../../client/concurrency.js';
import type { RolloutsConnection } from '../../client/connect.js';
import { ActionRejectedError, type ApplyResult, type RolloutsClient } from '../../client/rollouts-client.js';
import type { RolloutDefinition } from '../../core/types.js';
import { seedDir } from '../support/paths.js';

/** Work that finishes when the test says, counting how much runs at once. */
function gated<T>() {
  const waiting = new Map<T, { resolve: () => void; reject: (e: unknown) => void }>();
  let running = 0;
  let most = 0;
  const work = (item: T): Promise<T> => {
    running++;
    most = Math.max(most, running);
    return new Promise<void>((resolve, reject) => waiting.set(item, { resolve, reject })).then(
      () => {
        running--;
        return item;
      },
      (e: unknown) => {
        running--;
        throw e;
      },
    );
  };
  const settle = async (item: T, error?: unknown) => {
    const w = waiting.get(item);
    if (!w) throw new Error(`${String(item)} is not running`);
    waiting.delete(item);
    if (error === undefined) w.resolve();
    else w.reject(error);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { work, settle, started: () => [...waiting.keys()], most: () => most };
}

describe('forEachInOrder', () => {
  it('runs at most `limit` at once and reports in the items’ order as soon as it can', async () => {
    const g = gated<number>();
    const reported: [number, Outcome<number>][] = [];
    const done = forEachInOrder(
      [0, 1, 2, 3, 4],
      2,
      g.work,
      (item, outcome) => void reported.push([item, outcome]),
    );
    await Promise.resolve();
    expect(g.started()).toEqual([0, 1]);
    await g.settle(1);
    expect(reported).toEqual([]); // 0 is not done: 1 waits to be reported
    expect(g.started()).toEqual([0, 2]);
    await g.settle(0);
    expect(reported.map(([i]) => i)).toEqual([0, 1]);
    await g.settle(2, new Error('two'));
    await g.settle(4);
    await g.settle(3);
    await done;
    expect(reported.map(([i, o]) => [i, o.ok])).toEqual([
      [0, true],
      [1, true],
      [2, false],
      [3, true],
      [4, true],
    ]);
    expect(g.most()).toBe(2);
  });

  it('starts nothing more once a report says stop, and reports what had started', async () => {
    const g = gated<number>();
    const reported: number[] = [];
    const done = forEachInOrder([0, 1, 2, 3], 2, g.work, (item, outcome) => {
      reported.push(item);
      return outcome.ok;
    });
    await Promise.resolve();
    await g.settle(0, new Error('zero'));
    await g.settle(1);
    await done;
    expect(reported).toEqual([0, 1]);
    expect(g.started()).toEqual([]);
  });

  it('does nothing for no items', async () => {
    await forEachInOrder(
      [],
      4,
      () => Promise.reject(new Error('no')),
      () => {
        throw new Error('no');
      },
    );
  });
});

describe('mapInOrder', () => {
  it('gives the results in order', async () => {
    const delays = [30, 0, 10, 5];
    const results = await mapInOrder(delays, 3, (ms, i) => new Promise((r) => setTimeout(() => r(i), ms)));
    expect(results).toEqual([0, 1, 2, 3]);
  });

  it('throws the first failure once what had started is done', async () => {
    const started: number[] = [];
    const failing = mapInOrder([0, 1, 2, 3, 4, 5], 2, async (i) => {
      started.push(i);
      await Promise.resolve();
      if (i === 1) throw new Error('one');
      return i;
    });
    await expect(failing).rejects.toThrow('one');
    expect(started.length).toBeLessThan(6);
  });
});

describe('rollouts apply of a file of many Rollouts', () => {
  const COUNT = CALLS_AT_ONCE + 8;
  let dir: string;
  let file: string;

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apply-many-'));
    const template = fs.readFileSync(path.join(seedDir, '04-analysistemplate.yaml'), 'utf8');
    const rollout = fs.readFileSync(path.join(seedDir, '05-rollout.yaml'), 'utf8');
    if (!/^ {2}name: myapp$/m.test(rollout)) throw new Error('the seed Rollout is not named myapp');
    const docs = Array.from({ length: COUNT }, (_, i) =>
      rollout.replace(/^ {2}name: myapp$/m, `  name: app${i}`),
    );
    file = path.join(dir, 'many.yaml');
    fs.writeFileSync(file, [template, ...docs].join('\n---\n'));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sends them a few dozen at a time and answers each in the file’s order', async () => {
    let running = 0;
    let most = 0;
    const applied: string[] = [];
    const fake = {
      apply: async (def: RolloutDefinition): Promise<ApplyResult> => {
        running++;
        most = Math.max(most, running);
        const i = Number(def.name.slice(3));
        // Later ones answer first.
        await new Promise((r) => setTimeout(r, (COUNT - i) % 7));
        running--;
        applied.push(def.name);
        if (i === 3) throw new ActionRejectedError(`${def.name} is driven by its Rollout object`);
        return { started: true, message: `rollout ${def.namespace}/${def.name} created` };
      },
    };
    const connect = (): Promise<RolloutsConnection> =>
      Promise.resolve({ rollouts: fake as unknown as RolloutsClient, close: () => Promise.resolve() });
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['apply', '-f', file], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      connect,
    });
    expect(code).toBe(1);
    expect(out).toEqual(
      Array.from({ length: COUNT }, (_, i) => i)
        .filter((i) => i !== 3)
        .map((i) => `rollout rollouts-demo/app${i} created`),
    );
    expect(err).toEqual(['app3 is driven by its Rollout object']);
    expect(applied).toHaveLength(COUNT);
    expect(most).toBe(CALLS_AT_ONCE);
  });

  it('stops sending after an error that is not a refusal, and says it', async () => {
    let sent = 0;
    const fake = {
      apply: async (def: RolloutDefinition): Promise<ApplyResult> => {
        sent++;
        await Promise.resolve();
        if (def.name === 'app0') throw new Error('14 UNAVAILABLE: connection refused');
        return { started: true, message: `rollout ${def.namespace}/${def.name} created` };
      },
    };
    const connect = (): Promise<RolloutsConnection> =>
      Promise.resolve({ rollouts: fake as unknown as RolloutsClient, close: () => Promise.resolve() });
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['apply', '-f', file], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      connect,
    });
    expect(code).toBe(1);
    expect(err).toEqual(['error: 14 UNAVAILABLE: connection refused']);
    expect(sent).toBeLessThan(COUNT);
    expect(out).toHaveLength(sent - 1); // the ones already sent are answered
  });
});
