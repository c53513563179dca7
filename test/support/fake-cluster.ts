// An in-memory stand-in for the cluster behind the RolloutActivities interface, for workflow tests:
// it keeps ReplicaSets, Service selectors and weights, records every call in order, and lets a test
// hold pods back (availability) or make a call fail permanently.
import { Context } from '@temporalio/activity';
import type {
  EnsureReplicaSetInput,
  PruneReplicaSetsInput,
  ReplicaSetAvailability,
  RestartPodsInput,
  MetricActivities,
  RolloutActivities,
  ScaleReplicaSetInput,
  ServiceSelectorInput,
  SetWeightInput,
  UpdateHashInput,
  WaitForAvailableInput,
} from '../../activities/interface.js';
import { permanentFailure } from '../../activities/errors.js';
import type { MeasureInput, MeasureResult } from '../../core/analysis/types.js';
import { PermanentFailureType } from '../../core/failures.js';

export interface FakeReplicaSet {
  name: string;
  hash: string;
  revision: number;
  replicas: number;
  image: string;
}

export class FakeCluster {
  replicaSets = new Map<string, FakeReplicaSet>();
  selectors = new Map<string, string>();
  weights = { canary: 0, stable: 100 };
  calls: string[] = [];
  /** Names of ReplicaSets whose pods never become available. */
  stuck = new Set<string>();
  /** What every measurement returns (a success rate of 99% unless a test says otherwise). */
  metric: MeasureResult = { value: [0.99] };
  measured: string[] = [];
  /** Pods created before the restartAt asked for; restartPods evicts one per call (no pod controller here). */
  podsToRestart = 0;
  /** Makes setTrafficWeight fail permanently with this message. */
  weightFailure?: string;
  /** Calls whose text starts with one of the prefixes, in order. */
  callsOf(...prefixes: string[]): string[] {
    return this.calls.filter((c) => prefixes.some((p) => c.startsWith(p)));
  }

  activities(): RolloutActivities & MetricActivities {
    return {
      measure: (input: MeasureInput) => {
        this.measured.push(input.metric);
        return Promise.resolve(this.metric);
      },
      ensureReplicaSet: (input: EnsureReplicaSetInput) => {
        const name = `${input.rollout}-${input.podTemplateHash}`;
        this.calls.push(`ensureReplicaSet ${name} ${input.replicas}`);
        const existing = this.replicaSets.get(name);
        if (existing) {
          existing.replicas = input.replicas;
          return Promise.resolve({ name, created: false });
        }
        this.replicaSets.set(name, {
          name,
          hash: input.podTemplateHash,
          revision: input.revision,
          replicas: input.replicas,
          image: input.template.spec.containers[0]?.image ?? '',
        });
        return Promise.resolve({ name, created: true });
      },
      scaleReplicaSet: (input: ScaleReplicaSetInput) => {
        this.calls.push(`scaleReplicaSet ${input.name} ${input.replicas}`);
        const rs = this.replicaSets.get(input.name);
        if (!rs)
          return Promise.reject(
            permanentFailure(PermanentFailureType.NotFound, `ReplicaSet ${input.name} not found`),
          );
        rs.replicas = input.replicas;
        return Promise.resolve();
      },
      waitForReplicaSetAvailable: async (input: WaitForAvailableInput): Promise<ReplicaSetAvailability> => {
        this.calls.push(`waitForReplicaSetAvailable ${input.name} ${input.replicas}`);
        // Held back: heartbeat like the real activity until released or cancelled.
        const context = Context.current();
        while (this.stuck.has(input.name)) {
          context.heartbeat();
          await context.sleep(100);
        }
        return { name: input.name, replicas: input.replicas, availableReplicas: input.replicas };
      },
      setServiceSelector: (input: ServiceSelectorInput) => {
        this.calls.push(`setServiceSelector ${input.service} ${input.podTemplateHash}`);
        this.selectors.set(input.service, input.podTemplateHash);
        return Promise.resolve();
      },
      updateTrafficHashes: (input: UpdateHashInput) => {
        this.calls.push(`updateTrafficHashes ${input.canaryHash} ${input.stableHash}`);
        return Promise.resolve();
      },
      setTrafficWeight: (input: SetWeightInput) => {
        this.calls.push(`setTrafficWeight ${input.canaryWeight}`);
        if (this.weightFailure)
          return Promise.reject(permanentFailure(PermanentFailureType.RouteNotFound, this.weightFailure));
        this.weights = { canary: input.canaryWeight, stable: 100 - input.canaryWeight };
        return Promise.resolve({ ...this.weights, verified: true });
      },
      pruneReplicaSets: (input: PruneReplicaSetsInput) => {
        this.calls.push(`pruneReplicaSets ${input.revisionHistoryLimit}`);
        // As the real activity: old ones beyond the limit, newest first, once at zero.
        const old = [...this.replicaSets.values()]
          .filter((rs) => !input.keep.includes(rs.hash))
          .sort((a, b) => b.revision - a.revision);
        const deleted = old
          .slice(input.revisionHistoryLimit)
          .filter((rs) => rs.replicas === 0)
          .map((rs) => rs.name);
        for (const name of deleted) this.replicaSets.delete(name);
        return Promise.resolve({ deleted });
      },
      restartPods: (input: RestartPodsInput) => {
        this.calls.push(`restartPods ${input.restartAt}`);
        const needsRestart = this.podsToRestart;
        if (needsRestart === 0) return Promise.resolve({ needsRestart, evicted: [] });
        this.podsToRestart -= 1;
        return Promise.resolve({ needsRestart, evicted: [`pod-${needsRestart}`] });
      },
    };
  }
}
