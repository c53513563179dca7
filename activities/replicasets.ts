// ReplicaSets named `<rollout>-<podTemplateHash>`: created from the Rollout's pod template (reused
// when they exist), scaled, watched until available, and pruned beyond revisionHistoryLimit.
import { rolloutControllerRef } from '../core/cluster/owner.js';
import { Context } from '@temporalio/activity';
import type { KubernetesObject } from '@kubernetes/client-node';
import type {
  EnsureReplicaSetInput,
  EnsureReplicaSetResult,
  PruneReplicaSetsInput,
  PruneResult,
  ReplicaSetAvailability,
  ScaleReplicaSetInput,
  RolloutOwner,
  WaitForAvailableInput,
} from './interface.js';
import { injectedAntiAffinityNeedsUpdate } from '../core/affinity.js';
import { isObject } from '../core/json.js';
import { syncReplicaSetMetadata } from '../core/pod-metadata.js';
import { POD_TEMPLATE_HASH_LABEL } from '../core/types.js';
import { syncPodMetadata } from './pod-metadata.js';
import type { Kube, ObjectRef } from './kube.js';

/** Which rollout a ReplicaSet belongs to (there is no Rollout object in the cluster to own it). */
export const ROLLOUT_LABEL = 'rollouts.temporal.io/rollout';
/** Argo's revision annotation, so its tooling reads our ReplicaSets too. */
export const REVISION_ANNOTATION = 'rollout.argoproj.io/revision';

interface ReplicaSet extends KubernetesObject {
  spec?: { replicas?: number; selector?: unknown; template?: unknown; minReadySeconds?: number };
  status?: {
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    observedGeneration?: number;
  };
}

/**
 * A merge patch that leaves exactly `affinity` in place: lists are replaced whole by a merge patch, and
 * every key `affinity` lacks is set to null (deleted). Node and pod affinity are the template's own,
 * unchanged for one hash.
 */
export function affinityMergePatch(affinity: unknown): unknown {
  if (!isObject(affinity)) return null;
  const anti = affinity.podAntiAffinity;
  return {
    nodeAffinity: affinity.nodeAffinity ?? null,
    podAffinity: affinity.podAffinity ?? null,
    podAntiAffinity: isObject(anti)
      ? {
          preferredDuringSchedulingIgnoredDuringExecution:
            anti.preferredDuringSchedulingIgnoredDuringExecution ?? null,
          requiredDuringSchedulingIgnoredDuringExecution:
            anti.requiredDuringSchedulingIgnoredDuringExecution ?? null,
        }
      : null,
  };
}

/** The Rollout as the ReplicaSet's controller: the garbage collector deletes it with the Rollout. */
export function rolloutOwnerReference(owner: RolloutOwner) {
  return rolloutControllerRef({ rollout: owner.name, uid: owner.uid });
}

const ref = (namespace: string, name: string): ObjectRef => ({
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  namespace,
  name,
});

export class ReplicaSets {
  constructor(
    private readonly kube: Kube,
    /** How often to look at a ReplicaSet while waiting for its pods. */
    private readonly pollMs = 1000,
  ) {}

  async ensure(input: EnsureReplicaSetInput): Promise<EnsureReplicaSetResult> {
    const name = `${input.rollout}-${input.podTemplateHash}`;
    const at = ref(input.namespace, name);
    const labels = {
      ...(input.template.metadata?.labels ?? {}),
      [POD_TEMPLATE_HASH_LABEL]: input.podTemplateHash,
    };
    // The role's ephemeral metadata on the new pod template, remembered in the annotation (Argo's
    // sync.go); the name's hash is of the Rollout's template, without it.
    const injected =
      input.podMetadata === undefined
        ? undefined
        : syncReplicaSetMetadata(
            { annotations: {}, template: { ...(input.template.metadata ?? {}), labels } },
            input.podMetadata,
          );
    const body: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name,
        namespace: input.namespace,
        labels: { ...labels, [ROLLOUT_LABEL]: input.rollout },
        annotations: { ...injected?.annotations, [REVISION_ANNOTATION]: String(input.revision) },
        ...(input.owner ? { ownerReferences: [rolloutOwnerReference(input.owner)] } : {}),
      },
      spec: {
        replicas: input.replicas,
        ...(input.minReadySeconds ? { minReadySeconds: input.minReadySeconds } : {}),
        selector: { matchLabels: { ...input.selector, [POD_TEMPLATE_HASH_LABEL]: input.podTemplateHash } },
        template: {
          ...input.template,
          metadata: injected?.template ?? { ...(input.template.metadata ?? {}), labels },
        },
      },
    };
    const created = await this.kube.createUnlessExists(at, body);
    if (created) return { name, created: true };
    // It exists: its template and pods get the role's metadata first (Argo's reconcile does it next).
    if (input.podMetadata !== undefined)
      await syncPodMetadata(this.kube, { namespace: input.namespace, name, podMetadata: input.podMetadata });
    // It exists (a retry, or a template seen before): reuse it with the revision and scale asked for.
    const affinity = input.antiAffinity ? await this.affinityUpdate(at, input) : undefined;
    await this.kube.mergePatch(at, {
      metadata: {
        annotations: { [REVISION_ANNOTATION]: String(input.revision) },
        // Adopted by the Rollout object that now drives it (a rollout first applied by hand, or re-created).
        ...(input.owner ? { ownerReferences: [rolloutOwnerReference(input.owner)] } : {}),
      },
      spec: {
        replicas: input.replicas,
        ...(affinity !== undefined ? { template: { spec: { affinity } } } : {}),
      },
    });
    return { name, created: false };
  }

  /**
   * Argo's syncReplicaSetRevision writes GenerateReplicaSetAffinity into the new ReplicaSet again when
   * its revision goes up (a template seen before comes back) or its injected term avoids another stable
   * than the current one. Returns the merge patch of spec.template.spec.affinity, or undefined.
   */
  private async affinityUpdate(at: ObjectRef, input: EnsureReplicaSetInput): Promise<unknown> {
    const { strategy, stableHash } = input.antiAffinity ?? {};
    const live = await this.kube.read<ReplicaSet>(at);
    const liveRevision = Number(live.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0);
    const template = live.spec?.template as { spec?: { affinity?: unknown } } | undefined;
    const context = {
      namespace: input.namespace,
      ...(stableHash !== undefined ? { stableHash } : {}),
      newHash: input.podTemplateHash,
    };
    const needed =
      liveRevision < input.revision ||
      injectedAntiAffinityNeedsUpdate(template?.spec?.affinity, strategy, context);
    return needed ? affinityMergePatch(input.template.spec.affinity) : undefined;
  }

  async scale(input: ScaleReplicaSetInput): Promise<void> {
    await this.kube.mergePatch(ref(input.namespace, input.name), { spec: { replicas: input.replicas } });
  }

  /**
   * Polls (not a busy loop) and heartbeats until availableReplicas reaches the target and the pods
   * beyond spec.replicas are gone. The ReplicaSet controller writes the status of a scale-down from the
   * pods it had before deleting any, then the lower count at its next sync: that first status is
   * not the one to remember (nothing looks again once the rollout is idle), and Argo's step waits for
   * status.replicas to come down too (replicaset.allDesiredAreCreated).
   */
  async waitForAvailable(input: WaitForAvailableInput): Promise<ReplicaSetAvailability> {
    const context = Context.current();
    for (;;) {
      const { availability, available } = await this.look(input);
      if (availability) return availability;
      context.heartbeat({ availableReplicas: available });
      await context.sleep(this.pollMs); // throws when the workflow cancels the wait
    }
  }

  /** One look: the availability when the ReplicaSet has the pods now, else null. */
  async availableNow(input: WaitForAvailableInput): Promise<ReplicaSetAvailability | null> {
    return (await this.look(input)).availability ?? null;
  }

  private async look(
    input: WaitForAvailableInput,
  ): Promise<{ availability?: ReplicaSetAvailability; available: number }> {
    const rs = await this.kube.read<ReplicaSet>(ref(input.namespace, input.name));
    const available = rs.status?.availableReplicas ?? 0;
    const replicas = rs.status?.replicas ?? 0;
    const current = (rs.status?.observedGeneration ?? 0) >= (rs.metadata?.generation ?? 0);
    const noSurplus = replicas <= (rs.spec?.replicas ?? 1); // the API server defaults it to 1
    if (!current || !noSurplus || available < input.replicas) return { available };
    return {
      available,
      availability: {
        name: input.name,
        replicas: input.replicas,
        availableReplicas: available,
        statusReplicas: replicas,
        readyReplicas: rs.status?.readyReplicas ?? 0,
      },
    };
  }

  /**
   * Argo's history limit: of this rollout's old ReplicaSets (all but `keep`), newest first, those beyond
   * `revisionHistoryLimit` are deleted once they are at zero replicas. One still waiting for its delayed
   * scale-down counts towards the limit, and stays until a later prune.
   */
  async prune(input: PruneReplicaSetsInput): Promise<PruneResult> {
    const all = await this.kube.list<ReplicaSet>(
      'apps/v1',
      'ReplicaSet',
      input.namespace,
      `${ROLLOUT_LABEL}=${input.rollout}`,
    );
    const revision = (rs: ReplicaSet) => Number(rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? 0);
    const old = all
      .filter((rs) => !input.keep.includes(rs.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL] ?? ''))
      .sort((a, b) => revision(b) - revision(a));
    const deleted: string[] = [];
    for (const rs of old.slice(input.revisionHistoryLimit)) {
      const name = rs.metadata?.name;
      if (!name || (rs.spec?.replicas ?? 0) !== 0) continue;
      await this.kube.delete(ref(input.namespace, name));
      deleted.push(name);
    }
    return { deleted };
  }
}
