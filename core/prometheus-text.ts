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

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Throws unless `name` is a metric name and each label name is one a metric of its own may have. */
export function checkMetricNames(name: string, labelNames: readonly string[]): void {
  if (!NAME.test(name)) throw new Error(`metric name ${JSON.stringify(name)} is not valid`);
  for (const label of labelNames)
    if (!LABEL.test(label) || label.startsWith('__') || label === 'le')
      throw new Error(`label name ${JSON.stringify(label)} is not valid for ${name}`);
}
