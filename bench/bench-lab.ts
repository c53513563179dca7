// The bench's lab: a lab of its own (`rollouts lab up` in test-output/labs/bench, on free ports, pods
// ready at once so no step waits for a start-up delay), the clients the bench drives it with, the watches
// it times changes by, the metric endpoint its analyses measure, and the floor's worker.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { connectRollouts, type RolloutsConnection } from '../client/connect.js';
import type { RolloutsClient } from '../client/rollouts-client.js';
import { Lab } from '../test/support/lab.js';
import { repoRoot } from '../test/support/paths.js';
import {
  BENCH_NAMESPACE,
  clusterObjects,
  namespaceObject,
  rolloutObjects,
  toYaml,
  type BenchRollout,
} from './manifests.js';
import { MetricEndpoint } from './metric-endpoint.js';
import { ObjectWatch } from './object-watch.js';
import type { floorWorkflow, FloorTarget } from './floor/workflow.js';

export const FLOOR_TASK_QUEUE = 'bench-floor';

function eventMs(time: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  return Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
}

export class BenchLab {
  private floorWorker?: ChildProcess;
  private constructor(
    readonly lab: Lab,
    private readonly connection: RolloutsConnection,
    readonly temporal: Client,
    private readonly temporalConnection: Connection,
    readonly kube: KubernetesObjectApi,
    readonly virtualServices: ObjectWatch<KubernetesObject>,
    readonly replicaSets: ObjectWatch<KubernetesObject>,
    readonly metrics: MetricEndpoint,
  ) {}

  get rollouts(): RolloutsClient {
    return this.connection.rollouts;
  }

  static async start(extraEnv: Record<string, string> = {}): Promise<BenchLab> {
    const lab = await Lab.start('bench', { MESH_POD_START_SECONDS: '0', MESH_RATE: '0', ...extraEnv });
    const config = new KubeConfig();
    config.loadFromFile(lab.paths.kubeconfig);
    const kube = KubernetesObjectApi.makeApiClient(config);
    await createIgnoringExisting(kube, namespaceObject());
    const connection = await connectRollouts(lab.env);
    const temporalConnection = await Connection.connect({ address: lab.url('TEMPORAL_ADDRESS') });
    const [virtualServices, replicaSets] = await Promise.all([
      ObjectWatch.start(
        config,
        `/apis/networking.istio.io/v1alpha3/namespaces/${BENCH_NAMESPACE}/virtualservices`,
      ),
      ObjectWatch.start(config, `/apis/apps/v1/namespaces/${BENCH_NAMESPACE}/replicasets`),
    ]);
    return new BenchLab(
      lab,
      connection,
      new Client({ connection: temporalConnection }),
      temporalConnection,
      kube,
      virtualServices,
      replicaSets,
      await MetricEndpoint.start(),
    );
  }

  /** The rollout's Services and VirtualService. */
  async createClusterObjects(rollout: BenchRollout): Promise<void> {
    for (const object of clusterObjects(rollout)) await createIgnoringExisting(this.kube, object);
  }

  /** Its cluster objects, then `rollouts apply` of the Rollout (and its AnalysisTemplate). */
  async applyRollout(rollout: BenchRollout): Promise<void> {
    await this.createClusterObjects(rollout);
    const file = path.join(this.lab.paths.dir, 'manifests', `${rollout.name}.yaml`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, toYaml(rolloutObjects(rollout)));
    await this.rollouts.applyFiles([file]);
  }

  /** The floor's worker (started once), its pid. */
  async floorWorkerPid(): Promise<number | undefined> {
    this.floorWorker ??= await startFloorWorker(this.lab.env);
    return this.floorWorker.pid;
  }

  /** Starts a floor workflow aimed at `target` (and the floor's worker, once). */
  async startFloor(target: FloorTarget): Promise<WorkflowHandle<typeof floorWorkflow>> {
    await this.floorWorkerPid();
    return this.temporal.workflow.start<typeof floorWorkflow>('floorWorkflow', {
      workflowId: `bench-floor:${target.namespace}/${target.virtualService}:${Date.now()}`,
      taskQueue: FLOOR_TASK_QUEUE,
      args: [target],
    });
  }

  /** When the server recorded the last completion of an `activityType` activity in a workflow's history. */
  async lastCompletion(workflowId: string, activityType: string): Promise<number> {
    const history = await this.temporal.workflow.getHandle(workflowId).fetchHistory();
    const types = new Map<string, string>();
    let last: number | undefined;
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled) types.set(String(event.eventId), scheduled.activityType?.name ?? '');
      const completed = event.activityTaskCompletedEventAttributes;
      if (completed && types.get(String(completed.scheduledEventId)) === activityType)
        last = eventMs(event.eventTime);
    }
    if (last === undefined)
      throw new Error(`${workflowId}: no completed ${activityType} activity in its history`);
    return last;
  }

  async stop({ keepLab = false } = {}): Promise<void> {
    this.virtualServices.stop();
    this.replicaSets.stop();
    this.floorWorker?.kill('SIGTERM');
    await this.metrics.close();
    await this.connection.close();
    await this.temporalConnection.close();
    if (!keepLab) await this.lab.rollouts('lab', 'down');
  }
}

async function createIgnoringExisting(
  kube: KubernetesObjectApi,
  object: Record<string, unknown>,
): Promise<void> {
  try {
    await kube.create(object);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}

/** The floor's worker as a process of its own; resolves once it polls. */
function startFloorWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'bench', 'floor', 'worker.js')], {
    env: { ...env, BENCH_TASK_QUEUE: FLOOR_TASK_QUEUE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`floor worker did not poll within 60 s:\n${output}`)),
      60_000,
    );
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('floor worker: polling')) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`floor worker exited (${code}):\n${output}`));
    });
  });
}
