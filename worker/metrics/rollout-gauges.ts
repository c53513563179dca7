// Each rollout's gauges: Argo's rollout_info, rollout_info_replicas_* and rollout_phase, and our
// rollouts_status_phase, set from what its workflow reports (the sinks), and for rollouts this worker has
// not heard from, the status phase from Temporal's list of running rollouts. A rollout whose workflow no
// longer runs loses its gauges (its counters and histograms stay).
import type { RolloutPhase } from '../../core/status.js';
import type { RolloutSample } from '../../workflows/metrics-sink.js';
import { argoMetricPhase, ROLLOUT_PHASES } from './argo-phase.js';
import type { WorkerMetrics } from './catalog.js';
import { Forgotten } from './forgotten.js';

export interface RolloutKey {
  namespace: string;
  name: string;
}

/** A running rollout as Temporal's list gives it. */
export interface ListedRollout extends RolloutKey {
  phase: RolloutPhase;
}

interface Known {
  namespace: string;
  name: string;
  /** The workflow (id and first run id), once it reported. */
  workflow?: string;
  /** When it last reported, or was last listed (epoch ms). */
  at: number;
}

/** Argo's strategy label: the canary strategy is the one we run. */
const STRATEGY = 'canary';

export class RolloutGauges {
  private readonly known = new Map<string, Known>();
  private readonly forgotten = new Forgotten();

  constructor(
    private readonly metrics: WorkerMetrics,
    private readonly now: () => number = Date.now,
  ) {}

  /** What a rollout's workflow (`workflow`: its id and first run id) reported; `replaying` as the sink says. */
  report(workflow: string, sample: RolloutSample, replaying: boolean): void {
    if (this.forgotten.ignores(workflow, replaying)) return;
    const { namespace, name } = sample;
    const m = this.metrics;
    this.clear(namespace, name);
    const phase = argoMetricPhase(sample.conditions);
    const id = { namespace, name };
    m.rolloutInfo.set({ ...id, strategy: STRATEGY, traffic_router: sample.trafficRouter, phase }, 1);
    m.replicasAvailable.set(id, sample.availableReplicas);
    m.replicasUnavailable.set(id, sample.replicas - sample.availableReplicas);
    m.replicasDesired.set(id, sample.desiredReplicas);
    m.replicasUpdated.set(id, sample.updatedReplicas);
    for (const each of ROLLOUT_PHASES)
      m.rolloutPhase.set({ ...id, strategy: STRATEGY, phase: each }, each === phase ? 1 : 0);
    m.statusPhase.set({ ...id, phase: sample.phase }, 1);
    this.known.set(key(namespace, name), { namespace, name, workflow, at: this.now() });
  }

  /**
   * The running rollouts, as a list begun at `begunAt` (epoch ms) found them. One this worker has not
   * heard from gets its status phase from the list; one missing from it loses its gauges, unless it
   * reported within `graceMs` before the list began (a list may not show what just started). Returns
   * the rollouts taken away.
   */
  listed(running: readonly ListedRollout[], begunAt: number, graceMs: number): RolloutKey[] {
    const listed = new Set<string>();
    for (const rollout of running) {
      const k = key(rollout.namespace, rollout.name);
      listed.add(k);
      if (this.known.get(k)?.workflow !== undefined) continue; // its own reports are newer
      this.metrics.statusPhase.removeMatching({ namespace: rollout.namespace, name: rollout.name });
      this.metrics.statusPhase.set(
        { namespace: rollout.namespace, name: rollout.name, phase: rollout.phase },
        1,
      );
      this.known.set(k, { namespace: rollout.namespace, name: rollout.name, at: begunAt });
    }
    const gone: RolloutKey[] = [];
    for (const [k, known] of this.known) {
      if (listed.has(k) || known.at >= begunAt - graceMs) continue;
      this.clear(known.namespace, known.name);
      this.known.delete(k);
      if (known.workflow !== undefined) this.forgotten.add(known.workflow);
      gone.push({ namespace: known.namespace, name: known.name });
    }
    return gone;
  }

  private clear(namespace: string, name: string): void {
    const m = this.metrics;
    for (const gauge of [
      m.rolloutInfo,
      m.replicasAvailable,
      m.replicasUnavailable,
      m.replicasDesired,
      m.replicasUpdated,
      m.rolloutPhase,
      m.statusPhase,
    ])
      gauge.removeMatching({ namespace, name });
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
