// Argo's reconcileEphemeralMetadata for the workflow: which metadata each ReplicaSet's pods carry
// (core/pod-metadata.ts decides by role), which tracked ReplicaSets do not carry theirs yet, and the
// sync of those, called wherever a role changes (first deploy, a canary's start and steps, the
// promotion, a canary abandoned) and by the control loop when a deploy changed only the metadata.
// Rollouts without canaryMetadata or stableMetadata never reach a patched() call or an activity here.
import { patched } from '@temporalio/workflow';
import { ephemeralMetadataFor, hasEphemeralMetadata, sameEphemeralMetadata } from '../core/pod-metadata.js';
import type { PodMetadata } from '../core/types.js';
import type { RolloutContext } from './context.js';
import { EPHEMERAL_POD_METADATA } from './patches.js';
import type { RolloutState, TrackedReplicaSet } from './state.js';

/**
 * The metadata is configured and this history manages it (histories from before never did). Calls
 * patched() once per run at most, the first time it is configured; the answer is carried.
 */
export function podMetadataManaged(state: RolloutState): boolean {
  if (!hasEphemeralMetadata(state.definition.canary)) return false;
  if (state.data.podMetadataManaged) return true;
  if (!patched(EPHEMERAL_POD_METADATA)) return false;
  state.data.podMetadataManaged = true;
  return true;
}

/** What the pods of the ReplicaSet with this hash carry now (null: no ephemeral metadata). */
export function podMetadataFor(state: RolloutState, hash: string): PodMetadata | null {
  return ephemeralMetadataFor(state.definition.canary, hash, {
    desiredHash: state.desired.hash,
    ...(state.stable ? { stableHash: state.stable.hash } : {}),
  });
}

/**
 * Tracked ReplicaSets whose pods do not carry their role's metadata, the new one first, then the
 * stable, then the others (Argo's order). No commands: the control loop's wait reads it.
 */
export function podMetadataOutOfSync(state: RolloutState): TrackedReplicaSet[] {
  if (!state.data.podMetadataManaged || !hasEphemeralMetadata(state.definition.canary)) return [];
  const order = (rs: TrackedReplicaSet) =>
    rs.hash === state.desired.hash ? 0 : rs.hash === state.stable?.hash ? 1 : 2;
  return state.data.replicaSets
    .filter((rs) => {
      const wanted = podMetadataFor(state, rs.hash);
      // Never given any (made before, or while none was configured): nothing of ours to remove.
      if (rs.podMetadata === undefined) return wanted !== null;
      return !sameEphemeralMetadata(rs.podMetadata, wanted);
    })
    .sort((a, b) => order(a) - order(b));
}

/** Gives every tracked ReplicaSet (template and pods) its role's metadata, removing the last role's. */
export async function syncPodMetadata(ctx: RolloutContext): Promise<void> {
  if (!podMetadataManaged(ctx.state)) return;
  for (const rs of podMetadataOutOfSync(ctx.state))
    await ctx.cluster.syncPodMetadata(rs, podMetadataFor(ctx.state, rs.hash));
}
