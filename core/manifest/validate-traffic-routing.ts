// spec.strategy.canary.trafficRouting: Istio only (DESIGN.md §4), host-level or subset-level.

import { Issues, type FieldPath } from './errors.js';
import {
  checkKnownFields,
  checkUnique,
  isAbsent,
  readInteger,
  readList,
  readMap,
  readString,
  type JsonMap,
} from './fields.js';
import { nameProblem, readName } from './names.js';
import { splitVirtualServiceName } from './virtual-service-name.js';
import { UNSUPPORTED_DESTINATION_RULE, refuseUnsupported } from './unsupported.js';

/** Routers Argo supports and we do not (yet). */
const OTHER_ROUTERS = ['nginx', 'alb', 'smi', 'ambassador', 'appMesh', 'traefik', 'apisix', 'plugins'];
const ISTIO_EXPECTED = 'a map with virtualService or virtualServices, and optionally destinationRule';
const VIRTUAL_SERVICE_EXPECTED = 'a map with name and optionally routes, tlsRoutes, tcpRoutes';
const ROUTES_EXPECTED = 'a non-empty list of HTTP route names (leave routes out to use the only HTTP route)';
const PORT = { min: 1, max: 65535 };

export interface TrafficRoutingShape {
  /** Istio without a destinationRule routes by host, so it needs canaryService and stableService. */
  hostLevelIstio: boolean;
}

export function validateTrafficRouting(
  issues: Issues,
  routing: JsonMap,
  path: FieldPath,
): TrafficRoutingShape {
  let otherRouter = false;
  for (const key of Object.keys(routing)) {
    const at = [...path, key];
    if (key === 'istio') continue;
    if (OTHER_ROUTERS.includes(key)) {
      issues.notSupported(at, key, `${key} traffic routing`, 'only istio is');
      otherRouter = true;
    } else if (key === 'managedRoutes') {
      issues.notSupported(
        at,
        routing[key],
        'managedRoutes',
        'they serve setHeaderRoute and setMirrorRoute steps',
      );
    } else if (key === 'maxTrafficWeight') {
      issues.notSupported(
        at,
        routing[key],
        'maxTrafficWeight',
        'Argo allows it with nginx or plugins only; weights here are out of 100',
      );
    } else {
      issues.add(at, key, 'istio', `unknown field "${key}", expected istio`);
    }
  }

  const istio = readMap(issues, routing.istio, [...path, 'istio'], ISTIO_EXPECTED, {
    required: !otherRouter,
  });
  if (istio === undefined) return { hostLevelIstio: false };
  validateIstio(issues, istio, [...path, 'istio']);
  return { hostLevelIstio: isAbsent(istio.destinationRule) };
}

function validateIstio(issues: Issues, istio: JsonMap, path: FieldPath): void {
  checkKnownFields(issues, istio, path, ['virtualService', 'virtualServices', 'destinationRule']);
  const single = !isAbsent(istio.virtualService);
  const several = !isAbsent(istio.virtualServices);
  if (single && several) {
    issues.add(
      path,
      'virtualService and virtualServices',
      'virtualService or virtualServices, not both',
      'both virtualService and virtualServices are set, expected one of them',
    );
  } else if (!single && !several) {
    issues.add(
      [...path, 'virtualService'],
      undefined,
      'virtualService {name, routes} or virtualServices [{name, routes}, …]',
    );
  }

  if (single) validateVirtualService(issues, istio.virtualService, [...path, 'virtualService']);
  if (several) {
    const list = readList(
      issues,
      istio.virtualServices,
      [...path, 'virtualServices'],
      'a non-empty list of VirtualService references {name, routes?, tlsRoutes?, tcpRoutes?}',
      {
        nonEmpty: true,
      },
    );
    if (list !== undefined) {
      const names = list.map((item, index) =>
        validateVirtualService(issues, item, [...path, 'virtualServices', index]),
      );
      checkUnique(
        issues,
        names,
        (index) => [...path, 'virtualServices', index, 'name'],
        'VirtualService name',
      );
    }
  }

  if (!isAbsent(istio.destinationRule))
    validateDestinationRule(issues, istio.destinationRule, [...path, 'destinationRule']);
}

/** Returns the VirtualService's name when it has a valid one. */
function validateVirtualService(issues: Issues, value: unknown, path: FieldPath): string | undefined {
  const service = readMap(issues, value, path, VIRTUAL_SERVICE_EXPECTED, { required: true });
  if (service === undefined) return undefined;
  checkKnownFields(issues, service, path, ['name', 'routes', 'tlsRoutes', 'tcpRoutes']);
  // `name` or `name.namespace` (Argo allows a VirtualService in another namespace)
  const name = readName(issues, service.name, [...path, 'name'], 'subdomain', 253);
  const namespace = name === undefined ? undefined : splitVirtualServiceName(name).namespace;
  const problem = namespace === undefined ? undefined : nameProblem(namespace, 'label', 63);
  if (problem) {
    const expected = 'a VirtualService name, or name.namespace with a valid namespace';
    issues.add([...path, 'name'], name, expected, `the namespace "${namespace}" of "${name}": ${problem}`);
  }

  const routes = readList(issues, service.routes, [...path, 'routes'], ROUTES_EXPECTED, { nonEmpty: true });
  if (routes !== undefined) {
    const names = routes.map((route, index) =>
      readString(issues, route, [...path, 'routes', index], 'an HTTP route name', {
        required: true,
        nonEmpty: true,
      }),
    );
    checkUnique(issues, names, (index) => [...path, 'routes', index], 'route name');
  }

  const tlsRoutes = readList(issues, service.tlsRoutes, [...path, 'tlsRoutes'], 'a list of {port, sniHosts}');
  tlsRoutes?.forEach((route, index) => validateTlsRoute(issues, route, [...path, 'tlsRoutes', index]));

  const tcpRoutes = readList(issues, service.tcpRoutes, [...path, 'tcpRoutes'], 'a list of {port}');
  tcpRoutes?.forEach((route, index) => {
    const at = [...path, 'tcpRoutes', index];
    const tcp = readMap(issues, route, at, 'a map with port', { required: true });
    if (tcp === undefined) return;
    checkKnownFields(issues, tcp, at, ['port']);
    readInteger(issues, tcp.port, [...at, 'port'], { ...PORT, required: true });
  });
  return name;
}

function validateTlsRoute(issues: Issues, value: unknown, path: FieldPath): void {
  const expected = 'a map with port, sniHosts or both';
  const route = readMap(issues, value, path, expected, { required: true });
  if (route === undefined) return;
  checkKnownFields(issues, route, path, ['port', 'sniHosts']);
  readInteger(issues, route.port, [...path, 'port'], PORT);
  const hosts = readList(issues, route.sniHosts, [...path, 'sniHosts'], 'a non-empty list of host names', {
    nonEmpty: true,
  });
  hosts?.forEach((host, index) =>
    readString(issues, host, [...path, 'sniHosts', index], 'a host name', { required: true, nonEmpty: true }),
  );
  if (isAbsent(route.port) && isAbsent(route.sniHosts)) {
    issues.add(
      path,
      route,
      expected,
      `neither port nor sniHosts is set, expected ${expected} to find the TLS route`,
    );
  }
}

function validateDestinationRule(issues: Issues, value: unknown, path: FieldPath): void {
  const rule = readMap(issues, value, path, 'a map with name, canarySubsetName and stableSubsetName');
  if (rule === undefined) return;
  checkKnownFields(issues, rule, path, [
    'name',
    'canarySubsetName',
    'stableSubsetName',
    'additionalSubsetNames',
  ]);
  refuseUnsupported(issues, rule, path, UNSUPPORTED_DESTINATION_RULE);
  readName(issues, rule.name, [...path, 'name'], 'subdomain', 253);
  const subset = (key: string) =>
    readString(issues, rule[key], [...path, key], 'a subset name of the DestinationRule', {
      required: true,
      nonEmpty: true,
    });
  const canary = subset('canarySubsetName');
  const stable = subset('stableSubsetName');
  if (canary !== undefined && canary === stable) {
    issues.add(
      [...path, 'stableSubsetName'],
      stable,
      'a subset other than canarySubsetName',
      `"${stable}" is also the canarySubsetName, expected two different subsets`,
    );
  }
}
