// Stands in for the ReplicaSet controller, the kubelets and the garbage collector on a control plane that
// has none of them (the lab's etcd + kube-apiserver, the integration tests). Each pass lists the pods, then
// the ReplicaSets, once, and writes only what changes (lab/pods/plan.ts decides): every ReplicaSet keeps
// `spec.replicas` Pod objects made from its template, bound to one fake node; each becomes Running and
// Ready once its start-up delay has passed, and the ReplicaSet's status counts them. A pod deleted or
// evicted by someone else is finished off (the kubelet's final delete) and replaced; the pods of a deleted
// ReplicaSet go too. Only pods controlled by a ReplicaSet it sees are its own: others are left alone, and
// existing pods are never relabelled or replaced for a template change (ephemeral metadata).
// `pods: false` keeps its older behaviour: ReplicaSet status only, no Pod objects.
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import { Backoff } from './pods/backoff.js';
import { planPod, planReplicaSet } from './pods/convert.js';
import { LAB_NODE_NAME, podFromReplicaSet, podIP, runningStatus } from './pods/objects.js';
import { planPods, statusAfter, type PlanPod, type ReplicaSetCounts } from './pods/plan.js';
import { StatusOnlySimulation } from './pods/status-only.js';

export { LAB_NODE_NAME } from './pods/objects.js';

export interface PodSimulatorOptions {
  /** The cluster: a KubeConfig, or the path of a kubeconfig file. */
  kubeConfig: KubeConfig | string;
  /** Namespaces to look at; absent or empty: all of them. */
  namespaces?: string[];
  /**
   * Only ReplicaSets matching this label selector, e.g. `rollouts.temporal.io/rollout`. The pods of one
   * deleted are then deleted only if it was seen before (other pods may belong to ReplicaSets not listed).
   */
  labelSelector?: string;
  /**
   * How long a pod takes to become ready after it is created (with `pods: false`: after a ReplicaSet first
   * asks for a number of replicas): milliseconds, or a function of the ReplicaSet (return Infinity to hold
   * its pods back). Default 1000.
   */
  startupDelayMs?: number | ((rs: SimulatedReplicaSet) => number);
  /** How often pods and ReplicaSets are listed. Default 250. */
  pollMs?: number;
  /** Called with each failed list or write (the simulator keeps going); default: ignored. */
  onError?: (err: unknown) => void;
  /** Make Pod objects (default true); false: only write each ReplicaSet's status, as if its pods ran. */
  pods?: boolean;
  /** The node pods are bound to (no scheduler runs); default `lab-node`. */
  nodeName?: string;
}

export interface SimulatedReplicaSet {
  namespace: string;
  name: string;
  replicas: number;
}

const code = (err: unknown) => (err as { code?: unknown }).code;
const ref = (o: { metadata?: { namespace?: string; name?: string } }) =>
  `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

export class PodSimulator {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly nodeName: string;
  private readonly statusOnly?: StatusOnlySimulation;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  /** Bumped by every start(), so a pass that outlives a stop() + start() does not schedule a second loop. */
  private loop = 0;
  /** When each pod this simulator created was created (exact, unlike creationTimestamp), by uid. */
  private readonly created = new Map<string, number>();
  /** ReplicaSets seen, by uid (with a labelSelector: to tell one deleted from one no longer listed). */
  private readonly known = new Map<string, { namespace: string; name: string }>();
  private readonly gone = new Set<string>();
  /** Writes that failed (not with a conflict), by what they write. */
  private readonly backoff: Backoff;
  private nextIp = 0;
  /** ReplicaSet status writes so far, as `namespace/name=availableReplicas` (tests, the lab's log). */
  readonly updates: string[] = [];
  /** Pod writes so far: `create|ready|delete|finalize|orphan namespace/name`. */
  readonly podWrites: string[] = [];
  /** Passes (lists) so far. */
  passes = 0;

  constructor(private readonly options: PodSimulatorOptions) {
    let config = options.kubeConfig;
    if (typeof config === 'string') {
      const file = config;
      config = new KubeConfig();
      config.loadFromFile(file);
    }
    this.apps = config.makeApiClient(AppsV1Api);
    this.core = config.makeApiClient(CoreV1Api);
    this.nodeName = options.nodeName ?? LAB_NODE_NAME;
    this.backoff = new Backoff(Math.max(this.pollMs, 100));
    if (options.pods === false)
      this.statusOnly = new StatusOnlySimulation(
        (rs) => this.delayFor(rs),
        (rs, counts) => this.writeStatus(rs, counts),
      );
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

  private get pollMs(): number {
    return this.options.pollMs ?? 250;
  }

  private schedule(delayMs: number, loop: number): void {
    if (this.stopped || loop !== this.loop) return;
    this.timer = setTimeout(() => {
      this.running = this.syncOnce()
        .catch((err: unknown) => {
          this.options.onError?.(err); // e.g. the API server is down: try again later
          return this.pollMs;
        })
        .then((next) => this.schedule(next, loop));
    }, delayMs);
  }

  private delayFor(rs: SimulatedReplicaSet): number {
    const delay = this.options.startupDelayMs ?? 1000;
    return typeof delay === 'function' ? delay(rs) : delay;
  }

  private async listReplicaSets(): Promise<V1ReplicaSet[]> {
    const labelSelector = this.options.labelSelector;
    const namespaces = this.options.namespaces ?? [];
    if (namespaces.length === 0)
      return (await this.apps.listReplicaSetForAllNamespaces({ labelSelector })).items;
    const lists = await Promise.all(
      namespaces.map((namespace) => this.apps.listNamespacedReplicaSet({ namespace, labelSelector })),
    );
    return lists.flatMap((l) => l.items);
  }

  private async listPods(): Promise<V1Pod[]> {
    const namespaces = this.options.namespaces ?? [];
    if (namespaces.length === 0) return (await this.core.listPodForAllNamespaces()).items;
    const lists = await Promise.all(
      namespaces.map((namespace) => this.core.listNamespacedPod({ namespace })),
    );
    return lists.flatMap((l) => l.items);
  }

  /**
   * One pass: lists the pods, then the ReplicaSets (in that order: a pod whose owner is missing from the
   * later list has lost it) and does what is due. Returns how long to wait before the next pass (sooner
   * than pollMs when a start-up delay ends before then).
   */
  async syncOnce(): Promise<number> {
    this.passes++;
    if (this.statusOnly) {
      const next = await this.statusOnly.sync(await this.listReplicaSets(), Date.now(), this.pollMs);
      return Math.max(next, 10);
    }
    const listedPods = await this.listPods();
    const listedSets = await this.listReplicaSets();
    const now = Date.now();
    if (this.options.labelSelector) await this.findGone(listedSets);
    const byUid = new Map(listedPods.map((p) => [p.metadata?.uid ?? '', p]));
    // Pods created by an earlier pass that this list does not have are gone.
    for (const uid of this.created.keys()) if (!byUid.has(uid)) this.created.delete(uid);
    const sets = new Map(listedSets.map((rs) => [rs.metadata?.uid ?? '', rs]));
    const pods = listedPods.map((pod) => planPod(pod, this.created.get(pod.metadata?.uid ?? '')));
    const plan = planPods({
      replicaSets: listedSets.map((rs) => {
        const target = {
          namespace: rs.metadata?.namespace ?? '',
          name: rs.metadata?.name ?? '',
          replicas: rs.spec?.replicas ?? 1,
        };
        return planReplicaSet(rs, this.delayFor(target));
      }),
      pods,
      now,
      nodeName: this.nodeName,
      listedAll: !this.options.labelSelector,
      goneOwners: this.gone,
    });

    for (const step of plan.replicaSets) {
      const rs = sets.get(step.replicaSet.uid)!;
      let notCreated = 0;
      for (let i = 0; i < step.create; i++)
        if (!(await this.createPod(rs, now))) {
          notCreated = step.create - i;
          break;
        }
      let deleteFailed = false;
      for (const pod of step.delete) if (!(await this.deletePod(pod, 'delete'))) deleteFailed = true;
      let notReady = 0;
      for (const pod of step.markReady) if (!(await this.markReady(byUid.get(pod.uid)!, now))) notReady++;
      const counts = statusAfter(step, { notCreated, notReady });
      if (counts && !deleteFailed) await this.writeStatus(rs, counts);
    }
    for (const pod of plan.finalize) await this.deletePod(pod, 'finalize');
    for (const pod of plan.orphans) await this.deletePod(pod, 'orphan');

    this.backoff.prune(now);
    const owners = new Set(pods.map((pod) => pod.controllerUid));
    for (const uid of this.gone) if (!owners.has(uid)) this.gone.delete(uid);
    return Math.max(Math.min(this.pollMs, plan.nextDueIn), 10);
  }

  /** With a labelSelector: a ReplicaSet seen before and no longer listed is gone if reading it says so. */
  private async findGone(listed: V1ReplicaSet[]): Promise<void> {
    const uids = new Set(listed.map((rs) => rs.metadata?.uid ?? ''));
    for (const [uid, { namespace, name }] of this.known) {
      if (uids.has(uid)) continue;
      try {
        const rs = await this.apps.readNamespacedReplicaSet({ name, namespace });
        if (rs.metadata?.uid !== uid) this.gone.add(uid); // another one of the same name
      } catch (err) {
        if (code(err) !== 404) throw err;
        this.gone.add(uid);
      }
      this.known.delete(uid); // gone, or relabelled out of the selector: not ours to look at either way
    }
    for (const rs of listed)
      this.known.set(rs.metadata?.uid ?? '', {
        namespace: rs.metadata?.namespace ?? '',
        name: rs.metadata?.name ?? '',
      });
  }

  /** Runs `write` unless `id` failed lately; a failure other than a conflict holds the next try back. */
  private async attempt(id: string, now: number, write: () => Promise<void>): Promise<boolean> {
    if (!this.backoff.allows(id, now)) return false;
    try {
      await write();
      this.backoff.succeeded(id);
      return true;
    } catch (err) {
      this.options.onError?.(err);
      if (code(err) !== 409) this.backoff.failed(id, Date.now());
      return false;
    }
  }

  private createPod(rs: V1ReplicaSet, now: number): Promise<boolean> {
    return this.attempt(`create:${rs.metadata?.uid ?? ''}`, now, async () => {
      const pod = await this.core.createNamespacedPod({
        namespace: rs.metadata?.namespace ?? '',
        body: podFromReplicaSet(rs, this.nodeName),
      });
      this.created.set(pod.metadata?.uid ?? '', Date.now());
      this.podWrites.push(`create ${ref(pod)}`);
    });
  }

  private markReady(pod: V1Pod, now: number): Promise<boolean> {
    return this.attempt(`ready:${pod.metadata?.uid ?? ''}`, now, async () => {
      const status = runningStatus(pod, new Date(now), podIP(this.nextIp++));
      // The listed resourceVersion: a pod changed since (relabelled, evicted) fails with 409 and waits
      // for the next pass.
      await this.core.replaceNamespacedPodStatus({
        name: pod.metadata?.name ?? '',
        namespace: pod.metadata?.namespace ?? '',
        body: { ...pod, apiVersion: 'v1', kind: 'Pod', status },
      });
      this.podWrites.push(`ready ${ref(pod)}`);
    });
  }

  /** Deletes at once (the simulated kubelet has nothing to stop); one gone or replaced already is fine. */
  private async deletePod(pod: PlanPod, why: 'delete' | 'finalize' | 'orphan'): Promise<boolean> {
    try {
      await this.core.deleteNamespacedPod({
        name: pod.name,
        namespace: pod.namespace,
        gracePeriodSeconds: 0,
        body: { gracePeriodSeconds: 0, preconditions: { uid: pod.uid } },
      });
      this.podWrites.push(`${why} ${pod.namespace}/${pod.name}`);
      return true;
    } catch (err) {
      if (code(err) === 404 || code(err) === 409) return true;
      this.options.onError?.(err);
      return false;
    }
  }

  private async writeStatus(rs: V1ReplicaSet, counts: ReplicaSetCounts): Promise<void> {
    const name = rs.metadata?.name ?? '';
    const namespace = rs.metadata?.namespace ?? '';
    const body: V1ReplicaSet = {
      ...rs,
      apiVersion: 'apps/v1', // list items come without them
      kind: 'ReplicaSet',
      status: { ...rs.status, ...counts },
    };
    await this.attempt(`status:${rs.metadata?.uid ?? ''}`, Date.now(), async () => {
      // A replace carries the resourceVersion we listed: if the spec changed since, it fails with 409 and
      // the next pass looks again, so a status never describes a spec it did not see.
      await this.apps.replaceNamespacedReplicaSetStatus({ name, namespace, body });
      this.updates.push(`${namespace}/${name}=${counts.availableReplicas}`);
    });
  }
}
