// Whether the worker watches Rollout objects, and where: ROLLOUTS_WATCH (on by default; `false` for a
// worker that only runs workflows, e.g. one of many behind a Temporal cluster where one watcher is
// enough) and ROLLOUTS_WATCH_NAMESPACES (comma-separated; empty: every namespace).
import { ConfigError } from '../../config/temporal.js';

export interface WatchSettings {
  enabled: boolean;
  namespaces: string[];
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function watchSettingsFromEnv(env: Record<string, string | undefined> = process.env): WatchSettings {
  const flag = (env.ROLLOUTS_WATCH ?? '').trim().toLowerCase();
  if (!['', 'true', 'false'].includes(flag))
    throw new ConfigError(`ROLLOUTS_WATCH=${env.ROLLOUTS_WATCH ?? ''}: expected true or false`);
  const namespaces = (env.ROLLOUTS_WATCH_NAMESPACES ?? '')
    .split(',')
    .map((namespace) => namespace.trim())
    .filter(Boolean);
  const bad = namespaces.find((namespace) => !DNS_LABEL.test(namespace));
  if (bad !== undefined)
    throw new ConfigError(
      `ROLLOUTS_WATCH_NAMESPACES: "${bad}" is not a namespace name (lower-case letters, digits and '-', at most 63)`,
    );
  return { enabled: flag !== 'false', namespaces: [...new Set(namespaces)] };
}
