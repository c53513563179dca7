// Prometheus (.tools/bin/prometheus) scraping the mesh simulator's Envoy-style metrics every second, so
// an analysis sees a changed error rate within seconds, and the worker's metrics. Config and TSDB in <lab>/prometheus/; the data is
// only for the demo, so it is kept briefly.
import fs from 'node:fs';
import path from 'node:path';
import { daemon } from './daemon.js';
import { repoRoot, toolsBin } from './paths.js';
import { httpOk } from './probe.js';
import { childEnv } from './process.js';
import { HOST } from './settings.js';

const binary = path.join(toolsBin, 'prometheus');

export const RETENTION = '2h';

export interface PrometheusConfigInput {
  /** host:port of the mesh simulator. */
  meshTarget: string;
  /** Seconds between scrapes. */
  intervalSeconds: number;
  /** host:port of the worker's /metrics, scraped as job `worker` when given. */
  workerTarget?: string;
}

/**
 * prometheus.yml: the mesh simulator at /stats/prometheus (Envoy's path), every `interval`, and the
 * worker's /metrics (job `worker`) when given.
 */
export function renderPrometheusConfig({
  meshTarget,
  intervalSeconds,
  workerTarget,
}: PrometheusConfigInput): string {
  return [
    '# Written by `rollouts lab up`; rewritten at every start.',
    'global:',
    `  scrape_interval: ${intervalSeconds}s`,
    `  evaluation_interval: ${intervalSeconds}s`,
    'scrape_configs:',
    '  - job_name: mesh',
    '    metrics_path: /stats/prometheus',
    '    static_configs:',
    `      - targets: [${JSON.stringify(meshTarget)}]`,
    ...(workerTarget === undefined
      ? []
      : [
          '  - job_name: worker',
          '    metrics_path: /metrics',
          '    static_configs:',
          `      - targets: [${JSON.stringify(workerTarget)}]`,
        ]),
    '',
  ].join('\n');
}

function configFile(dir: string): string {
  return path.join(dir, 'prometheus.yml');
}

export const prometheus = daemon({
  name: 'prometheus',
  ports: ['prometheus'],
  url: (ctx) => ctx.urls.prometheus,
  preflight: () => (fs.existsSync(binary) ? undefined : `${binary} is missing: run scripts/install-tools.sh`),
  prepare(ctx) {
    fs.mkdirSync(path.join(ctx.paths.prometheusDir, 'data'), { recursive: true });
    fs.writeFileSync(
      configFile(ctx.paths.prometheusDir),
      renderPrometheusConfig({
        meshTarget: `${HOST}:${ctx.ports.mesh}`,
        intervalSeconds: 1,
        workerTarget: `${HOST}:${ctx.ports.workerMetrics}`,
      }),
    );
  },
  spec: (ctx) => ({
    command: binary,
    args: [
      `--config.file=${configFile(ctx.paths.prometheusDir)}`,
      `--storage.tsdb.path=${path.join(ctx.paths.prometheusDir, 'data')}`,
      `--storage.tsdb.retention.time=${RETENTION}`,
      `--web.listen-address=${HOST}:${ctx.ports.prometheus}`,
    ],
    env: childEnv(ctx.env, {}),
    cwd: repoRoot,
  }),
  check: async (ctx) =>
    (await httpOk(`${ctx.urls.prometheus}/-/ready`))
      ? undefined
      : `${ctx.urls.prometheus}/-/ready does not answer 200`,
  readyMeans: (ctx) => `ready on ${ctx.urls.prometheus}/-/ready`,
  readyTimeoutMs: 30_000,
});
