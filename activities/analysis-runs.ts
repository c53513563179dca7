// An AnalysisRun workflow's state written onto its `argoproj.io/v1alpha1` AnalysisRun object, so that
// `kubectl argo rollouts get rollout` and `kubectl get analysisruns` show it. The workflow is the source
// of truth and calls this at every change of its state; this write only carries it out: it makes the
// object under Argo's name (the next free `<base>.N` when the name is another run's, as Argo's
// CreateWithCollisionCounter), then replaces its status, never with an older write than the one there
// (the sequence annotation). The CRD has no status subresource: the status is written with the object.
// Once the run has ended, the rollout's older runs beyond Argo's history limits are deleted.
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  ANALYSIS_RUN_API_VERSION,
  ANALYSIS_RUN_KIND,
  analysisRunAnnotations,
  analysisRunBaseName,
  analysisRunLabels,
  analysisRunObject,
  analysisRunsToDelete,
  collisionName,
  REVISION_ANNOTATION,
  RUN_ID_ANNOTATION,
  SEQUENCE_ANNOTATION,
  WORKFLOW_ID_ANNOTATION,
  type KeptRun,
} from '../core/cluster/analysis-run-object.js';
import { POD_TEMPLATE_HASH_LABEL } from '../core/types.js';
import { PermanentFailureType } from '../core/failures.js';
import { classifyKubeError, permanentFailure, transientFailure } from './errors.js';
import type { MirrorAnalysisRunInput, MirrorAnalysisRunResult } from './interface.js';
import { labelSelector, type Kube, type ObjectRef } from './kube.js';
import { ROLLOUT_LABEL } from './replicasets.js';

interface AnalysisRunObject extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** Names tried before giving up: a run retried this often within one revision is not a real case. */
const MAX_COLLISIONS = 100;

const ref = (namespace: string, name: string): ObjectRef => ({
  apiVersion: ANALYSIS_RUN_API_VERSION,
  kind: ANALYSIS_RUN_KIND,
  namespace,
  name,
});

/** The object is this run's: owned by its Rollout object and made for its workflow's run. */
function isOurs(object: KubernetesObject, input: MirrorAnalysisRunInput): boolean {
  const controller = object.metadata?.ownerReferences?.find((owner) => owner.controller === true);
  const annotations = object.metadata?.annotations;
  return (
    controller?.uid === input.target.uid &&
    annotations?.[WORKFLOW_ID_ANNOTATION] === input.workflowId &&
    annotations[RUN_ID_ANNOTATION] === input.runId
  );
}

function sequenceOf(object: KubernetesObject): number {
  const text = object.metadata?.annotations?.[SEQUENCE_ANNOTATION];
  const sequence = text === undefined ? NaN : Number(text);
  return Number.isFinite(sequence) ? sequence : 0;
}

function isConflict(err: unknown): boolean {
  return (err as { code?: unknown }).code === 409;
}

export async function mirrorAnalysisRun(
  kube: Kube,
  input: MirrorAnalysisRunInput,
): Promise<MirrorAnalysisRunResult> {
  const result =
    input.name === undefined ? await createOrFind(kube, input) : await update(kube, input, input.name);
  if (input.prune && result.name !== undefined && !result.gone) {
    const deleted = await pruneOlderRuns(kube, input, result.name);
    if (deleted.length) return { ...result, deleted };
  }
  return result;
}

/** The first write: the object made under the first free name, or found (a retry whose answer was lost). */
async function createOrFind(kube: Kube, input: MirrorAnalysisRunInput): Promise<MirrorAnalysisRunResult> {
  const base = analysisRunBaseName(input.target);
  let collision = 0;
  for (let attempt = 0; attempt < MAX_COLLISIONS + 5 && collision <= MAX_COLLISIONS; attempt++) {
    const name = collisionName(base, collision);
    const at = ref(input.namespace, name);
    const existing = await kube.readIfExists<AnalysisRunObject>(at);
    if (existing) {
      if (isOurs(existing, input)) return update(kube, input, name, existing);
      // Another run's (an aborted revision retried, an Argo controller's): the next name, as Argo.
      collision += 1;
      continue;
    }
    const body = analysisRunObject(
      input.target,
      {
        namespace: input.namespace,
        name,
        workflowId: input.workflowId,
        runId: input.runId,
        sequence: input.sequence,
      },
      { spec: input.spec ?? { metrics: [] }, status: input.status },
    );
    if (input.terminate) body.spec = { ...body.spec, terminate: true };
    const created = await kube.createUnlessExists(at, body);
    if (created) return { name, written: true };
    // Made in between (409): read it again and decide again, at the same name.
  }
  throw permanentFailure(
    PermanentFailureType.Invalid,
    `AnalysisRun ${input.namespace}/${base}: every name up to ${collisionName(base, MAX_COLLISIONS)} is taken`,
  );
}

/** A later write: the status replaced, unless a newer (or this very) write is there already. */
async function update(
  kube: Kube,
  input: MirrorAnalysisRunInput,
  name: string,
  read?: AnalysisRunObject,
): Promise<MirrorAnalysisRunResult> {
  const at = ref(input.namespace, name);
  let current = read;
  for (let attempt = 1; attempt <= 5; attempt++) {
    current ??= await kube.readIfExists<AnalysisRunObject>(at);
    if (!current) return { written: false, reason: 'the AnalysisRun was deleted', gone: true };
    if (!isOurs(current, input))
      return { written: false, reason: 'the AnalysisRun was replaced by another', gone: true };
    const there = sequenceOf(current);
    if (there === input.sequence) return { name, written: false, reason: 'already written (a retry)' };
    if (there > input.sequence) return { name, written: false, reason: `a newer write is there (${there})` };
    const next: AnalysisRunObject = {
      ...current,
      metadata: {
        ...current.metadata,
        labels: { ...current.metadata?.labels, ...analysisRunLabels(input.target) },
        annotations: {
          ...current.metadata?.annotations,
          ...analysisRunAnnotations(input.target),
          [SEQUENCE_ANNOTATION]: String(input.sequence),
        },
      },
      // The spec stays as made; only the rollout's termination is added, as Argo's cancelAnalysisRun.
      spec: { ...(current.spec ?? {}), ...(input.terminate ? { terminate: true } : {}) },
      status: input.status,
    };
    try {
      await kube.api.replace(next, undefined, undefined, 'temporal-rollouts');
      return { name, written: true };
    } catch (err) {
      // Changed since it was read (someone's label, a `kubectl edit`): read again, decide again.
      if (!isConflict(err)) throw classifyKubeError(err, `AnalysisRun ${input.namespace}/${name}`);
      current = undefined;
    }
  }
  throw transientFailure(
    `AnalysisRun ${input.namespace}/${name}: still changing under us after 5 attempts (HTTP 409)`,
  );
}

/**
 * Argo's reconcileAnalysisRuns clean-up (FilterAnalysisRunsToDelete over the runs that are not
 * current): the rollout's runs beyond 5 Successful and 5 unsuccessful, and those whose ReplicaSet is
 * gone. This run, just ended, is the current one and stays.
 */
async function pruneOlderRuns(kube: Kube, input: MirrorAnalysisRunInput, ours: string): Promise<string[]> {
  const selector = labelSelector(input.target.selector);
  const [runs, replicaSets] = await Promise.all([
    kube.list<AnalysisRunObject>(ANALYSIS_RUN_API_VERSION, ANALYSIS_RUN_KIND, input.namespace, selector),
    kube.list<KubernetesObject>('apps/v1', 'ReplicaSet', input.namespace, selector),
  ]);
  const controllerUid = (object: KubernetesObject) =>
    object.metadata?.ownerReferences?.find((owner) => owner.controller === true)?.uid;
  const hashes = new Map<string, boolean>();
  for (const rs of replicaSets) {
    const owned =
      controllerUid(rs) === input.target.uid || rs.metadata?.labels?.[ROLLOUT_LABEL] === input.target.rollout;
    const hash = rs.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL];
    if (owned && hash !== undefined) hashes.set(hash, rs.metadata?.deletionTimestamp !== undefined);
  }
  const others: KeptRun[] = runs
    .filter(
      (run) =>
        controllerUid(run) === input.target.uid &&
        run.metadata?.name !== ours &&
        run.metadata?.deletionTimestamp === undefined,
    )
    .map((run) => {
      const podHash = run.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL];
      const phase = run.status?.phase;
      const createdAt = run.metadata?.creationTimestamp;
      const revision = Number(run.metadata?.annotations?.[REVISION_ANNOTATION]);
      return {
        name: run.metadata?.name ?? '',
        ...(podHash !== undefined ? { podHash } : {}),
        ...(typeof phase === 'string' ? { phase } : {}),
        createdAt: createdAt instanceof Date ? createdAt.toISOString() : String(createdAt ?? ''),
        ...(Number.isInteger(revision) ? { revision } : {}),
      };
    });
  const doomed = analysisRunsToDelete(others, hashes);
  for (const name of doomed) await kube.delete(ref(input.namespace, name));
  return doomed;
}
