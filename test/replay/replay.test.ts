// Histories saved from the workflow tests (RECORD_HISTORIES=1 npm test) and from the fault suite
// (RECORD_HISTORIES=1 npm run test:faults) replay against the current workflow code: a change that would
// break running rollouts fails here. A deliberately changed workflow must fail to replay, which proves
// the check has teeth.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { temporal } from '@temporalio/proto';
import { historiesDir, repoRoot } from '../support/paths.js';
import { workflowBundle } from '../support/temporal-env.js';

/** Every saved history, the fault suite's (faults/<scenario>/) included, by path under historiesDir. */
function savedHistories(): { file: string; history: temporal.api.history.v1.IHistory }[] {
  if (!fs.existsSync(historiesDir)) return [];
  return fs
    .readdirSync(historiesDir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.binpb'))
    .sort()
    .map((file) => ({
      file,
      history: temporal.api.history.v1.History.decode(fs.readFileSync(path.join(historiesDir, file))),
    }));
}

describe('replay of saved rollout histories', () => {
  const histories = savedHistories();

  it('has histories to replay', () => {
    expect(histories.length).toBeGreaterThanOrEqual(8);
  });

  it.each(histories.map((h) => [h.file, h.history] as const))(
    '%s replays against the current code',
    async (file, history) => {
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), replayName: file }, history);
    },
  );

  it('a workflow that changed its commands fails to replay', async () => {
    const seed = histories.find((h) => h.file === 'seed-canary-run1.binpb');
    expect(seed).toBeDefined();
    const changed = await bundleWorkflowCode({
      workflowsPath: path.join(repoRoot, 'dist', 'test', 'replay', 'changed-workflow.js'),
      logger: new DefaultLogger('WARN'),
    });
    await expect(Worker.runReplayHistory({ workflowBundle: changed }, seed?.history)).rejects.toThrow(
      DeterminismViolationError,
    );
  });
});
