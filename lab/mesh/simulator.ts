// The mesh simulator: stands in for kubelet and Envoy in the local lab. It puts together the pod
// simulator (ReplicaSets become available), the routing table read from the API server, the synthetic
// traffic, the Istio metrics and the HTTP server with the page and the control API.
import type http from 'node:http';
import type net from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { PodSimulator } from '../pod-simulator.js';
import { RoutingSource } from './cluster.js';
import { ErrorRates } from './error-rates.js';
import { IstioMetrics } from './istio-metrics.js';
import { PAGE_HTML } from './page.js';
import { seededRandom } from './random.js';
import { createMeshServer } from './server.js';
import { buildState, type MeshState } from './state.js';
import { TrafficStats } from './stats.js';
import { TrafficGenerator } from './traffic.js';

export interface MeshSimulatorOptions {
  /** The cluster: a KubeConfig, or the path of a kubeconfig file. */
  kubeConfig: KubeConfig | string;
  /** Namespaces to look at; absent or empty: all of them. */
  namespaces?: string[];
  /** Requests per second to each VirtualService host. Default 20. */
  ratePerSecond?: number;
  /** Pod start-up delay of the pod simulator, in seconds. Default 2. */
  podStartSeconds?: number;
  /** Run the pod simulator (default true); false when something else marks ReplicaSets available. */
  simulatePods?: boolean;
  /** Listen address. Default 127.0.0.1. */
  host?: string;
  /** Listen port; 0 lets the OS pick. Default 8090. */
  port?: number;
  /** Seed of the traffic's random picks. Default: from the clock. */
  seed?: number;
  /** How often the routing table is read again. Default 1000. */
  refreshMs?: number;
  /** How often a batch of requests is sent. Default 100. */
  tickMs?: number;
  /** How far back /api/state's counts go. Default 10. */
  windowSeconds?: number;
  /** Failed refreshes and pod status writes (the simulator carries on). */
  onError?: (err: unknown) => void;
}

export class MeshSimulator {
  readonly errorRates = new ErrorRates();
  readonly metrics = new IstioMetrics();
  readonly stats: TrafficStats;
  readonly routing: RoutingSource;
  readonly traffic: TrafficGenerator;
  readonly pods?: PodSimulator;
  readonly ratePerSecond: number;
  private readonly server: http.Server;
  private listening = false;

  constructor(private readonly options: MeshSimulatorOptions) {
    let kubeConfig = options.kubeConfig;
    if (typeof kubeConfig === 'string') {
      const file = kubeConfig;
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(file);
    }
    const namespaces = options.namespaces ?? [];
    this.ratePerSecond = options.ratePerSecond ?? 20;
    this.stats = new TrafficStats(options.windowSeconds ?? 10);
    this.routing = new RoutingSource({
      kubeConfig,
      namespaces,
      refreshMs: options.refreshMs ?? 1000,
      ...(options.onError ? { onError: options.onError } : {}),
    });
    this.traffic = new TrafficGenerator(() => this.routing.table, this.errorRates, this.metrics, this.stats, {
      ratePerSecond: this.ratePerSecond,
      random: seededRandom(options.seed ?? Date.now()),
      tickMs: options.tickMs ?? 100,
    });
    if (options.simulatePods ?? true)
      this.pods = new PodSimulator({
        kubeConfig,
        namespaces,
        startupDelayMs: (options.podStartSeconds ?? 2) * 1000,
        ...(options.onError ? { onError: options.onError } : {}),
      });
    this.server = createMeshServer({
      page: () => PAGE_HTML,
      metrics: () => this.metrics.render(),
      state: (since) => this.state(since),
      errors: () => this.errorRates.list(),
      setError: (rate) => this.errorRates.set(rate),
    });
  }

  state(since?: number): MeshState {
    return buildState({
      table: this.routing.table,
      stats: this.stats,
      errorRates: this.errorRates,
      ratePerSecond: this.ratePerSecond,
      ...(this.routing.lastRefresh ? { refreshedAt: this.routing.lastRefresh } : {}),
      ...(this.routing.lastError ? { routingError: this.routing.lastError } : {}),
      now: new Date(),
      ...(since !== undefined ? { since } : {}),
    });
  }

  /** Listens, then starts the pods, the routing refresh (first one done when this returns) and the traffic. */
  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 8090, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.listening = true;
    this.pods?.start();
    await this.routing.start();
    this.traffic.start();
  }

  /** The page's address, e.g. http://127.0.0.1:8090 */
  get url(): string {
    const address = this.server.address() as net.AddressInfo | null;
    if (!address) throw new Error('the mesh simulator is not listening');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}`;
  }

  async stop(): Promise<void> {
    this.traffic.stop();
    await Promise.all([this.routing.stop(), this.pods?.stop()]);
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
