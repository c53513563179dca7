// Stands in for the ReplicaSet controller and the kubelets on a control plane that has neither (the lab's
// etcd + kube-apiserver, the integration tests): every ReplicaSet gets the status a healthy one would
// have, `spec.replicas` pods ready and available, once a start-up delay has passed since it asked for that
// number. It only writes the `status` subresource, so it never fights with whoever owns the spec.
import { AppsV1Api, KubeConfig, type V1ReplicaSet } from '@kubernetes/client-node';

export interface PodSimulatorOptions {
  /** The cluster: a KubeConfig, or the path of a kubeconfig file. */
  kubeConfig: KubeConfig | string;
  /** Namespaces to look at; absent or empty: all of them. */
  namespaces?: string[];
  /** Only ReplicaSets matching this label selector, e.g. `rollouts.temporal.io/rollout`. */
  labelSelector?: string;
  /**
   * How long pods take to become available after a ReplicaSet first asks for a number of replicas:
   * milliseconds, or a function of the ReplicaSet (return Infinity to hold its pods back). Default 1000.
   */
  startupDelayMs?: number | ((rs: SimulatedReplicaSet) => number);
  /** How often ReplicaSets are listed. Default 250. */
  pollMs?: number;
  /** Called with each failed list or write (the simulator keeps going); default: ignored. */
  onError?: (err: unknown) => void;
}

export interface SimulatedReplicaSet {
  namespace: string;
  name: string;
  replicas: number;
}

/** One (ReplicaSet, spec.replicas) pair, from when it was first seen. */
interface Pending {
  uid: string;
  replicas: number;
  seenAt: number;
}

const key = (rs: V1ReplicaSet) => `${rs.metadata?.namespace ?? ''}/${rs.metadata?.name ?? ''}`;

export class PodSimulator {
  private readonly api: AppsV1Api;
  private readonly pending = new Map<string, Pending>();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  /** Bumped by every start(), so a pass that outlives a stop() + start() does not schedule a second loop. */
  private loop = 0;
  /** Status writes so far, as `namespace/name=replicas` (for tests and the lab's log). */
  readonly updates: string[] = [];
  /** Passes (lists) so far. */
  passes = 0;

  constructor(private readonly options: PodSimulatorOptions) {
    let config = options.kubeConfig;
    if (typeof config === 'string') {
      const file = config;
      config = new KubeConfig();
      config.loadFromFile(file);
    }
    this.api = config.makeApiClient(AppsV1Api);
  }

  /** Starts polling; one pass runs at once. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop++;
    this.schedule(0, this.loop);
  }

  /** Stops polling and waits for a pass in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(delayMs: number, loop: number): void {
    if (this.stopped || loop !== this.loop) return;
    this.timer = setTimeout(() => {
      this.running = this.syncOnce()
        .catch((err: unknown) => {
          this.options.onError?.(err); // e.g. the API server is down: try again later
          return this.options.pollMs ?? 250;
        })
        .then((next) => this.schedule(next, loop));
    }, delayMs);
  }

  private delayFor(rs: SimulatedReplicaSet): number {
    const delay = this.options.startupDelayMs ?? 1000;
    return typeof delay === 'function' ? delay(rs) : delay;
  }

  private async list(): Promise<V1ReplicaSet[]> {
    const labelSelector = this.options.labelSelector;
    const namespaces = this.options.namespaces ?? [];
    if (namespaces.length === 0)
      return (await this.api.listReplicaSetForAllNamespaces({ labelSelector })).items;
    const lists = await Promise.all(
      namespaces.map((namespace) => this.api.listNamespacedReplicaSet({ namespace, labelSelector })),
    );
    return lists.flatMap((l) => l.items);
  }

  /**
   * One pass: lists the ReplicaSets and writes the status of each one whose pods are due. Returns how
   * long to wait before the next pass (sooner than pollMs when a start-up delay ends before then).
   */
  async syncOnce(): Promise<number> {
    const pollMs = this.options.pollMs ?? 250;
    this.passes++;
    const now = Date.now();
    let next = pollMs;
    const seen = new Set<string>();
    for (const rs of await this.list()) {
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
      // Pods that already run for this count (a new template generation) stay up: no new delay.
      const alreadyUp = (status?.availableReplicas ?? 0) === replicas;
      if (!pending || pending.uid !== uid || pending.replicas !== replicas) {
        pending = { uid, replicas, seenAt: alreadyUp ? -Infinity : now };
        this.pending.set(id, pending);
      }
      const target = { namespace: rs.metadata?.namespace ?? '', name: rs.metadata?.name ?? '', replicas };
      const dueIn = pending.seenAt + this.delayFor(target) - now;
      if (dueIn > 0) {
        next = Math.min(next, dueIn);
        continue;
      }
      await this.writeStatus(rs, replicas, generation);
    }
    for (const id of this.pending.keys()) if (!seen.has(id)) this.pending.delete(id);
    return Math.max(next, 10);
  }

  private async writeStatus(rs: V1ReplicaSet, replicas: number, generation: number): Promise<void> {
    const name = rs.metadata?.name ?? '';
    const namespace = rs.metadata?.namespace ?? '';
    const body: V1ReplicaSet = {
      ...rs,
      apiVersion: 'apps/v1', // list items come without them
      kind: 'ReplicaSet',
      status: {
        ...rs.status,
        replicas,
        fullyLabeledReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
        observedGeneration: generation,
      },
    };
    try {
      // A replace carries the resourceVersion we listed: if the spec changed since, it fails with 409 and
      // the next pass looks again, so a status never describes a spec it did not see.
      await this.api.replaceNamespacedReplicaSetStatus({ name, namespace, body });
      this.updates.push(`${namespace}/${name}=${replicas}`);
    } catch (err) {
      this.options.onError?.(err);
    }
  }
}
