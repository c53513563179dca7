// The rollout's control loop: first deploy, canary steps, full promotion, abort and abandonment, with
// Argo's semantics (DESIGN.md §2-3). Requests from signals and updates are recorded here and acted on
// at the next point where the running step can be interrupted.
import {
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
} from '@temporalio/workflow';
import type { ReplicaSetAvailability } from '../activities/interface.js';
import { formatDuration } from '../core/duration.js';
import { canaryReplicas, stableReplicas } from '../core/replicas.js';
import type { RolloutStatus } from '../core/status.js';
import { describeStep } from '../core/steps.js';
import { currentDetails } from './current-details.js';
import { AnalysisResolveError } from '../core/analysis/resolve.js';
import type { AnalysisRunStatus } from '../core/analysis/types.js';
import type { AnalysisStep, CanaryStep } from '../core/types.js';
import { analysisAbortMessage, startAnalysis, type RunningAnalysis } from './analysis.js';
import { callActivity } from './activities.js';
import { ClusterWriter } from './cluster.js';
import { permanentFailureMessage } from './failures.js';
import { Lock } from './lock.js';
import { SearchAttributePublisher } from './search-attributes.js';
import { scheduleScaleDown } from './scale-downs.js';
import { replicaSetName, type Activity, type Revision, RolloutState } from './state.js';

/** Patch: weight steps, the promotion and the abort put back a Service selector someone else changed. */
const RESTORE_SELECTORS = 'restore-service-selectors';

/** What stops the running step. */
export type Interrupt = { kind: 'superseded' } | { kind: 'abort'; message: string } | { kind: 'promoteFull' };

export class RolloutController {
  readonly lock = new Lock();
  readonly cluster: ClusterWriter;
  private current: Activity = {};
  private readonly searchAttributes = new SearchAttributePublisher();
  promoteRequest?: 'step' | 'full';
  abortRequest?: string;
  /** Set once this run did a revision's work: the next boundary continues as new. */
  didWork = false;
  /** True while reconcile() acts; the status is not Healthy before it is done. */
  private working = false;
  private background?: RunningAnalysis;
  /** Set when the background run ended Inconclusive: the rollout pauses at its next step. */
  private backgroundInconclusive?: string;

  constructor(readonly state: RolloutState) {
    this.cluster = new ClusterWriter(state, this.lock);
  }

  private get def() {
    return this.state.definition;
  }

  private now(): number {
    return Date.now();
  }

  private interruptFor(rev: Revision): Interrupt | undefined {
    if (
      this.promoteRequest === 'full' &&
      this.state.desired.hash === rev.hash &&
      this.abortRequest === undefined
    )
      return { kind: 'promoteFull' };
    return this.urgentInterruptFor(rev);
  }

  /** What must stop even a wait for pods: a newer revision or an abort (promote --full can wait). */
  private urgentInterruptFor(rev: Revision): Interrupt | undefined {
    if (this.state.desired.hash !== rev.hash) return { kind: 'superseded' };
    if (this.abortRequest !== undefined) return { kind: 'abort', message: this.abortRequest };
    return undefined;
  }

  /** There is something to do: a first deploy, a canary, or a rescale of a healthy rollout. */
  hasWork(): boolean {
    if (this.state.data.aborted) return false;
    if (!this.state.stable || this.state.canaryInProgress) return true;
    const stableRs = this.state.replicaSet(this.state.stable.hash);
    return stableRs !== undefined && stableRs.desiredReplicas !== this.def.replicas;
  }

  /** Does work until the rollout is settled (Healthy, or aborted) and nothing new has arrived. */
  async reconcile(): Promise<void> {
    this.working = true;
    try {
      while (this.hasWork()) {
        this.didWork = true;
        if (!this.state.stable) await this.guard(this.state.desired, () => this.deployFirst());
        else if (this.state.canaryInProgress) await this.guard(this.state.desired, () => this.runCanary());
        else await this.cluster.scale(this.state.stable.hash, this.def.replicas);
      }
    } finally {
      this.working = false;
      this.publish();
    }
  }

  status(): RolloutStatus {
    return this.state.status({ ...this.activity, working: this.working });
  }

  /** What is going on now, beyond the carried state (pause, deadline, progress text). */
  get activity(): Activity {
    return this.current;
  }

  /** Every change of what is going on may change the phase: keep the search attributes current. */
  set activity(activity: Activity) {
    this.current = activity;
    this.publish();
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
      await this.abort(rev, message);
    }
  }

  // ---- first revision: straight to full scale (Argo skips the steps when there is no stable yet)

  private async deployFirst(): Promise<void> {
    const rev = this.state.desired;
    const { canary } = this.def;
    this.activity = { message: `deploying revision ${rev.number} (${rev.hash})` };
    await this.cluster.ensureReplicaSet(rev, this.def.replicas);
    const interrupt = await this.waitAvailable(rev, this.def.replicas);
    if (interrupt?.kind === 'superseded') {
      await this.cluster.scale(rev.hash, 0);
      return;
    }
    if (interrupt?.kind === 'abort') return this.abort(rev, interrupt.message);
    await this.cluster.pointService(canary.stableService, rev.hash);
    await this.cluster.pointService(canary.canaryService, rev.hash);
    await this.cluster.updateTrafficHashes(rev.hash, rev.hash);
    await this.cluster.setWeight(0);
    this.state.data.stable = rev;
    this.finishSteps();
    this.state.setCondition(
      'Available',
      true,
      'AvailableReason',
      `revision ${rev.number} is fully available`,
    );
  }

  // ---- a canary revision

  private async runCanary(): Promise<void> {
    const rev = this.state.desired;
    const stable = this.state.stable;
    if (!stable) return;
    this.state.data.currentStepIndex = 0;
    this.state.data.canaryScale = undefined;
    this.state.clearCondition('Aborted');
    this.state.setCondition(
      'Progressing',
      true,
      'RolloutUpdated',
      `updating to revision ${rev.number} (${rev.hash})`,
    );
    this.activity = { message: `starting revision ${rev.number}` };
    await this.cluster.ensureReplicaSet(rev, 0);
    await this.cluster.pointService(this.def.canary.stableService, stable.hash);
    await this.cluster.pointService(this.def.canary.canaryService, rev.hash);
    await this.cluster.updateTrafficHashes(rev.hash, stable.hash);

    const background = this.def.canary.analysis;
    for (let index = 0; index < this.def.canary.steps.length; index++) {
      this.state.data.currentStepIndex = index;
      const step = this.def.canary.steps[index] as CanaryStep;
      this.activity = { message: `step ${index + 1}/${this.def.canary.steps.length}: ${describeStep(step)}` };
      if (background && index === background.startingStep && !this.background)
        this.background = this.watchBackground(
          await startAnalysis(this.state, rev, 'background', background.templates, background.args),
        );
      const interrupt =
        (await this.waitWhileUserPaused(rev)) ??
        (await this.waitWhileInconclusive(rev)) ??
        (await this.executeStep(rev, step));
      if (interrupt?.kind === 'promoteFull') break;
      if (interrupt) return this.handleInterrupt(rev, interrupt);
    }
    this.promoteRequest = undefined;
    // The steps are done: the background run ends (Successful unless it already failed).
    const final = await this.endBackground();
    if (final && (final.phase === 'Failed' || final.phase === 'Error'))
      return this.abort(rev, analysisAbortMessage(final));
    const interrupt = await this.promoteFully(rev);
    if (interrupt) return this.handleInterrupt(rev, interrupt);
  }

  private async handleInterrupt(rev: Revision, interrupt: Interrupt): Promise<void> {
    await this.endBackground();
    if (interrupt.kind === 'abort') return this.abort(rev, interrupt.message);
    if (interrupt.kind === 'superseded') return this.abandon(rev);
  }

  /** A background run that fails aborts the rollout; an inconclusive one pauses it. */
  private watchBackground(run: RunningAnalysis): RunningAnalysis {
    void run.result.then((status) => {
      if (this.background !== run) return;
      if (status.phase === 'Failed' || status.phase === 'Error')
        this.abortRequest ??= analysisAbortMessage(status);
      if (status.phase === 'Inconclusive') this.backgroundInconclusive = status.message ?? 'inconclusive';
    });
    return run;
  }

  private async endBackground(): Promise<AnalysisRunStatus | undefined> {
    const run = this.background;
    this.background = undefined;
    this.backgroundInconclusive = undefined;
    if (!run) return undefined;
    await run.terminate();
    return run.result;
  }

  /** An Inconclusive background run holds the rollout until promote (go on) or abort. */
  private async waitWhileInconclusive(rev: Revision): Promise<Interrupt | undefined> {
    if (this.backgroundInconclusive === undefined) return undefined;
    this.activity = {
      pause: { reason: 'InconclusiveAnalysis', startTime: new Date(this.now()).toISOString() },
    };
    await condition(() => this.promoteRequest !== undefined || this.interruptFor(rev) !== undefined);
    this.activity = {};
    if (this.promoteRequest === 'step') this.promoteRequest = undefined;
    this.backgroundInconclusive = undefined;
    return this.interruptFor(rev);
  }

  /** An inline `analysis` step: Successful goes on, Failed/Error aborts, Inconclusive pauses. */
  private async runStepAnalysis(rev: Revision, step: AnalysisStep): Promise<Interrupt | undefined> {
    const index = this.state.data.currentStepIndex ?? 0;
    const run = await startAnalysis(this.state, rev, 'step', step.templates, step.args, index);
    await condition(() => run.final !== undefined || this.interruptFor(rev) !== undefined);
    if (!run.final) {
      await run.terminate();
      return this.interruptFor(rev);
    }
    const final = run.final;
    if (final.phase === 'Failed' || final.phase === 'Error')
      return { kind: 'abort', message: analysisAbortMessage(final) };
    if (final.phase === 'Inconclusive') {
      this.activity = {
        pause: { reason: 'InconclusiveAnalysis', startTime: new Date(this.now()).toISOString() },
      };
      await condition(() => this.promoteRequest !== undefined || this.interruptFor(rev) !== undefined);
      this.activity = {};
      if (this.promoteRequest === 'step') this.promoteRequest = undefined;
    }
    return this.interruptFor(rev);
  }

  private async waitWhileUserPaused(rev: Revision): Promise<Interrupt | undefined> {
    if (!this.state.data.userPaused) return undefined;
    this.activity = { pause: { reason: 'PausedByUser', startTime: new Date(this.now()).toISOString() } };
    await condition(() => !this.state.data.userPaused || this.interruptFor(rev) !== undefined);
    this.activity = {};
    return this.interruptFor(rev);
  }

  private async executeStep(rev: Revision, step: CanaryStep): Promise<Interrupt | undefined> {
    switch (step.kind) {
      case 'setWeight':
        return this.applyWeight(rev, step.weight);
      case 'pause':
        return this.pause(rev, step.durationSeconds);
      case 'setCanaryScale': {
        this.state.data.canaryScale = step.matchTrafficWeight
          ? undefined
          : {
              ...(step.replicas !== undefined ? { replicas: step.replicas } : {}),
              ...(step.weight !== undefined ? { weight: step.weight } : {}),
            };
        const replicas = canaryReplicas(
          this.def,
          this.state.data.weights.canary,
          this.state.data.canaryScale,
        );
        await this.cluster.scale(rev.hash, replicas);
        return this.waitAvailable(rev, replicas);
      }
      case 'analysis':
        return this.runStepAnalysis(rev, step);
    }
  }

  /** Scale the canary for the weight, wait for its pods, then shift traffic (Argo's order). */
  private async applyWeight(rev: Revision, weight: number): Promise<Interrupt | undefined> {
    const replicas = canaryReplicas(this.def, weight, this.state.data.canaryScale);
    await this.cluster.scale(rev.hash, replicas);
    const interrupt = await this.waitAvailable(rev, replicas);
    if (interrupt) return interrupt;
    const stable = this.state.stable;
    // Someone may have edited a Service's selector since the canary started (a person, a GitOps sync):
    // each weight step puts both hashes back, as Argo's controller does on every reconcile. The first
    // step follows the pointing at the canary's start.
    if (stable && (this.state.data.currentStepIndex ?? 0) > 0 && patched(RESTORE_SELECTORS))
      await this.pointServices(rev.hash, stable.hash);
    await this.cluster.setWeight(weight);
    if (stable) await this.cluster.scale(stable.hash, stableReplicas(this.def, weight));
    return this.interruptFor(rev);
  }

  private async pause(rev: Revision, durationSeconds: number | undefined): Promise<Interrupt | undefined> {
    const start = this.now();
    const index = this.state.data.currentStepIndex ?? 0;
    this.activity = {
      pause: {
        reason: 'CanaryPauseStep',
        startTime: new Date(start).toISOString(),
        ...(durationSeconds !== undefined
          ? { until: new Date(start + durationSeconds * 1000).toISOString() }
          : {}),
      },
    };
    const ended = () => this.promoteRequest !== undefined || this.interruptFor(rev) !== undefined;
    if (durationSeconds === undefined) await condition(ended);
    else
      await condition(ended, durationSeconds * 1000, {
        summary: `pause ${formatDuration(durationSeconds)} (step ${index + 1})`,
      });
    this.activity = {};
    if (this.promoteRequest === 'step') this.promoteRequest = undefined;
    return this.interruptFor(rev);
  }

  /**
   * Waits until the ReplicaSet has `replicas` available pods, or something interrupts. Past
   * progressDeadlineSeconds the rollout is Degraded (and aborted with progressDeadlineAbort), but the
   * wait goes on: pods that become ready later still let it progress, as in Argo.
   */
  private async waitAvailable(rev: Revision, replicas: number): Promise<Interrupt | undefined> {
    if (replicas === 0) return this.interruptFor(rev);
    const name = replicaSetName(this.def.name, rev.hash);
    let result: ReplicaSetAvailability | undefined;
    let failure: unknown;
    const scope = new CancellationScope();
    const waiting = scope
      .run(() =>
        callActivity('waitForReplicaSetAvailable', `wait for ${replicas} available pods of ${name}`, {
          namespace: this.def.namespace,
          name,
          replicas,
          minReadySeconds: this.def.minReadySeconds,
        }),
      )
      .then(
        (r) => void (result = r),
        (e: unknown) => void (failure = e),
      );
    const settled = () => result !== undefined || failure !== undefined;
    const stop = () => settled() || this.urgentInterruptFor(rev) !== undefined;
    const deadline = this.def.progressDeadlineSeconds;
    if (
      !(await condition(stop, deadline * 1000, {
        summary: `progress deadline ${formatDuration(deadline)} for ${name}`,
      }))
    ) {
      const message = `ReplicaSet ${name} has not made ${replicas} pods available within ${deadline}s`;
      this.state.setCondition('ProgressDeadlineExceeded', true, 'ProgressDeadlineExceeded', message);
      if (this.def.progressDeadlineAbort) {
        scope.cancel();
        await waiting;
        return { kind: 'abort', message };
      }
      this.activity = { ...this.activity, deadlineExceeded: message };
      await condition(stop);
      this.activity = { ...this.activity, deadlineExceeded: undefined };
    }
    this.state.clearCondition('ProgressDeadlineExceeded');
    if (!settled()) {
      scope.cancel();
      await waiting;
      return this.interruptFor(rev);
    }
    if (failure !== undefined && !isCancellation(failure)) throw failure as Error;
    const tracked = this.state.replicaSet(rev.hash);
    if (tracked && result) tracked.availableReplicas = result.availableReplicas;
    return this.interruptFor(rev);
  }

  // ---- endings

  /** After the last step (or promote --full): canary to full scale, then stable moves to it. */
  private async promoteFully(rev: Revision): Promise<Interrupt | undefined> {
    const old = this.state.stable;
    this.activity = { message: `promoting revision ${rev.number} to stable` };
    await this.cluster.scale(rev.hash, this.def.replicas);
    const interrupt = await this.waitAvailable(rev, this.def.replicas);
    if (interrupt && interrupt.kind !== 'promoteFull') return interrupt;
    await this.cluster.pointService(this.def.canary.stableService, rev.hash);
    // The canary Service selects the new hash already, unless someone changed it since.
    if (patched(RESTORE_SELECTORS)) await this.cluster.pointService(this.def.canary.canaryService, rev.hash);
    await this.cluster.updateTrafficHashes(rev.hash, rev.hash);
    await this.cluster.setWeight(0);
    this.state.data.stable = rev;
    this.finishSteps();
    if (old && old.hash !== rev.hash) {
      const delay = this.def.canary.trafficRouting ? this.def.canary.scaleDownDelaySeconds : 0;
      scheduleScaleDown(this.state.replicaSet(old.hash), this.now() + delay * 1000);
    }
    // As Argo does at once: old ReplicaSets at zero beyond the history limit go now, not only after the
    // next delayed scale-down.
    if (patched('prune-on-promotion')) await this.cluster.prune();
    this.state.setCondition('Available', true, 'AvailableReason', `revision ${rev.number} is stable`);
    this.state.setCondition(
      'Progressing',
      true,
      'NewReplicaSetAvailable',
      `revision ${rev.number} fully promoted`,
    );
    return undefined;
  }

  private finishSteps(): void {
    this.state.data.currentStepIndex = this.def.canary.steps.length;
    this.state.data.canaryScale = undefined;
    this.promoteRequest = undefined;
    this.abortRequest = undefined;
    this.activity = {};
  }

  /**
   * Abort (by hand, by analysis, by deadline, by a permanent failure): all traffic back to stable,
   * the canary scaled down after abortScaleDownDelaySeconds. Runs non-cancellable so that cancelling
   * the workflow cannot stop its own rollback.
   */
  async abort(rev: Revision, message: string): Promise<void> {
    await CancellationScope.nonCancellable(async () => {
      await this.endBackground();
      this.abortRequest = undefined;
      this.promoteRequest = undefined;
      this.state.data.aborted = { at: this.now(), message };
      this.state.data.currentStepIndex = this.state.stable ? 0 : null;
      this.activity = {};
      this.state.setCondition('Aborted', true, 'RolloutAborted', message);
      const stable = this.state.stable;
      if (!stable) return; // a failed first deploy has nothing to roll back to
      await this.bestEffort(() => this.cluster.scale(stable.hash, this.def.replicas));
      await this.bestEffort(async () => void (await this.cluster.setWeight(0)));
      await this.bestEffort(() => this.cluster.pointService(this.def.canary.canaryService, stable.hash));
      // The stable Service selects stable already, unless someone changed it since.
      if (patched(RESTORE_SELECTORS))
        await this.bestEffort(() => this.cluster.pointService(this.def.canary.stableService, stable.hash));
      const delay = this.def.canary.abortScaleDownDelaySeconds;
      if (delay > 0 && rev.hash !== stable.hash)
        scheduleScaleDown(this.state.replicaSet(rev.hash), this.now() + delay * 1000);
    });
  }

  /** Rolls back a canary in flight (used when the workflow itself is cancelled). */
  async abortIfInProgress(message: string): Promise<void> {
    if (this.state.canaryInProgress && !this.state.data.aborted)
      await this.abort(this.state.desired, message);
  }

  /** A newer revision arrived: the old canary gets no traffic and no pods, now (newest wins). */
  private async abandon(rev: Revision): Promise<void> {
    const stable = this.state.stable;
    if (!stable) return;
    await this.cluster.setWeight(0);
    if (rev.hash !== stable.hash) await this.cluster.scale(rev.hash, 0);
    this.promoteRequest = undefined;
    this.abortRequest = undefined;
    if (this.state.desired.hash === stable.hash) {
      // Back to the stable template: nothing to roll out, the canary Service follows stable again.
      await this.cluster.pointService(this.def.canary.canaryService, stable.hash);
      await this.cluster.updateTrafficHashes(stable.hash, stable.hash);
      this.finishSteps();
    }
  }

  /** Both Services on the hashes they must select now. */
  private async pointServices(canaryHash: string, stableHash: string): Promise<void> {
    await this.cluster.pointService(this.def.canary.stableService, stableHash);
    await this.cluster.pointService(this.def.canary.canaryService, canaryHash);
  }

  /** Cleanup must go on past a failing piece; what failed is added to the abort message. */
  private async bestEffort(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      const message = permanentFailureMessage(err);
      if (message === undefined) throw err;
      const aborted = this.state.data.aborted;
      if (aborted) aborted.message = `${aborted.message}; during rollback: ${message}`;
    }
  }
}
