// The watcher: lists and watches Rollout objects (every namespace, or those configured) with
// client-node's informer and hands each event to reconcile.ts, one event at a time per object, in the
// order they came. It keeps no state that matters: after a restart the relist brings every object
// again and the workflows refuse what they already took. It runs inside the worker (worker/main.ts).
import {
  CustomObjectsApi,
  KubernetesObjectApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesListObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import { fetchAnalysisTemplates } from '../../client/cluster-templates.js';
import { statusCode } from '../../activities/errors.js';
import type { Kube } from '../../activities/kube.js';
import { rolloutRef } from '../../activities/rollout-status.js';
import {
  Handled,
  reconcileDeleted,
  reconcileRollout,
  reconcileVanished,
  type ReconcileDeps,
  type Rollouts,
} from './reconcile.js';
import type { RolloutObject } from './rollout-object.js';

const GROUP = 'argoproj.io';
const VERSION = 'v1alpha1';
/** After the list or the watch fails (the API server down, the CRD not installed yet): again after this. */
const RESTART_MS = 5_000;
/** An event whose handling failed (Temporal unreachable): handled again, from the latest object, after this. */
const RETRY_MS = 5_000;

export interface WatcherOptions {
  /** Empty: every namespace. */
  namespaces: string[];
  log?: (level: 'info' | 'warn', message: string, fields: Record<string, unknown>) => void;
}

export class RolloutWatcher {
  private readonly informers: (Informer<RolloutObject> & ObjectCache<RolloutObject>)[] = [];
  private readonly queues = new Map<string, Promise<void>>();
  private readonly handled = new Handled();
  private readonly deps: ReconcileDeps;
  private stopped = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sweeps = new Set<Promise<void>>();
  private lastError = '';

  constructor(
    private readonly config: KubeConfig,
    kube: Kube,
    rollouts: Rollouts,
    private readonly options: WatcherOptions,
  ) {
    const objects = KubernetesObjectApi.makeApiClient(config);
    const custom = config.makeApiClient(CustomObjectsApi);
    const log = options.log ?? defaultLog;
    this.deps = {
      rollouts,
      fetchTemplates: (keys) => fetchAnalysisTemplates(keys, objects),
      patchStatus: async (object, patch) => {
        const ref = rolloutRef(object.metadata?.namespace ?? '', object.metadata?.name ?? '');
        // Conditional on the version reconciled: a 409 means a newer event is on its way anyway.
        await kube.mergePatchStatus(ref, 'rollouts', {
          metadata: { resourceVersion: object.metadata?.resourceVersion },
          status: patch,
        });
      },
      readUid: async (namespace, name) => {
        try {
          const object = (await custom.getNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace,
            plural: 'rollouts',
            name,
          })) as RolloutObject;
          return object.metadata?.uid;
        } catch (err) {
          if (statusCode(err) === 404) return undefined;
          throw err;
        }
      },
      now: () => new Date(),
      log,
    };
  }

  async start(): Promise<void> {
    const custom = this.config.makeApiClient(CustomObjectsApi);
    const scopes = this.options.namespaces.length ? this.options.namespaces : [undefined];
    for (const namespace of scopes) {
      const path = namespace
        ? `/apis/${GROUP}/${VERSION}/namespaces/${namespace}/rollouts`
        : `/apis/${GROUP}/${VERSION}/rollouts`;
      const listed = () =>
        (namespace
          ? custom.listNamespacedCustomObject({
              group: GROUP,
              version: VERSION,
              namespace,
              plural: 'rollouts',
            })
          : custom.listClusterCustomObject({
              group: GROUP,
              version: VERSION,
              plural: 'rollouts',
            })) as Promise<KubernetesListObject<RolloutObject>>;
      // Each list (the first, and after the watch fell too far behind) is also the moment to find the
      // workflows of objects deleted while no watcher ran: no delete event will ever come for them.
      const list = async () => {
        const result = await listed();
        this.sweepLater(namespace, result.items);
        return result;
      };
      const informer = makeInformer<RolloutObject>(this.config, path, list);
      const reconcile = (object: RolloutObject): void =>
        this.enqueue(
          object,
          (o) => reconcileRollout(o, this.deps, this.handled),
          () => {
            // Temporal or the API server did not answer: the object as it is by then, again, later.
            const { name = '', namespace: ns } = object.metadata ?? {};
            const latest = informer.get(name, ns);
            if (latest && latest.metadata?.uid === object.metadata?.uid) reconcile(latest);
          },
        );
      informer.on('add', reconcile);
      informer.on('update', reconcile);
      informer.on('delete', (object) =>
        this.enqueue(object, (o) => reconcileDeleted(o, this.deps, this.handled)),
      );
      informer.on('error', (err) => this.restartLater(informer, path, err));
      this.informers.push(informer);
      await informer.start().catch((err: unknown) => this.restartLater(informer, path, err));
    }
  }

  /** Every event's work is done (for tests and a clean stop). */
  async idle(): Promise<void> {
    while (this.queues.size || this.sweeps.size) {
      await Promise.all([...this.queues.values(), ...this.sweeps]);
    }
  }

  /** The running rollouts of this scope the list brought no object for, each looked at in its queue. */
  private sweepLater(namespace: string | undefined, items: RolloutObject[]): void {
    const listed = new Set(items.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`));
    const sweep = (async () => {
      for (const ref of await this.deps.rollouts.running(namespace)) {
        const key = `${ref.namespace}/${ref.name}`;
        if (listed.has(key) || !this.inScope(ref.namespace)) continue;
        const object: RolloutObject = { metadata: { namespace: ref.namespace, name: ref.name } };
        this.enqueue(object, () => reconcileVanished(ref.namespace, ref.name, this.deps, this.handled));
      }
    })()
      .catch((err: unknown) => {
        // Not fatal: the next list looks again; until then such a workflow only waits.
        this.deps.log('warn', 'could not look for workflows of deleted Rollouts', { error: describe(err) });
      })
      .finally(() => this.sweeps.delete(sweep));
    this.sweeps.add(sweep);
  }

  private inScope(namespace: string): boolean {
    return !this.options.namespaces.length || this.options.namespaces.includes(namespace);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(this.informers.map((informer) => informer.stop()));
    await this.idle();
  }

  /**
   * One object's events in order; different objects' side by side. A failure is logged, not fatal, and
   * `again` (when given) is called after RETRY_MS, so a generation that could not be handed on is not lost.
   */
  private enqueue(
    object: RolloutObject,
    work: (object: RolloutObject) => Promise<void>,
    again?: () => void,
  ): void {
    const key = `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous
      .then(() => work(object))
      .catch((err: unknown) => {
        this.deps.log('warn', `event not handled, again in ${RETRY_MS / 1000} s`, {
          rollout: key,
          error: err instanceof Error ? err.message : String(err),
        });
        if (again) this.later(again);
      })
      .finally(() => {
        if (this.queues.get(key) === next) this.queues.delete(key);
      });
    this.queues.set(key, next);
  }

  private later(work: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) work();
    }, RETRY_MS);
    this.timers.add(timer);
  }

  private restartLater(informer: Informer<RolloutObject>, path: string, err: unknown): void {
    if (this.stopped) return;
    const message = describe(err);
    // The same failure again (an API server down for a while) is said once.
    if (message !== this.lastError)
      this.deps.log('warn', 'watch failed, starting again in 5 s', { path, error: message });
    this.lastError = message;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) informer.start().catch((e: unknown) => this.restartLater(informer, path, e));
    }, RESTART_MS);
    this.timers.add(timer);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message.split('\n')[0] ?? err.message;
  return String(err);
}

function defaultLog(level: 'info' | 'warn', message: string, fields: Record<string, unknown>): void {
  const line = `watcher: ${message} ${JSON.stringify(fields)}`;
  if (level === 'warn') console.warn(line);
  else console.log(line);
}
