// Prometheus' text exposition format (0.0.4), the parts every exporter here shares: escaping and one
// sample line. The mesh simulator's Envoy-like /stats/prometheus and the worker's /metrics both use it.

/** A label value as the text format wants it: backslash, double quote and newline escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text: backslash and newline escaped. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

/** One line of the exposition: `name{labels} value`. */
export function sampleLine(name: string, labels: readonly [string, string][], value: number): string {
  const text = labels.map(([label, v]) => `${label}="${escapeLabelValue(v)}"`).join(',');
  return `${name}${text ? `{${text}}` : ''} ${formatValue(value)}`;
}
