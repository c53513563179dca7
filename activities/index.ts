// The real activities: Kubernetes and Istio through @kubernetes/client-node. `createActivities`
// takes its clients (tests hand in their own); `createWorkerActivities` builds them, with `measure`, from KUBECONFIG.
import { mirrorAnalysisRun } from './analysis-runs.js';
import type { MetricActivities, RolloutActivities } from './interface.js';
import { createMetricActivities } from './metrics/index.js';
import { Kube } from './kube.js';
import { syncPodMetadata } from './pod-metadata.js';
import { Pods } from './pods.js';
import { ReplicaSets } from './replicasets.js';
import { writeRolloutStatus } from './rollout-status.js';
import { Services } from './services.js';
import { shiftTraffic } from './shift-traffic.js';
import { IstioRouter } from './trafficrouting/istio.js';
import type { TrafficRouter } from './trafficrouting/router.js';

export interface ActivityDeps {
  kube: Kube;
  router?: TrafficRouter;
  pollMs?: number;
}

export function createActivities(deps: ActivityDeps): RolloutActivities {
  const replicaSets = new ReplicaSets(deps.kube, deps.pollMs);
  const services = new Services(deps.kube);
  const pods = new Pods(deps.kube);
  const router = deps.router ?? new IstioRouter(deps.kube);
  return {
    ensureReplicaSet: (input) => replicaSets.ensure(input),
    scaleReplicaSet: (input) => replicaSets.scale(input),
    waitForReplicaSetAvailable: (input) => replicaSets.waitForAvailable(input),
    setServiceSelector: (input) => services.pointAt(input),
    updateTrafficHashes: (input) => router.updateHash(input),
    setTrafficWeight: (input) => router.setWeight(input),
    shiftTraffic: (input) => shiftTraffic({ replicaSets, services, router }, input),
    pruneReplicaSets: (input) => replicaSets.prune(input),
    syncPodMetadata: (input) => syncPodMetadata(deps.kube, input),
    restartPods: (input) => pods.restart(input),
    writeRolloutStatus: (input) => writeRolloutStatus(deps.kube, input),
    mirrorAnalysisRun: (input) => mirrorAnalysisRun(deps.kube, input),
  };
}

/**
 * Everything the worker registers: the cluster activities and `measure`, over one Kubernetes client
 * built from KUBECONFIG (client-node reads the variable itself, path lists included).
 */
export function createWorkerActivities(kubeconfig?: string): RolloutActivities & MetricActivities {
  const kube = Kube.fromKubeconfig(kubeconfig);
  return { ...createActivities({ kube }), ...createMetricActivities({ kube }) };
}
