// `rollouts lab up | down | status | errors`: the local stack as real background processes. Each
// command takes the output streams and the environment and returns the exit code (0 done; 1 failed;
// 2 bad settings; status: 3 when a component is not up).
import fs from 'node:fs';
import path from 'node:path';
import type { Component, LabContext } from './component.js';
import { labEnvVars, parseEnvFile, renderEnvFile } from './env-file.js';
import { kube } from './kube.js';
import { mesh } from './mesh.js';
import { labPaths, toolsBin, type LabPaths } from './paths.js';
import { portHolder, portIsFree, sleep } from './probe.js';
import { acquireLock, LabError, labProcesses } from './process.js';
import { prometheus } from './prometheus.js';
import { formatRate } from './rate.js';
import {
  COMPONENTS,
  labUrls,
  LabConfigError,
  parseComponents,
  PORT_SPECS,
  resolvePorts,
  seconds,
  type ComponentName,
} from './settings.js';
import { readState, writeState } from './state.js';
import { temporal } from './temporal.js';
import { worker } from './worker.js';

export interface LabIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** In start order; `down` goes the other way. */
const ALL: Record<ComponentName, Component> = { temporal, kube, mesh, prometheus, worker };

interface Setup {
  ctx: LabContext;
  selected: ComponentName[];
  running: Set<ComponentName>;
  notes: string[];
}

/** Paths, ports and which components run. `forUp`: LAB_COMPONENTS chooses; otherwise the last up's choice. */
async function setup(io: LabIo, env: NodeJS.ProcessEnv, forUp: boolean): Promise<Setup> {
  const paths = labPaths(env);
  const state = readState(paths);
  const selected =
    forUp || env.LAB_COMPONENTS || !state.components ? parseComponents(env.LAB_COMPONENTS) : state.components;
  // Whether something runs is read from pid files alone; ports are not needed for that yet.
  const probe = resolvePorts({}, state.ports);
  const ctx: LabContext = {
    paths,
    ports: probe.ports,
    urls: labUrls(probe.ports),
    env,
    note: (text) => io.out(`${''.padEnd(12)}${text}`),
  };
  const running = new Set<ComponentName>();
  for (const name of COMPONENTS) if (await ALL[name].running(ctx)) running.add(name);
  const { ports, notes } = resolvePorts(env, state.ports, running);
  return { ctx: { ...ctx, ports, urls: labUrls(ports) }, selected, running, notes };
}

function configFailure(io: LabIo, command: string, err: unknown): number {
  if (err instanceof LabConfigError) {
    io.err(`lab ${command}: ${err.message}`);
    return 2;
  }
  throw err;
}

/** Ports that components about to start would need but that something else holds. */
async function portClashes(ctx: LabContext, starting: ComponentName[]): Promise<string[]> {
  const clashes: string[] = [];
  for (const spec of PORT_SPECS) {
    if (!starting.includes(spec.component)) continue;
    const port = ctx.ports[spec.key];
    if (await portIsFree(port)) continue;
    const holder = portHolder(port);
    clashes.push(
      `port 127.0.0.1:${port} (${spec.what}, for the ${spec.component} component) is taken by another process` +
        `${holder ? ` (${holder})` : ''}: stop it, or set ${spec.variable} to another port`,
    );
  }
  return clashes;
}

function line(name: string, state: string, rest: string): string {
  return `${name.padEnd(12)}${state.padEnd(20)}${rest}`.trimEnd();
}

export async function labUp(io: LabIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const began = Date.now();
  let s: Setup;
  try {
    s = await setup(io, env, true);
  } catch (err) {
    return configFailure(io, 'up', err);
  }
  const { ctx, selected, running } = s;
  const starting = selected.filter((name) => !running.has(name));

  const missing = starting.flatMap((name) => {
    const problem = ALL[name].preflight(ctx);
    return problem ? [`${name}: ${problem}`] : [];
  });
  if (missing.length) {
    missing.forEach((m) => io.err(`lab up: ${m}`));
    io.err('lab up: nothing started');
    return 1;
  }

  let release: () => void;
  try {
    release = acquireLock(ctx.paths, 'up');
  } catch (err) {
    io.err(`lab up: ${(err as Error).message}`);
    return 1;
  }
  try {
    // Every port is checked before anything starts, so a clash leaves nothing half-started.
    const clashes = await portClashes(ctx, starting);
    if (clashes.length) {
      clashes.forEach((c) => io.err(`lab up: ${c}`));
      io.err('lab up: nothing started');
      return 1;
    }
    writeState(ctx.paths, { ports: ctx.ports, components: selected });

    io.out(`lab in ${ctx.paths.dir}`);
    s.notes.forEach((note) => io.out(`note: ${note}`));
    // A component's notes (search attributes registered, …) follow its own line.
    const notes: string[] = [];
    const upCtx: LabContext = { ...ctx, note: (text) => notes.push(text) };
    for (const name of COMPONENTS) {
      if (!selected.includes(name)) io.out(line(name, 'left out', '(LAB_COMPONENTS)'));
      else {
        const result = await bringUp(upCtx, ALL[name], running.has(name));
        io.out(line(name, result.state, result.rest));
        notes.splice(0).forEach((note) => io.out(`${''.padEnd(12)}${note}`));
      }
    }
    writeEnvFile(ctx);
    io.out(`lab up in ${seconds(Date.now() - began)}; environment: source ${ctx.paths.envFile}`);
    return 0;
  } catch (err) {
    if (!(err instanceof LabError)) throw err;
    io.err(`lab up: ${err.message}`);
    const nowRunning: string[] = [];
    for (const name of COMPONENTS) if (await ALL[name].running(ctx)) nowRunning.push(name);
    io.err(
      nowRunning.length
        ? `lab up: left running: ${nowRunning.join(', ')} (rollouts lab up again to continue, rollouts lab down to stop)`
        : 'lab up: nothing left running',
    );
    return 1;
  } finally {
    release();
  }
}

async function bringUp(
  ctx: LabContext,
  component: Component,
  isRunning: boolean,
): Promise<{ state: string; rest: string }> {
  const began = Date.now();
  let state: string;
  if (!isRunning) {
    await component.start(ctx);
    state = `started in ${seconds(Date.now() - began)}`;
  } else {
    state = 'already running';
    let health = await component.health(ctx);
    if (!health.ok && component.resume) {
      await component.resume(ctx);
      state = `resumed in ${seconds(Date.now() - began)}`;
      health = await component.health(ctx);
    }
    // A process of ours that does not answer yet may still be starting (a concurrent up, a restart).
    for (const deadline = Date.now() + 20_000; !health.ok && Date.now() < deadline;) {
      await sleep(500);
      health = await component.health(ctx);
    }
    if (!health.ok)
      throw new LabError(
        `${component.name} runs (${health.pids}) but does not answer: ${health.detail ?? '?'}; ` +
          `see ${path.join(ctx.paths.logs, `${component.name}.log`)}, or restart it: rollouts lab down, then up`,
      );
    await component.ensure?.(ctx);
  }
  const { pids } = await component.health(ctx);
  return { state, rest: `${component.url(ctx)}${pids ? `  (${pids})` : ''}` };
}

function writeEnvFile(ctx: LabContext): void {
  const text = renderEnvFile(labEnvVars(ctx.paths.kubeconfig, ctx.urls), ctx.paths.envFile, toolsBin);
  let current: string | undefined;
  try {
    current = fs.readFileSync(ctx.paths.envFile, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== text) fs.writeFileSync(ctx.paths.envFile, text);
}

export async function labStatus(io: LabIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let s: Setup;
  try {
    s = await setup(io, env, false);
  } catch (err) {
    return configFailure(io, 'status', err);
  }
  const { ctx, selected } = s;
  const rows: string[][] = [['COMPONENT', 'STATE', 'PID', 'URL']];
  const details: string[] = [];
  let down = 0;
  for (const name of COMPONENTS) {
    const component = ALL[name];
    if (!selected.includes(name)) {
      rows.push([name, 'left out', '', '(LAB_COMPONENTS)']);
      continue;
    }
    const health = await component.health(ctx);
    const state = health.ok ? 'up' : health.pids ? 'not answering' : 'down';
    if (!health.ok) {
      down++;
      if (health.pids && health.detail) details.push(`${name}: ${health.detail}`);
    }
    rows.push([name, state, health.pids.replace(/\bpid /g, ''), component.url(ctx)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const row of rows)
    io.out(
      row
        .map((cell, i) => cell.padEnd(i < row.length - 1 ? widths[i]! + 2 : 0))
        .join('')
        .trimEnd(),
    );
  details.forEach((d) => io.out(d));
  io.out(
    down
      ? `${down} of ${selected.length} component(s) not up (lab in ${ctx.paths.dir}): rollouts lab up`
      : `all ${selected.length} component(s) up (lab in ${ctx.paths.dir}); environment: source ${ctx.paths.envFile}`,
  );
  return down ? 3 : 0;
}

export async function labDown(
  io: LabIo,
  options: { purge: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const paths = labPaths(env);
  if (!fs.existsSync(paths.dir)) {
    io.out(`nothing to stop: ${paths.dir} does not exist`);
    return 0;
  }
  let s: Setup;
  try {
    s = await setup(io, env, false);
  } catch (err) {
    return configFailure(io, 'down', err);
  }
  const { ctx } = s;
  let release: () => void;
  try {
    release = acquireLock(paths, 'down');
  } catch (err) {
    io.err(`lab down: ${(err as Error).message}`);
    return 1;
  }
  let failed = false;
  try {
    for (const name of [...COMPONENTS].reverse()) {
      try {
        const what = await ALL[name].stop(ctx);
        io.out(line(name, what ? 'stopped' : 'not running', what ? what.replace(/^stopped /, '') : ''));
      } catch (err) {
        failed = true;
        io.err(`lab down: ${name}: ${(err as Error).message}`);
      }
    }
    const left = labProcesses(paths);
    if (left.length) {
      failed = true;
      io.err(`lab down: processes of this lab still run: ${left.join(', ')}`);
    }
    if (options.purge && !failed) purge(io, paths);
    else if (!failed) io.out(`data kept in ${paths.dir} (rollouts lab down --purge deletes it)`);
  } finally {
    release();
  }
  if (options.purge && !failed) tryRemoveDir(paths.dir);
  return failed ? 1 : 0;
}

/** Deletes what the lab wrote (and nothing else: LAB_DIR may point anywhere). */
function purge(io: LabIo, paths: LabPaths): void {
  const ours = [
    paths.kubeDir,
    paths.prometheusDir,
    paths.walkthroughDir,
    paths.logs,
    paths.envFile,
    paths.stateFile,
    ...['', '-wal', '-shm', '-journal'].map((suffix) => `${paths.temporalDb}${suffix}`),
    ...COMPONENTS.map((name) => path.join(paths.dir, `${name}.pid`)),
  ];
  for (const entry of ours) fs.rmSync(entry, { recursive: true, force: true });
  io.out(`purged ${paths.dir}: Temporal's database, etcd data, Prometheus' TSDB, logs`);
}

function tryRemoveDir(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch {
    // not empty: something that is not ours lives there too
  }
}

/** PUT {image, rate} to the mesh simulator's /api/errors. */
export async function labErrors(
  io: LabIo,
  image: string,
  rate: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const paths = labPaths(env);
  let meshUrl = env.MESH_URL;
  if (!meshUrl) {
    try {
      meshUrl = parseEnvFile(fs.readFileSync(paths.envFile, 'utf8')).MESH_URL;
    } catch {
      meshUrl = undefined;
    }
  }
  if (!meshUrl) {
    io.err(
      `lab errors: MESH_URL is not set and ${paths.envFile} does not name it: start the lab (rollouts lab up)`,
    );
    return 1;
  }
  const url = `${meshUrl.replace(/\/+$/, '')}/api/errors`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ image, rate }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    io.err(
      `lab errors: cannot reach the mesh simulator at ${url} (${cause?.code ?? cause?.message ?? (err as Error).message}); ` +
        'is the lab up? (rollouts lab status)',
    );
    return 1;
  }
  const body = (await response.text()).trim();
  if (!response.ok) {
    io.err(
      `lab errors: the mesh simulator answered ${response.status} to PUT ${url}${body ? `: ${body.slice(0, 500)}` : ''}`,
    );
    return 1;
  }
  io.out(`${image}: ${formatRate(rate)} of requests now fail (mesh simulator at ${meshUrl})`);
  return 0;
}
