// What `rollouts list` shows lives in the workflow's memo (`summary`, workflows/search-attributes.ts):
// upserted at each change, in a workflow task that has it anyway, at most once a task, and always what
// the status query says; `RolloutsClient.list` reads it back.
import { describe, expect, it } from '@jest/globals';
import { temporal } from '@temporalio/proto';
import { readSummary, summaryOf, type RolloutSummary } from '../../core/rollout-summary.js';
import type { RolloutStatus } from '../../core/status.js';
import type { RolloutDefinition } from '../../core/types.js';
import { LIST_SUMMARY_MEMO } from '../../workflows/patches.js';
import { timeSkippingServerPerTest, seedRollout, type RolloutHarness } from '../support/rollout-harness.js';

const YELLOW = 'argoproj/rollouts-demo:yellow';
const EventType = temporal.api.enums.v1.EventType;

const server = timeSkippingServerPerTest();

/** The seed without its analysis (its Prometheus is not here). */
function seed(): RolloutDefinition {
  const def = seedRollout();
  const { analysis: _analysis, ...canary } = def.canary;
  return { ...def, canary };
}

async function memoSummary(h: RolloutHarness): Promise<RolloutSummary | undefined> {
  return readSummary((await server.env.client.workflow.getHandle(h.workflowId).describe()).memo);
}

/** Once settled at `status`, the memo says the same. */
async function expectMemoOf(h: RolloutHarness, status: RolloutStatus): Promise<void> {
  expect(await memoSummary(h)).toEqual(summaryOf(status));
}

interface Upsert {
  summary: RolloutSummary;
  /** The workflow task (its started event) whose commands it came with. */
  task: number;
}

/** Each memo upsert of the current run's history, in order. */
async function upserts(
  h: RolloutHarness,
): Promise<{ upserts: Upsert[]; events: temporal.api.history.v1.IHistoryEvent[] }> {
  const history = await server.env.client.workflow.getHandle(h.workflowId).fetchHistory();
  const events = history.events ?? [];
  const found: Upsert[] = [];
  for (const event of events) {
    if (event.eventType !== EventType.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED) continue;
    const attrs = event.workflowPropertiesModifiedEventAttributes;
    const payload = attrs?.upsertedMemo?.fields?.summary;
    const summary = readSummary({
      summary: payload?.data
        ? (JSON.parse(Buffer.from(payload.data).toString('utf8')) as unknown)
        : undefined,
    });
    if (!summary) throw new Error(`a memo upsert without a summary: ${JSON.stringify(attrs)}`);
    found.push({ summary, task: Number(attrs?.workflowTaskCompletedEventId ?? 0) });
  }
  return { upserts: found, events };
}

/** The ids of the patches the run recorded. */
function patchesIn(events: temporal.api.history.v1.IHistoryEvent[]): string[] {
  return events.flatMap((e) => {
    const marker = e.markerRecordedEventAttributes;
    if (marker?.markerName !== 'core_patch') return [];
    const data = Object.values(marker.details ?? {})[0]?.payloads?.[0]?.data;
    const patch = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { id?: unknown }) : {};
    return typeof patch.id === 'string' ? [patch.id] : [];
  });
}

describe('the summary `rollouts list` shows, in the memo', () => {
  it('is upserted at each change, once a task at most, and is what the status says', async () => {
    const def = seed();
    const h = server.harness(def);
    await h.start();
    await h.rollouts.apply(def);
    let s = await h.waitFor('Healthy', (x) => x.phase === 'Healthy');
    await expectMemoOf(h, s);
    expect(await memoSummary(h)).toEqual({ phase: 'Healthy', message: '', step: 8, steps: 8, weight: 0 });
    // The first run, which continues as new at the next revision.
    const { upserts: deployed } = await upserts(h);

    await h.rollouts.setImage(h.namespace, h.name, 'myapp', YELLOW);
    s = await h.pausedAt(1);
    await expectMemoOf(h, s);
    expect(await memoSummary(h)).toEqual({
      phase: 'Paused',
      message: 'CanaryPauseStep: waiting for promote',
      step: 1,
      steps: 8,
      weight: 20,
    });
    // The time-skipping server's list carries no memo: the client's fallback, a status query of each,
    // gives the same line (the dev server's visibility list is test/workflows/search-attributes.test.ts).
    expect(await h.rollouts.list()).toEqual([{ namespace: h.namespace, name: h.name, ...summaryOf(s) }]);
    expect(await h.rollouts.list(h.namespace)).toHaveLength(1);
    expect(await h.rollouts.list('elsewhere')).toEqual([]);

    await h.rollouts.promote(h.namespace, h.name);
    s = await h.pausedAt(3);
    await expectMemoOf(h, s);
    await h.rollouts.promote(h.namespace, h.name, true);
    s = await h.waitFor('Healthy on yellow', (x) => x.phase === 'Healthy' && x.revision === 2);
    await expectMemoOf(h, s);

    const { upserts: canary, events } = await upserts(h);
    expect(patchesIn(events)).toContain(LIST_SUMMARY_MEMO);
    for (const run of [deployed, canary]) {
      // Every upsert changes the summary, and no workflow task carries two.
      run.forEach((u, i) => expect(u.summary).not.toEqual(run[i - 1]?.summary));
      expect(new Set(run.map((u) => u.task)).size).toBe(run.length);
    }
    // A few a step: the canary's run went through steps 1-4 and the promotion.
    expect(canary.length).toBeLessThanOrEqual(2 * 4 + 3);
    expect(canary.at(-1)?.summary).toEqual(summaryOf(s));
    console.log(
      `memo upserts: ${deployed.length} for the first deploy, ${canary.length} for the canary (steps 1-4, promoted fully):\n` +
        canary
          .map(({ summary: c }) => `  ${c.phase} ${c.step}/${c.steps} ${c.weight}% ${c.message}`)
          .join('\n'),
    );
    await h.saveHistories('list-summary-memo');
  });
});
