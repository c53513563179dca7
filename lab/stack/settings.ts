// The lab's components, ports and URLs, from the environment: pure, so the rules are unit-tested.
// Everything listens on 127.0.0.1.

export const COMPONENTS = ['temporal', 'kube', 'mesh', 'prometheus', 'worker'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export const HOST = '127.0.0.1';
export const TEMPORAL_NAMESPACE = 'default';
export const TASK_QUEUE = 'rollouts';

export type PortKey =
  'temporal' | 'temporalUi' | 'etcd' | 'etcdPeer' | 'kube' | 'mesh' | 'prometheus' | 'workerMetrics';
export type Ports = Record<PortKey, number>;

export interface PortSpec {
  key: PortKey;
  /** The variable that moves it. */
  variable: string;
  component: ComponentName;
  /** What listens there, for messages. */
  what: string;
  defaultPort: (ports: Partial<Ports>) => number;
}

export const PORT_SPECS: readonly PortSpec[] = [
  {
    key: 'temporal',
    variable: 'LAB_TEMPORAL_PORT',
    component: 'temporal',
    what: 'Temporal gRPC',
    defaultPort: () => 7233,
  },
  {
    key: 'temporalUi',
    variable: 'LAB_TEMPORAL_UI_PORT',
    component: 'temporal',
    what: 'Temporal Web UI',
    defaultPort: () => 8233,
  },
  { key: 'etcd', variable: 'LAB_ETCD_PORT', component: 'kube', what: 'etcd', defaultPort: () => 2379 },
  {
    key: 'etcdPeer',
    variable: 'LAB_ETCD_PEER_PORT',
    component: 'kube',
    what: 'etcd peer',
    // scripts/kube-control-plane.sh's rule: next to the client port.
    defaultPort: (ports) => (ports.etcd ?? 2379) + 1,
  },
  {
    key: 'kube',
    variable: 'LAB_KUBE_PORT',
    component: 'kube',
    what: 'kube-apiserver',
    defaultPort: () => 6443,
  },
  {
    key: 'mesh',
    variable: 'LAB_MESH_PORT',
    component: 'mesh',
    what: 'mesh simulator',
    defaultPort: () => 8090,
  },
  {
    key: 'prometheus',
    variable: 'LAB_PROMETHEUS_PORT',
    component: 'prometheus',
    what: 'Prometheus',
    defaultPort: () => 9090,
  },
  {
    key: 'workerMetrics',
    variable: 'LAB_WORKER_METRICS_PORT',
    component: 'worker',
    what: 'worker metrics',
    defaultPort: () => 9464,
  },
];

/** A setting in the environment that cannot be used: exit code 2, the message names the variable. */
export class LabConfigError extends Error {}

export function parsePort(value: string, variable: string): number {
  const text = value.trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535)
    throw new LabConfigError(`${variable}=${value}: not a port number (1-65535)`);
  return port;
}

export interface ResolvedPorts {
  ports: Ports;
  /** Settings that cannot take effect now, one line each. */
  notes: string[];
}

/**
 * The ports to use. A component that runs keeps the ports it runs on (`saved`, from the last `lab up`);
 * otherwise a LAB_*_PORT variable, then what the lab last ran on (a restart keeps its URLs), then the
 * default. Two roles on one port is an error.
 */
export function resolvePorts(
  env: NodeJS.ProcessEnv,
  saved: Partial<Ports> = {},
  running: ReadonlySet<ComponentName> = new Set(),
): ResolvedPorts {
  const ports: Partial<Ports> = {};
  const notes: string[] = [];
  for (const spec of PORT_SPECS) {
    const raw = env[spec.variable];
    const fromEnv = raw !== undefined && raw !== '' ? parsePort(raw, spec.variable) : undefined;
    const kept = saved[spec.key];
    if (running.has(spec.component) && kept !== undefined) {
      ports[spec.key] = kept;
      if (fromEnv !== undefined && fromEnv !== kept)
        notes.push(
          `${spec.variable}=${fromEnv} ignored: ${spec.component} already runs with ${spec.what} on ${kept} (lab down first)`,
        );
    } else ports[spec.key] = fromEnv ?? kept ?? spec.defaultPort(ports);
  }
  const byPort = new Map<number, PortSpec>();
  for (const spec of PORT_SPECS) {
    const port = ports[spec.key] as number;
    const other = byPort.get(port);
    if (other)
      throw new LabConfigError(
        `${other.variable} and ${spec.variable} are both ${port}: ${other.what} and ${spec.what} need ports of their own`,
      );
    byPort.set(port, spec);
  }
  return { ports: ports as Ports, notes };
}

/** LAB_COMPONENTS: a comma-separated subset (default: all), e.g. to run without the mesh simulator. */
export function parseComponents(value: string | undefined): ComponentName[] {
  if (value === undefined || value.trim() === '') return [...COMPONENTS];
  const wanted = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of wanted) {
    if (!(COMPONENTS as readonly string[]).includes(name))
      throw new LabConfigError(
        `LAB_COMPONENTS=${value}: unknown component "${name}" (known: ${COMPONENTS.join(', ')})`,
      );
  }
  // Always in start order, whatever order the variable lists them in.
  return COMPONENTS.filter((c) => wanted.includes(c));
}

export interface LabUrls {
  temporalAddress: string;
  temporalUi: string;
  kube: string;
  mesh: string;
  prometheus: string;
  /** The worker's Prometheus endpoint, /metrics included. */
  workerMetrics: string;
}

export function labUrls(ports: Ports): LabUrls {
  return {
    temporalAddress: `${HOST}:${ports.temporal}`,
    temporalUi: `http://${HOST}:${ports.temporalUi}`,
    kube: `https://${HOST}:${ports.kube}`,
    mesh: `http://${HOST}:${ports.mesh}`,
    prometheus: `http://${HOST}:${ports.prometheus}`,
    workerMetrics: `http://${HOST}:${ports.workerMetrics}/metrics`,
  };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
