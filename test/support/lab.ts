// A lab of its own for a test (`rollouts lab up` in test-output/labs/<name>, on ports the OS picked, so
// it never meets the user's lab or another test's), driven the way a user drives it: the built `rollouts`
// command in a process of its own, with the environment `lab up` wrote. Reads the cluster directly to
// check what the rollout did, and kills or restarts a component to inject a fault.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import type { RolloutStatus } from '../../core/status.js';
import { parseEnvFile } from '../../lab/stack/env-file.js';
import { labPaths, type LabPaths } from '../../lab/stack/paths.js';
import { pidOf } from '../../lab/stack/process.js';
import { freePorts } from '../../lab/stack/free-ports.js';
import { repoRoot, testOutput } from './paths.js';
import { waitForStatus } from './wait-for-status.js';

const cli = path.join(repoRoot, 'dist', 'client', 'main.js');
const kubeScript = path.join(repoRoot, 'scripts', 'kube-control-plane.sh');

export interface CommandResult {
  code: number | null;
  out: string;
  err: string;
}

const PORT_VARIABLES = [
  'LAB_TEMPORAL_PORT',
  'LAB_TEMPORAL_UI_PORT',
  'LAB_ETCD_PORT',
  'LAB_ETCD_PEER_PORT',
  'LAB_KUBE_PORT',
  'LAB_MESH_PORT',
  'LAB_PROMETHEUS_PORT',
  'LAB_WORKER_METRICS_PORT',
] as const;

export type LabComponent = 'temporal' | 'kube' | 'mesh' | 'prometheus' | 'worker';

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(command, args, { env, cwd: repoRoot, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({
        code: error ? ((error as { code?: number }).code ?? null) : 0,
        out: stdout.trimEnd(),
        err: stderr.trimEnd(),
      });
    });
  });
}

export class Lab {
  readonly paths: LabPaths;
  /** What `rollouts` runs with: the ports chosen, LAB_DIR, and (after `up`) `.lab/env`'s variables. */
  env: NodeJS.ProcessEnv;
  private kubeApi?: KubernetesObjectApi;

  private constructor(
    readonly name: string,
    baseEnv: NodeJS.ProcessEnv,
  ) {
    this.paths = labPaths({ LAB_DIR: path.join(testOutput, 'labs', name) });
    this.env = { ...baseEnv, LAB_DIR: this.paths.dir };
  }

  /** Starts a fresh lab (an earlier run's leftovers stopped and purged first). */
  static async start(name: string, extraEnv: Record<string, string> = {}): Promise<Lab> {
    const ports = await freePorts(PORT_VARIABLES.length);
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...Object.fromEntries(PORT_VARIABLES.map((variable, i) => [variable, String(ports[i])])),
      ...(process.env.WORKER_MAX_CACHED_WORKFLOWS !== undefined
        ? { WORKER_MAX_CACHED_WORKFLOWS: process.env.WORKER_MAX_CACHED_WORKFLOWS }
        : {}),
      ...extraEnv,
    };
    const lab = new Lab(name, env);
    if (fs.existsSync(lab.paths.dir)) await lab.rollouts('lab', 'down', '--purge');
    fs.rmSync(lab.paths.dir, { recursive: true, force: true });
    await lab.up();
    return lab;
  }

  /** `rollouts lab up`: starts what is not running (a killed component comes back). */
  async up(): Promise<CommandResult> {
    const result = await this.rollouts('lab', 'up');
    if (result.code !== 0) throw new Error(`lab up failed (${result.code}):\n${result.out}\n${result.err}`);
    this.env = { ...this.env, ...parseEnvFile(fs.readFileSync(this.paths.envFile, 'utf8')) };
    return result;
  }

  async down(): Promise<void> {
    await this.rollouts('lab', 'down');
  }

  rollouts(...args: string[]): Promise<CommandResult> {
    return run(process.execPath, [cli, ...args], this.env);
  }

  /** Like `rollouts`, but a non-zero exit is an error that carries the output. */
  async mustRollouts(...args: string[]): Promise<string> {
    const result = await this.rollouts(...args);
    if (result.code !== 0)
      throw new Error(`rollouts ${args.join(' ')} exited ${result.code}:\n${result.out}\n${result.err}`);
    return result.out;
  }

  url(
    variable: 'TEMPORAL_UI_URL' | 'PROMETHEUS_URL' | 'MESH_URL' | 'TEMPORAL_ADDRESS' | 'WORKER_METRICS_URL',
  ): string {
    const value = this.env[variable];
    if (!value) throw new Error(`${variable} is not in ${this.paths.envFile}`);
    return value;
  }

  /** Applies plain Kubernetes manifests (Namespace, Services, VirtualService…) the way the lab does. */
  async applyFiles(...files: string[]): Promise<void> {
    const result = await run('bash', [kubeScript, 'apply', this.paths.kubeDir, ...files], this.env);
    if (result.code !== 0) throw new Error(`applying ${files.join(', ')} failed:\n${result.err}`);
  }

  /** Stops kube-apiserver alone (etcd and its data stay): an API server outage, until `startApiserver()`. */
  async stopApiserver(): Promise<void> {
    await this.controlPlane('stop-apiserver');
  }

  /** Starts kube-apiserver again on its port, with its credentials; ready (CRDs served) when this returns. */
  async startApiserver(): Promise<void> {
    await this.controlPlane('start-apiserver');
  }

  private async controlPlane(command: 'stop-apiserver' | 'start-apiserver'): Promise<void> {
    const result = await run('bash', [kubeScript, command, this.paths.kubeDir], this.env);
    if (result.code !== 0)
      throw new Error(
        `kube-control-plane.sh ${command} failed (${result.code}):\n${result.out}\n${result.err}`,
      );
  }

  async status(name: string, namespace: string): Promise<RolloutStatus> {
    return JSON.parse(await this.mustRollouts('get', name, '-n', namespace, '-o', 'json')) as RolloutStatus;
  }

  /** Polls the status every `pollMs` until `done` holds; the error names what it waited for and the last status. */
  async waitFor(
    name: string,
    namespace: string,
    what: string,
    done: (status: RolloutStatus) => boolean,
    timeoutMs = 120_000,
    pollMs = 500,
  ): Promise<RolloutStatus> {
    return waitForStatus(
      () => this.status(name, namespace),
      `${namespace}/${name}`,
      what,
      done,
      timeoutMs,
      pollMs,
    );
  }

  kube(): KubernetesObjectApi {
    if (!this.kubeApi) {
      const config = new KubeConfig();
      config.loadFromFile(this.paths.kubeconfig);
      this.kubeApi = KubernetesObjectApi.makeApiClient(config);
    }
    return this.kubeApi;
  }

  async read<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    namespace: string,
    name: string,
  ): Promise<T> {
    const found: KubernetesObject = await this.kube().read({
      apiVersion,
      kind,
      metadata: { namespace, name },
    });
    return found as T;
  }

  /** The weight of each destination host of one named HTTP route. */
  async routeWeights(
    namespace: string,
    virtualService: string,
    route: string,
  ): Promise<Record<string, number>> {
    const vs = await this.read<VirtualServiceObject>(
      'networking.istio.io/v1alpha3',
      'VirtualService',
      namespace,
      virtualService,
    );
    const http = (vs.spec?.http ?? []).find((r) => r.name === route);
    if (!http) throw new Error(`VirtualService ${namespace}/${virtualService} has no HTTP route ${route}`);
    return Object.fromEntries((http.route ?? []).map((d) => [d.destination.host, d.weight ?? 0]));
  }

  async selector(namespace: string, service: string): Promise<Record<string, string>> {
    const svc = await this.read<ServiceObject>('v1', 'Service', namespace, service);
    return svc.spec?.selector ?? {};
  }

  /** The rollout's ReplicaSets (by the `<rollout>-` name prefix), oldest first. */
  async replicaSets(namespace: string, rollout: string): Promise<ReplicaSetObject[]> {
    const list = await this.kube().list<ReplicaSetObject>('apps/v1', 'ReplicaSet', namespace);
    return list.items
      .filter((rs) => rs.metadata?.name?.startsWith(`${rollout}-`))
      .sort((a, b) => revisionOf(a) - revisionOf(b));
  }

  pid(component: 'temporal' | 'mesh' | 'prometheus' | 'worker'): number | undefined {
    return pidOf(this.paths, component);
  }

  /** SIGKILLs a single-process component; `up()` brings it back. */
  kill(component: 'temporal' | 'mesh' | 'prometheus' | 'worker', signal: NodeJS.Signals = 'SIGKILL'): number {
    const pid = this.pid(component);
    if (pid === undefined) throw new Error(`${component} has no pid file in ${this.paths.dir}`);
    process.kill(pid, signal);
    return pid;
  }
}

export interface VirtualServiceObject extends KubernetesObject {
  spec?: {
    http?: { name?: string; route?: { destination: { host: string; subset?: string }; weight?: number }[] }[];
  };
}

export interface ServiceObject extends KubernetesObject {
  spec?: { selector?: Record<string, string> };
}

export interface ReplicaSetObject extends KubernetesObject {
  spec?: { replicas?: number; template?: { spec?: { containers?: { name: string; image: string }[] } } };
  status?: { replicas?: number; availableReplicas?: number; readyReplicas?: number };
}

export function revisionOf(rs: ReplicaSetObject): number {
  return Number(rs.metadata?.annotations?.['rollout.argoproj.io/revision'] ?? 0);
}

export function imageOf(rs: ReplicaSetObject): string | undefined {
  return rs.spec?.template?.spec?.containers?.[0]?.image;
}
