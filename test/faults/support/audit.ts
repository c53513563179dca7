// Every write to the objects a rollout owns, as kube-apiserver itself recorded it (KUBE_AUDIT_LOG, see
// scripts/kube-control-plane.sh): the product is checked from outside, whatever its activities think
// they did. Parses the audit log's JSON lines into VirtualService weights, ReplicaSet replicas and
// Service selectors per write, with who wrote (the field manager, else the user agent) and when.
import fs from 'node:fs';
import path from 'node:path';
import { testOutput } from '../../support/paths.js';

/** Where a lab started with `auditEnv(name)` writes its audit log. */
export function auditLogPath(labName: string): string {
  return path.join(testOutput, 'labs', labName, 'kube-audit.log');
}

/** The extra environment for `Lab.start(name, …)` that turns the audit log on. */
export function auditEnv(labName: string): Record<string, string> {
  return { KUBE_AUDIT_LOG: auditLogPath(labName) };
}

interface AuditEvent {
  stage?: string;
  verb?: string;
  requestURI?: string;
  user?: { username?: string };
  userAgent?: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestObject?: unknown;
  responseObject?: unknown;
  requestReceivedTimestamp?: string;
  stageTimestamp?: string;
}

export interface RouteWeights {
  /** The route's name, or `http[2]` when it has none. */
  route: string;
  destinations: { host?: string; subset?: string; weight?: number }[];
}

export interface AuditWrite {
  /** When the API server received the request (epoch ms) and its ISO form. */
  at: number;
  time: string;
  verb: string;
  user: string;
  userAgent: string;
  /** `fieldManager` of the request, else the user agent's product (`node-fetch/…` → `node-fetch`). */
  actor: string;
  resource: string;
  subresource?: string;
  namespace: string;
  name: string;
  code: number;
  /** The body sent (a whole object for create and update, the patch for patch). */
  request?: unknown;
  /** The object as stored after the write (when it succeeded). */
  response?: unknown;
}

function fieldManager(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const query = uri.includes('?') ? uri.slice(uri.indexOf('?') + 1) : '';
  return new URLSearchParams(query).get('fieldManager') ?? undefined;
}

/** Every completed write in the log, oldest first. */
export function readAudit(file: string): AuditWrite[] {
  if (!fs.existsSync(file)) throw new Error(`no audit log at ${file}: was the lab started with auditEnv()?`);
  const writes: AuditWrite[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as AuditEvent;
    if (event.stage !== 'ResponseComplete' && event.stage !== 'Panic') continue;
    const time = event.requestReceivedTimestamp ?? event.stageTimestamp ?? '';
    const userAgent = event.userAgent ?? '';
    writes.push({
      at: Date.parse(time),
      time,
      verb: event.verb ?? '',
      user: event.user?.username ?? '',
      userAgent,
      actor: fieldManager(event.requestURI) ?? userAgent.split(/[/ ]/)[0] ?? '',
      resource: event.objectRef?.resource ?? '',
      ...(event.objectRef?.subresource ? { subresource: event.objectRef.subresource } : {}),
      namespace: event.objectRef?.namespace ?? '',
      name: event.objectRef?.name ?? '',
      code: event.responseStatus?.code ?? 0,
      ...(event.requestObject !== undefined ? { request: event.requestObject } : {}),
      ...(event.responseObject !== undefined ? { response: event.responseObject } : {}),
    });
  }
  return writes.sort((a, b) => a.at - b.at);
}

const succeeded = (w: AuditWrite) => w.code >= 200 && w.code < 300;

interface HttpRoute {
  name?: string;
  route?: { destination?: { host?: string; subset?: string }; weight?: number }[];
}

function httpRoutes(object: unknown): RouteWeights[] | undefined {
  const http = (object as { spec?: { http?: HttpRoute[] } } | undefined)?.spec?.http;
  if (!Array.isArray(http)) return undefined;
  return http.map((route, i) => ({
    route: route.name ?? `http[${i}]`,
    destinations: (route.route ?? []).map((d) => ({
      ...(d.destination?.host !== undefined ? { host: d.destination.host } : {}),
      ...(d.destination?.subset !== undefined ? { subset: d.destination.subset } : {}),
      ...(d.weight !== undefined ? { weight: d.weight } : {}),
    })),
  }));
}

/** One write to a VirtualService: the routes in the body sent, and as stored afterwards. */
export interface VirtualServiceWrite extends AuditWrite {
  sent?: RouteWeights[];
  stored?: RouteWeights[];
}

export function virtualServiceWrites(writes: AuditWrite[], namespace?: string): VirtualServiceWrite[] {
  return writes
    .filter((w) => w.resource === 'virtualservices' && (!namespace || w.namespace === namespace))
    .map((w) => {
      const sent = httpRoutes(w.request);
      const stored = succeeded(w) ? httpRoutes(w.response) : undefined;
      return { ...w, ...(sent ? { sent } : {}), ...(stored ? { stored } : {}) };
    });
}

/** What is wrong with one route's weights: each in 0..100, whole, and together 100 (Istio's rule). */
export function weightProblems(route: RouteWeights): string[] {
  const problems: string[] = [];
  const weights = route.destinations.map((d) => d.weight);
  for (const [i, weight] of weights.entries())
    if (weight !== undefined && (!Number.isInteger(weight) || weight < 0 || weight > 100))
      problems.push(`destination ${route.destinations[i]?.host ?? i} has weight ${weight}`);
  // A lone destination may leave its weight out (it gets 100); otherwise the weights must add up.
  const unweighted = weights.every((w) => w === undefined);
  if (!(unweighted && route.destinations.length <= 1)) {
    const sum = weights.reduce<number>((n, w) => n + (w ?? 0), 0);
    if (sum !== 100) problems.push(`weights sum to ${sum}: ${JSON.stringify(weights)}`);
  }
  return problems;
}

/** Every VirtualService write whose body or stored result has a weight outside 0-100 or not summing to 100. */
export function badWeightWrites(writes: VirtualServiceWrite[]): string[] {
  const bad: string[] = [];
  for (const w of writes)
    for (const [what, routes] of [
      ['sent', w.sent],
      ['stored', w.stored],
    ] as const)
      for (const route of routes ?? [])
        for (const problem of weightProblems(route))
          bad.push(
            `${w.time} ${w.verb} ${w.namespace}/${w.name} by ${w.actor}, ${what} route ${route.route}: ${problem}`,
          );
  return bad;
}

/** The weight of each host in one named route, as stored by the write (undefined if it has none). */
export function storedWeights(write: VirtualServiceWrite, route: string): Record<string, number> | undefined {
  const found = write.stored?.find((r) => r.route === route);
  if (!found) return undefined;
  return Object.fromEntries(found.destinations.map((d) => [d.host ?? d.subset ?? '', d.weight ?? 0]));
}

/** One write to a ReplicaSet (create, patch, update, scale, delete) and the replicas it asked for. */
export interface ReplicaSetWrite extends AuditWrite {
  /** spec.replicas in the body sent, when the body has it. */
  replicas?: number;
}

export function replicaSetWrites(writes: AuditWrite[], namespace?: string): ReplicaSetWrite[] {
  return writes
    .filter((w) => w.resource === 'replicasets' && (!namespace || w.namespace === namespace))
    .map((w) => {
      const replicas = (w.request as { spec?: { replicas?: unknown } } | undefined)?.spec?.replicas;
      return replicas !== undefined ? { ...w, replicas: replicas as number } : w;
    });
}

/** ReplicaSet writes that asked for a replica count that is not a whole number ≥ 0. */
export function badReplicaWrites(writes: ReplicaSetWrite[]): string[] {
  return writes
    .filter((w) => w.replicas !== undefined && !(Number.isInteger(w.replicas) && w.replicas >= 0))
    .map((w) => `${w.time} ${w.verb} ${w.namespace}/${w.name} by ${w.actor}: replicas ${String(w.replicas)}`);
}

/** One write to a Service and the selector in its body (a merge patch carries only the keys it sets). */
export interface ServiceWrite extends AuditWrite {
  selector?: Record<string, string | null>;
  /** The selector as stored after the write. */
  storedSelector?: Record<string, string>;
}

export function serviceWrites(writes: AuditWrite[], namespace?: string): ServiceWrite[] {
  type WithSelector = { spec?: { selector?: Record<string, string> } } | undefined;
  return writes
    .filter((w) => w.resource === 'services' && (!namespace || w.namespace === namespace))
    .map((w) => {
      const selector = (w.request as WithSelector)?.spec?.selector;
      const stored = succeeded(w) ? (w.response as WithSelector)?.spec?.selector : undefined;
      return { ...w, ...(selector ? { selector } : {}), ...(stored ? { storedSelector: stored } : {}) };
    });
}

/** A short line per write, for a test's log. */
export function describeWrite(w: AuditWrite): string {
  let what = '';
  if (w.resource === 'virtualservices') {
    const vs = virtualServiceWrites([w])[0];
    what = (vs?.stored ?? vs?.sent ?? [])
      .map(
        (r) =>
          `${r.route}=${r.destinations.map((d) => `${d.host ?? d.subset}:${d.weight ?? '-'}`).join(',')}`,
      )
      .join(' ');
  } else if (w.resource === 'replicasets') {
    const replicas = replicaSetWrites([w])[0]?.replicas;
    what = replicas !== undefined ? `replicas ${replicas}` : '';
  } else if (w.resource === 'services') {
    const svc = serviceWrites([w])[0];
    what = JSON.stringify(svc?.storedSelector ?? svc?.selector ?? {});
  }
  const resource = `${w.resource}${w.subresource ? `/${w.subresource}` : ''}`;
  return `${w.time.slice(11, 23)} ${w.actor} ${w.verb} ${resource} ${w.namespace}/${w.name} ${w.code} ${what}`;
}
