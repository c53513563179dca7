// The lab's prometheus.yml with the worker's /metrics as a second job, accepted by promtool.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { renderPrometheusConfig } from '../../lab/stack/prometheus.js';
import { repoRoot, testOutput } from '../support/paths.js';

const promtool = path.join(repoRoot, '.tools', 'prometheus', 'usr', 'bin', 'promtool');

describe('the lab Prometheus configuration with the worker', () => {
  const config = renderPrometheusConfig({
    meshTarget: '127.0.0.1:18090',
    intervalSeconds: 1,
    workerTarget: '127.0.0.1:19464',
  });

  it('scrapes the worker at /metrics after the mesh simulator', () => {
    expect(config.split('\n').slice(-6)).toEqual([
      '      - targets: ["127.0.0.1:18090"]',
      '  - job_name: worker',
      '    metrics_path: /metrics',
      '    static_configs:',
      '      - targets: ["127.0.0.1:19464"]',
      '',
    ]);
  });

  it('passes promtool check config', () => {
    const file = path.join(testOutput, 'lab-prometheus-worker-job', 'prometheus.yml');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, config);
    expect(execFileSync(promtool, ['check', 'config', file], { encoding: 'utf8' })).toContain('SUCCESS');
  });
});
