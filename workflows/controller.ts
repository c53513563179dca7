// The rollout's control loop, with Argo's semantics (DESIGN.md §2-3): it does the work the state
// calls for (a first deploy, a canary revision's steps, a rescale) until the rollout is settled, turns
// a permanent failure into an abort, and publishes every change of phase (search attributes, the UI's
// Current Details). The steps are canary.ts, their endings endings.ts; what messages asked for is
// the state's pending requests, acted on wherever the running step can be interrupted.
import { log, setCurrentDetails } from '@temporalio/workflow';
import { AnalysisResolveError } from '../core/analysis/resolve.js';
import type { RolloutStatus } from '../core/status.js';
import { runCanary } from './canary.js';
import { RolloutContext } from './context.js';
import { currentDetails } from './current-details.js';
import { abort, finishSteps } from './endings.js';
import { permanentFailureMessage } from './failures.js';
import { podMetadataFor, podMetadataOutOfSync, syncPodMetadata } from './pod-metadata.js';
import { waitAvailable } from './availability.js';
import { startRolloutMetrics } from './metrics-sink.js';
import { SearchAttributePublisher, startSummaryMemo } from './search-attributes.js';
import type { Revision, RolloutState } from './state.js';

export class RolloutController {
  private readonly ctx: RolloutContext;
  private readonly searchAttributes = new SearchAttributePublisher();
  /** Set once this run did a revision's work: the next boundary continues as new. */
  didWork = false;

  constructor(readonly state: RolloutState) {
    this.ctx = new RolloutContext(state);
    // Every change of what is going on may change the phase: keep the search attributes current.
    state.onWorkChange = () => this.publish();
    startSummaryMemo(state); // and what `rollouts list` shows, in the memo
    startRolloutMetrics(state); // the worker's metrics, through sinks (no commands)
  }

  get lock() {
    return this.ctx.lock;
  }

  get cluster() {
    return this.ctx.cluster;
  }

  private get def() {
    return this.state.definition;
  }

  /**
   * There is something to do: a first deploy, a canary, a rescale of a healthy rollout, or pods whose
   * ephemeral metadata a deploy of the same template changed.
   */
  hasWork(): boolean {
    return this.hasRevisionWork() || podMetadataOutOfSync(this.state).length > 0;
  }

  private hasRevisionWork(): boolean {
    if (this.state.data.aborted) return false;
    if (!this.state.stable || this.state.canaryInProgress) return true;
    const stableRs = this.state.replicaSet(this.state.stable.hash);
    return stableRs !== undefined && stableRs.desiredReplicas !== this.def.replicas;
  }

  /** Does work until the rollout is settled (Healthy, or aborted) and nothing new has arrived. */
  async reconcile(): Promise<void> {
    this.state.reconciling = true;
    try {
      while (this.hasWork()) {
        this.didWork = true;
        if (!this.hasRevisionWork()) await this.syncPodMetadataOnly();
        else if (!this.state.stable) await this.guard(this.state.desired, () => this.deployFirst());
        else if (this.state.canaryInProgress) await this.guard(this.state.desired, () => runCanary(this.ctx));
        else await this.cluster.scale(this.state.stable.hash, this.def.replicas);
      }
    } finally {
      this.state.reconciling = false;
      this.publish();
    }
  }

  status(): RolloutStatus {
    return this.state.status();
  }

  /** Rolls back a canary in flight (used when the workflow itself is cancelled). */
  async abortIfInProgress(message: string): Promise<void> {
    if (this.state.canaryInProgress && !this.state.data.aborted)
      await abort(this.ctx, this.state.desired, message);
  }

  private publish(): void {
    const image = this.state.desired.definition.template.spec.containers[0]?.image ?? '';
    const status = this.status();
    this.searchAttributes.publish({ phase: status.phase, image });
    // The Temporal UI shows this as the workflow's "Current Details"; no command, so replay is unaffected.
    setCurrentDetails(currentDetails(status));
  }

  /** A permanent activity failure (missing route, 404 on a Service…) aborts the revision with its message. */
  private async guard(rev: Revision, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      // An analysis that cannot be built (a template or arg gone missing) aborts like a permanent failure.
      const message = err instanceof AnalysisResolveError ? err.message : permanentFailureMessage(err);
      if (message === undefined) throw err;
      log.warn('permanent failure, aborting', { message });
      await abort(this.ctx, rev, message);
    }
  }

  /**
   * Only the metadata changed (a settled or aborted rollout): synced as Argo's reconcile would. A
   * permanent failure is logged and not tried again until the metadata changes once more.
   */
  private async syncPodMetadataOnly(): Promise<void> {
    try {
      await syncPodMetadata(this.ctx);
    } catch (err) {
      const message = permanentFailureMessage(err);
      if (message === undefined) throw err;
      log.warn('ephemeral pod metadata not synced', { message });
      for (const rs of podMetadataOutOfSync(this.state)) rs.podMetadata = podMetadataFor(this.state, rs.hash);
    }
  }

  /** The first revision goes straight to full scale (Argo skips the steps when there is no stable yet). */
  private async deployFirst(): Promise<void> {
    const rev = this.state.desired;
    const { canary } = this.def;
    this.state.work = { message: `deploying revision ${rev.number} (${rev.hash})` };
    await this.cluster.ensureReplicaSet(rev, this.def.replicas);
    const interrupt = await waitAvailable(this.ctx, rev, this.def.replicas);
    if (interrupt?.kind === 'superseded') {
      await this.cluster.scale(rev.hash, 0);
      return;
    }
    if (interrupt?.kind === 'abort') return abort(this.ctx, rev, interrupt.message);
    await this.cluster.pointService(canary.stableService, rev.hash);
    await this.cluster.pointService(canary.canaryService, rev.hash);
    await this.cluster.updateTrafficHashes(rev.hash, rev.hash);
    await this.cluster.setWeight(0);
    this.state.data.stable = rev;
    finishSteps(this.ctx);
    await syncPodMetadata(this.ctx); // a first deploy superseded before it was stable loses its metadata
    this.state.setCondition(
      'Available',
      true,
      'AvailableReason',
      `revision ${rev.number} is fully available`,
    );
  }
}
