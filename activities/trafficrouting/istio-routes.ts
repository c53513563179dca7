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

/** The route blocks of one VirtualService that a Rollout owns, or a RouteError naming what is missing. */
export function ownedRoutes(
  vsName: string,
  spec: VirtualServiceSpec,
  ref: IstioVirtualServiceRef,
): NamedRoute[] {
  const found: NamedRoute[] = [];
  const http = spec.http ?? [];
  if (ref.routes.length === 0 && ref.tlsRoutes.length === 0 && ref.tcpRoutes.length === 0) {
    if (http.length !== 1)
      throw new RouteError(
        `VirtualService ${vsName}: has ${http.length} HTTP routes, so the Rollout must name the ones it owns (spec.strategy.canary.trafficRouting.istio.virtualService.routes)`,
      );
    found.push({
      label: `http route ${JSON.stringify(http[0]?.name ?? '(unnamed)')}`,
      block: http[0] as RouteBlock,
    });
  }
  for (const name of ref.routes) {
    const block = http.find((r) => r.name === name);
    if (!block)
      throw new RouteError(
        `VirtualService ${vsName}: HTTP route "${name}" not found (routes: ${http.map((r) => r.name ?? '(unnamed)').join(', ') || 'none'})`,
      );
    found.push({ label: `http route "${name}"`, block });
  }
  for (const tls of ref.tlsRoutes) {
    const block = (spec.tls ?? []).find((r) =>
      (r.match ?? []).some(
        (m) =>
          (tls.port === undefined || m.port === tls.port) &&
          (tls.sniHosts ?? []).every((h) => (m.sniHosts ?? []).includes(h)),
      ),
    );
    const label = `TLS route${tls.port !== undefined ? ` on port ${tls.port}` : ''}${tls.sniHosts?.length ? ` for ${tls.sniHosts.join(',')}` : ''}`;
    if (!block) throw new RouteError(`VirtualService ${vsName}: ${label} not found`);
    found.push({ label, block });
  }
  for (const tcp of ref.tcpRoutes) {
    const block = (spec.tcp ?? []).find((r) =>
      (r.match ?? []).some((m) => tcp.port === undefined || m.port === tcp.port),
    );
    const label = `TCP route${tcp.port !== undefined ? ` on port ${tcp.port}` : ''}`;
    if (!block) throw new RouteError(`VirtualService ${vsName}: ${label} not found`);
    found.push({ label, block });
  }
  return found;
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
