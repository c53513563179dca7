// What `GET /api/state` answers: the routes with their weights and backends, the traffic per image and
// per destination over the last few seconds, the error rates set, and the latest requests one by one
// (for the page's squares). Pure: built from the routing table, the stats and the error rates.
import { imageColor } from './colors.js';
import type { ErrorRates } from './error-rates.js';
import type { RoutingTable } from './routing.js';
import type { Counts, RequestEvent, TrafficStats } from './stats.js';

export interface ImageState {
  image: string;
  /** Colour name from the tag (`green`) and its CSS value. */
  color: string;
  css: string;
  /** The error rate set for it (0..1). */
  errorRate: number;
  /** Over the last `windowSeconds`. */
  requests: number;
  errors: number;
  /** errors / requests over the window; null without requests. */
  observedErrorRate: number | null;
}

export interface DestinationState {
  host: string;
  service: string;
  weight: number;
  /** Over the last `windowSeconds`. */
  requests: number;
  errors: number;
  replicaSets: { name: string; image: string; availableReplicas: number }[];
}

export interface HostState {
  host: string;
  /** `namespace/name` */
  virtualService: string;
  route?: string;
  destinations: DestinationState[];
}

export interface MeshState {
  time: string;
  ratePerSecond: number;
  windowSeconds: number;
  routing: { refreshedAt?: string; error?: string };
  hosts: HostState[];
  images: ImageState[];
  /** The latest requests (after `since` when given), oldest first; `last` is the seq to ask after next. */
  recent: { last: number; requests: RequestEvent[] };
}

export interface StateInputs {
  table: RoutingTable;
  stats: TrafficStats;
  errorRates: ErrorRates;
  ratePerSecond: number;
  refreshedAt?: Date;
  routingError?: string;
  now: Date;
  /** Only requests after this seq. */
  since?: number;
  /** At most this many requests. Default 200. */
  limit?: number;
}

const zero: Counts = { requests: 0, errors: 0 };

export function buildState(inputs: StateInputs): MeshState {
  const { table, stats, errorRates } = inputs;
  const byImage = stats.byImage();
  const byService = stats.byService();
  const recent = stats.recent(inputs.since ?? 0, inputs.limit ?? 200);

  const hosts: HostState[] = table.hosts.map((route) => ({
    host: route.host,
    virtualService: `${route.virtualService.namespace}/${route.virtualService.name}`,
    ...(route.route ? { route: route.route } : {}),
    destinations: route.destinations.map((d) => ({
      host: d.host,
      service: d.service,
      weight: d.weight,
      ...(byService.get(d.service) ?? zero),
      replicaSets: d.backends.map((b) => ({
        name: b.replicaSet,
        image: b.image,
        availableReplicas: b.availableReplicas,
      })),
    })),
  }));

  // Every image that serves, has served lately, or has an error rate set.
  const names = new Set<string>();
  for (const route of table.hosts)
    for (const d of route.destinations) for (const b of d.backends) names.add(b.image);
  for (const image of byImage.keys()) names.add(image);
  for (const event of recent) if (event.image !== undefined) names.add(event.image);
  for (const { image } of errorRates.list()) names.add(image);

  const images: ImageState[] = [...names].sort().map((image) => {
    const counts = byImage.get(image) ?? zero;
    const color = imageColor(image);
    return {
      image,
      color: color.name,
      css: color.css,
      errorRate: errorRates.get(image),
      requests: counts.requests,
      errors: counts.errors,
      observedErrorRate: counts.requests > 0 ? counts.errors / counts.requests : null,
    };
  });

  return {
    time: inputs.now.toISOString(),
    ratePerSecond: inputs.ratePerSecond,
    windowSeconds: stats.windowSeconds,
    routing: {
      ...(inputs.refreshedAt ? { refreshedAt: inputs.refreshedAt.toISOString() } : {}),
      ...(inputs.routingError ? { error: inputs.routingError } : {}),
    },
    hosts,
    images,
    recent: { last: stats.lastSeq, requests: recent },
  };
}
