// `rollouts lab up | status | errors | down` for real, as users run them (the built command in a process of
// its own), in a lab directory under test-output/ on ports the OS picked, so it never meets a lab on the
// default ports: a port clash, a cold start, status, the environment file, an idempotent second start,
// the mesh simulator's error rate, and a stop that leaves no process behind. Without a built mesh simulator
// (dist/lab/mesh/main.js) the stack runs without it, by LAB_COMPONENTS, and says so in the test names.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Connection } from '@temporalio/client';
import { labPaths } from '../../lab/stack/paths.js';
import { labProcesses } from '../../lab/stack/process.js';
import { SEARCH_ATTRIBUTES } from '../../lab/stack/temporal.js';
import { freePorts } from '../../lab/stack/free-ports.js';
import { repoRoot, testOutput } from '../support/paths.js';

const cli = path.join(repoRoot, 'dist', 'client', 'main.js');
const hasMesh = fs.existsSync(path.join(repoRoot, 'dist', 'lab', 'mesh', 'main.js'));
const components = hasMesh
  ? ['temporal', 'kube', 'mesh', 'prometheus', 'worker']
  : ['temporal', 'kube', 'prometheus', 'worker'];
const stack = hasMesh
  ? 'the full stack'
  : 'the stack without the mesh simulator (dist/lab/mesh/main.js missing)';

const labDir = path.join(testOutput, 'lab-stack');
const paths = labPaths({ LAB_DIR: labDir });

interface Result {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

let env: NodeJS.ProcessEnv;

function rollouts(...args: string[]): Promise<Result> {
  const began = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env, cwd: repoRoot }, (error, stdout, stderr) => {
      resolve({
        code: error ? ((error as { code?: number }).code ?? null) : 0,
        out: stdout.trimEnd(),
        err: stderr.trimEnd(),
        ms: Date.now() - began,
      });
    });
  });
}

/** Every pid `up` recorded: ours in <lab>/*.pid, the control plane's in <lab>/kube/*.pid. */
function recordedPids(): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const dir of [paths.dir, paths.kubeDir]) {
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.pid')))
      pids[file.replace(/\.pid$/, '')] = Number(fs.readFileSync(path.join(dir, file), 'utf8').trim());
  }
  return pids;
}

function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Processes whose command line names the lab directory (etcd, kube-apiserver, temporal, prometheus). */
function processesNamingLab(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(labDir) && alive(Number(p));
      } catch {
        return false;
      }
    })
    .map(Number);
}

const names = (text: string) => text.split('\n').map((line) => line.split(/\s+/)[0]);

describe(`rollouts lab: ${stack}`, () => {
  let ports: Record<string, number>;

  beforeAll(async () => {
    // A run that died half-way may have left a lab here: stop it by its pid files before starting over.
    env = { PATH: process.env.PATH, HOME: process.env.HOME, LAB_DIR: labDir };
    if (fs.existsSync(labDir)) await rollouts('lab', 'down', '--purge');
    fs.rmSync(labDir, { recursive: true, force: true });
    const [temporal, temporalUi, etcd, etcdPeer, kube, mesh, prometheus, workerMetrics] = await freePorts(8);
    ports = { temporal, temporalUi, etcd, etcdPeer, kube, mesh, prometheus, workerMetrics } as Record<
      string,
      number
    >;
    env = {
      ...env,
      LAB_TEMPORAL_PORT: String(ports.temporal),
      LAB_TEMPORAL_UI_PORT: String(ports.temporalUi),
      LAB_ETCD_PORT: String(ports.etcd),
      LAB_ETCD_PEER_PORT: String(ports.etcdPeer),
      LAB_KUBE_PORT: String(ports.kube),
      LAB_MESH_PORT: String(ports.mesh),
      LAB_PROMETHEUS_PORT: String(ports.prometheus),
      LAB_WORKER_METRICS_PORT: String(ports.workerMetrics),
      ...(hasMesh ? {} : { LAB_COMPONENTS: components.join(',') }),
    };
  }, 60_000);

  afterAll(async () => {
    // Whatever happened above, leave nothing running.
    if (labProcesses(paths).length || processesNamingLab().length) await rollouts('lab', 'down');
  }, 60_000);

  it('up refuses a port that a foreign listener holds, naming port, component and variable; nothing starts', async () => {
    const squatter = net.createServer();
    await new Promise<void>((resolve) => squatter.listen(ports.prometheus, '127.0.0.1', resolve));
    try {
      const result = await rollouts('lab', 'up');
      expect(result.code).toBe(1);
      expect(result.err).toContain(
        `lab up: port 127.0.0.1:${ports.prometheus} (Prometheus, for the prometheus component) is taken by another ` +
          `process (pid ${process.pid} `,
      );
      expect(result.err).toContain('stop it, or set LAB_PROMETHEUS_PORT to another port');
      expect(result.err.split('\n').at(-1)).toBe('lab up: nothing started');
      expect(recordedPids()).toEqual({});
      expect(labProcesses(paths)).toEqual([]);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  }, 30_000);

  it('a cold up starts each component in order, waits until it answers, and says where it is', async () => {
    const result = await rollouts('lab', 'up');
    expect(result).toMatchObject({ code: 0, err: '' });
    const lines = result.out.split('\n');
    expect(lines[0]).toBe(`lab in ${labDir}`);
    const started = lines.filter((l) => / started in \d+\.\ds /.test(l));
    expect(names(started.join('\n'))).toEqual(components);
    expect(result.out).toContain(
      `127.0.0.1:${ports.temporal} (gRPC), http://127.0.0.1:${ports.temporalUi} (Web UI)`,
    );
    expect(result.out).toContain(`https://127.0.0.1:${ports.kube} (kubeconfig ${paths.kubeconfig})`);
    expect(result.out).toContain(`http://127.0.0.1:${ports.prometheus}`);
    expect(result.out).toContain(`registered search attributes ${SEARCH_ATTRIBUTES.join(', ')} (Keyword)`);
    expect(lines.at(-1)).toMatch(new RegExp(`^lab up in \\d+\\.\\ds; environment: source ${paths.envFile}$`));
    console.log(`cold lab up (${stack}): ${(result.ms / 1000).toFixed(1)} s wall\n${result.out}`);
  }, 120_000);

  it('status: every component up, with its pid and URL (exit 0)', async () => {
    const result = await rollouts('lab', 'status');
    expect(result).toMatchObject({ code: 0, err: '' });
    const rows = result.out.split('\n');
    expect(rows[0]).toMatch(/^COMPONENT +STATE +PID +URL$/);
    for (const name of components)
      expect(rows.find((r) => r.startsWith(`${name} `))).toMatch(/^\S+ +up +(etcd )?\d+/);
    if (!hasMesh)
      expect(rows.find((r) => r.startsWith('mesh '))).toMatch(/^mesh +left out +\(LAB_COMPONENTS\)$/);
    expect(rows.at(-1)).toBe(
      `all ${components.length} component(s) up (lab in ${labDir}); environment: source ${paths.envFile}`,
    );
  }, 30_000);

  it('writes a sourceable environment file with absolute paths, and everything in it answers', async () => {
    const printed = execFileSync(
      'bash',
      [
        '-c',
        'source "$1"; echo "$KUBECONFIG|$TEMPORAL_ADDRESS|$TEMPORAL_UI_URL|$PROMETHEUS_URL|$MESH_URL"',
        '-',
        paths.envFile,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(printed.trim()).toBe(
      [
        path.join(labDir, 'kube', 'kubeconfig'),
        `127.0.0.1:${ports.temporal}`,
        `http://127.0.0.1:${ports.temporalUi}`,
        `http://127.0.0.1:${ports.prometheus}`,
        `http://127.0.0.1:${ports.mesh}`,
      ].join('|'),
    );
    expect(path.isAbsolute(paths.kubeconfig) && fs.existsSync(paths.kubeconfig)).toBe(true);
    expect(fs.readFileSync(paths.kubeconfig, 'utf8')).toContain(`server: https://127.0.0.1:${ports.kube}`);
    expect((await fetch(`http://127.0.0.1:${ports.prometheus}/-/ready`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ports.temporalUi}/`)).status).toBe(200);

    const connection = await Connection.connect({ address: `127.0.0.1:${ports.temporal}` });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: 'default',
      });
      for (const name of SEARCH_ATTRIBUTES) expect(customAttributes?.[name]).toBe(2); // Keyword
    } finally {
      await connection.close();
    }

    if (hasMesh) {
      // Prometheus scrapes the mesh simulator at /stats/prometheus.
      const deadline = Date.now() + 10_000;
      let health = '';
      while (Date.now() < deadline && health !== 'up') {
        const targets = (await (
          await fetch(`http://127.0.0.1:${ports.prometheus}/api/v1/targets`)
        ).json()) as {
          data: { activeTargets: { scrapeUrl: string; health: string }[] };
        };
        const mesh = targets.data.activeTargets.find((t) =>
          t.scrapeUrl.endsWith(`:${ports.mesh}/stats/prometheus`),
        );
        health = mesh?.health ?? '';
        if (health !== 'up') await new Promise((r) => setTimeout(r, 250));
      }
      expect(health).toBe('up');
    }
  }, 30_000);

  it('a second up leaves every running component alone and says so', async () => {
    const before = recordedPids();
    const envBefore = fs.statSync(paths.envFile).mtimeMs;
    const result = await rollouts('lab', 'up');
    expect(result).toMatchObject({ code: 0, err: '' });
    const already = result.out.split('\n').filter((l) => / already running /.test(l));
    expect(names(already.join('\n'))).toEqual(components);
    expect(result.out).not.toContain('started in');
    expect(result.out).not.toContain('registered search attributes');
    expect(recordedPids()).toEqual(before);
    expect(fs.statSync(paths.envFile).mtimeMs).toBe(envBefore);
  }, 60_000);

  (hasMesh ? it : it.skip)(
    'errors sets the mesh simulator error rate of an image (MESH_URL from the env file)',
    async () => {
      const result = await rollouts('lab', 'errors', 'argoproj/rollouts-demo:green', '65%');
      expect(result).toEqual(
        expect.objectContaining({
          code: 0,
          out: `argoproj/rollouts-demo:green: 65% of requests now fail (mesh simulator at http://127.0.0.1:${ports.mesh})`,
        }),
      );
      const state = await (await fetch(`http://127.0.0.1:${ports.mesh}/api/state`)).text();
      expect(state).toContain('argoproj/rollouts-demo:green');
    },
    30_000,
  );

  it('down stops everything in reverse order, leaves no process behind and keeps the data', async () => {
    const pids = recordedPids();
    expect(Object.keys(pids).sort()).toEqual(
      [...components.filter((c) => c !== 'kube'), 'etcd', 'kube-apiserver'].sort(),
    );
    const result = await rollouts('lab', 'down');
    expect(result).toMatchObject({ code: 0, err: '' });
    const stopped = result.out.split('\n').filter((l) => / stopped /.test(l));
    expect(names(stopped.join('\n'))).toEqual([...components].reverse());
    for (const [name, pid] of Object.entries(pids))
      expect({ name, alive: alive(pid) }).toEqual({ name, alive: false });
    expect(labProcesses(paths)).toEqual([]);
    expect(processesNamingLab()).toEqual([]);
    expect(recordedPids()).toEqual({});
    expect(fs.existsSync(paths.temporalDb)).toBe(true);
    expect(fs.existsSync(path.join(paths.kubeDir, 'etcd-data'))).toBe(true);
    expect(result.out.split('\n').at(-1)).toBe(
      `data kept in ${labDir} (rollouts lab down --purge deletes it)`,
    );

    const status = await rollouts('lab', 'status');
    expect(status.code).toBe(3);
    expect(status.out.split('\n').at(-1)).toBe(
      `${components.length} of ${components.length} component(s) not up (lab in ${labDir}): rollouts lab up`,
    );
  }, 60_000);

  it('down --purge deletes the lab directory', async () => {
    const result = await rollouts('lab', 'down', '--purge');
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toContain(`purged ${labDir}`);
    expect(fs.existsSync(labDir)).toBe(false);
  }, 30_000);
});
