// docker-compose.yml and the worker's Dockerfile, checked without a Docker engine: the file parses,
// names what it mounts and builds, and `docker compose config` accepts it where the plugin exists.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parse } from 'yaml';
import { repoRoot } from '../support/paths.js';

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
}

const compose = parse(fs.readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
};

describe('docker-compose.yml', () => {
  it('runs Temporal with its UI and a SQLite file, Prometheus, and the worker built here', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['prometheus', 'temporal', 'worker']);
    const temporal = compose.services.temporal;
    expect(temporal?.command).toEqual(
      expect.arrayContaining(['start-dev', '--db-filename=/data/temporal.db']),
    );
    expect(compose.services.worker).toMatchObject({
      build: '.',
      environment: { TEMPORAL_ADDRESS: 'temporal:7233', KUBECONFIG: '/kube/config' },
    });
  });

  it('mounts and builds only files that exist', () => {
    for (const service of Object.values(compose.services))
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] ?? '';
        if (source.startsWith('./')) expect(fs.existsSync(path.join(repoRoot, source))).toBe(true);
      }
    const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) =>
      (m[1] ?? '').split(' '),
    );
    expect(copied.length).toBeGreaterThan(5);
    for (const source of copied) expect(fs.existsSync(path.join(repoRoot, source))).toBe(true);
  });

  it('passes `docker compose config` where the Compose plugin is installed', () => {
    const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (version.status !== 0) return; // no Compose here: the structural checks above stand alone
    const config = spawnSync('docker', ['compose', 'config', '--quiet'], { cwd: repoRoot, encoding: 'utf8' });
    expect(config.stderr).toBe('');
    expect(config.status).toBe(0);
  });
});
