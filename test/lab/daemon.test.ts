// A daemon that exits while starting (Temporal's dev server when a port it picked itself was taken
// meanwhile) is started again as many times as its definition allows, and no more.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { LabContext } from '../../lab/stack/component.js';
import { daemon } from '../../lab/stack/daemon.js';
import { labPaths } from '../../lab/stack/paths.js';
import { childEnv, ExitedEarlyError, labProcesses } from '../../lab/stack/process.js';
import { labUrls, resolvePorts } from '../../lab/stack/settings.js';
import { testOutput } from '../support/paths.js';

const paths = labPaths({ LAB_DIR: path.join(testOutput, 'lab-daemon') });
const ports = resolvePorts({}).ports;

/** A daemon that fails its first `failures` starts (exits at once) and then stays up. */
function flaky(failures: number, retries: number) {
  const counter = path.join(paths.dir, 'starts');
  const ready = path.join(paths.dir, 'ready');
  fs.writeFileSync(counter, '');
  fs.rmSync(ready, { force: true });
  const script = `echo x >> ${counter}; [ "$(wc -l < ${counter})" -le ${failures} ] && exit 3; touch ${ready}; exec sleep 30`;
  const component = daemon({
    name: 'mesh',
    ports: [],
    url: () => '',
    preflight: () => undefined,
    spec: () => ({ command: 'bash', args: ['-c', script], env: childEnv(process.env, {}), cwd: paths.dir }),
    check: () => Promise.resolve(fs.existsSync(ready) ? undefined : 'not ready'),
    readyMeans: () => 'ready',
    readyTimeoutMs: 10_000,
    retriesOnEarlyExit: retries,
  });
  const starts = () => fs.readFileSync(counter, 'utf8').split('\n').filter(Boolean).length;
  return { component, starts };
}

describe('a lab daemon that exits while starting', () => {
  const notes: string[] = [];
  const ctx: LabContext = {
    paths,
    ports,
    urls: labUrls(ports),
    env: process.env,
    note: (t) => notes.push(t),
  };

  beforeAll(() => {
    fs.rmSync(paths.dir, { recursive: true, force: true });
    fs.mkdirSync(paths.dir, { recursive: true });
  });
  afterAll(() => {
    for (const pid of labProcesses(paths)) process.kill(pid, 'SIGKILL');
  });

  it('is started again, and says so', async () => {
    const { component, starts } = flaky(1, 1);
    await component.start(ctx);
    expect(starts()).toBe(2);
    expect(notes.join('\n')).toMatch(
      /mesh exited while starting; starting it again \(mesh exited before ready/,
    );
    await component.stop(ctx);
  });

  it('fails with the exit once its retries are spent', async () => {
    const { component, starts } = flaky(2, 1);
    await expect(component.start(ctx)).rejects.toBeInstanceOf(ExitedEarlyError);
    expect(starts()).toBe(2);
  });

  it('is not retried without retriesOnEarlyExit', async () => {
    const { component, starts } = flaky(1, 0);
    await expect(component.start(ctx)).rejects.toThrow(/mesh exited before ready/);
    expect(starts()).toBe(1);
  });
});
