// The lab's environment file (.lab/env): `source .lab/env` points the worker, the `rollouts` command,
// kubectl-style tools and analysis queries at the lab. Pure: rendering and reading it back.
import type { LabUrls } from './settings.js';

export interface LabEnvVars {
  KUBECONFIG: string;
  TEMPORAL_ADDRESS: string;
  TEMPORAL_UI_URL: string;
  PROMETHEUS_URL: string;
  MESH_URL: string;
  WORKER_METRICS_URL: string;
}

export function labEnvVars(kubeconfig: string, urls: LabUrls): LabEnvVars {
  return {
    KUBECONFIG: kubeconfig,
    TEMPORAL_ADDRESS: urls.temporalAddress,
    TEMPORAL_UI_URL: urls.temporalUi,
    PROMETHEUS_URL: urls.prometheus,
    MESH_URL: urls.mesh,
    WORKER_METRICS_URL: urls.workerMetrics,
  };
}

/** Single quotes: nothing inside is expanded; a quote itself becomes '\''. */
export function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * `toolsBin` (.tools/bin, where kubectl and the kubectl-argo-rollouts plugin are built) goes on PATH
 * once, however often the file is sourced; parseEnvFile skips that line (it is not an assignment).
 */
export function renderEnvFile(vars: LabEnvVars, envFile: string, toolsBin?: string): string {
  const bin = toolsBin === undefined ? undefined : shellQuote(toolsBin);
  return [
    `# The lab's addresses, written by \`rollouts lab up\`. Use: source ${shellQuote(envFile)}`,
    ...(Object.entries(vars) as [string, string][]).map(
      ([name, value]) => `export ${name}=${shellQuote(value)}`,
    ),
    ...(bin === undefined
      ? []
      : [
          '# kubectl and `kubectl argo rollouts` (the plugin), as built into the project',
          `case ":$PATH:" in *:${bin}:*) ;; *) export PATH=${bin}:"$PATH" ;; esac`,
        ]),
    '',
  ].join('\n');
}

/** Reads back what renderEnvFile wrote (`export NAME=value`, plain or quoted); other lines are skipped. */
export function parseEnvFile(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    const [, name, raw] = match as unknown as [string, string, string];
    vars[name] = unquote(raw.trim());
  }
  return vars;
}

function unquote(raw: string): string {
  let value = '';
  for (let i = 0; i < raw.length;) {
    if (raw[i] === "'") {
      const end = raw.indexOf("'", i + 1);
      if (end < 0) return value + raw.slice(i + 1);
      value += raw.slice(i + 1, end);
      i = end + 1;
    } else if (raw[i] === '"') {
      // Double quotes: backslash escapes only $ ` " \ (no expansion here: we never write these).
      let j = i + 1;
      for (; j < raw.length && raw[j] !== '"'; j++) {
        if (raw[j] === '\\' && j + 1 < raw.length && '$`"\\'.includes(raw[j + 1] as string)) j++;
        value += raw[j];
      }
      i = j + 1;
    } else if (raw[i] === '\\' && i + 1 < raw.length) {
      value += raw[i + 1];
      i += 2;
    } else {
      value += raw[i];
      i += 1;
    }
  }
  return value;
}
