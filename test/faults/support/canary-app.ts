// The seed's app (examples/fast: myapp behind an Istio VirtualService, background analysis from step 1)
// in a namespace of a fault lab, with the pace a scenario wants, and the checks that hold once a rollout
// has settled: what the status says is what the API server holds (weights, selectors, ReplicaSets).
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import YAML from 'yaml';
import type { RolloutStatus } from '../../../core/status.js';
import { imageOf, revisionOf, type Lab, type ReplicaSetObject } from '../../support/lab.js';
import { repoRoot, testOutput } from '../../support/paths.js';
import type { RolloutsCommand } from './command.js';

export const NAME = 'myapp';
export const VIRTUAL_SERVICE = 'myapp-vsvc';
export const ROUTE = 'primary';
export const STABLE_SVC = 'myapp-stable-svc';
export const CANARY_SVC = 'myapp-canary-svc';
export const HASH_LABEL = 'rollouts-pod-template-hash';
export const image = (tag: string) => `argoproj/rollouts-demo:${tag}`;

export interface AppOptions {
  namespace: string;
  /** Seconds of each timed pause (the fast examples: 10). */
  pauseSeconds?: number;
  scaleDownDelaySeconds?: number;
  abortScaleDownDelaySeconds?: number;
  revisionHistoryLimit?: number;
  /** The analysis metric's initialDelay and interval (the fast examples: 10s, 5s). */
  analysisInitialDelay?: string;
  analysisInterval?: string;
}

export interface AppFiles {
  /** Namespace, Services, VirtualService, Gateway. */
  objects: string[];
  /** AnalysisTemplate and Rollout, for `rollouts apply`. */
  rollout: string[];
  revisionHistoryLimit: number;
}

type Doc = Record<string, unknown> & { spec: Record<string, unknown> };

/** JSON with every object's keys sorted: the API server does not keep the order they were written in. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}

/** Writes examples/fast for this lab and namespace, with the options applied. */
export function writeApp(lab: Lab, options: AppOptions): AppFiles {
  const { namespace } = options;
  const source = path.join(repoRoot, 'examples', 'fast');
  const dir = path.join(testOutput, 'faults', 'apps', path.basename(lab.paths.dir), namespace);
  fs.mkdirSync(dir, { recursive: true });
  const read = (file: string) =>
    fs
      .readFileSync(path.join(source, file), 'utf8')
      .replaceAll('namespace: rollouts-demo', `namespace: ${namespace}`)
      .replace(/^(\s+name: )rollouts-demo$/m, `$1${namespace}`)
      .replaceAll('http://127.0.0.1:9090', lab.url('PROMETHEUS_URL'));
  const write = (file: string, text: string) => {
    fs.writeFileSync(path.join(dir, file), text);
    return path.join(dir, file);
  };
  const objects = ['00-namespace.yaml', '01-services.yaml', '02-virtualservice.yaml', '03-gateway.yaml'].map(
    (file) => write(file, read(file)),
  );

  const template = YAML.parse(read('04-analysistemplate.yaml')) as Doc;
  const metric = (template.spec.metrics as Record<string, unknown>[])[0] as Record<string, unknown>;
  if (options.analysisInitialDelay) metric.initialDelay = options.analysisInitialDelay;
  if (options.analysisInterval) metric.interval = options.analysisInterval;

  const rollout = YAML.parse(read('05-rollout.yaml')) as Doc;
  const canary = (rollout.spec.strategy as Record<string, Record<string, unknown>>).canary as Record<
    string,
    unknown
  >;
  if (options.revisionHistoryLimit !== undefined)
    rollout.spec.revisionHistoryLimit = options.revisionHistoryLimit;
  if (options.scaleDownDelaySeconds !== undefined)
    canary.scaleDownDelaySeconds = options.scaleDownDelaySeconds;
  if (options.abortScaleDownDelaySeconds !== undefined)
    canary.abortScaleDownDelaySeconds = options.abortScaleDownDelaySeconds;
  if (options.pauseSeconds !== undefined)
    for (const step of canary.steps as { pause?: { duration?: string } }[])
      if (step.pause?.duration) step.pause.duration = `${options.pauseSeconds}s`;

  return {
    objects,
    rollout: [
      write('04-analysistemplate.yaml', YAML.stringify(template)),
      write('05-rollout.yaml', YAML.stringify(rollout)),
    ],
    revisionHistoryLimit: Number(rollout.spec.revisionHistoryLimit ?? 10),
  };
}

/** Applies the app's objects and its first revision, and waits until it is Healthy. */
export async function deployApp(lab: Lab, cmd: RolloutsCommand, options: AppOptions): Promise<AppFiles> {
  const files = writeApp(lab, options);
  await lab.applyFiles(...files.objects);
  await lab.mustRollouts('apply', ...files.rollout.flatMap((f) => ['-f', f]));
  await cmd.waitFor(NAME, options.namespace, 'the first revision is Healthy', (s) => s.phase === 'Healthy');
  return files;
}

/** The API server's side of a rollout: route weights, selector hashes and ReplicaSets. */
export interface ClusterState {
  weights: Record<string, number>;
  stableSelector: string | undefined;
  canarySelector: string | undefined;
  replicaSets: {
    name: string;
    hash: string;
    revision: number;
    image: string | undefined;
    replicas: number;
  }[];
}

export async function clusterState(lab: Lab, namespace: string): Promise<ClusterState> {
  const list = await lab.kube().list<ReplicaSetObject>('apps/v1', 'ReplicaSet', namespace);
  return {
    weights: await lab.routeWeights(namespace, VIRTUAL_SERVICE, ROUTE),
    stableSelector: (await lab.selector(namespace, STABLE_SVC))[HASH_LABEL],
    canarySelector: (await lab.selector(namespace, CANARY_SVC))[HASH_LABEL],
    replicaSets: list.items
      .map((rs) => ({
        name: rs.metadata?.name ?? '',
        hash: rs.metadata?.labels?.[HASH_LABEL] ?? '',
        revision: revisionOf(rs),
        image: imageOf(rs),
        replicas: rs.spec?.replicas ?? 0,
      }))
      .sort((a, b) => a.revision - b.revision),
  };
}

/**
 * A settled, Healthy rollout as the API server must hold it: all traffic on stable, both Services on
 * the stable hash, the stable ReplicaSet at full scale, every other one at zero and no more of them
 * than revisionHistoryLimit, and the status saying the same. Returns what is wrong, one line each.
 */
export function settledProblems(
  status: RolloutStatus,
  cluster: ClusterState,
  expected: { image: string; revisionHistoryLimit: number; revision?: number },
): string[] {
  const problems: string[] = [];
  const expect = (what: string, actual: unknown, wanted: unknown) => {
    if (canonical(actual) !== canonical(wanted))
      problems.push(`${what}: ${JSON.stringify(actual)}, expected ${JSON.stringify(wanted)}`);
  };
  const stable = status.stableRevision;
  expect('phase', status.phase, 'Healthy');
  expect('aborted', status.aborted, false);
  expect('stable image', stable?.images[NAME], expected.image);
  if (expected.revision !== undefined) expect('stable revision', stable?.revision, expected.revision);
  expect('canary revision', status.canaryRevision, undefined);
  expect(
    'status weights',
    { canary: status.weights.canary, stable: status.weights.stable },
    { canary: 0, stable: 100 },
  );
  expect('weights verified', status.weights.verified, true);
  expect('VirtualService weights', cluster.weights, { [STABLE_SVC]: 100, [CANARY_SVC]: 0 });
  expect('stable Service selector', cluster.stableSelector, stable?.podTemplateHash);
  expect('canary Service selector', cluster.canarySelector, stable?.podTemplateHash);
  const stableRs = cluster.replicaSets.find((rs) => rs.hash === stable?.podTemplateHash);
  expect('stable ReplicaSet', stableRs && { image: stableRs.image, replicas: stableRs.replicas }, {
    image: expected.image,
    replicas: status.replicas,
  });
  for (const rs of cluster.replicaSets)
    if (rs !== stableRs && rs.replicas !== 0)
      problems.push(
        `orphan ReplicaSet ${rs.name} (revision ${rs.revision}, ${rs.image}) has ${rs.replicas} replicas`,
      );
  if (cluster.replicaSets.length > expected.revisionHistoryLimit + 1)
    problems.push(
      `${cluster.replicaSets.length} ReplicaSets, more than revisionHistoryLimit + 1 = ${expected.revisionHistoryLimit + 1}: ${cluster.replicaSets.map((rs) => rs.name).join(', ')}`,
    );
  // The status' ReplicaSets are the cluster's, with the same replicas.
  const tracked = status.replicaSets.map((rs) => `${rs.name}=${rs.desiredReplicas}`).sort();
  const live = cluster.replicaSets.map((rs) => `${rs.name}=${rs.replicas}`).sort();
  expect('ReplicaSets in the status vs the cluster', tracked, live);
  return problems;
}

/**
 * Waits until no delayed scale-down is pending in the status, none of the old ReplicaSets has pods and
 * the status tracks the ReplicaSets the cluster has; past the timeout, returns the last status as it is.
 */
export async function waitScaleDowns(
  lab: Lab,
  cmd: RolloutsCommand,
  namespace: string,
  timeoutMs = 90_000,
): Promise<RolloutStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await cmd.status(NAME, namespace);
    const cluster = await clusterState(lab, namespace);
    const stableHash = status.stableRevision?.podTemplateHash;
    const pending = status.replicaSets.some((rs) => rs.scaleDownAt !== undefined);
    const busy = cluster.replicaSets.some((rs) => rs.hash !== stableHash && rs.replicas > 0);
    // A prune after the last scale-down may still be in flight: done once the status and the cluster
    // list the same ReplicaSets.
    const same =
      JSON.stringify(status.replicaSets.map((rs) => rs.name).sort()) ===
      JSON.stringify(cluster.replicaSets.map((rs) => rs.name).sort());
    if ((!pending && !busy && same && status.phase === 'Healthy') || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** AnalysisRun workflows still running in the lab's Temporal (after a settled rollout: none). */
export async function runningAnalysisRuns(lab: Lab): Promise<string[]> {
  const connection = await Connection.connect({ address: lab.url('TEMPORAL_ADDRESS') });
  try {
    const client = new Client({ connection, namespace: 'default' });
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query: `ExecutionStatus = 'Running'` }))
      if (execution.workflowId.startsWith('analysis:')) ids.push(execution.workflowId);
    return ids;
  } finally {
    await connection.close();
  }
}

/** A seeded source of numbers in [0, 1) (mulberry32): FAULT_SEED replays a run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function faultSeed(): number {
  const fromEnv = process.env.FAULT_SEED;
  return fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : Math.floor(Math.random() * 1_000_000);
}

/** A log file per scenario under test-output/faults/, each line timestamped. */
export function scenarioLog(slug: string): { file: string; log: (line: string) => void } {
  const file = path.join(testOutput, 'faults', `${slug}.log`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.rmSync(file, { force: true });
  return {
    file,
    log: (line: string) => fs.appendFileSync(file, `${new Date().toISOString().slice(11, 23)} ${line}\n`),
  };
}
