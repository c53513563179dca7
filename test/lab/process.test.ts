// The lab's supervisor on real processes: a detached launch with its pid file and log, a pid file that
// names somebody else's process (never signalled), SIGTERM then SIGKILL for one that ignores SIGTERM,
// and the lock that keeps two commands off one lab.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { labPaths, pidFile } from '../../lab/stack/paths.js';
import {
  acquireLock,
  childEnv,
  isOurs,
  labProcesses,
  LabError,
  launch,
  pidOf,
  stopProcess,
  waitReady,
} from '../../lab/stack/process.js';
import { testOutput } from '../support/paths.js';

const paths = labPaths({ LAB_DIR: path.join(testOutput, 'lab-process') });

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
}

describe('the lab supervisor', () => {
  const strangers: number[] = [];

  beforeAll(() => {
    fs.rmSync(paths.dir, { recursive: true, force: true });
  });

  afterAll(() => {
    for (const pid of [...strangers, ...labProcesses(paths)]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });

  it('launches detached, with a pid file and the output in the log, and stops it with SIGTERM', async () => {
    const launched = await launch(paths, {
      name: 'echo',
      command: 'bash',
      args: ['-c', 'echo "hello from $$"; exec sleep 30'],
      env: childEnv(process.env, {}),
      cwd: paths.dir,
    });
    expect(fs.readFileSync(pidFile(paths, 'echo'), 'utf8')).toBe(`${launched.pid}\n`);
    expect(pidOf(paths, 'echo')).toBe(launched.pid);
    // Its own session: the lab outlives the terminal that started it.
    const stat = fs.readFileSync(`/proc/${launched.pid}/stat`, 'utf8');
    const [, , pgid, sid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    expect([Number(pgid), Number(sid)]).toEqual([launched.pid, launched.pid]);
    await waitReady(
      paths,
      'echo',
      launched,
      () => Promise.resolve(fs.readFileSync(launched.log, 'utf8').includes(`hello from ${launched.pid}`)),
      'saying hello',
      5000,
    );
    expect(fs.readFileSync(launched.log, 'utf8')).toMatch(/^\n=== echo starting at \S+: bash -c /);
    expect(labProcesses(paths)).toEqual([launched.pid]);

    expect(await stopProcess(paths, 'echo')).toEqual({ pid: launched.pid, killed: false });
    expect(alive(launched.pid)).toBe(false);
    expect(fs.existsSync(pidFile(paths, 'echo'))).toBe(false);
    expect(await stopProcess(paths, 'echo')).toBeUndefined();
  });

  it('never takes a pid file at its word: a process without our marker is not ours, and not signalled', async () => {
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    strangers.push(stranger.pid as number);
    fs.writeFileSync(pidFile(paths, 'worker'), `${stranger.pid}\n`);
    expect(isOurs(paths, 'worker', stranger.pid as number)).toBe(false);
    expect(pidOf(paths, 'worker')).toBeUndefined();
    expect(fs.existsSync(pidFile(paths, 'worker'))).toBe(false); // stale: removed
    fs.writeFileSync(pidFile(paths, 'worker'), `${stranger.pid}\n`);
    expect(await stopProcess(paths, 'worker')).toBeUndefined();
    expect(alive(stranger.pid as number)).toBe(true);
    stranger.kill('SIGKILL');
  });

  it("a process of this lab is not another component's, nor another lab's", async () => {
    const launched = await launch(paths, {
      name: 'mesh',
      command: 'sleep',
      args: ['30'],
      env: childEnv(process.env, {}),
      cwd: paths.dir,
    });
    expect(isOurs(paths, 'mesh', launched.pid)).toBe(true);
    expect(isOurs(paths, 'worker', launched.pid)).toBe(false);
    expect(isOurs(labPaths({ LAB_DIR: path.join(testOutput, 'lab-other') }), 'mesh', launched.pid)).toBe(
      false,
    );
    await stopProcess(paths, 'mesh');
  });

  it('kills with SIGKILL what ignores SIGTERM past the grace period', async () => {
    const launched = await launch(paths, {
      name: 'stubborn',
      command: 'bash',
      args: ['-c', `trap '' TERM; echo ready; sleep 30 & wait`],
      env: childEnv(process.env, {}),
      cwd: paths.dir,
    });
    await waitReady(
      paths,
      'stubborn',
      launched,
      // A line of its own: the log's header line quotes the command, "ready" included.
      () => Promise.resolve(fs.readFileSync(launched.log, 'utf8').includes('\nready\n')),
      'ready',
      5000,
    );
    const began = Date.now();
    expect(await stopProcess(paths, 'stubborn', 500)).toEqual({ pid: launched.pid, killed: true });
    expect(Date.now() - began).toBeGreaterThanOrEqual(500);
    // The whole process group went, the backgrounded sleep included.
    expect(labProcesses(paths)).toEqual([]);
  });

  it('says when a process exits before it is ready, with the end of its log', async () => {
    const launched = await launch(paths, {
      name: 'crashing',
      command: 'bash',
      args: ['-c', 'echo "bad config: port 0"; exit 3'],
      env: childEnv(process.env, {}),
      cwd: paths.dir,
    });
    const error = await waitReady(
      paths,
      'crashing',
      launched,
      () => Promise.resolve(false),
      'ready',
      5000,
    ).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(LabError);
    expect((error as Error).message).toMatch(/^crashing exited before ready\n---- .*crashing\.log ----\n/);
    expect((error as Error).message).toContain('bad config: port 0');
  });

  it('says when a command cannot run at all', async () => {
    await expect(
      launch(paths, { name: 'missing', command: '/nonexistent/binary', args: [], env: {}, cwd: paths.dir }),
    ).rejects.toThrow('missing: cannot run /nonexistent/binary: spawn /nonexistent/binary ENOENT');
  });

  it('keeps a second command off the lab while the first holds the lock', () => {
    const release = acquireLock(paths, 'up');
    const holder = spawn('sleep', ['30'], { stdio: 'ignore' });
    strangers.push(holder.pid as number);
    try {
      // Held by a live process (here: another one than us).
      fs.writeFileSync(paths.lockFile, `${holder.pid} down\n`);
      expect(() => acquireLock(paths, 'up')).toThrow(
        `another \`rollouts lab down\` (pid ${holder.pid}) works on ${paths.dir}; wait for it`,
      );
    } finally {
      holder.kill('SIGKILL');
      release();
    }
  });

  it('takes over a lock whose holder is gone', () => {
    fs.writeFileSync(paths.lockFile, '999999999 up\n');
    const release = acquireLock(paths, 'down');
    expect(fs.readFileSync(paths.lockFile, 'utf8')).toBe(`${process.pid} down\n`);
    release();
    expect(fs.existsSync(paths.lockFile)).toBe(false);
  });

  it('gives children the lab settings, not the caller’s Temporal or cluster', () => {
    expect(
      childEnv(
        {
          PATH: '/bin',
          TEMPORAL_API_KEY: 'k',
          KUBECONFIG: '/home/me/.kube/config',
          MESH_RATE: '5',
          LOG_LEVEL: 'WARN',
        },
        { TEMPORAL_ADDRESS: '127.0.0.1:7233' },
      ),
    ).toEqual({ PATH: '/bin', LOG_LEVEL: 'WARN', TEMPORAL_ADDRESS: '127.0.0.1:7233' });
  });
});
