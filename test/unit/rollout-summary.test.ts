// The summary `rollouts list` shows (core/rollout-summary.ts): made from a status as the workflow
// makes it for its memo, read back from a memo as the client decodes it, and rendered.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { renderList } from '../../client/render.js';
import { loadManifests } from '../../core/manifest/index.js';
import {
  listItemOf,
  readSummary,
  sameSummary,
  summaryOf,
  SUMMARY_MEMO_KEY,
  SUMMARY_MESSAGE_MAX,
  type RolloutSummary,
} from '../../core/rollout-summary.js';
import type { RolloutStatus } from '../../core/status.js';
import { summaryOfState } from '../../workflows/search-attributes.js';
import { initialState, RolloutState } from '../../workflows/state.js';
import { seedDir } from '../support/paths.js';

const steps = ['setWeight: 20', 'pause: until promoted', 'setWeight: 40'].map((text, index) => ({
  index,
  text,
}));

function status(overrides: Partial<RolloutStatus> = {}): RolloutStatus {
  return {
    name: 'myapp',
    namespace: 'rollouts-demo',
    phase: 'Paused',
    message: 'CanaryPauseStep: waiting for promote',
    currentStepIndex: 1,
    steps,
    pauseConditions: [{ reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00.000Z' }],
    paused: false,
    aborted: false,
    weights: { canary: 20, stable: 80, verified: true },
    replicas: 5,
    replicaSets: [],
    conditions: [],
    analysisRuns: [],
    revision: 2,
    updatedAt: '2026-01-01T00:00:01.000Z',
    ...overrides,
  };
}

const paused: RolloutSummary = {
  phase: 'Paused',
  message: 'CanaryPauseStep: waiting for promote',
  step: 1,
  steps: 3,
  weight: 20,
};

describe('summaryOf', () => {
  it('takes phase, message, step index, step count and canary weight from the status', () => {
    expect(summaryOf(status())).toEqual(paused);
    expect(summaryOf(status({ currentStepIndex: null, phase: 'Progressing', message: 'x' }))).toEqual({
      ...paused,
      phase: 'Progressing',
      message: 'x',
      step: null,
    });
  });

  it('cuts a very long message, and only that', () => {
    const long = 'e'.repeat(SUMMARY_MESSAGE_MAX + 500);
    const cut = summaryOf(status({ message: long })).message;
    expect(cut).toHaveLength(SUMMARY_MESSAGE_MAX);
    expect(cut.endsWith('…')).toBe(true);
    const fits = 'e'.repeat(SUMMARY_MESSAGE_MAX);
    expect(summaryOf(status({ message: fits })).message).toBe(fits);
  });

  it('a list line is the summary with namespace and name', () => {
    expect(listItemOf(status())).toEqual({ namespace: 'rollouts-demo', name: 'myapp', ...paused });
  });
});

describe("the workflow's summary of its state", () => {
  it('is the summary of the status the query would return, whatever the state', () => {
    const file = path.join(seedDir, '05-rollout.yaml');
    const def = loadManifests(fs.readFileSync(file, 'utf8'), file).rollouts[0];
    if (!def) throw new Error('the seed has no Rollout');
    const state = new RolloutState(initialState(def), () => 0);
    const same = () => expect(summaryOfState(state)).toEqual(summaryOf(state.status()));
    same();
    expect(summaryOfState(state)).toMatchObject({ phase: 'Progressing', step: null, steps: 8, weight: 0 });
    state.work = { message: 'deploying revision 1 (abc)' };
    same();
    state.data.stable = state.data.desired;
    state.data.currentStepIndex = 8;
    state.work = {};
    same();
    expect(summaryOfState(state)).toMatchObject({ phase: 'Healthy', message: '', step: 8 });
    state.data.desired = { ...state.data.desired, number: 2, hash: 'other' };
    state.data.currentStepIndex = 1;
    state.data.weights = { canary: 20, stable: 80 };
    state.work = { pause: { reason: 'CanaryPauseStep', startTime: '2026-01-01T00:00:00.000Z' } };
    same();
    expect(summaryOfState(state)).toMatchObject({ phase: 'Paused', step: 1, weight: 20 });
    state.work = { ...state.work, deadlineExceeded: 'pods not available' };
    same();
    state.data.aborted = { at: 0, message: 'by hand' };
    state.work = {};
    same();
    expect(summaryOfState(state)).toMatchObject({ phase: 'Degraded', message: 'RolloutAborted: by hand' });
  });
});

describe('sameSummary', () => {
  it('compares every field', () => {
    expect(sameSummary(paused, { ...paused })).toBe(true);
    for (const change of [
      { phase: 'Healthy' as const },
      { message: 'other' },
      { step: 2 },
      { step: null },
      { steps: 4 },
      { weight: 40 },
    ])
      expect(sameSummary(paused, { ...paused, ...change })).toBe(false);
    expect(sameSummary(undefined, paused)).toBe(false);
    expect(sameSummary(paused, undefined)).toBe(false);
    expect(sameSummary(undefined, undefined)).toBe(true);
  });
});

describe('readSummary', () => {
  it('reads back what the workflow upserts, through JSON as the memo carries it', () => {
    const memo = JSON.parse(JSON.stringify({ [SUMMARY_MEMO_KEY]: summaryOf(status()) })) as Record<
      string,
      unknown
    >;
    expect(readSummary(memo)).toEqual(paused);
    expect(readSummary({ summary: { ...paused, step: null } })).toEqual({ ...paused, step: null });
  });

  it('ignores fields it does not know', () => {
    expect(readSummary({ summary: { ...paused, extra: 1 }, other: 'x' })).toEqual(paused);
  });

  it.each([
    ['no memo', undefined],
    ['a memo without a summary', { other: 1 }],
    ['a summary that is not an object', { summary: 'Paused' }],
    ['an array', { summary: [paused] }],
    ['an unknown phase', { summary: { ...paused, phase: 'Unknown' } }],
    ['no message', { summary: { ...paused, message: undefined } }],
    ['a fractional step', { summary: { ...paused, step: 1.5 } }],
    ['a negative step count', { summary: { ...paused, steps: -1 } }],
    ['a weight over 100', { summary: { ...paused, weight: 120 } }],
    ['a weight that is a string', { summary: { ...paused, weight: '20' } }],
  ])('%s is no summary (the status query tells)', (_what, memo) => {
    expect(readSummary(memo as Record<string, unknown> | undefined)).toBeUndefined();
  });
});

describe('renderList', () => {
  it('prints one line per rollout from its summary', () => {
    const lines = renderList([
      listItemOf(status()),
      { namespace: 'team-b', name: 'api', phase: 'Healthy', message: '', step: 8, steps: 8, weight: 0 },
      {
        namespace: 'team-b',
        name: 'new',
        phase: 'Progressing',
        message: 'm',
        step: null,
        steps: 3,
        weight: 0,
      },
      { namespace: 'team-c', name: 'past', phase: 'Healthy', message: '', step: 9, steps: 8, weight: 0 },
    ]).split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 5))).toEqual([
      ['NAMESPACE', 'NAME', 'STATUS', 'STEP', 'WEIGHT'],
      ['rollouts-demo', 'myapp', 'Paused', '1/3', '20'],
      ['team-b', 'api', 'Healthy', '8/8', '0'],
      ['team-b', 'new', 'Progressing', '-', '0'],
      ['team-c', 'past', 'Healthy', '8/8', '0'],
    ]);
    expect(lines[1]?.endsWith('CanaryPauseStep: waiting for promote')).toBe(true);
  });

  it('is the same line from a full status as from its summary', () => {
    const full = status();
    expect(renderList([listItemOf(full)])).toBe(
      renderList([
        { namespace: full.namespace, name: full.name, ...readSummary({ summary: summaryOf(full) })! },
      ]),
    );
  });
});
