// A private Kubernetes control plane (etcd + kube-apiserver, scripts/kube-control-plane.sh) for one test
// file: its own directory under test-output/ and its own ports, asked of the OS, so test files never
// share an API server and never clash with a lab instance on the default ports.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { freePorts } from '../../lab/stack/free-ports.js';
import { repoRoot, testOutput, toolsBin } from './paths.js';

const run = promisify(execFile);
const script = path.join(repoRoot, 'scripts', 'kube-control-plane.sh');

export class ControlPlane {
  private constructor(
    /** The instance's directory (logs, pki, etcd data). */
    readonly dir: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts a fresh instance in test-output/kube-<name> (stopping a leftover one there first). */
  static async start(name: string): Promise<ControlPlane> {
    for (const binary of ['etcd', 'kube-apiserver']) {
      if (!fs.existsSync(path.join(toolsBin, binary)))
        throw new Error(`${toolsBin}/${binary} is missing: run scripts/install-tools.sh`);
    }
    const dir = path.join(testOutput, `kube-${name}`);
    fs.mkdirSync(dir, { recursive: true });
    const [etcd, peer, apiserver] = await freePorts(3);
    const env = {
      ...process.env,
      ETCD_PORT: String(etcd),
      ETCD_PEER_PORT: String(peer),
      KUBE_APISERVER_PORT: String(apiserver),
      KUBE_FRESH: '',
    };
    const cp = new ControlPlane(dir, env);
    await cp.script('start', '--fresh', dir);
    return cp;
  }

  private async script(...args: string[]): Promise<string> {
    try {
      const { stdout } = await run('bash', [script, ...args], { env: this.env, cwd: repoRoot });
      return stdout;
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(
        `kube-control-plane.sh ${args[0]} failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`,
        { cause: err },
      );
    }
  }

  /** The API server's port on 127.0.0.1. */
  get apiserverPort(): number {
    return Number(this.env.KUBE_APISERVER_PORT);
  }

  get kubeconfigPath(): string {
    return path.join(this.dir, 'kubeconfig');
  }

  kubeConfig(): KubeConfig {
    const config = new KubeConfig();
    config.loadFromFile(this.kubeconfigPath);
    return config;
  }

  /** A client of our own, for the tests to set up and read back objects. */
  objectApi(): KubernetesObjectApi {
    return KubernetesObjectApi.makeApiClient(this.kubeConfig());
  }

  /** Server-side apply of YAML files (the script's `apply`, which is what the lab uses). */
  async apply(...files: string[]): Promise<void> {
    await this.script('apply', this.dir, ...files);
  }

  /** Server-side apply of objects, forcing our field manager's values: a reset to a known state. */
  async applyObjects(...objects: KubernetesObject[]): Promise<void> {
    const api = this.objectApi();
    for (const object of objects)
      await api.patch(object, undefined, undefined, 'integration-test', true, PatchStrategy.ServerSideApply);
  }

  /** An outage: kube-apiserver stops, etcd (and so every object) stays. */
  async stopApiserver(): Promise<void> {
    await this.script('stop-apiserver', this.dir);
  }

  /** Back on the same port with the same credentials, ready (/readyz, CRDs listable) when this returns. */
  async startApiserver(): Promise<void> {
    await this.script('start-apiserver', this.dir);
  }

  async stop(): Promise<void> {
    await this.script('stop', this.dir);
  }
}
