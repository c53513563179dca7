// The Temporal Web UI shows a rollout as the workflow history says it went: on a real dev server (UI
// included, on ports the OS picks) a rollout deploys its first revision and runs a canary to its first
// pause with the fake cluster; headless chromium then opens the rollout's pages. Every event of the
// history is a row of the UI's event table, under the UI's name for its type, and every activity and
// timer carries the summary the workflow gave it ("set weight 20% on myapp-vsvc/primary"). Screenshots
// in test-output/screenshots/.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import {
  RevisionImageKey,
  RolloutNameKey,
  RolloutNamespaceKey,
  RolloutPhaseKey,
} from '../../workflows/search-attributes.js';
import { pngSize } from '../support/chromium.js';
import { testOutput, toolsBin } from '../support/paths.js';
import { RolloutHarness, seedRollout } from '../support/rollout-harness.js';
import { waitUntil } from '../support/temporal-env.js';
import { openPage, openWorkflowPage, workflowListUrl, type WorkflowPage } from '../support/temporal-ui.js';
import { freePorts } from '../../lab/stack/free-ports.js';

type History = temporal.api.history.v1.IHistory;

const outputDir = path.join(testOutput, 'temporal-ui');
const screenshots = path.join(testOutput, 'screenshots');
const namespace = 'default';

let env: TestWorkflowEnvironment;
let harness: RolloutHarness;
let uiUrl: string;

beforeAll(async () => {
  // Worker and server logs only when something is wrong (TEST_LOG=DEBUG for more).
  try {
    Runtime.install({ logger: new DefaultLogger((process.env.TEST_LOG as 'DEBUG' | undefined) ?? 'ERROR') });
  } catch {
    // installed already in this process
  }
  fs.rmSync(outputDir, { recursive: true, force: true });
  fs.mkdirSync(outputDir, { recursive: true });
  const [port, uiPort] = (await freePorts(2)) as [number, number];
  uiUrl = `http://127.0.0.1:${uiPort}`;
  // `temporal server start-dev --ip 127.0.0.1 --port P --ui-port U --db-filename …`, as the lab runs it.
  env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: path.join(toolsBin, 'temporal') },
      ip: '127.0.0.1',
      port,
      uiPort,
      dbFilename: path.join(outputDir, 'temporal.db'),
      extraArgs: ['--ui-disable-news-fetch'],
      log: { format: 'pretty', level: 'error' },
      searchAttributes: [RolloutNameKey, RolloutNamespaceKey, RolloutPhaseKey, RevisionImageKey],
    },
  });
  harness = new RolloutHarness(env, seedRollout());
  await harness.start();
}, 60_000);

afterAll(async () => {
  await harness?.stop();
  await env?.teardown();
});

/** "EVENT_TYPE_ACTIVITY_TASK_SCHEDULED" → "Activity Task Scheduled", the UI's name for it. */
function uiEventType(type: temporal.api.enums.v1.EventType | null | undefined): string {
  const name = temporal.api.enums.v1.EventType[type ?? 0] ?? `unknown event type ${type}`;
  return name
    .replace(/^EVENT_TYPE_/, '')
    .split('_')
    .map((word) => word[0] + word.slice(1).toLowerCase())
    .join(' ');
}

interface ExpectedRow {
  eventId: number;
  eventType: string;
  activityType?: string;
  summary?: string;
}

/** Each event of the history as the UI's table should show it, newest first as the UI lists them. */
function expectedRows(history: History): ExpectedRow[] {
  return (history.events ?? [])
    .map((event) => {
      const summary = event.userMetadata?.summary;
      const activityType = event.activityTaskScheduledEventAttributes?.activityType?.name;
      return {
        eventId: Number(event.eventId),
        eventType: uiEventType(event.eventType),
        ...(activityType ? { activityType } : {}),
        ...(summary ? { summary: defaultPayloadConverter.fromPayload<string>(summary) } : {}),
      };
    })
    .reverse();
}

function summariesOf(rows: ExpectedRow[]): string[] {
  return rows.flatMap((row) => (row.summary ? [row.summary] : []));
}

/** The page's event table is the history: same events, same types, activity types and summaries. */
function expectPageShowsHistory(page: WorkflowPage, expected: ExpectedRow[]): void {
  expect(page.events.map((row) => [row.eventId, row.eventType])).toEqual(
    expected.map((row) => [row.eventId, row.eventType]),
  );
  for (const [i, row] of expected.entries()) {
    const shown = page.events[i]!;
    if (row.activityType) expect(shown.details).toContain(`Activity Type ${row.activityType}`);
    if (row.summary) expect(shown.details).toContain(`Summary ${row.summary}`);
  }
}

function expectScreenshot(file: string): void {
  const bytes = fs.readFileSync(file);
  expect(bytes.length).toBeGreaterThan(100_000);
  const size = pngSize(bytes);
  expect(size.width).toBe(1920);
  // The whole event table, not only the first window of it.
  expect(size.height).toBeGreaterThan(1200);
}

describe('the Temporal UI shows a rollout', () => {
  let history: History;
  let runId: string;
  let firstRunId: string;

  it('runs a first deploy and a canary to its first pause', async () => {
    const h = harness;
    await h.rollouts.apply(h.def);
    await h.waitFor('Healthy', (s) => s.phase === 'Healthy');
    await h.rollouts.setImage(h.namespace, h.name, 'myapp', 'argoproj/rollouts-demo:yellow');
    await h.pausedAt(1);
    const handle = env.client.workflow.getHandle(h.workflowId);
    runId = (await handle.describe()).runId;
    history = await handle.fetchHistory();
    // The first revision settled, and the workflow continued as new into this run for the second.
    firstRunId = history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? '';
    expect(firstRunId).not.toBe('');
    expect(summariesOf(expectedRows(history))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ensure ReplicaSet myapp-\w+ \(revision 2, 0 replicas\)$/),
        expect.stringMatching(/^point Service myapp-canary-svc at \w+$/),
        'set weight 20% on myapp-vsvc/primary',
        expect.stringMatching(/^progress deadline 10m for myapp-\w+$/),
      ]),
    );
  }, 30_000);

  it("shows the canary's history with each activity's and timer's summary", async () => {
    const expected = expectedRows(history);
    const file = path.join(screenshots, 'temporal-ui-rollout.png');
    // By workflow id alone, as a link to the rollout would: the UI finds the latest run.
    const page = await openWorkflowPage({
      uiUrl,
      namespace,
      workflowId: harness.workflowId,
      screenshotFile: file,
      waitFor: ['set weight 20% on myapp-vsvc/primary'],
    });
    fs.writeFileSync(path.join(outputDir, 'rollout-page.txt'), page.text);
    expect(page.runId).toBe(runId);
    expect(page.title).toBe(`Workflow History | ${harness.workflowId}`);
    expect(page.text).toContain('RUNNING');
    expect(page.text).toContain('rolloutWorkflow');
    expect(page.text).toContain('argoproj/rollouts-demo:yellow'); // the input
    expectPageShowsHistory(page, expected);
    const types = new Set(page.events.map((row) => row.eventType));
    for (const type of ['Workflow Execution Started', 'Activity Task Scheduled', 'Activity Task Completed'])
      expect(types).toContain(type);
    for (const type of ['Timer Started', 'Timer Canceled', 'Start Child Workflow Execution Initiated'])
      expect(types).toContain(type);
    expect(page.events.find((row) => row.details.includes('set weight 20%'))).toMatchObject({
      eventType: 'Activity Task Scheduled',
      details: expect.stringMatching(
        /^Activity Type setTrafficWeight Summary set weight 20% on myapp-vsvc\/primary\b/,
      ) as unknown,
    });
    expectScreenshot(file);
  }, 45_000);

  it("shows what the rollout waits for as the workflow's current details (a pause until promote has no event)", async () => {
    const page = await openWorkflowPage({
      uiUrl,
      namespace,
      workflowId: harness.workflowId,
      runId,
      tab: 'timeline',
      click: ['User Metadata'],
      waitFor: ['CanaryPauseStep: waiting for promote'],
      screenshotFile: path.join(screenshots, 'temporal-ui-current-details.png'),
    });
    fs.writeFileSync(path.join(outputDir, 'current-details.txt'), page.text);
    expect(page.text).toContain('Paused: CanaryPauseStep: waiting for promote');
    // (the UI's markdown typesets 2/8 with a fraction slash)
    expect(page.text).toMatch(/step 1[/⁄]8 \(pause: until promoted\), canary weight 20%/);
    expect(page.text).toContain('canary: argoproj/rollouts-demo:yellow (revision 2)');
  }, 45_000);

  it('shows the first deploy in the run before continue-as-new', async () => {
    const first = await env.client.workflow.getHandle(harness.workflowId, firstRunId).fetchHistory();
    const expected = expectedRows(first);
    const file = path.join(screenshots, 'temporal-ui-first-deploy.png');
    const page = await openWorkflowPage({
      uiUrl,
      namespace,
      workflowId: harness.workflowId,
      runId: firstRunId,
      screenshotFile: file,
      waitFor: ['Workflow Execution Continued As New'],
    });
    fs.writeFileSync(path.join(outputDir, 'first-deploy-page.txt'), page.text);
    expect(page.text).toContain('CONTINUED AS NEW');
    expectPageShowsHistory(page, expected);
    expect(summariesOf(expected)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ensure ReplicaSet myapp-\w+ \(revision 1, 1 replicas\)$/),
        expect.stringMatching(/^point Service myapp-stable-svc at \w+$/),
      ]),
    );
    expect(page.events[0]?.eventType).toBe('Workflow Execution Continued As New');
    expectScreenshot(file);
  }, 45_000);

  it('lists the rollout by its search attributes', async () => {
    const query = `RolloutName = 'myapp' AND RolloutPhase = 'Paused'`;
    // Visibility follows the history a moment later: wait until the server's list has it.
    await waitUntil(
      async () => {
        const ids: string[] = [];
        for await (const w of env.client.workflow.list({ query })) ids.push(w.runId);
        return ids;
      },
      (ids) => ids.length === 1,
      query,
    );
    const file = path.join(screenshots, 'temporal-ui-list.png');
    const page = await openPage(workflowListUrl(uiUrl, namespace, query), {
      waitFor: [runId],
      screenshotFile: file,
      fullPage: false,
    });
    fs.writeFileSync(path.join(outputDir, 'list-page.txt'), page.text);
    expect(page.text).toContain(harness.workflowId);
    expect(page.text).toContain('rolloutWorkflow');
    // The run before continue-as-new closed as Healthy: not in the list of paused rollouts.
    expect(page.text).not.toContain(firstRunId);
    expect(pngSize(fs.readFileSync(file)).width).toBe(1920);
  }, 45_000);
});
