import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { loadKubeConfig, meshConfigFromEnv, MeshConfigError } from '../../lab/mesh/config.js';

const KUBECONFIG = '/tmp/kubeconfig';

function problem(env: NodeJS.ProcessEnv): string {
  try {
    meshConfigFromEnv(env);
  } catch (err) {
    expect(err).toBeInstanceOf(MeshConfigError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('meshConfigFromEnv', () => {
  it('has defaults for everything but KUBECONFIG', () => {
    expect(meshConfigFromEnv({ KUBECONFIG })).toEqual({
      kubeconfig: KUBECONFIG,
      host: '127.0.0.1',
      port: 8090,
      namespaces: [],
      ratePerSecond: 20,
      podStartSeconds: 2,
    });
  });

  it('reads every variable', () => {
    expect(
      meshConfigFromEnv({
        KUBECONFIG,
        MESH_HOST: '0.0.0.0',
        MESH_PORT: '0',
        MESH_NAMESPACES: ' rollouts-demo, default ,,',
        MESH_RATE: '2.5',
        MESH_POD_START_SECONDS: '0.5',
        MESH_SEED: '42',
      }),
    ).toEqual({
      kubeconfig: KUBECONFIG,
      host: '0.0.0.0',
      port: 0,
      namespaces: ['rollouts-demo', 'default'],
      ratePerSecond: 2.5,
      podStartSeconds: 0.5,
      seed: 42,
    });
  });

  it('empty values mean the default', () => {
    expect(
      meshConfigFromEnv({ KUBECONFIG, MESH_PORT: '', MESH_RATE: ' ', MESH_NAMESPACES: '', MESH_SEED: '' }),
    ).toEqual(meshConfigFromEnv({ KUBECONFIG }));
  });

  it.each([
    [{}, 'KUBECONFIG: required, the kubeconfig file of the cluster to simulate'],
    [{ KUBECONFIG: ' ' }, 'KUBECONFIG: required, the kubeconfig file of the cluster to simulate'],
    [{ KUBECONFIG, MESH_PORT: '80a' }, 'MESH_PORT: expected a port number from 0 to 65535, got "80a"'],
    [{ KUBECONFIG, MESH_PORT: '70000' }, 'MESH_PORT: expected a port number from 0 to 65535, got "70000"'],
    [{ KUBECONFIG, MESH_PORT: '80.5' }, 'MESH_PORT: expected a port number from 0 to 65535, got "80.5"'],
    [
      { KUBECONFIG, MESH_RATE: '-1' },
      'MESH_RATE: expected requests per second per host, a number from 0 to 100000, got "-1"',
    ],
    [
      { KUBECONFIG, MESH_RATE: 'fast' },
      'MESH_RATE: expected requests per second per host, a number from 0 to 100000, got "fast"',
    ],
    [
      { KUBECONFIG, MESH_POD_START_SECONDS: '2s' },
      'MESH_POD_START_SECONDS: expected seconds, a number from 0 to 86400, got "2s"',
    ],
    [{ KUBECONFIG, MESH_SEED: '1.5' }, 'MESH_SEED: expected an integer from 0 to 4294967295, got "1.5"'],
    [
      { KUBECONFIG, MESH_NAMESPACES: 'rollouts-demo,Bad_NS' },
      'MESH_NAMESPACES: "Bad_NS" is not a namespace name (expected a comma-separated list like "rollouts-demo,default")',
    ],
  ])('%j → %s', (env, message) => {
    expect(problem(env)).toBe(message);
  });
});

describe('loadKubeConfig', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-config-'));
  const file = (name: string, server: string) => {
    const at = path.join(dir, name);
    fs.writeFileSync(
      at,
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: ${name}, cluster: {server: "${server}"}}]`,
        `users: [{name: ${name}, user: {token: t}}]`,
        `contexts: [{name: ${name}, context: {cluster: ${name}, user: ${name}}}]`,
        `current-context: ${name}`,
      ].join('\n'),
    );
    return at;
  };

  it('loads one file, or a path list merged in order (the first current context wins)', () => {
    const a = file('a', 'https://127.0.0.1:6443');
    const b = file('b', 'https://127.0.0.1:7443');
    expect(loadKubeConfig(a).getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    const merged = loadKubeConfig(`${a}${path.delimiter}${b}`);
    expect(merged.getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    expect(merged.getContexts().map((c) => c.name)).toEqual(['a', 'b']);
  });

  it('a missing file or one without a current context is a KUBECONFIG error', () => {
    expect(() => loadKubeConfig(path.join(dir, 'nope'))).toThrow(
      `KUBECONFIG: no such file: ${path.join(dir, 'nope')}`,
    );
    const empty = path.join(dir, 'empty');
    fs.writeFileSync(empty, 'apiVersion: v1\nkind: Config\n');
    expect(() => loadKubeConfig(empty)).toThrow(MeshConfigError);
  });
});
