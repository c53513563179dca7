// The lab's process supervisor: starts a component as a detached process (its own session, so it
// outlives the command and the terminal), output appended to .lab/logs/<name>.log, pid in
// .lab/<name>.pid; finds it again later and stops it. A pid file alone is not trusted: a process counts as
// ours only if its environment carries the marker we started it with (lab directory and component), so a
// stale pid file whose number was reused by an unrelated process is never signalled.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { logFile, pidFile, type LabPaths } from './paths.js';
import { sleep } from './probe.js';

const MARKER = 'ROLLOUTS_LAB_PROCESS';

/** A start or a check that failed: the message says what and where to look. */
export class LabError extends Error {}

function markerValue(paths: LabPaths, name: string): string {
  return `${paths.dir}#${name}`;
}

/** The process ended before it was ready (as opposed to still starting when the time was up). */
export class ExitedEarlyError extends LabError {}

/** Variables a child must not inherit: it is configured for the lab, not for wherever the caller points. */
export function childEnv(parent: NodeJS.ProcessEnv, own: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(parent)) {
    if (/^(TEMPORAL_|KUBECONFIG$|MESH_|ETCD_|KUBE_)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...own };
}

export interface LaunchSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Launched {
  pid: number;
  log: string;
  /** Where this start's own output begins in the log (after the header line). */
  logOffset: number;
}

export async function launch(paths: LabPaths, spec: LaunchSpec): Promise<Launched> {
  fs.mkdirSync(paths.logs, { recursive: true });
  const log = logFile(paths, spec.name);
  const fd = fs.openSync(log, 'a');
  fs.writeSync(
    fd,
    `\n=== ${spec.name} starting at ${new Date().toISOString()}: ${spec.command} ${spec.args.join(' ')}\n`,
  );
  const logOffset = fs.fstatSync(fd).size; // after our header line: what follows is the process' own
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: { ...spec.env, [MARKER]: markerValue(paths, spec.name) },
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  fs.closeSync(fd);
  if (child.pid === undefined) {
    const err = await new Promise<Error>((resolve) => child.once('error', resolve));
    throw new LabError(`${spec.name}: cannot run ${spec.command}: ${err.message}`);
  }
  child.on('error', () => undefined);
  child.unref();
  fs.writeFileSync(pidFile(paths, spec.name), `${child.pid}\n`);
  return { pid: child.pid, log, logOffset };
}

function procState(pid: number): string | undefined {
  try {
    // pid (comm) state ...: comm may hold spaces and parentheses, the state follows the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
  } catch {
    return undefined;
  }
}

/** Whether pid is a live (not zombie) process that we started as `name` for this lab. */
export function isOurs(paths: LabPaths, name: string, pid: number): boolean {
  const state = procState(pid);
  if (state === undefined || state === 'Z' || state === 'X') return false;
  try {
    const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return environ.includes(`${MARKER}=${markerValue(paths, name)}`);
  } catch {
    return false;
  }
}

/** The pid of `name` if it runs (and is ours); a stale pid file is removed. */
export function pidOf(paths: LabPaths, name: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(pidFile(paths, name), 'utf8').trim();
  } catch {
    return undefined;
  }
  const pid = Number(text);
  if (/^\d+$/.test(text) && isOurs(paths, name, pid)) return pid;
  fs.rmSync(pidFile(paths, name), { force: true });
  return undefined;
}

/** Every process that carries this lab's marker (any component): what `down` must leave none of. */
export function labProcesses(paths: LabPaths): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    const pid = Number(entry);
    try {
      const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (environ.some((v) => v.startsWith(`${MARKER}=${paths.dir}#`)) && isAlive(pid)) found.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

function isAlive(pid: number): boolean {
  const state = procState(pid);
  return state !== undefined && state !== 'Z' && state !== 'X';
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    // A detached child leads its own process group: signal the group, so nothing it forked stays behind.
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/**
 * SIGTERM, up to `graceMs` for a clean exit, then SIGKILL. Returns what happened, or undefined when it did
 * not run.
 */
export async function stopProcess(
  paths: LabPaths,
  name: string,
  graceMs = 20_000,
): Promise<{ pid: number; killed: boolean } | undefined> {
  const pid = pidOf(paths, name);
  if (pid === undefined) return undefined;
  signal(pid, 'SIGTERM');
  let killed = false;
  const deadline = Date.now() + graceMs;
  while (isOurs(paths, name, pid)) {
    if (Date.now() > deadline && !killed) {
      signal(pid, 'SIGKILL');
      killed = true;
    }
    if (Date.now() > deadline + 5000)
      throw new LabError(`${name} (pid ${pid}) does not exit, even on SIGKILL`);
    await sleep(100);
  }
  fs.rmSync(pidFile(paths, name), { force: true });
  return { pid, killed };
}

export function logTail(file: string, lines = 20, fromOffset = 0): string {
  try {
    const text = fs.readFileSync(file).subarray(fromOffset).toString('utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Polls `ready` until it says yes. Fails at once if the process exits, or at the deadline; either way with
 * the end of its log.
 */
export async function waitReady(
  paths: LabPaths,
  name: string,
  launched: Launched,
  ready: () => Promise<boolean>,
  what: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    const tail = () => `\n---- ${launched.log} ----\n${logTail(launched.log, 20, launched.logOffset)}`;
    if (!isOurs(paths, name, launched.pid))
      throw new ExitedEarlyError(`${name} exited before ${what}${tail()}`);
    if (Date.now() > deadline)
      throw new LabError(`${name}: not ${what} after ${timeoutMs / 1000} s${tail()}`);
    await sleep(150);
  }
}

/** One `up` or `down` at a time per lab directory. */
export function acquireLock(paths: LabPaths, command: string): () => void {
  fs.mkdirSync(paths.dir, { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(paths.lockFile, `${process.pid} ${command}\n`, { flag: 'wx' });
      return () => fs.rmSync(paths.lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const [pid, holder] = fs.readFileSync(paths.lockFile, 'utf8').trim().split(' ');
      if (pid && /^\d+$/.test(pid) && Number(pid) !== process.pid && isAlive(Number(pid)))
        throw new LabError(
          `another \`rollouts lab ${holder ?? ''}\` (pid ${pid}) works on ${paths.dir}; wait for it`,
        );
      fs.rmSync(paths.lockFile, { force: true }); // left by a command that died
    }
  }
}
