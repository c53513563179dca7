// A real Prometheus (.tools/bin/prometheus, scripts/install-tools.d/prometheus.sh) for one test file:
// its own config, TSDB and log in test-output/prometheus-<name>, on a port the OS picked, scraping the
// targets the test gives it every second. Not a service: a child process the test starts and stops.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePorts } from '../../lab/stack/free-ports.js';
import { testOutput, toolsBin } from './paths.js';

const binary = path.join(toolsBin, 'prometheus');

export class PrometheusServer {
  private constructor(
    readonly dir: string,
    readonly port: number,
    private child: ChildProcess | undefined,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * Starts Prometheus scraping `targets` ("127.0.0.1:port") every second, at `metricsPath` (default
   * /metrics; Envoy's is /stats/prometheus); resolves when ready.
   */
  static async start(
    name: string,
    targets: string[],
    options: { metricsPath?: string } = {},
  ): Promise<PrometheusServer> {
    if (!fs.existsSync(binary)) throw new Error(`${binary} is missing: run scripts/install-tools.sh`);
    const dir = path.join(testOutput, `prometheus-${name}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const config = path.join(dir, 'prometheus.yml');
    fs.writeFileSync(
      config,
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: test',
        `    metrics_path: ${JSON.stringify(options.metricsPath ?? '/metrics')}`,
        '    static_configs:',
        `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
        '',
      ].join('\n'),
    );
    const [port] = (await freePorts(1)) as [number];
    const log = fs.openSync(path.join(dir, 'prometheus.log'), 'w');
    const child = spawn(
      binary,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${path.join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    const server = new PrometheusServer(dir, port, child);
    try {
      await server.waitReady(20_000);
    } catch (err) {
      await server.stop();
      throw err;
    }
    return server;
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child?.exitCode !== null) throw new Error(`prometheus exited: see ${this.dir}/prometheus.log`);
      try {
        if ((await fetch(`${this.url}/-/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`prometheus not ready within ${timeoutMs} ms: see ${this.dir}/prometheus.log`);
  }

  /** SIGTERM, then SIGKILL after 10 s; resolves once the process has exited. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}
