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
  ShiftTrafficInput,
  ShiftTrafficResult,
  SyncPodMetadataInput,
  UpdateHashInput,
  WaitForAvailableInput,
  StampedRolloutStatus,
  WriteRolloutStatusInput,
  MirrorAnalysisRunInput,
  MirrorAnalysisRunResult,
} from '../../activities/interface.js';
import { permanentFailure } from '../../activities/errors.js';
import { injectedAntiAffinityNeedsUpdate } from '../../core/affinity.js';
import type { MeasureInput, MeasureResult } from '../../core/analysis/types.js';
import { PermanentFailureType } from '../../core/failures.js';
import {
  analysisRunBaseName,
  analysisRunObject,
  analysisRunsToDelete,
  collisionName,
  RUN_ID_ANNOTATION,
  SEQUENCE_ANNOTATION,
  WORKFLOW_ID_ANNOTATION,
  type AnalysisRunObject,
} from '../../core/cluster/analysis-run-object.js';
import { syncReplicaSetMetadata, type ObjectMetadata, type PodMetadata } from '../../core/pod-metadata.js';

export interface FakeReplicaSet {
  name: string;
  hash: string;
  revision: number;
  replicas: number;
  /** Pods available: a scale-down takes them at once, new ones count once the workflow waited for them. */
  available: number;
  image: string;
  /** The pod template's spec.affinity (Argo's injected anti-affinity lands here). */
  affinity?: unknown;
  /** The pod template's labels and annotations, ephemeral metadata included. */
  template: ObjectMetadata;
  /** The ReplicaSet's own annotations (the ephemeral-metadata one). */
  annotations: Record<string, string>;
  /** The Rollout object owning it (a rollout driven by its object), as its last ensure said. */
  owner?: { name: string; uid: string };
}

/** Pods and available pods over every ReplicaSet, after one call. */
export interface PodSample {
  call: string;
  pods: number;
  available: number;
}

export class FakeCluster {
  replicaSets = new Map<string, FakeReplicaSet>();
  selectors = new Map<string, string>();
  weights = { canary: 0, stable: 100 };
  calls: string[] = [];
  /** The totals after every call that changes them (maxSurge and maxUnavailable are about these). */
  samples: PodSample[] = [];
  /** Names of ReplicaSets whose pods never become available. */
  stuck = new Set<string>();
  /** What every measurement returns (a success rate of 99% unless a test says otherwise). */
  metric: MeasureResult = { value: [0.99] };
  measured: string[] = [];
  /** Pods created before the restartAt asked for; restartPods evicts one per call (no pod controller here). */
  podsToRestart = 0;
  /** Every status written onto the Rollout object, in order (kept apart from `calls`). */
  statusWrites: StampedRolloutStatus[] = [];
  /** Makes setTrafficWeight fail permanently with this message. */
  weightFailure?: string;
  /** The AnalysisRun objects by name, as the last write left them (kept apart from `calls`). */
  analysisRuns = new Map<string, AnalysisRunObject & { createdAt: number }>();
  /** Every mirrorAnalysisRun call, in order. */
  analysisRunWrites: MirrorAnalysisRunInput[] = [];
  /** Makes mirrorAnalysisRun fail permanently (Forbidden) with this message. */
  analysisRunFailure?: string;
  private analysisRunsMade = 0;

  /** As activities/analysis-runs.ts: the first free `<base>.N`, then writes never older than the one there. */
  private mirrorAnalysisRun(input: MirrorAnalysisRunInput): MirrorAnalysisRunResult {
    this.analysisRunWrites.push(structuredClone(input));
    if (this.analysisRunFailure)
      throw permanentFailure(PermanentFailureType.Forbidden, this.analysisRunFailure);
    const ours = (o: AnalysisRunObject) =>
      o.metadata.ownerReferences[0]?.uid === input.target.uid &&
      o.metadata.annotations[WORKFLOW_ID_ANNOTATION] === input.workflowId &&
      o.metadata.annotations[RUN_ID_ANNOTATION] === input.runId;
    let name = input.name;
    if (name === undefined) {
      const base = analysisRunBaseName(input.target);
      for (let n = 0; ; n++) {
        const candidate = collisionName(base, n);
        const existing = this.analysisRuns.get(candidate);
        if (!existing || ours(existing)) {
          name = candidate;
          break;
        }
      }
    }
    const existing = this.analysisRuns.get(name);
    let result: MirrorAnalysisRunResult;
    if (!existing) {
      if (input.name !== undefined) return { written: false, reason: 'deleted', gone: true };
      const object = analysisRunObject(
        input.target,
        {
          namespace: input.namespace,
          name,
          workflowId: input.workflowId,
          runId: input.runId,
          sequence: input.sequence,
        },
        { spec: { ...input.spec, ...(input.terminate ? { terminate: true } : {}) }, status: input.status },
      );
      this.analysisRuns.set(name, { ...object, createdAt: ++this.analysisRunsMade });
      result = { name, written: true };
    } else if (!ours(existing)) {
      return { written: false, reason: 'replaced', gone: true };
    } else if (Number(existing.metadata.annotations[SEQUENCE_ANNOTATION]) >= input.sequence) {
      result = { name, written: false, reason: 'not newer' };
    } else {
      existing.metadata.annotations[SEQUENCE_ANNOTATION] = String(input.sequence);
      if (input.terminate) existing.spec = { ...existing.spec, terminate: true };
      existing.status = input.status;
      result = { name, written: true };
    }
    if (!input.prune) return result;
    const hashes = new Map([...this.replicaSets.values()].map((rs) => [rs.hash, false] as const));
    const others = [...this.analysisRuns.values()]
      .filter((o) => o.metadata.name !== name && o.metadata.ownerReferences[0]?.uid === input.target.uid)
      .map((o) => ({
        name: o.metadata.name,
        podHash: o.metadata.labels['rollouts-pod-template-hash'],
        phase: String(o.status.phase),
        createdAt: new Date(o.createdAt * 1000).toISOString(),
        revision: Number(o.metadata.annotations['rollout.argoproj.io/revision']),
      }));
    const deleted = analysisRunsToDelete(others, hashes);
    for (const doomed of deleted) this.analysisRuns.delete(doomed);
    return deleted.length ? { ...result, deleted } : result;
  }
  /** Argo's sync of a role's metadata onto the ReplicaSet's template (its pods are the real activity's). */
  private syncMetadata(rs: FakeReplicaSet, podMetadata: PodMetadata | null): boolean {
    const next = syncReplicaSetMetadata({ annotations: rs.annotations, template: rs.template }, podMetadata);
    if (next === undefined) return false;
    rs.annotations = next.annotations ?? {};
    rs.template = next.template;
    return true;
  }

  /** Calls whose text starts with one of the prefixes, in order. */
  /** The calls of those kinds, a weight step's own (indented under shiftTraffic) included. */
  callsOf(...prefixes: string[]): string[] {
    return this.calls.map((c) => c.trimStart()).filter((c) => prefixes.some((p) => c.startsWith(p)));
  }

  private sample(call: string): void {
    let pods = 0;
    let available = 0;
    for (const rs of this.replicaSets.values()) {
      pods += rs.replicas;
      available += rs.available;
    }
    this.samples.push({ call, pods, available });
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
          // As the real activity: the affinity written again when Argo's would, then the revision.
          const { antiAffinity } = input;
          const context = {
            namespace: input.namespace,
            ...(antiAffinity?.stableHash !== undefined ? { stableHash: antiAffinity.stableHash } : {}),
            newHash: input.podTemplateHash,
          };
          if (
            antiAffinity &&
            (existing.revision < input.revision ||
              injectedAntiAffinityNeedsUpdate(existing.affinity, antiAffinity.strategy, context))
          ) {
            if (input.template.spec.affinity === undefined) delete existing.affinity;
            else existing.affinity = input.template.spec.affinity;
          }
          existing.revision = input.revision;
          if (input.owner) existing.owner = { ...input.owner };
          if (input.podMetadata !== undefined) this.syncMetadata(existing, input.podMetadata);
          existing.replicas = input.replicas;
          existing.available = Math.min(existing.available, input.replicas);
          this.sample(`ensureReplicaSet ${name} ${input.replicas}`);
          return Promise.resolve({ name, created: false });
        }
        const rs: FakeReplicaSet = {
          name,
          hash: input.podTemplateHash,
          revision: input.revision,
          replicas: input.replicas,
          available: 0,
          image: input.template.spec.containers[0]?.image ?? '',
          ...(input.template.spec.affinity !== undefined ? { affinity: input.template.spec.affinity } : {}),
          template: {
            labels: {
              ...input.template.metadata?.labels,
              'rollouts-pod-template-hash': input.podTemplateHash,
            },
            ...(input.template.metadata?.annotations
              ? { annotations: { ...input.template.metadata.annotations } }
              : {}),
          },
          annotations: {},
          ...(input.owner ? { owner: { ...input.owner } } : {}),
        };
        if (input.podMetadata !== undefined) this.syncMetadata(rs, input.podMetadata);
        this.replicaSets.set(name, rs);
        this.sample(`ensureReplicaSet ${name} ${input.replicas}`);
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
        rs.available = Math.min(rs.available, input.replicas);
        this.sample(`scaleReplicaSet ${input.name} ${input.replicas}`);
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
        const rs = this.replicaSets.get(input.name);
        if (rs) {
          rs.available = Math.max(rs.available, Math.min(input.replicas, rs.replicas));
          this.sample(`waitForReplicaSetAvailable ${input.name} ${input.replicas}`);
        }
        return { name: input.name, replicas: input.replicas, availableReplicas: input.replicas };
      },
      // The weight step's one activity: the same calls as apart, in one (the log says which were one).
      shiftTraffic: (input: ShiftTrafficInput): Promise<ShiftTrafficResult> => {
        const { name, replicas } = input.canaryPods;
        this.calls.push(`shiftTraffic ${name} ${replicas}`);
        for (const selector of input.selectors) {
          this.calls.push(`  setServiceSelector ${selector.service} ${selector.podTemplateHash}`);
          this.selectors.set(selector.service, selector.podTemplateHash);
        }
        const rs = this.replicaSets.get(name);
        if (!rs || this.stuck.has(name) || rs.available < replicas) return Promise.resolve({ canary: null });
        const canary = { name, replicas, availableReplicas: rs.available };
        this.calls.push(`  setTrafficWeight ${input.weight.canaryWeight}`);
        if (this.weightFailure)
          return Promise.reject(permanentFailure(PermanentFailureType.RouteNotFound, this.weightFailure));
        this.weights = { canary: input.weight.canaryWeight, stable: 100 - input.weight.canaryWeight };
        return Promise.resolve({ canary, weights: { ...this.weights, verified: true } });
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
      syncPodMetadata: (input: SyncPodMetadataInput) => {
        this.calls.push(`syncPodMetadata ${input.name} ${JSON.stringify(input.podMetadata)}`);
        const rs = this.replicaSets.get(input.name);
        if (!rs) return Promise.resolve({ replicaSetChanged: false, podsChanged: 0 });
        return Promise.resolve({
          replicaSetChanged: this.syncMetadata(rs, input.podMetadata),
          podsChanged: 0,
        });
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
      writeRolloutStatus: (input: WriteRolloutStatusInput) => {
        this.statusWrites.push(input.status);
        return Promise.resolve({ written: true });
      },
      mirrorAnalysisRun: (input: MirrorAnalysisRunInput) =>
        new Promise<MirrorAnalysisRunResult>((resolve) => resolve(this.mirrorAnalysisRun(input))),
    };
  }
}
