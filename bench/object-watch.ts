// A watch on one kind of object in one namespace, timing when each change arrives: the bench's view of
// "the weight is written" or "the ReplicaSet exists" is what any controller or mesh watching would see.
import { KubeConfig, Watch, type KubernetesObject } from '@kubernetes/client-node';
import { nowMs } from './stats.js';

interface Waiter<T> {
  matches: (object: T, type: string) => boolean;
  resolve: (at: number) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class ObjectWatch<T extends KubernetesObject> {
  private waiters = new Set<Waiter<T>>();
  private abort?: AbortController;
  private closed = false;
  /** The last state of each object seen, by name. */
  readonly latest = new Map<string, T>();

  private constructor(
    private readonly config: KubeConfig,
    private readonly path: string,
  ) {}

  /** Watches `path` (e.g. /apis/networking.istio.io/v1alpha3/namespaces/bench/virtualservices). */
  static async start<T extends KubernetesObject>(config: KubeConfig, path: string): Promise<ObjectWatch<T>> {
    const watch = new ObjectWatch<T>(config, path);
    await watch.connect();
    return watch;
  }

  private async connect(): Promise<void> {
    this.abort = await new Watch(this.config).watch(
      this.path,
      { allowWatchBookmarks: false },
      (type: string, object: T) => this.arrived(type, object),
      (err: unknown) => {
        // The server closes watches now and then: open it again (the bench must not miss a change).
        if (!this.closed) void this.connect().catch(() => this.failAll(err));
      },
    );
  }

  private arrived(type: string, object: T): void {
    const at = nowMs();
    const name = object.metadata?.name ?? '';
    if (type === 'DELETED') this.latest.delete(name);
    else this.latest.set(name, object);
    for (const waiter of this.waiters) {
      if (!waiter.matches(object, type)) continue;
      this.waiters.delete(waiter);
      clearTimeout(waiter.timer);
      waiter.resolve(at);
    }
  }

  /**
   * Resolves with the arrival time of the first change from now on that `matches` (call it before the
   * action that causes the change, so none is missed).
   */
  next(what: string, matches: (object: T, type: string) => boolean, timeoutMs = 30_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter<T> = {
        matches,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`${what}: not seen on ${this.path} within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  private failAll(err: unknown): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(`watch of ${this.path} ended: ${String(err)}`));
    }
    this.waiters.clear();
  }

  stop(): void {
    this.closed = true;
    this.abort?.abort();
    this.failAll('stopped');
  }
}
