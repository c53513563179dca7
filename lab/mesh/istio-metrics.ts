// The two Istio standard metrics that the seed's analysis reads, with the labels Envoy puts on them
// (reporter="source": as seen by the ingress gateway that sends the requests).
import { MetricsRegistry, type Counter, type Histogram } from './metrics.js';

/** Istio's default buckets for istio_request_duration_milliseconds. */
export const DURATION_BUCKETS_MS = [
  0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000,
  3600000,
];

const LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_workload',
  'destination_workload_namespace',
  'response_code',
] as const;

/** One request as the metrics see it. */
export interface RequestRecord {
  /** `<svc>.<ns>.svc.cluster.local`, or the host as written when it is no Service. */
  destinationService: string;
  serviceName: string;
  serviceNamespace: string;
  /** The ReplicaSet that answered; `unknown` when none could (503, no healthy upstream). */
  workload: string;
  workloadNamespace: string;
  code: number;
  durationMs: number;
}

export class IstioMetrics {
  readonly registry = new MetricsRegistry();
  readonly requests: Counter;
  readonly duration: Histogram;

  constructor() {
    this.requests = this.registry.counter(
      'istio_requests_total',
      'Requests, by destination and response code.',
      LABELS,
    );
    this.duration = this.registry.histogram(
      'istio_request_duration_milliseconds',
      'Request durations in milliseconds (synthetic).',
      LABELS,
      DURATION_BUCKETS_MS,
    );
  }

  record(request: RequestRecord): void {
    const labels = {
      reporter: 'source',
      source_workload: 'istio-ingressgateway',
      source_workload_namespace: 'istio-system',
      destination_service: request.destinationService,
      destination_service_name: request.serviceName,
      destination_service_namespace: request.serviceNamespace,
      destination_workload: request.workload,
      destination_workload_namespace: request.workloadNamespace,
      response_code: String(request.code),
    };
    this.requests.inc(labels);
    this.duration.observe(labels, request.durationMs);
  }

  render(): string {
    return this.registry.render();
  }
}
