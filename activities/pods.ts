// Argo's pod restart (rollout/restart.go), one round of it: the rollout's pods (its selector's, owned
// by one of its ReplicaSets) created before restartAt are evicted as far as the availability budget
// allows (core/restart.ts); a PodDisruptionBudget refusing one (429) leaves it for the next round.
// Idempotent: an evicted pod is terminating or gone, so a second call evicts no more than the budget.
import type { V1Pod } from '@kubernetes/client-node';
import { planRestart, type RestartPod } from '../core/restart.js';
import type { RestartPodsInput, RestartPodsResult } from './interface.js';
import { classifyKubeError, statusCode } from './errors.js';
import { labelSelector, type Kube } from './kube.js';
import { ROLLOUT_LABEL } from './replicasets.js';

interface ReplicaSet {
  metadata?: { uid?: string };
  spec?: { replicas?: number };
}

/** podutil.IsPodAvailable: Ready, for at least minReadySeconds, and not being deleted. */
function isAvailable(pod: V1Pod, minReadySeconds: number, now: number): boolean {
  if (pod.metadata?.deletionTimestamp) return false;
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds === 0) return true;
  const since = ready.lastTransitionTime ? new Date(ready.lastTransitionTime).getTime() : undefined;
  return since !== undefined && since + minReadySeconds * 1000 <= now;
}

export class Pods {
  constructor(private readonly kube: Kube) {}

  async restart(input: RestartPodsInput): Promise<RestartPodsResult> {
    const replicaSets = await this.kube.list<ReplicaSet>(
      'apps/v1',
      'ReplicaSet',
      input.namespace,
      `${ROLLOUT_LABEL}=${input.rollout}`,
    );
    const owners = new Set(replicaSets.map((rs) => rs.metadata?.uid).filter((uid) => uid !== undefined));
    const totalReplicas = replicaSets.reduce((sum, rs) => sum + (rs.spec?.replicas ?? 0), 0);
    const listed = await this.kube.list<V1Pod>('v1', 'Pod', input.namespace, labelSelector(input.selector));
    const pods = listed.filter((pod) => pod.metadata?.ownerReferences?.some((o) => owners.has(o.uid)));
    const now = Date.now();
    const plan = planRestart({
      restartAt: input.restartAt,
      replicas: input.replicas,
      ...(input.maxSurge !== undefined ? { maxSurge: input.maxSurge } : {}),
      ...(input.maxUnavailable !== undefined ? { maxUnavailable: input.maxUnavailable } : {}),
      totalReplicas,
      pods: pods.map((pod): RestartPod => ({
        name: pod.metadata?.name ?? '',
        createdAt: new Date(pod.metadata?.creationTimestamp ?? 0).getTime(),
        available: isAvailable(pod, input.minReadySeconds, now),
        terminating: pod.metadata?.deletionTimestamp !== undefined,
      })),
    });
    const evicted: string[] = [];
    for (const name of plan.candidates) {
      if (evicted.length >= plan.budget) break;
      if (await this.evict(input.namespace, name)) evicted.push(name);
    }
    return { needsRestart: plan.needsRestart, evicted };
  }

  /** Evicts (as Argo: a PodDisruptionBudget has its say); false when one refused it for now. */
  private async evict(namespace: string, name: string): Promise<boolean> {
    try {
      await this.kube.core.createNamespacedPodEviction({
        name,
        namespace,
        body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
      });
      return true;
    } catch (err) {
      const code = statusCode(err);
      if (code === 429) return false; // the disruption budget says not now
      if (code === 404) return true; // gone already: the retry of an eviction
      throw classifyKubeError(err, `Pod ${namespace}/${name} (eviction)`);
    }
  }
}
