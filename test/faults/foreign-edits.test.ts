// Fault scenario 6, someone else edits: while rollouts run, a person (kubectl edit) and a GitOps tool
// (a sync of what git holds) change the VirtualService and the Services beside the rollout, each as a
// field manager of its own:
//   (a) the weights of the rollout's route (50/50 while paused, git's 100/0 in a timed pause, 70/30
//       before an abort): the rollout writes its own weight again at its next step. While a rollout is
//       paused, nothing rewrites the foreign weight: the workflow writes what it owns at its steps, it
//       does not watch the VirtualService (Argo's controller does, through an informer, and rewrites at
//       its next reconcile). The test records how long the foreign weight stood.
//   (b) an unrelated HTTP route (`admin`, a header match to another host), a second destination on it,
//       and an unrelated VirtualService: unchanged by every later write, to the end.
//   (c) a label, an annotation and new ports on both Services: they stay.
//   (d) the hash in a Service's selector, by hand: the rollout puts it back at its next step (a weight
//       step, the abort, or the promotion).
// Two rollouts: yellow to the end through its timed pauses; purple aborted, retried and promoted fully.
// Everything is checked at each step against the API server, and every write the rollout made is read
// back from kube-apiserver's audit log: none of them touched what the others own.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import type { RolloutStatus } from '../../core/status.js';
import { Lab } from '../support/lab.js';
import {
  auditEnv,
  auditLogPath,
  badWeightWrites,
  describeWrite,
  readAudit,
  storedWeights,
  virtualServiceWrites,
  type AuditWrite,
} from './support/audit.js';
import {
  CANARY_SVC,
  canonical,
  clusterState,
  deployApp,
  HASH_LABEL,
  image,
  NAME,
  ROUTE,
  scenarioLog,
  settledProblems,
  STABLE_SVC,
  VIRTUAL_SERVICE,
  waitScaleDowns,
  type AppFiles,
} from './support/canary-app.js';
import { RolloutsCommand } from './support/command.js';
import { replayLabHistories, replaySummary, type ReplayReport } from './support/histories.js';
import { recordScenario } from './support/summary.js';

const LAB = 'faults-foreign-edits';
const NS = 'foreign';
const PERSON = 'kubectl-edit';
const GITOPS = 'argocd-controller';
const OTHER_VS = 'other-vsvc';
const { file: logFile, log } = scenarioLog('foreign-edits');

let lab: Lab;
let cmd: RolloutsCommand;
let app: AppFiles;
let replay: ReplayReport | undefined;
let edits = 0;
const notes: string[] = [];
const results: { name: string; problems: string[]; lost: boolean }[] = [];

interface HttpRoute {
  name?: string;
  match?: unknown[];
  route?: { destination: { host: string; subset?: string }; weight?: number }[];
}
interface VirtualService extends KubernetesObject {
  spec: { hosts?: string[]; gateways?: string[]; http?: HttpRoute[] };
}
interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
}
interface Service extends KubernetesObject {
  spec: { selector?: Record<string, string>; ports?: ServicePort[] };
}

// What the others own, as they last wrote it: it must be there, unchanged, after every later write.
const ADMIN_ROUTE: HttpRoute = {
  name: 'admin',
  match: [{ headers: { 'x-admin': { exact: 'true' } } }],
  route: [{ destination: { host: 'admin-svc' }, weight: 100 }],
};
const ADMIN_ROUTE_SPLIT: HttpRoute = {
  ...ADMIN_ROUTE,
  route: [
    { destination: { host: 'admin-svc' }, weight: 70 },
    { destination: { host: 'admin-svc-v2' }, weight: 30 },
  ],
};
const OTHER_SPEC: VirtualService['spec'] = {
  hosts: ['other.apps.example.com'],
  gateways: ['myapp-gateway'],
  http: [{ name: 'other', route: [{ destination: { host: 'other-svc' }, weight: 100 }] }],
};
const SERVICE_LABEL = { team: 'checkout' };
const SERVICE_ANNOTATION = { 'example.com/owner': 'payments-oncall' };
const SERVICE_PORTS: ServicePort[] = [
  { name: 'http', port: 8080, targetPort: 'http', protocol: 'TCP' },
  { name: 'metrics', port: 9102, targetPort: 9102, protocol: 'TCP' },
];
const expected = { admin: undefined as HttpRoute | undefined, other: false, services: false };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const vsApi = 'networking.istio.io/v1alpha3';

async function rollouts(...args: string[]): Promise<string> {
  const answer = await cmd.run([...args, '-n', NS]);
  log(`rollouts ${args.join(' ')} → ${answer.code}: ${answer.text}`);
  if (answer.code !== 0) throw new Error(`rollouts ${args.join(' ')}: ${answer.text}`);
  return answer.text;
}

function waitFor(what: string, done: (s: RolloutStatus) => boolean, timeoutMs = 120_000) {
  log(`waiting until ${what}`);
  return cmd.waitFor(NAME, NS, what, done, timeoutMs);
}

/** A merge patch as `manager`, on the resourceVersion read (a conflict reads again). */
async function edit<T extends KubernetesObject>(
  manager: string,
  apiVersion: string,
  kind: string,
  name: string,
  change: (current: T) => Record<string, unknown>,
  what: string,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const current = await lab.read<T>(apiVersion, kind, NS, name);
    const patch = change(structuredClone(current));
    const body = {
      apiVersion,
      kind,
      ...patch,
      metadata: {
        ...((patch.metadata as Record<string, unknown> | undefined) ?? {}),
        name,
        namespace: NS,
        resourceVersion: current.metadata?.resourceVersion,
      },
    };
    try {
      await lab.kube().patch(body, undefined, undefined, manager, undefined, PatchStrategy.MergePatch);
      edits += 1;
      log(`${manager}: ${what} (${kind} ${name})`);
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 409 || attempt >= 5) throw err;
    }
  }
}

/** Rewrites the VirtualService's HTTP routes (a merge patch replaces the whole list, as kubectl's does). */
function editRoutes(manager: string, what: string, change: (http: HttpRoute[]) => HttpRoute[]) {
  return edit<VirtualService>(
    manager,
    vsApi,
    'VirtualService',
    VIRTUAL_SERVICE,
    (vs) => ({ spec: { http: change(vs.spec.http ?? []) } }),
    what,
  );
}

function setPrimary(http: HttpRoute[], canary: number): HttpRoute[] {
  return http.map((r) =>
    r.name === ROUTE
      ? {
          ...r,
          route: (r.route ?? []).map((d) => ({
            ...d,
            weight: d.destination.host === CANARY_SVC ? canary : 100 - canary,
          })),
        }
      : r,
  );
}

/** What git holds for the VirtualService: the seed's route at 100/0 and the admin route. */
function gitVersion(admin: HttpRoute): (http: HttpRoute[]) => HttpRoute[] {
  return () => [
    admin,
    {
      name: ROUTE,
      route: [
        { destination: { host: STABLE_SVC }, weight: 100 },
        { destination: { host: CANARY_SVC }, weight: 0 },
      ],
    },
  ];
}

function setSelectorHash(service: string, hash: string) {
  return edit<Service>(
    PERSON,
    'v1',
    'Service',
    service,
    () => ({ spec: { selector: { [HASH_LABEL]: hash } } }),
    `selector hash → ${hash}`,
  );
}

/** Everything the others own, as it must be: one line per difference. */
async function foreignProblems(): Promise<string[]> {
  const problems: string[] = [];
  const vs = await lab.read<VirtualService>(vsApi, 'VirtualService', NS, VIRTUAL_SERVICE);
  const http = vs.spec.http ?? [];
  if (expected.admin) {
    const admin = http.find((r) => r.name === 'admin');
    if (canonical(admin) !== canonical(expected.admin))
      problems.push(`admin route: ${JSON.stringify(admin)}, expected ${JSON.stringify(expected.admin)}`);
  }
  const primary = http.find((r) => r.name === ROUTE);
  const hosts = (primary?.route ?? []).map((d) => d.destination.host).sort();
  if (canonical(hosts) !== canonical([CANARY_SVC, STABLE_SVC].sort()))
    problems.push(`primary route destinations: ${JSON.stringify(hosts)}`);
  if (expected.other) {
    const other = await lab.read<VirtualService>(vsApi, 'VirtualService', NS, OTHER_VS);
    if (canonical(other.spec) !== canonical(OTHER_SPEC))
      problems.push(`${OTHER_VS}: ${JSON.stringify(other.spec)}`);
  }
  if (expected.services)
    for (const name of [STABLE_SVC, CANARY_SVC]) {
      const svc = await lab.read<Service>('v1', 'Service', NS, name);
      if (svc.metadata?.labels?.team !== SERVICE_LABEL.team)
        problems.push(`${name} labels: ${JSON.stringify(svc.metadata?.labels)}`);
      if (svc.metadata?.annotations?.['example.com/owner'] !== SERVICE_ANNOTATION['example.com/owner'])
        problems.push(`${name} annotations: ${JSON.stringify(svc.metadata?.annotations)}`);
      const ports = (svc.spec.ports ?? []).map(({ name: n, port, targetPort, protocol }) => ({
        name: n,
        port,
        targetPort,
        protocol,
      }));
      if (canonical(ports) !== canonical(SERVICE_PORTS))
        problems.push(`${name} ports: ${JSON.stringify(ports)}`);
      if (svc.spec.selector?.app !== 'myapp')
        problems.push(`${name} selector: ${JSON.stringify(svc.spec.selector)}`);
    }
  return problems;
}

/** The rollout's own: the route's weights, both selectors' hashes; and the others' things intact. */
async function checkStop(
  stage: string,
  s: RolloutStatus,
  want: { canaryWeight: number; stableHash: string; canaryHash: string },
): Promise<string[]> {
  const cluster = await clusterState(lab, NS);
  const problems: string[] = [];
  const wantWeights = { [STABLE_SVC]: 100 - want.canaryWeight, [CANARY_SVC]: want.canaryWeight };
  if (canonical(cluster.weights) !== canonical(wantWeights))
    problems.push(
      `VirtualService weights ${JSON.stringify(cluster.weights)}, expected ${JSON.stringify(wantWeights)}`,
    );
  if (s.weights.canary !== want.canaryWeight) problems.push(`status canary weight ${s.weights.canary}`);
  if (cluster.stableSelector !== want.stableHash)
    problems.push(`stable Service selects ${String(cluster.stableSelector)}, expected ${want.stableHash}`);
  if (cluster.canarySelector !== want.canaryHash)
    problems.push(`canary Service selects ${String(cluster.canarySelector)}, expected ${want.canaryHash}`);
  problems.push(...(await foreignProblems()));
  log(
    `${stage}: ${s.phase} step ${String(s.currentStepIndex)} weights ${JSON.stringify(cluster.weights)} stable→${String(cluster.stableSelector)} canary→${String(cluster.canarySelector)}${problems.length ? ` PROBLEMS ${JSON.stringify(problems)}` : ''}`,
  );
  return problems.map((p) => `${stage}: ${p}`);
}

const atStep = (index: number) => (s: RolloutStatus) =>
  s.currentStepIndex === index && s.pauseConditions.length > 0;

/** Samples the route's weights while nothing but time passes: how long a foreign weight stands. */
async function watchWeights(seconds: number): Promise<Record<string, number>[]> {
  const seen: Record<string, number>[] = [];
  for (let i = 0; i < seconds; i++) {
    seen.push(await lab.routeWeights(NS, VIRTUAL_SERVICE, ROUTE));
    await sleep(1000);
  }
  return seen;
}

async function run(name: string, work: () => Promise<string[]>): Promise<string[]> {
  let problems: string[];
  let lost: boolean;
  try {
    problems = await work();
    lost = problems.some((p) => p.startsWith('end:'));
  } catch (err) {
    problems = [err instanceof Error ? err.message : String(err)];
    lost = true;
  }
  results.push({ name, problems, lost });
  log(`${name}: problems ${JSON.stringify(problems)}`);
  return problems;
}

beforeAll(async () => {
  console.log(`someone else edits: log ${logFile}`);
  lab = await Lab.start(LAB, { ...auditEnv(LAB), MESH_POD_START_SECONDS: '1' });
  cmd = new RolloutsCommand(lab);
  app = await deployApp(lab, cmd, {
    namespace: NS,
    pauseSeconds: 8,
    scaleDownDelaySeconds: 5,
    abortScaleDownDelaySeconds: 5,
    analysisInitialDelay: '2s',
    analysisInterval: '2s',
  });
}, 240_000);

afterAll(async () => {
  recordScenario({
    scenario: 'someone else edits',
    runs: results.length,
    faultsInjected: edits,
    completedCorrectly:
      replay && replay.failures.length === 0 ? results.filter((r) => r.problems.length === 0).length : 0,
    lost: results.filter((r) => r.lost).length,
    notes: [
      ...notes,
      ...results.flatMap((r) => r.problems.map((p) => `${r.name}: ${p}`)),
      replaySummary(replay),
    ],
  });
  await cmd?.close();
  await lab?.down();
}, 120_000);

describe('someone else edits the VirtualService and the Services during rollouts', () => {
  let blueHash: string;
  let yellowHash: string;

  it('yellow: foreign weights are overwritten at the next step, foreign routes, VirtualService, labels and ports stay, a hand-edited selector is put back', async () => {
    const problems = await run('yellow to the end', async () => {
      const found: string[] = [];
      await rollouts('set', 'image', NAME, `${NAME}=${image('yellow')}`);
      let s = await waitFor('yellow is paused at 20 %', atStep(1));
      blueHash = s.stableRevision?.podTemplateHash ?? '';
      yellowHash = s.canaryRevision?.podTemplateHash ?? '';
      found.push(
        ...(await checkStop('yellow at 20 %', s, {
          canaryWeight: 20,
          stableHash: blueHash,
          canaryHash: yellowHash,
        })),
      );

      // While paused: weights, a route, a VirtualService, Service labels and ports, a selector.
      await editRoutes(PERSON, 'primary at 50/50', (http) => setPrimary(http, 50));
      await editRoutes(GITOPS, 'add the admin route', (http) => [ADMIN_ROUTE, ...http]);
      expected.admin = ADMIN_ROUTE;
      await lab.kube().create(
        {
          apiVersion: vsApi,
          kind: 'VirtualService',
          metadata: { name: OTHER_VS, namespace: NS },
          spec: OTHER_SPEC,
        },
        undefined,
        undefined,
        PERSON,
      );
      edits += 1;
      expected.other = true;
      for (const service of [STABLE_SVC, CANARY_SVC])
        await edit<Service>(
          PERSON,
          'v1',
          'Service',
          service,
          () => ({
            metadata: { labels: SERVICE_LABEL, annotations: SERVICE_ANNOTATION },
            spec: { ports: SERVICE_PORTS },
          }),
          'label, annotation, ports',
        );
      expected.services = true;
      await setSelectorHash(CANARY_SVC, blueHash);

      const seen = await watchWeights(5);
      const stood = seen.filter((w) => w[CANARY_SVC] === 50).length;
      notes.push(
        `(a) while paused at 20 %, a foreign 50/50 stood ${stood} of ${seen.length} s (the workflow writes its weight at its steps; Argo's controller would rewrite it at once)`,
      );
      log(`while paused: ${JSON.stringify(seen)}`);

      await rollouts('promote', NAME);
      s = await waitFor('yellow is in its timed pause at 40 %', atStep(3));
      found.push(
        ...(await checkStop('yellow at 40 %', s, {
          canaryWeight: 40,
          stableHash: blueHash,
          canaryHash: yellowHash,
        })),
      );

      // In the timed pause: a GitOps sync puts git's version back (100/0) and splits the admin route.
      await editRoutes(
        GITOPS,
        "sync git's version: primary 100/0, admin split 70/30",
        gitVersion(ADMIN_ROUTE_SPLIT),
      );
      expected.admin = ADMIN_ROUTE_SPLIT;
      s = await waitFor('yellow is in its timed pause at 60 %', atStep(5));
      found.push(
        ...(await checkStop('yellow at 60 %', s, {
          canaryWeight: 60,
          stableHash: blueHash,
          canaryHash: yellowHash,
        })),
      );

      // Someone points the stable Service at the canary by hand.
      await setSelectorHash(STABLE_SVC, yellowHash);
      s = await waitFor('yellow is in its timed pause at 80 %', atStep(7));
      found.push(
        ...(await checkStop('yellow at 80 %', s, {
          canaryWeight: 80,
          stableHash: blueHash,
          canaryHash: yellowHash,
        })),
      );

      await waitFor('yellow is Healthy', (x) => x.phase === 'Healthy' && !x.canaryRevision);
      const end = await waitScaleDowns(lab, cmd, NS);
      found.push(
        ...(await checkStop('end', end, { canaryWeight: 0, stableHash: yellowHash, canaryHash: yellowHash })),
      );
      found.push(
        ...settledProblems(end, await clusterState(lab, NS), {
          image: image('yellow'),
          revisionHistoryLimit: app.revisionHistoryLimit,
        }).map((p) => `end: ${p}`),
      );
      return found;
    });
    expect(problems).toEqual([]);
  }, 400_000);

  it('purple: a foreign weight and a hand-edited stable selector before an abort, a GitOps sync after the retry', async () => {
    const problems = await run('purple aborted, retried, promoted', async () => {
      const found: string[] = [];
      await rollouts('set', 'image', NAME, `${NAME}=${image('purple')}`);
      let s = await waitFor('purple is paused at 20 %', atStep(1));
      const purpleHash = s.canaryRevision?.podTemplateHash ?? '';
      found.push(
        ...(await checkStop('purple at 20 %', s, {
          canaryWeight: 20,
          stableHash: yellowHash,
          canaryHash: purpleHash,
        })),
      );

      await editRoutes(PERSON, 'primary at 70/30', (http) => setPrimary(http, 30));
      await setSelectorHash(STABLE_SVC, purpleHash);
      await rollouts('abort', NAME);
      s = await waitFor('purple is rolled back', (x) => x.aborted && x.weights.canary === 0);
      // The rollback's last writes (the Services) follow the weight: give them until both select yellow.
      for (let i = 0; i < 20; i++) {
        const cluster = await clusterState(lab, NS);
        if (cluster.stableSelector === yellowHash && cluster.canarySelector === yellowHash) break;
        await sleep(500);
      }
      found.push(
        ...(await checkStop('purple aborted', s, {
          canaryWeight: 0,
          stableHash: yellowHash,
          canaryHash: yellowHash,
        })),
      );

      await rollouts('retry', NAME);
      s = await waitFor('purple is paused at 20 % again', (x) => !x.aborted && atStep(1)(x));
      found.push(
        ...(await checkStop('purple retried, at 20 %', s, {
          canaryWeight: 20,
          stableHash: yellowHash,
          canaryHash: purpleHash,
        })),
      );

      await editRoutes(GITOPS, "sync git's version: primary 100/0", gitVersion(ADMIN_ROUTE_SPLIT));
      await rollouts('promote', NAME, '--full');
      await waitFor('purple is Healthy', (x) => x.phase === 'Healthy' && !x.canaryRevision);
      const end = await waitScaleDowns(lab, cmd, NS);
      found.push(
        ...(await checkStop('end', end, { canaryWeight: 0, stableHash: purpleHash, canaryHash: purpleHash })),
      );
      found.push(
        ...settledProblems(end, await clusterState(lab, NS), {
          image: image('purple'),
          revisionHistoryLimit: app.revisionHistoryLimit,
        }).map((p) => `end: ${p}`),
      );
      return found;
    });
    expect(problems).toEqual([]);
  }, 400_000);

  it("no write of the rollout changed what the others own, or wrote a weight that is not a step's", () => {
    const writes = readAudit(auditLogPath(LAB)).filter((w) => w.namespace === NS);
    for (const w of writes) log(`audit ${describeWrite(w)}`);
    const ours = (w: AuditWrite) => w.actor === 'temporal-rollouts' || w.actor === 'node-fetch';
    const foreign = (w: AuditWrite) => w.actor === PERSON || w.actor === GITOPS;
    expect(writes.filter(foreign).length).toBe(edits);
    expect(writes.filter(ours).length).toBeGreaterThan(20);

    const problems: string[] = [];
    const vsWrites = virtualServiceWrites(writes);
    problems.push(...badWeightWrites(vsWrites));
    // Replaying the log: what the others last wrote must be in everything the rollout stores after.
    let admin: HttpRoute | undefined;
    let service: Record<string, { labels: unknown; annotations: unknown; ports: unknown }> = {};
    const servicePart = (o: unknown) => {
      const svc = o as Service;
      return {
        labels: svc.metadata?.labels?.team,
        annotations: svc.metadata?.annotations?.['example.com/owner'],
        ports: (svc.spec.ports ?? []).map((p) => `${p.name ?? ''}:${p.port}`),
      };
    };
    for (const w of writes) {
      if (w.code >= 300) continue;
      if (w.resource === 'virtualservices' && w.name === VIRTUAL_SERVICE) {
        const http = (w.response as VirtualService).spec.http ?? [];
        const stored = http.find((r) => r.name === 'admin');
        if (foreign(w)) admin = stored;
        else if (ours(w)) {
          if (canonical(stored) !== canonical(admin))
            problems.push(
              `${describeWrite(w)}: admin route ${JSON.stringify(stored)}, last written ${JSON.stringify(admin)}`,
            );
          const written = virtualServiceWrites([w])[0];
          const canary = written && storedWeights(written, ROUTE)?.[CANARY_SVC];
          if (![0, 20, 40, 60, 80].includes(canary ?? -1))
            problems.push(`${describeWrite(w)}: canary weight ${String(canary)}`);
        }
      }
      if (w.resource === 'virtualservices' && w.name === OTHER_VS && !foreign(w))
        problems.push(`${describeWrite(w)}: the rollout wrote the unrelated VirtualService`);
      if (w.resource === 'services') {
        const part = servicePart(w.response);
        if (foreign(w)) service = { ...service, [w.name]: part };
        else if (ours(w) && service[w.name] && canonical(part) !== canonical(service[w.name]))
          problems.push(
            `${describeWrite(w)}: ${JSON.stringify(part)}, last written ${JSON.stringify(service[w.name])}`,
          );
      }
    }
    expect(problems).toEqual([]);
  });

  it('replays every history of the lab against the current code', async () => {
    replay = await replayLabHistories(lab, 'foreign-edits');
    log(`replay: ${JSON.stringify(replay)}`);
    expect(replay.histories).toBeGreaterThan(0);
    expect(replay.failures).toEqual([]);
  }, 300_000);
});
