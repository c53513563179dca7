// The lab's prometheus.yml: the mesh simulator's /stats/prometheus every second, accepted by promtool.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { renderPrometheusConfig } from '../../lab/stack/prometheus.js';
import { repoRoot, testOutput } from '../support/paths.js';

const promtool = path.join(repoRoot, '.tools', 'prometheus', 'usr', 'bin', 'promtool');

describe('the lab Prometheus configuration', () => {
  const config = renderPrometheusConfig({ meshTarget: '127.0.0.1:18090', intervalSeconds: 1 });

  it('scrapes the mesh simulator at /stats/prometheus every second', () => {
    expect(config).toBe(
      [
        '# Written by `rollouts lab up`; rewritten at every start.',
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: mesh',
        '    metrics_path: /stats/prometheus',
        '    static_configs:',
        '      - targets: ["127.0.0.1:18090"]',
        '',
      ].join('\n'),
    );
  });

  it('passes promtool check config (Prometheus 2.42, as installed)', () => {
    const file = path.join(testOutput, 'lab-prometheus-config', 'prometheus.yml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, config);
    const output = execFileSync(promtool, ['check', 'config', file], { encoding: 'utf8' });
    expect(output).toContain('SUCCESS');
  });
});
