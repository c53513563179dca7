// The pod simulator's `pods: false` mode, its behaviour before it made Pod objects: every ReplicaSet gets
// the status a healthy one would have, `spec.replicas` ready once the start-up delay has passed since it
// asked for that number, and available `minReadySeconds` after that, as the ReplicaSet controller counts
// them (a new generation at a count that is already up, or a scale-down: at once, as the surplus is
// deleted at once and terminating pods are not counted).
import type { V1ReplicaSet } from '@kubernetes/client-node';
import type { ReplicaSetCounts } from './plan.js';

/** One (ReplicaSet, spec.replicas) pair, from when it was first seen. */
interface Pending {
  uid: string;
  replicas: number;
  seenAt: number;
}

export interface StatusOnlyTarget {
  namespace: string;
  name: string;
  replicas: number;
}

const sameStatus = (status: V1ReplicaSet['status'], counts: ReplicaSetCounts) =>
  (status?.replicas ?? 0) === counts.replicas &&
  (status?.readyReplicas ?? 0) === counts.readyReplicas &&
  (status?.availableReplicas ?? 0) === counts.availableReplicas &&
  (status?.observedGeneration ?? 0) >= counts.observedGeneration;

const key = (rs: V1ReplicaSet) => `${rs.metadata?.namespace ?? ''}/${rs.metadata?.name ?? ''}`;

export class StatusOnlySimulation {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly delayFor: (rs: StatusOnlyTarget) => number,
    private readonly write: (rs: V1ReplicaSet, counts: ReplicaSetCounts) => Promise<unknown>,
  ) {}

  /** Writes the status of each ReplicaSet whose pods are due; returns ms until the next one is (or pollMs). */
  async sync(replicaSets: V1ReplicaSet[], now: number, pollMs: number): Promise<number> {
    let next = pollMs;
    const seen = new Set<string>();
    for (const rs of replicaSets) {
      const id = key(rs);
      seen.add(id);
      const replicas = rs.spec?.replicas ?? 1;
      const generation = rs.metadata?.generation ?? 0;
      const status = rs.status;
      if (
        (status?.replicas ?? 0) === replicas &&
        (status?.readyReplicas ?? 0) === replicas &&
        (status?.availableReplicas ?? 0) === replicas &&
        (status?.observedGeneration ?? 0) >= generation
      ) {
        this.pending.delete(id);
        continue;
      }
      const uid = rs.metadata?.uid ?? '';
      let pending = this.pending.get(id);
      // Pods that already run for this count (a new template generation, a scale-down) stay up: no delay.
      const alreadyUp = (status?.availableReplicas ?? 0) >= replicas;
      if (!pending || pending.uid !== uid || pending.replicas !== replicas) {
        pending = { uid, replicas, seenAt: alreadyUp ? -Infinity : now };
        this.pending.set(id, pending);
      }
      const target = { namespace: rs.metadata?.namespace ?? '', name: rs.metadata?.name ?? '', replicas };
      const readyIn = pending.seenAt + this.delayFor(target) - now;
      if (readyIn > 0) {
        next = Math.min(next, readyIn);
        continue;
      }
      const availableIn = readyIn + (rs.spec?.minReadySeconds ?? 0) * 1000;
      const available = availableIn > 0 ? Math.min(status?.availableReplicas ?? 0, replicas) : replicas;
      if (availableIn > 0) next = Math.min(next, availableIn);
      const counts: ReplicaSetCounts = {
        replicas,
        fullyLabeledReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: available,
        observedGeneration: generation,
      };
      if (availableIn > 0 && sameStatus(status, counts)) continue;
      await this.write(rs, counts);
    }
    for (const id of this.pending.keys()) if (!seen.has(id)) this.pending.delete(id);
    return next;
  }
}
