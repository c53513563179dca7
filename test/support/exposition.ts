// A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line must be a
// comment (# HELP / # TYPE), blank, or `name{label="value",...} value`, with escapes undone. It throws
// on anything else, naming the line, so a test that reads an exposition also checks that it parses.
export interface ParsedSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface ParsedExposition {
  samples: ParsedSample[];
  help: Map<string, string>;
  types: Map<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

function unescape(value: string): string {
  return value.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

function parseValue(text: string, line: string): number {
  if (text === 'NaN') return NaN;
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  const value = Number(text);
  if (text === '' || Number.isNaN(value)) throw new Error(`bad value in line: ${line}`);
  return value;
}

export function parseExposition(text: string): ParsedExposition {
  const result: ParsedExposition = { samples: [], help: new Map(), types: new Map() };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const [, keyword, name, rest] = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line) ?? [];
      if (keyword === 'HELP' && name) result.help.set(name, unescape(rest ?? ''));
      else if (keyword === 'TYPE' && name) {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest ?? ''))
          throw new Error(`bad TYPE line: ${line}`);
        result.types.set(name, rest ?? '');
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const [, name = '', labelText = '', valueText = ''] = match;
    const labels: Record<string, string> = {};
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < labelText.length) {
      const at = LABEL.lastIndex;
      const label = LABEL.exec(labelText);
      if (!label || label.index !== at) throw new Error(`bad labels in line: ${line}`);
      const [, key = '', value = ''] = label;
      if (key in labels) throw new Error(`label ${key} twice in line: ${line}`);
      labels[key] = unescape(value);
      if (label[3] === '') break;
    }
    result.samples.push({ name, labels, value: parseValue(valueText, line) });
  }
  return result;
}

/** The sum of the samples named `name` whose labels include `match`. */
export function sumSamples(
  parsed: ParsedExposition,
  name: string,
  match: Record<string, string> = {},
): number {
  return parsed.samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}
