// WORKER_METRICS_PORT: where the worker serves /metrics. Unset, empty or 0: no metrics; a port listens on
// every interface (a pod's), `host:port` on that host only (the lab's 127.0.0.1).
import { ConfigError } from '../../config/temporal.js';

export interface MetricsSettings {
  host: string;
  port: number;
}

export function metricsSettingsFromEnv(
  env: Record<string, string | undefined> = process.env,
): MetricsSettings | undefined {
  const value = (env.WORKER_METRICS_PORT ?? '').trim();
  if (value === '' || value === '0') return undefined;
  const match = /^(?:(.*):)?(\d+)$/.exec(value);
  const port = Number(match?.[2]);
  const host = match?.[1]?.replace(/^\[(.*)\]$/, '$1') ?? '0.0.0.0';
  if (!match || port < 1 || port > 65535 || host === '')
    throw new ConfigError(
      `WORKER_METRICS_PORT=${env.WORKER_METRICS_PORT}: expected a port (1-65535) or host:port, or 0 for no metrics`,
    );
  return { host, port };
}
