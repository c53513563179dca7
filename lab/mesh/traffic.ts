// The synthetic clients: a steady stream of requests to each VirtualService host, `ratePerSecond` each,
// sent in small batches every tick. Each request is routed by the latest routing table (refreshed
// elsewhere, about once a second), answered by a ReplicaSet with the error rate of its image, counted
// in the Istio metrics and in the page's stats. Nothing goes over the network: it is all in process.
import type { ErrorRates } from './error-rates.js';
import type { IstioMetrics } from './istio-metrics.js';
import type { Random } from './random.js';
import { pickBackend, type HostRoute, type RoutingTable } from './routing.js';
import type { RequestEvent, TrafficStats } from './stats.js';

export interface TrafficOptions {
  /** Requests per second to each host. */
  ratePerSecond: number;
  random: Random;
  /** How often a batch is sent. Default 100. */
  tickMs?: number;
  now?: () => number;
}

/** A synthetic duration: a few milliseconds for an error, more for a real answer (exponential tails). */
export function syntheticDurationMs(code: number, random: Random): number {
  const exponential = (mean: number) => -Math.log(1 - random()) * mean;
  const ms = code === 200 ? 8 + exponential(12) : 1 + exponential(3);
  return Math.round(ms * 1000) / 1000;
}

export class TrafficGenerator {
  private timer?: NodeJS.Timeout;
  private last = 0;
  /** The fraction of a request owed from earlier ticks, so any rate is kept on average. */
  private carry = 0;
  /** Requests sent so far, to all hosts. */
  sent = 0;

  constructor(
    private readonly table: () => RoutingTable,
    private readonly errorRates: ErrorRates,
    private readonly metrics: IstioMetrics,
    private readonly stats: TrafficStats,
    private readonly options: TrafficOptions,
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  start(): void {
    if (this.timer) return;
    this.last = this.now();
    this.timer = setInterval(() => this.tick(), this.options.tickMs ?? 100);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Sends what is due since the last tick (at most one second's worth, after a stall). */
  tick(): void {
    const now = this.now();
    const elapsed = Math.min(Math.max(now - this.last, 0), 1000);
    this.last = now;
    const due = (this.options.ratePerSecond * elapsed) / 1000 + this.carry;
    const count = Math.floor(due);
    this.carry = due - count;
    if (count === 0) return;
    for (const route of this.table().hosts) this.send(route, count);
  }

  /** Sends `count` requests to one host now. */
  send(route: HostRoute, count = 1): RequestEvent[] {
    const events: RequestEvent[] = [];
    for (let i = 0; i < count; i++) events.push(this.sendOne(route));
    return events;
  }

  private sendOne(route: HostRoute): RequestEvent {
    const random = this.options.random;
    const { destination, backend } = pickBackend(route, random);
    this.sent++;
    if (!destination) return this.stats.add({ host: route.host, code: 503 }); // no route with weight
    let code = 503; // no healthy upstream: the Service selects no available ReplicaSet
    if (backend) code = random() < this.errorRates.get(backend.image) ? 500 : 200;
    this.metrics.record({
      destinationService: destination.service,
      serviceName: destination.serviceRef?.name ?? destination.host,
      serviceNamespace: destination.serviceRef?.namespace ?? route.virtualService.namespace,
      workload: backend?.replicaSet ?? 'unknown',
      workloadNamespace: backend?.namespace ?? 'unknown',
      code,
      durationMs: syntheticDurationMs(code, random),
    });
    return this.stats.add({
      host: route.host,
      service: destination.service,
      ...(backend ? { image: backend.image } : {}),
      code,
    });
  }
}
