// The routing table from the API server: VirtualServices (networking.istio.io), Services and ReplicaSets
// of the watched namespaces, listed again every refresh (about a second), never per request. A failed
// refresh keeps the last table and says why in `lastError`; the next one tries again.
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import {
  buildRoutingTable,
  type ClusterObjects,
  type ReplicaSetObject,
  type RoutingTable,
  type ServiceObject,
  type VirtualServiceObject,
} from './routing.js';

/** The version every Istio release serves (the seed's manifests use it too). */
export const VIRTUAL_SERVICE_API_VERSION = 'networking.istio.io/v1alpha3';

export interface RoutingSourceOptions {
  kubeConfig: KubeConfig;
  /** Namespaces to look at; empty: all of them. */
  namespaces: string[];
  /** Default 1000. */
  refreshMs?: number;
  onError?: (err: unknown) => void;
}

function describeError(err: unknown): string {
  const e = err as { code?: unknown; body?: unknown; message?: unknown };
  if (typeof e.code === 'number') {
    const body = typeof e.body === 'string' ? e.body : JSON.stringify(e.body ?? '');
    let message = body;
    try {
      message = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // not JSON: the body as it is
    }
    return `HTTP ${e.code}: ${message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

export class RoutingSource {
  private readonly api: KubernetesObjectApi;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  table: RoutingTable = { hosts: [] };
  lastRefresh?: Date;
  lastError?: string;
  refreshes = 0;

  constructor(private readonly options: RoutingSourceOptions) {
    this.api = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  }

  /** Refreshes at once, then every refreshMs; resolves after the first refresh (failed or not). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async loop(): Promise<void> {
    if (this.stopped) return;
    this.running = this.refresh().then(
      () => undefined,
      () => undefined, // recorded in lastError
    );
    await this.running;
    if (!this.stopped) this.timer = setTimeout(() => void this.loop(), this.options.refreshMs ?? 1000);
  }

  private async listKind<T>(apiVersion: string, kind: string): Promise<T[]> {
    const namespaces = this.options.namespaces.length > 0 ? this.options.namespaces : [undefined];
    try {
      const lists = await Promise.all(
        namespaces.map((ns) => this.api.list<KubernetesObject>(apiVersion, kind, ns)),
      );
      return lists.flatMap((list) => list.items) as T[];
    } catch (err) {
      throw new Error(`listing ${kind} (${apiVersion}): ${describeError(err)}`, { cause: err });
    }
  }

  async list(): Promise<ClusterObjects> {
    const [virtualServices, services, replicaSets] = await Promise.all([
      this.listKind<VirtualServiceObject>(VIRTUAL_SERVICE_API_VERSION, 'VirtualService'),
      this.listKind<ServiceObject>('v1', 'Service'),
      this.listKind<ReplicaSetObject>('apps/v1', 'ReplicaSet'),
    ]);
    return { virtualServices, services, replicaSets };
  }

  /** Lists everything once and replaces the table (or keeps it and records the error). */
  async refresh(): Promise<RoutingTable> {
    this.refreshes++;
    try {
      this.table = buildRoutingTable(await this.list());
      this.lastRefresh = new Date();
      this.lastError = undefined;
      return this.table;
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.options.onError?.(err);
      throw err;
    }
  }
}
