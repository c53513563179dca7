// The rollout's writes to the cluster, each one activity with a summary for the Temporal UI, taken
// under the write lock and mirrored into the tracked state as soon as it succeeds.
import { patched } from '@temporalio/workflow';
import type { WeightResult } from '../activities/interface.js';
import { replicaSetTemplate } from '../core/affinity.js';
import { podTemplateDigest } from '../core/pod-template-defaults.js';
import type { PodMetadata, TrafficRouting } from '../core/types.js';
import { podMetadataFor, podMetadataManaged } from './pod-metadata.js';
import { callActivity } from './activities.js';
import type { Lock } from './lock.js';
import { INJECTED_ANTI_AFFINITY } from './patches.js';
import { replicaSetName, type Revision, type RolloutState, type TrackedReplicaSet } from './state.js';
import { cancelScaleDown } from './scale-downs.js';
import { trackAvailability } from './availability.js';

function routeText(routing: TrafficRouting): string {
  const vs = routing.istio.virtualServices.map((v) => {
    const name = v.namespace ? `${v.namespace}/${v.name}` : v.name;
    return v.routes.length ? `${name}/${v.routes.join(',')}` : name;
  });
  const dr = routing.istio.destinationRule ? [`DestinationRule ${routing.istio.destinationRule.name}`] : [];
  return [...vs, ...dr].join(', ');
}

/**
 * A write of spec.replicas, mirrored into what was last observed of the ReplicaSet's status: the
 * ReplicaSet controller creates the missing pods or deletes the surplus (unready first) at once, and
 * status.replicas counts no terminating pod, so Argo shows these counts a moment after the write;
 * nothing looks again until the next wait, and an idle rollout never does. Pods becoming ready later
 * are not seen until then. Only counts a wait returned are moved (states from before have none), and
 * availableReplicas, which the basic canary's math reads, stays as it always did.
 */
function observeScale(rs: TrackedReplicaSet, replicas: number): void {
  if (rs.replicas !== undefined) rs.replicas = replicas;
  if (rs.readyReplicas !== undefined) rs.readyReplicas = Math.min(rs.readyReplicas, replicas);
}

/** A scale written: the new spec.replicas, and at zero no pod available (as it always was). */
function scaledTo(rs: TrackedReplicaSet, replicas: number): void {
  rs.desiredReplicas = replicas;
  if (replicas === 0) rs.availableReplicas = 0;
  observeScale(rs, replicas);
}

export class ClusterWriter {
  constructor(
    private readonly state: RolloutState,
    private readonly lock: Lock,
  ) {}

  private get def() {
    return this.state.definition;
  }

  /**
   * Creates (or reuses) the revision's ReplicaSet and scales it; cancels a pending scale-down of it.
   * Its pods carry their role's ephemeral metadata from the start (Argo's sync.go).
   */
  async ensureReplicaSet(rev: Revision, replicas: number): Promise<void> {
    const name = replicaSetName(this.def.name, rev.hash);
    // Argo's injected anti-affinity against the stable's pods; the hash (rev.hash) is the template's own.
    const strategy = rev.definition.canary.antiAffinity;
    const stableHash = this.state.stable?.hash;
    const antiAffinity =
      strategy !== undefined && patched(INJECTED_ANTI_AFFINITY)
        ? { strategy, ...(stableHash !== undefined ? { stableHash } : {}) }
        : undefined;
    const template = antiAffinity
      ? replicaSetTemplate(rev.definition.template, strategy, {
          namespace: this.def.namespace,
          ...(stableHash !== undefined ? { stableHash } : {}),
          newHash: rev.hash,
        })
      : rev.definition.template;
    const podMetadata = podMetadataManaged(this.state) ? podMetadataFor(this.state, rev.hash) : undefined;
    await this.lock.run(async () => {
      const tracked = this.state.replicaSet(rev.hash);
      cancelScaleDown(tracked);
      await callActivity(
        'ensureReplicaSet',
        `ensure ReplicaSet ${name} (revision ${rev.number}, ${replicas} replicas)`,
        {
          namespace: this.def.namespace,
          rollout: this.def.name,
          podTemplateHash: rev.hash,
          revision: rev.number,
          selector: rev.definition.selector.matchLabels,
          template,
          replicas,
          ...(rev.definition.minReadySeconds ? { minReadySeconds: rev.definition.minReadySeconds } : {}),
          ...(antiAffinity ? { antiAffinity } : {}),
          ...(podMetadata !== undefined ? { podMetadata } : {}),
          ...(this.state.data.cluster
            ? { owner: { name: this.def.name, uid: this.state.data.cluster.uid } }
            : {}),
        },
      );
      this.state.trackReplicaSet({
        name,
        hash: rev.hash,
        revision: rev.number,
        desiredReplicas: replicas,
        templateDigest: tracked?.templateDigest ?? podTemplateDigest(rev.definition.template),
        ...(podMetadata !== undefined ? { podMetadata } : {}),
      });
      if (tracked) observeScale(tracked, replicas); // a ReplicaSet reused is scaled too
    });
  }

  /** A role's ephemeral metadata onto a ReplicaSet's template and pods (null removes the last role's). */
  async syncPodMetadata(rs: TrackedReplicaSet, podMetadata: PodMetadata | null): Promise<void> {
    const what =
      podMetadata === null ? 'remove ephemeral pod metadata from' : 'sync ephemeral pod metadata to';
    await this.lock.run(async () => {
      await callActivity('syncPodMetadata', `${what} ${rs.name}`, {
        namespace: this.def.namespace,
        name: rs.name,
        podMetadata,
      });
      rs.podMetadata = podMetadata;
    });
  }

  async scale(hash: string, replicas: number): Promise<void> {
    const tracked = this.state.replicaSet(hash);
    const name = tracked?.name ?? replicaSetName(this.def.name, hash);
    await this.lock.run(async () => {
      cancelScaleDown(tracked);
      if (tracked?.desiredReplicas === replicas) return;
      await callActivity('scaleReplicaSet', `scale ${name} to ${replicas}`, {
        namespace: this.def.namespace,
        name,
        replicas,
      });
      if (tracked) scaledTo(tracked, replicas);
    });
  }

  /** The delayed scale-down, unless a scale-up took the ReplicaSet back while it waited for the lock. */
  async scaleDownIfDue(rs: TrackedReplicaSet, dueAt: number): Promise<boolean> {
    return this.lock.run(async () => {
      if (rs.scaleDownAt !== dueAt) return false;
      await callActivity('scaleReplicaSet', `scale down ${rs.name} (delay elapsed)`, {
        namespace: this.def.namespace,
        name: rs.name,
        replicas: 0,
      });
      cancelScaleDown(rs);
      scaledTo(rs, 0);
      return true;
    });
  }

  async pointService(service: string | undefined, hash: string): Promise<void> {
    if (!service) return;
    await this.lock.run(async () => {
      await callActivity('setServiceSelector', `point Service ${service} at ${hash}`, {
        namespace: this.def.namespace,
        service,
        rollout: this.def.name,
        podTemplateHash: hash,
      });
      this.state.data.serviceHashes = { ...this.state.data.serviceHashes, [service]: hash };
    });
  }

  /** Subset-level routing points the DestinationRule's subsets at the hashes. */
  async updateTrafficHashes(canaryHash: string, stableHash: string): Promise<void> {
    const routing = this.def.canary.trafficRouting;
    if (!routing?.istio.destinationRule) return;
    await this.lock.run(() =>
      callActivity(
        'updateTrafficHashes',
        `point subsets of ${routing.istio.destinationRule?.name} at ${canaryHash}/${stableHash}`,
        {
          namespace: this.def.namespace,
          rollout: this.def.name,
          routing,
          canaryHash,
          stableHash,
        },
      ),
    );
  }

  /** Routes `canaryWeight`% to the canary; without a router the weight is only recorded. */
  async setWeight(canaryWeight: number): Promise<WeightResult | undefined> {
    const { canary } = this.def;
    const routing = canary.trafficRouting;
    if (!routing) {
      this.state.data.weights = { canary: canaryWeight, stable: 100 - canaryWeight };
      return undefined;
    }
    const result = await this.lock.run(() =>
      callActivity('setTrafficWeight', `set weight ${canaryWeight}% on ${routeText(routing)}`, {
        namespace: this.def.namespace,
        rollout: this.def.name,
        routing,
        canaryService: canary.canaryService,
        stableService: canary.stableService,
        canaryWeight,
      }),
    );
    this.state.data.weights = { ...result };
    return result;
  }

  /**
   * A weight step's traffic as one activity: `rev`'s `replicas` pods looked at, the Services of
   * `selectors` put back on their hashes, then `canaryWeight`% routed, unless the pods were gone.
   * Says whether the weight was written (the caller then waits for the pods the usual way).
   */
  async shiftTraffic(
    rev: Revision,
    replicas: number,
    selectors: { service: string; hash: string }[],
    canaryWeight: number,
  ): Promise<boolean> {
    const { canary } = this.def;
    const routing = canary.trafficRouting;
    if (!routing) throw new Error('shiftTraffic needs a traffic router');
    const name = replicaSetName(this.def.name, rev.hash);
    const result = await this.lock.run(() =>
      callActivity(
        'shiftTraffic',
        `set weight ${canaryWeight}% on ${routeText(routing)} once ${replicas} pods of ${name} are seen available`,
        {
          canaryPods: {
            namespace: this.def.namespace,
            name,
            replicas,
            minReadySeconds: this.def.minReadySeconds,
          },
          selectors: selectors.map(({ service, hash }) => ({
            namespace: this.def.namespace,
            service,
            rollout: this.def.name,
            podTemplateHash: hash,
          })),
          weight: {
            namespace: this.def.namespace,
            rollout: this.def.name,
            routing,
            canaryService: canary.canaryService,
            stableService: canary.stableService,
            canaryWeight,
          },
        },
      ),
    );
    for (const { service, hash } of selectors)
      this.state.data.serviceHashes = { ...this.state.data.serviceHashes, [service]: hash };
    if (result.canary) trackAvailability(this.state, rev, result.canary);
    if (!result.weights) return false;
    this.state.data.weights = { ...result.weights };
    return true;
  }

  /** Deletes old ReplicaSets at zero replicas beyond `revisionHistoryLimit`. */
  async prune(): Promise<void> {
    const keep = [this.state.desired.hash, ...(this.state.stable ? [this.state.stable.hash] : [])];
    const limit = this.def.revisionHistoryLimit;
    const result = await this.lock.run(() =>
      callActivity(
        'pruneReplicaSets',
        `prune ReplicaSets of ${this.def.name} beyond ${limit} old revisions`,
        {
          namespace: this.def.namespace,
          rollout: this.def.name,
          keep,
          revisionHistoryLimit: limit,
        },
      ),
    );
    this.state.forgetReplicaSets(result.deleted);
  }
}
