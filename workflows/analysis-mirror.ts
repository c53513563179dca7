// An AnalysisRun workflow of a rollout driven by its Rollout object, mirrored into its AnalysisRun
// object (core/cluster/analysis-run-object.ts) whenever its state changes: a new measurement, a phase,
// the end. Like the rollout's status writer, a loop beside the run writes the latest state when it
// differs from the last written, one write at a time, so measurements that come together make one
// write; each write is stamped with a rising sequence, so the object never shows an older state than
// one it showed. The history stays the source of truth: a failed write is logged, never the run's end.
import { condition, isCancellation, log, workflowInfo } from '@temporalio/workflow';
import type { AnalysisRunStatus, AnalysisSpec } from '../core/analysis/types.js';
import {
  analysisRunBaseName,
  analysisRunContent,
  type AnalysisRunContent,
  type AnalysisRunTarget,
} from '../core/cluster/analysis-run-object.js';
import { callActivity } from './activities.js';
import { permanentFailureMessage } from './failures.js';

/** What a continued run takes over: the object's name and the last write's sequence. */
export interface MirrorCarried {
  /** The object's name once made (with its collision suffix). */
  name?: string;
  sequence: number;
  /** The object was deleted or replaced: not written again. */
  gone?: true;
}

export class AnalysisMirror {
  /** A write is under way: the run neither continues as new nor returns in the middle of it. */
  busy = false;
  /** The content last written (or tried, when it failed for good), as JSON; undefined: nothing yet. */
  private written?: string;
  /** Set once the run has ended: its final state, and the clean-up of older runs with it. */
  private final?: AnalysisRunStatus;
  /** Set before the run continues as new: no write starts any more (the next run writes). */
  private stopped = false;

  constructor(
    private readonly target: AnalysisRunTarget,
    private readonly spec: AnalysisSpec,
    readonly carried: MirrorCarried,
    /** The run's state now, and whether its rollout ended it. */
    private readonly current: () => { status: AnalysisRunStatus; terminated: boolean },
  ) {}

  private desired(): AnalysisRunContent {
    const { status, terminated } = this.current();
    return analysisRunContent(this.spec, this.final ?? status, terminated);
  }

  private owed(): boolean {
    return !this.stopped && this.carried.gone !== true && JSON.stringify(this.desired()) !== this.written;
  }

  async run(): Promise<void> {
    for (;;) {
      await condition(() => this.owed());
      await this.writeOnce();
    }
  }

  /**
   * Before continuing as new: no write starts any more, and the one under way ends, so the sequence
   * carried over is the last one written and no activity is left scheduled by a closed run.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await condition(() => !this.busy);
  }

  /** The final state written (or given up on for good) before the run returns it. */
  async finish(status: AnalysisRunStatus): Promise<void> {
    this.final = status;
    await condition(() => !this.busy && !this.owed());
  }

  private async writeOnce(): Promise<void> {
    const content = this.desired();
    const key = JSON.stringify(content);
    const sequence = this.carried.sequence + 1;
    const phase = String(content.status.phase);
    const name = this.carried.name ?? analysisRunBaseName(this.target);
    this.busy = true;
    try {
      const result = await callActivity(
        'mirrorAnalysisRun',
        `AnalysisRun ${this.spec.namespace}/${name}: ${phase} (write ${sequence})`,
        {
          namespace: this.spec.namespace,
          target: this.target,
          workflowId: workflowInfo().workflowId,
          runId: workflowInfo().firstExecutionRunId,
          ...(this.carried.name !== undefined ? { name: this.carried.name } : { spec: content.spec }),
          sequence,
          terminate: content.spec.terminate === true,
          status: content.status,
          ...(this.final ? { prune: true } : {}),
        },
      );
      if (result.name !== undefined) this.carried.name = result.name;
      if (result.gone) this.carried.gone = true;
      if (!result.written) log.info('AnalysisRun object not written', { reason: result.reason });
      if (result.deleted?.length) log.info('older AnalysisRuns deleted', { names: result.deleted });
    } catch (err) {
      // Forbidden, or the CRD missing: logged, and tried again at the next change; the run goes on.
      const message = permanentFailureMessage(err);
      if (message === undefined) throw err;
      log.warn('AnalysisRun object write failed permanently', { message });
    } finally {
      this.busy = false;
    }
    this.carried.sequence = sequence;
    this.written = key;
  }
}

/** Runs the mirror beside the run's metrics; cancellation of the workflow ends it quietly. */
export function startAnalysisMirror(
  target: AnalysisRunTarget,
  spec: AnalysisSpec,
  carried: MirrorCarried | undefined,
  current: () => { status: AnalysisRunStatus; terminated: boolean },
): AnalysisMirror {
  const mirror = new AnalysisMirror(target, spec, carried ?? { sequence: 0 }, current);
  mirror.run().catch((err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
  return mirror;
}
