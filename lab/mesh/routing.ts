// The routing table, as Envoy would build it from what the API server holds: for each host of each
// Istio VirtualService, the destinations of its HTTP route with their weights, each destination host
// resolved to a Service and the Service's selector to the ReplicaSets whose pods it would send to.
// Pure: it takes the listed objects, so it is tested without a cluster (cluster.ts does the listing).
import { pickWeighted, type Random } from './random.js';

export const CLUSTER_DOMAIN = 'svc.cluster.local';

type Labels = Record<string, string>;

/** What we read of each kind: the fields client-node's objects have, all optional. */
export interface VirtualServiceObject {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    hosts?: string[];
    http?: {
      name?: string;
      match?: unknown[];
      route?: { destination?: { host?: string; subset?: string }; weight?: number }[];
    }[];
  };
}

export interface ServiceObject {
  metadata?: { name?: string; namespace?: string };
  spec?: { selector?: Labels };
}

export interface ReplicaSetObject {
  metadata?: { name?: string; namespace?: string };
  spec?: { template?: { metadata?: { labels?: Labels }; spec?: { containers?: { image?: string }[] } } };
  status?: { availableReplicas?: number };
}

export interface ClusterObjects {
  virtualServices: VirtualServiceObject[];
  services: ServiceObject[];
  replicaSets: ReplicaSetObject[];
}

/** A ReplicaSet with available pods behind a Service: where a request can land. */
export interface Backend {
  namespace: string;
  replicaSet: string;
  /** The first container's image. */
  image: string;
  availableReplicas: number;
}

export interface Destination {
  /** As written in the route (`myapp-canary-svc`, `myapp-canary-svc.ns.svc.cluster.local`). */
  host: string;
  weight: number;
  /** `<svc>.<ns>.svc.cluster.local` when the host names an existing Service, else the host as written. */
  service: string;
  /** The Service's namespace and name; absent when no such Service exists. */
  serviceRef?: { namespace: string; name: string };
  /** Where its requests go, each in proportion to its available replicas; empty: no healthy upstream. */
  backends: Backend[];
}

export interface HostRoute {
  /** The VirtualService host requests are sent to (`myapp.apps.argoproj.io`). */
  host: string;
  virtualService: { namespace: string; name: string };
  /** The name of the HTTP route used, when it has one. */
  route?: string;
  destinations: Destination[];
}

export interface RoutingTable {
  hosts: HostRoute[];
}

/**
 * Whether a Service selector selects pods with these labels: every key/value of the selector is among
 * the labels. An absent or empty selector selects nothing (such a Service gets no endpoints).
 */
export function selectorMatches(selector: Labels | undefined, labels: Labels | undefined): boolean {
  const entries = Object.entries(selector ?? {});
  if (entries.length === 0) return false;
  return entries.every(([key, value]) => labels?.[key] === value);
}

/**
 * The Service a destination host names, resolved as cluster DNS would from the VirtualService's namespace:
 * `svc`, `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`. Undefined for anything else (`example.com`
 * with more labels, a wildcard).
 */
export function parseServiceHost(
  host: string,
  namespace: string,
): { namespace: string; name: string } | undefined {
  if (host === '' || host.includes('*')) return undefined;
  const labels = host.split('.');
  const suffix = labels.slice(2).join('.');
  if (labels.length === 1) return { namespace, name: host };
  if (labels.length === 2 || suffix === 'svc' || suffix === CLUSTER_DOMAIN)
    return { namespace: labels[1] ?? '', name: labels[0] ?? '' };
  return undefined;
}

export function serviceFqdn(namespace: string, name: string): string {
  return `${name}.${namespace}.${CLUSTER_DOMAIN}`;
}

/**
 * The HTTP route a synthetic request (no headers, path `/`) takes: the first one without match
 * conditions, else the first one (we assume it matches).
 */
function httpRoute(vs: VirtualServiceObject) {
  const http = vs.spec?.http ?? [];
  return http.find((block) => (block.match ?? []).length === 0) ?? http[0];
}

function backendsOf(service: ServiceObject, replicaSets: ReplicaSetObject[]): Backend[] {
  const namespace = service.metadata?.namespace ?? '';
  const backends: Backend[] = [];
  for (const rs of replicaSets) {
    if ((rs.metadata?.namespace ?? '') !== namespace) continue;
    const available = rs.status?.availableReplicas ?? 0;
    if (available <= 0) continue;
    if (!selectorMatches(service.spec?.selector, rs.spec?.template?.metadata?.labels)) continue;
    backends.push({
      namespace,
      replicaSet: rs.metadata?.name ?? '',
      image: rs.spec?.template?.spec?.containers?.[0]?.image ?? '',
      availableReplicas: available,
    });
  }
  return backends.sort((a, b) => a.replicaSet.localeCompare(b.replicaSet));
}

export function buildRoutingTable(objects: ClusterObjects): RoutingTable {
  const services = new Map<string, ServiceObject>();
  for (const svc of objects.services)
    services.set(`${svc.metadata?.namespace ?? ''}/${svc.metadata?.name ?? ''}`, svc);

  const hosts: HostRoute[] = [];
  const sorted = [...objects.virtualServices].sort((a, b) =>
    `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(
      `${b.metadata?.namespace}/${b.metadata?.name}`,
    ),
  );
  for (const vs of sorted) {
    const namespace = vs.metadata?.namespace ?? '';
    const route = httpRoute(vs);
    const destinations: Destination[] = [];
    const routes = route?.route ?? [];
    for (const entry of routes) {
      const host = entry.destination?.host ?? '';
      // Istio: a lone destination takes all traffic; with several, an absent weight is 0.
      const weight = routes.length === 1 ? (entry.weight ?? 100) : (entry.weight ?? 0);
      const ref = parseServiceHost(host, namespace);
      const svc = ref && services.get(`${ref.namespace}/${ref.name}`);
      destinations.push({
        host,
        weight,
        service: svc && ref ? serviceFqdn(ref.namespace, ref.name) : host,
        ...(svc && ref ? { serviceRef: ref } : {}),
        backends: svc ? backendsOf(svc, objects.replicaSets) : [],
      });
    }
    for (const host of vs.spec?.hosts ?? []) {
      hosts.push({
        host,
        virtualService: { namespace, name: vs.metadata?.name ?? '' },
        ...(route?.name ? { route: route.name } : {}),
        destinations,
      });
    }
  }
  return { hosts };
}

/** Where one request goes: its destination (none when no weight is positive) and backend (none: no healthy upstream). */
export interface Pick {
  destination?: Destination;
  backend?: Backend;
}

export function pickBackend(route: HostRoute, random: Random): Pick {
  const index = pickWeighted(
    route.destinations.map((d) => d.weight),
    random,
  );
  const destination = index === undefined ? undefined : route.destinations[index];
  if (!destination) return {};
  const backendIndex = pickWeighted(
    destination.backends.map((b) => b.availableReplicas),
    random,
  );
  const backend = backendIndex === undefined ? undefined : destination.backends[backendIndex];
  return backend ? { destination, backend } : { destination };
}
