// .lab/env: rendered for the shell (checked by sourcing it in a real bash), read back by `lab errors`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { labEnvVars, parseEnvFile, renderEnvFile, shellQuote } from '../../lab/stack/env-file.js';
import { labUrls, resolvePorts } from '../../lab/stack/settings.js';
import { testOutput } from '../support/paths.js';

const urls = labUrls(resolvePorts({}).ports);

describe('the lab environment file', () => {
  it('exports the addresses, the kubeconfig as an absolute path', () => {
    expect(renderEnvFile(labEnvVars('/work/main/.lab/kube/kubeconfig', urls), '/work/main/.lab/env')).toBe(
      [
        "# The lab's addresses, written by `rollouts lab up`. Use: source /work/main/.lab/env",
        'export KUBECONFIG=/work/main/.lab/kube/kubeconfig',
        'export TEMPORAL_ADDRESS=127.0.0.1:7233',
        'export TEMPORAL_UI_URL=http://127.0.0.1:8233',
        'export PROMETHEUS_URL=http://127.0.0.1:9090',
        'export MESH_URL=http://127.0.0.1:8090',
        'export WORKER_METRICS_URL=http://127.0.0.1:9464/metrics',
        '',
      ].join('\n'),
    );
  });

  it('puts the tools on PATH once, however often it is sourced, and parses the same', () => {
    const dir = path.join(testOutput, 'lab env-file tools');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'env');
    const vars = labEnvVars(path.join(dir, 'kubeconfig'), urls);
    fs.writeFileSync(file, renderEnvFile(vars, file, '/opt/my tools/bin'));
    const printed = execFileSync('bash', ['-c', 'source "$1"; source "$1"; printf %s "$PATH"', '-', file], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(printed).toBe('/opt/my tools/bin:/usr/bin:/bin');
    expect(parseEnvFile(fs.readFileSync(file, 'utf8'))).toEqual(vars);
  });

  it('quotes what the shell would expand or split', () => {
    expect(shellQuote('/plain/path-1.2_x')).toBe('/plain/path-1.2_x');
    expect(shellQuote('/my lab/kubeconfig')).toBe("'/my lab/kubeconfig'");
    expect(shellQuote("/it's/$HOME/`x`")).toBe("'/it'\\''s/$HOME/`x`'");
    expect(shellQuote('')).toBe("''");
  });

  it('is sourced by bash as written, and read back the same', () => {
    const dir = path.join(testOutput, "lab env-file 'quoted' $dir");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'env');
    const vars = labEnvVars(path.join(dir, 'kube', 'kubeconfig'), urls);
    fs.writeFileSync(file, renderEnvFile(vars, file));
    const names = Object.keys(vars);
    const printed = execFileSync(
      'bash',
      [
        '-c',
        `source "$1" && bash -c 'for n in ${names.join(' ')}; do printf "%s=%s\\n" "$n" "\${!n}"; done'`,
        '-',
        file,
      ],
      // stdin not inherited: bash reads ~/.bashrc when its stdin is a socket (as under some runners).
      { encoding: 'utf8', env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // Exported: a child of the sourcing shell sees them.
    expect(printed).toBe(names.map((n) => `${n}=${vars[n as keyof typeof vars]}\n`).join(''));
    expect(parseEnvFile(fs.readFileSync(file, 'utf8'))).toEqual(vars);
  });

  it('reads plain assignments too, and skips comments and other lines', () => {
    expect(
      parseEnvFile('# x=1\nMESH_URL=http://a:1\n\nexport  B=\'two words\'\necho hi\nC="d \\"e\\""\n'),
    ).toEqual({
      MESH_URL: 'http://a:1',
      B: 'two words',
      C: 'd "e"',
    });
  });
});
