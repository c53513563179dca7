// The background AnalysisRun (Argo's `canary.analysis`): started at its `startingStep` beside the
// steps, watched while they run, ended when they end. A Failed or Error verdict asks for an abort; an
// Inconclusive one holds the rollout before its next step until promote or abort (canary.ts).
import type { AnalysisRunStatus } from '../core/analysis/types.js';
import { analysisAbortMessage, type RunningAnalysis } from './analysis.js';
import type { PendingRequests } from './pending-requests.js';

export class BackgroundAnalysis {
  private run?: RunningAnalysis;
  /** Set when the run ended Inconclusive: the rollout pauses at its next step. */
  inconclusive?: string;

  constructor(private readonly requests: PendingRequests) {}

  get running(): boolean {
    return this.run !== undefined;
  }

  /** Watches a run just started: a failure aborts the rollout, an inconclusive verdict pauses it. */
  watch(run: RunningAnalysis): void {
    this.run = run;
    void run.result.then((status) => {
      if (this.run !== run) return;
      if (status.phase === 'Failed' || status.phase === 'Error')
        this.requests.abort ??= analysisAbortMessage(status);
      if (status.phase === 'Inconclusive') this.inconclusive = status.message ?? 'inconclusive';
    });
  }

  /** Ends the run (Successful unless it already failed) and returns its final status. */
  async end(): Promise<AnalysisRunStatus | undefined> {
    const run = this.run;
    this.run = undefined;
    this.inconclusive = undefined;
    if (!run) return undefined;
    await run.terminate();
    return run.result;
  }
}
