// A small JSONPath evaluator for the web provider's `jsonPath`: the subset Argo's docs and the
// Kubernetes JSONPath syntax use, evaluated on parsed JSON without eval.
//   {$.data.ok}   $.a.b   {.a.b}   $.items[0].value   $.items[-1]   $['key-with-dash']   $.items[*].value   $.a.*
// Pure: no I/O. A path with a wildcard selects a list (possibly empty); one without selects one value
// or nothing.
import { isObject } from '../../core/json.js';

export class JsonPathError extends Error {}

type Segment = { kind: 'key'; key: string } | { kind: 'index'; index: number } | { kind: 'all' };

export interface Selection {
  found: boolean;
  value?: unknown;
}

export function selectJsonPath(path: string, document: unknown): Selection {
  const segments = parseJsonPath(path);
  let nodes: unknown[] = [document];
  for (const segment of segments) nodes = nodes.flatMap((node) => step(node, segment));
  if (segments.some((s) => s.kind === 'all')) return { found: true, value: nodes };
  return nodes.length === 0 ? { found: false } : { found: true, value: nodes[0] };
}

function step(node: unknown, segment: Segment): unknown[] {
  if (segment.kind === 'all') {
    if (Array.isArray(node)) return node as unknown[];
    if (typeof node === 'object' && node !== null) return Object.values(node);
    return [];
  }
  if (segment.kind === 'index') {
    if (!Array.isArray(node)) return [];
    const index = segment.index < 0 ? node.length + segment.index : segment.index;
    return index >= 0 && index < node.length ? [node[index] as unknown] : [];
  }
  if (!isObject(node)) return [];
  return Object.hasOwn(node, segment.key) ? [node[segment.key]] : [];
}

export function parseJsonPath(path: string): Segment[] {
  let text = path.trim();
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw new JsonPathError(`jsonPath ${path}: "{" without its "}"`);
    text = text.slice(1, -1).trim();
  }
  if (text.startsWith('$')) text = text.slice(1);
  const segments: Segment[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new JsonPathError(`jsonPath ${path}: ${what} at character ${i + 1} of "${text}"`);
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '.') {
      i++;
      if (text[i] === '.') fail('recursive descent (..) is not supported');
      if (text[i] === '*') {
        segments.push({ kind: 'all' });
        i++;
        continue;
      }
      const start = i;
      while (i < text.length && !'.[]'.includes(text[i] as string)) i++;
      if (i === start) fail('a name is missing');
      segments.push({ kind: 'key', key: text.slice(start, i) });
    } else if (c === '[') {
      const close = findClose(text, i) ?? fail('"[" without its "]"');
      segments.push(bracket(text.slice(i + 1, close).trim(), fail));
      i = close + 1;
    } else if (segments.length === 0 && i === 0) {
      // "items[0]" without a leading "$." or ".": the first name.
      const start = i;
      while (i < text.length && !'.[]'.includes(text[i] as string)) i++;
      segments.push({ kind: 'key', key: text.slice(start, i) });
    } else {
      fail(`unexpected ${JSON.stringify(c)}`);
    }
  }
  return segments;
}

/** The index of the "]" closing the "[" at `open`, skipping quoted keys. */
function findClose(text: string, open: number): number | undefined {
  let quote: string | undefined;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
  }
  return undefined;
}

function bracket(inner: string, fail: (what: string) => never): Segment {
  if (inner === '*') return { kind: 'all' };
  if (/^-?\d+$/.test(inner)) return { kind: 'index', index: Number(inner) };
  const quoted = /^(['"])(.*)\1$/s.exec(inner);
  if (quoted) return { kind: 'key', key: (quoted[2] as string).replace(/\\(.)/g, '$1') };
  return fail(`[${inner}] is not an index, * or a quoted name (filters and slices are not supported)`);
}
