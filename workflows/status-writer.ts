// The status of a rollout driven by its Rollout object, written back onto the object (Argo's shape,
// core/argo-status.ts) whenever it changes: not on a timer, and one write at a time in order, each
// stamped with a rising sequence, so the object never shows an older state than one it showed. What was
// last written is carried state: a crash or a continue-as-new resumes with the write still owed.
import { condition, isCancellation, log, patched, workflowInfo } from '@temporalio/workflow';
import { argoRolloutStatus, type ArgoRolloutStatus } from '../core/argo-status.js';
import { eventsBetween } from '../core/cluster/events.js';
import { acknowledgedOf } from '../core/cluster/requests.js';
import { sameJson } from '../core/cluster/merge-patch.js';
import type { StampedRolloutStatus } from '../activities/interface.js';
import { callActivity } from './activities.js';
import { permanentFailureMessage } from './failures.js';
import { CLUSTER_STATUS } from './patches.js';
import type { RolloutState } from './state.js';

export class StatusWriter {
  /** A write is under way: the run does not continue as new in the middle of it. */
  busy = false;

  constructor(private readonly state: RolloutState) {}

  /** The status the object should show now, without its stamp; undefined unless driven by an object. */
  private desired(): Record<string, unknown> | undefined {
    const cluster = this.state.data.cluster;
    if (!cluster) return undefined;
    return argoRolloutStatus(this.state.status(), this.state.definition, {
      generation: cluster.generation,
      ...(cluster.stepHash !== undefined ? { stepHash: cluster.stepHash } : {}),
      // For conditions that have no time of their own (a first deploy's): fixed, so nothing churns.
      ...(this.state.data.statusSince !== undefined
        ? { observedAt: new Date(this.state.data.statusSince).toISOString() }
        : {}),
    }) as unknown as Record<string, unknown>;
  }

  private owed(): boolean {
    const desired = this.desired();
    if (!desired) return false;
    const written = this.state.data.statusWritten;
    if (!written) return true;
    const { temporal: _stamp, ...shown } = written;
    return !sameJson(shown, desired);
  }

  async run(): Promise<void> {
    await condition(() => this.state.data.cluster !== undefined);
    // Histories from before never wrote a status; asked only once a Rollout object drives the rollout.
    if (!patched(CLUSTER_STATUS)) return;
    this.state.data.statusSince ??= Date.now();
    for (;;) {
      await condition(() => this.owed());
      await this.writeOnce();
    }
  }

  private async writeOnce(): Promise<void> {
    const cluster = this.state.data.cluster;
    const desired = this.desired();
    if (!cluster || !desired) return;
    const previous = this.state.data.statusWritten;
    const status: StampedRolloutStatus = {
      ...desired,
      temporal: {
        workflowId: workflowInfo().workflowId,
        sequence: (previous?.temporal.sequence ?? 0) + 1,
        acknowledged: acknowledgedOf(desired),
      },
    };
    const def = this.state.definition;
    const shown = this.state.status();
    const events = eventsBetween(previous as Partial<ArgoRolloutStatus> | undefined, desired, {
      revision: shown.revision,
      steps: shown.steps.map((step) => step.text),
    });
    this.busy = true;
    try {
      const result = await callActivity(
        'writeRolloutStatus',
        `status of Rollout ${def.namespace}/${def.name}: ${String(desired.phase)} (write ${status.temporal.sequence})`,
        {
          namespace: def.namespace,
          name: def.name,
          uid: cluster.uid,
          status,
          ...(previous ? { previous } : {}),
          ...(events.length ? { events } : {}),
        },
      );
      if (!result.written) log.info('status not written', { reason: result.reason });
    } catch (err) {
      // Forbidden, say: logged, and tried again at the next change rather than in a loop now.
      const message = permanentFailureMessage(err);
      if (message === undefined) throw err;
      log.warn('status write failed permanently', { message });
    } finally {
      this.busy = false;
    }
    this.state.data.statusWritten = status;
  }
}

/** Runs the writer beside the main path; cancellation of the workflow ends it quietly. */
export function startStatusWriter(state: RolloutState): StatusWriter {
  const writer = new StatusWriter(state);
  writer.run().catch((err: unknown) => {
    if (!isCancellation(err)) throw err;
  });
  return writer;
}
