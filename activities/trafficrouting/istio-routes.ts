// Pure edits of an Istio VirtualService: find the routes a Rollout names and set the weights of
// their canary and stable destinations, touching nothing else. A route or destination that is not
// there is a permanent error that names it.
import type { IstioVirtualServiceRef } from '../../core/types.js';

export interface Destination {
  destination?: { host?: string; subset?: string; [field: string]: unknown };
  weight?: number;
  [field: string]: unknown;
}

interface RouteBlock {
  name?: string;
  match?: { port?: number; sniHosts?: string[]; [field: string]: unknown }[];
  route?: Destination[];
  [field: string]: unknown;
}

export interface VirtualServiceSpec {
  http?: RouteBlock[];
  tls?: RouteBlock[];
  tcp?: RouteBlock[];
  [field: string]: unknown;
}

/** How the two sides are told apart: by Service host (host-level) or by subset (subset-level). */
export type Sides =
  { by: 'host'; canary: string; stable: string } | { by: 'subset'; canary: string; stable: string };

export class RouteError extends Error {}

/** `myapp-canary-svc` matches `myapp-canary-svc`, `myapp-canary-svc.ns` and the full cluster name. */
function hostMatches(host: string | undefined, service: string): boolean {
  return host === service || (host?.startsWith(`${service}.`) ?? false);
}

function isSide(dest: Destination, sides: Sides, side: 'canary' | 'stable'): boolean {
  return sides.by === 'host'
    ? hostMatches(dest.destination?.host, sides[side])
    : dest.destination?.subset === sides[side];
}

export interface NamedRoute {
  /** e.g. `http route "primary"`, `tls route on port 443` */
  label: string;
  block: RouteBlock;
}

/**
 * The route blocks of one VirtualService that a Rollout owns, as Argo's istio.go picks them, or a
 * RouteError naming what is missing. For each of http, tls and tcp that the VirtualService has: the
 * named routes (every TLS/TCP route that matches), or with none named its only route (several: the
 * Rollout must name them, as Argo requires).
 */
export function ownedRoutes(
  vsName: string,
  spec: VirtualServiceSpec,
  ref: IstioVirtualServiceRef,
): NamedRoute[] {
  return [...httpRoutes(vsName, spec, ref), ...tlsRoutes(vsName, spec, ref), ...tcpRoutes(vsName, spec, ref)];
}

/** With nothing named: the section's only route; several are an error that says which field names them. */
function onlyRoute(
  vsName: string,
  blocks: RouteBlock[] | undefined,
  kind: string,
  field: string,
): NamedRoute[] {
  if (blocks === undefined || blocks.length === 0) return [];
  if (blocks.length > 1)
    throw new RouteError(
      `VirtualService ${vsName}: has ${blocks.length} ${kind} routes, so the Rollout must name the ones it owns (spec.strategy.canary.trafficRouting.istio.virtualService.${field})`,
    );
  const block = blocks[0] as RouteBlock;
  return [
    {
      label: kind === 'HTTP' ? `http route ${JSON.stringify(block.name ?? '(unnamed)')}` : `${kind} route`,
      block,
    },
  ];
}

function httpRoutes(vsName: string, spec: VirtualServiceSpec, ref: IstioVirtualServiceRef): NamedRoute[] {
  const http = spec.http ?? [];
  if (ref.routes.length === 0) return onlyRoute(vsName, spec.http, 'HTTP', 'routes');
  return ref.routes.map((name) => {
    const block = http.find((r) => r.name === name);
    if (!block)
      throw new RouteError(
        `VirtualService ${vsName}: HTTP route "${name}" not found (routes: ${http.map((r) => r.name ?? '(unnamed)').join(', ') || 'none'})`,
      );
    return { label: `http route "${name}"`, block };
  });
}

/** Argo's rule: a route matches when its match blocks name exactly one port (none: 0), the wanted one. */
function singlePort(block: RouteBlock): number | undefined {
  const ports = new Set((block.match ?? []).map((m) => m.port ?? 0));
  if (ports.size > 1) return undefined;
  return ports.size === 0 ? 0 : [...ports][0];
}

/** Argo's evaluate.Equal: as many hosts as the route's SNI set, and each of the route's among them. */
function sameSniHosts(wanted: string[], block: RouteBlock): boolean {
  const hosts = new Set((block.match ?? []).flatMap((m) => m.sniHosts ?? []));
  return wanted.length === hosts.size && [...hosts].every((h) => wanted.includes(h));
}

/** Every block that matches each wanted route (each must match one at least), in VirtualService order. */
function matching<T>(
  vsName: string,
  blocks: RouteBlock[],
  wanted: T[],
  matches: (want: T, block: RouteBlock) => boolean,
  describe: (want: T) => string,
  kind: string,
): NamedRoute[] {
  const owned = new Set<number>();
  for (const want of wanted) {
    const found = blocks.flatMap((block, index) => (matches(want, block) ? [index] : []));
    if (found.length === 0)
      throw new RouteError(`VirtualService ${vsName}: ${kind} route ${describe(want)} not found`);
    for (const index of found) owned.add(index);
  }
  return [...owned]
    .sort((a, b) => a - b)
    .map((index) => ({ label: `${kind} route #${index + 1}`, block: blocks[index] as RouteBlock }));
}

function tlsRoutes(vsName: string, spec: VirtualServiceSpec, ref: IstioVirtualServiceRef): NamedRoute[] {
  if (ref.tlsRoutes.length === 0) return onlyRoute(vsName, spec.tls, 'TLS', 'tlsRoutes');
  return matching(
    vsName,
    spec.tls ?? [],
    ref.tlsRoutes,
    (want, block) => singlePort(block) === (want.port ?? 0) && sameSniHosts(want.sniHosts ?? [], block),
    (want) =>
      `on port ${want.port ?? 0}${want.sniHosts?.length ? ` for exactly ${want.sniHosts.join(',')}` : ' without SNI hosts'}`,
    'TLS',
  );
}

function tcpRoutes(vsName: string, spec: VirtualServiceSpec, ref: IstioVirtualServiceRef): NamedRoute[] {
  if (ref.tcpRoutes.length === 0) return onlyRoute(vsName, spec.tcp, 'TCP', 'tcpRoutes');
  return matching(
    vsName,
    spec.tcp ?? [],
    ref.tcpRoutes,
    (want, block) => singlePort(block) === (want.port ?? 0),
    (want) => `on port ${want.port ?? 0}`,
    'TCP',
  );
}

function sideOf(vsName: string, route: NamedRoute, sides: Sides, side: 'canary' | 'stable'): Destination {
  const dest = (route.block.route ?? []).find((d) => isSide(d, sides, side));
  if (!dest)
    throw new RouteError(
      `VirtualService ${vsName}: ${route.label} has no destination for the ${side} ${sides.by === 'host' ? 'Service' : 'subset'} "${sides[side]}"`,
    );
  return dest;
}

/** Sets the weights in place; returns whether anything changed. */
export function setRouteWeights(
  vsName: string,
  spec: VirtualServiceSpec,
  ref: IstioVirtualServiceRef,
  sides: Sides,
  canaryWeight: number,
): boolean {
  let changed = false;
  for (const route of ownedRoutes(vsName, spec, ref)) {
    const canary = sideOf(vsName, route, sides, 'canary');
    const stable = sideOf(vsName, route, sides, 'stable');
    if (canary.weight !== canaryWeight || stable.weight !== 100 - canaryWeight) changed = true;
    canary.weight = canaryWeight;
    stable.weight = 100 - canaryWeight;
  }
  return changed;
}

/** The weights found in every owned route (to verify a write). */
export function readRouteWeights(
  vsName: string,
  spec: VirtualServiceSpec,
  ref: IstioVirtualServiceRef,
  sides: Sides,
): { canary: number; stable: number }[] {
  return ownedRoutes(vsName, spec, ref).map((route) => ({
    canary: sideOf(vsName, route, sides, 'canary').weight ?? 0,
    stable: sideOf(vsName, route, sides, 'stable').weight ?? 0,
  }));
}
