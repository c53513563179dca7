// The mesh simulator's configuration, from the environment (lab/mesh/main.ts):
//   KUBECONFIG              required: the kubeconfig of the cluster (a path list as kubectl takes works too)
//   MESH_HOST               listen address, default 127.0.0.1
//   MESH_PORT               listen port, default 8090 (0: the OS picks; the start line says which)
//   MESH_NAMESPACES         comma-separated namespaces to watch, default all
//   MESH_RATE               requests per second to each VirtualService host, default 20
//   MESH_POD_START_SECONDS  how long pods take to become available, default 2
//   MESH_SEED               seed of the random picks (an integer), default from the clock
// Every error names the variable and says what it wants.
import fs from 'node:fs';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface MeshConfig {
  kubeconfig: string;
  host: string;
  port: number;
  /** Empty: all namespaces. */
  namespaces: string[];
  ratePerSecond: number;
  podStartSeconds: number;
  seed?: number;
}

export class MeshConfigError extends Error {}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function number(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  check: { min: number; max: number; integer?: boolean; what: string },
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (
    !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) ||
    (check.integer && !Number.isInteger(value)) ||
    value < check.min ||
    value > check.max
  )
    throw new MeshConfigError(`${name}: expected ${check.what}, got ${JSON.stringify(env[name])}`);
  return value;
}

export function meshConfigFromEnv(env: NodeJS.ProcessEnv = process.env): MeshConfig {
  const kubeconfig = env.KUBECONFIG?.trim() ?? '';
  if (kubeconfig === '')
    throw new MeshConfigError('KUBECONFIG: required, the kubeconfig file of the cluster to simulate');
  const namespaces = (env.MESH_NAMESPACES ?? '')
    .split(',')
    .map((ns) => ns.trim())
    .filter((ns) => ns !== '');
  for (const ns of namespaces)
    if (!DNS_LABEL.test(ns) || ns.length > 63)
      throw new MeshConfigError(
        `MESH_NAMESPACES: ${JSON.stringify(ns)} is not a namespace name (expected a comma-separated list like "rollouts-demo,default")`,
      );
  const host = env.MESH_HOST?.trim() || '127.0.0.1';
  const port = number(env, 'MESH_PORT', 8090, {
    min: 0,
    max: 65535,
    integer: true,
    what: 'a port number from 0 to 65535',
  });
  const ratePerSecond = number(env, 'MESH_RATE', 20, {
    min: 0,
    max: 100_000,
    what: 'requests per second per host, a number from 0 to 100000',
  });
  const podStartSeconds = number(env, 'MESH_POD_START_SECONDS', 2, {
    min: 0,
    max: 86_400,
    what: 'seconds, a number from 0 to 86400',
  });
  const seedText = env.MESH_SEED?.trim();
  const seed =
    seedText === undefined || seedText === ''
      ? undefined
      : number(env, 'MESH_SEED', 0, {
          min: 0,
          max: 2 ** 32 - 1,
          integer: true,
          what: 'an integer from 0 to 4294967295',
        });
  return {
    kubeconfig,
    host,
    port,
    namespaces,
    ratePerSecond,
    podStartSeconds,
    ...(seed !== undefined ? { seed } : {}),
  };
}

/** Loads KUBECONFIG as kubectl does: one file, or a list (':' on Linux) merged in order. */
export function loadKubeConfig(kubeconfig: string): KubeConfig {
  const files = kubeconfig.split(path.delimiter).filter((f) => f !== '');
  const missing = files.filter((f) => !fs.existsSync(f));
  if (missing.length === files.length)
    throw new MeshConfigError(`KUBECONFIG: no such file: ${missing.join(', ')}`);
  const config = new KubeConfig();
  const [first, ...rest] = files.filter((f) => fs.existsSync(f));
  try {
    config.loadFromFile(first ?? '');
    const current = config.getCurrentContext();
    for (const file of rest) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      config.mergeConfig(more);
    }
    // As kubectl: the first file that sets a current context decides it.
    if (current) config.setCurrentContext(current);
  } catch (err) {
    throw new MeshConfigError(`KUBECONFIG: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!config.getCurrentCluster())
    throw new MeshConfigError(`KUBECONFIG: ${kubeconfig} has no current context with a cluster`);
  return config;
}
