// Every field of Argo's Rollout and AnalysisTemplate types is handled (a manifest using it loads, and the
// normalized definition or template carries it) or refused at lint with "not supported yet" naming it:
// there is no third state, accepted and then ignored (issue 11). The table (argo-fields.ts) is checked
// against Argo's Go source when it is at hand, and every field that any fixture or example uses must
// be in it (or be refused there as unknown: a typo).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { normalizeTemplate } from '../../core/analysis/template.js';
import { isObject } from '../../core/json.js';
import { loadManifests } from '../../core/manifest/index.js';
import { parseDocuments } from '../../core/manifest/parse.js';
import {
  OURS,
  ROLLOUT_FIELDS,
  TEMPLATE_FIELDS,
  WALKED_TYPES,
  type FieldRow,
  type Loaded,
} from './argo-fields.js';
import { BAD_DIR, GOOD_DIR, SEED_DIR } from './fixtures.js';

const API = 'argoproj.io/v1alpha1';
const baseRollout = () => ({
  apiVersion: API,
  kind: 'Rollout',
  metadata: { name: 'myapp', namespace: 'demo' },
  spec: {
    selector: { matchLabels: { app: 'myapp' } },
    template: {
      metadata: { labels: { app: 'myapp' } },
      spec: { containers: [{ name: 'myapp', image: 'argoproj/rollouts-demo:blue' }] },
    },
    strategy: {
      canary: {
        canaryService: 'myapp-canary',
        stableService: 'myapp-stable',
        trafficRouting: { istio: { virtualService: { name: 'myapp-vsvc' } } },
        analysis: { templates: [{ templateName: 'rate' }], args: [{ name: 'service', value: 'myapp' }] },
        steps: [{ setWeight: 20 }, { pause: {} }],
      },
    },
  },
});
const baseTemplate = () => ({
  apiVersion: API,
  kind: 'AnalysisTemplate',
  metadata: { name: 'rate', namespace: 'demo' },
  spec: {
    args: [{ name: 'service' }],
    metrics: [{ name: 'rate', provider: { prometheus: { address: 'http://p:9090', query: 'up' } } }],
  },
});

/** `a.b[1].c` → ['a', 'b', 1, 'c'] */
function segments(at: string): (string | number)[] {
  return at.split(/\.|(?=\[)/).map((s) => (s.startsWith('[') ? Number(s.slice(1, -1)) : s));
}

/** Sets (or, with undefined, deletes) the value at `at`, making the maps and lists on the way. */
function setAt(root: Record<string, unknown>, at: string, value: unknown): void {
  const keys = segments(at);
  let node: Record<string | number, unknown> = root;
  keys.slice(0, -1).forEach((key, i) => {
    if (!isObject(node[key]) && !Array.isArray(node[key]))
      node[key] = typeof keys[i + 1] === 'number' ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
  const last = keys[keys.length - 1] as string | number;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

function load(row: FieldRow, kind: 'rollout' | 'template') {
  const rollout = baseRollout();
  const template = baseTemplate();
  const target = kind === 'rollout' ? rollout : template;
  for (const [at, value] of Object.entries(row.prepare ?? {})) setAt(target, at, structuredClone(value));
  setAt(target, row.path, structuredClone(row.value));
  const text = [rollout, template].map((doc) => JSON.stringify(doc)).join('\n---\n');
  return loadManifests(text, 'fields.yaml');
}

const lastField = (at: string) =>
  at
    .replace(/\[\d+\]$/, '')
    .split('.')
    .pop() as string;

describe.each([
  ['Rollout', 'rollout', ROLLOUT_FIELDS],
  ['AnalysisTemplate', 'template', TEMPLATE_FIELDS],
] as const)("every field of Argo's %s", (_, kind, rows) => {
  it.each(rows.map((row) => [row.path, row.handled ? 'handled' : 'refused', row] as const))(
    '%s: %s',
    (at, _verdict, row) => {
      const result = load(row, kind);
      if (row.handled) {
        expect(result.errors.map((e) => e.message)).toEqual([]);
        const [rollout] = result.rollouts;
        const [template] = result.analysisTemplates;
        if (!rollout || !template) throw new Error('both objects load');
        const loaded: Loaded = { rollout, template: normalizeTemplate(template) };
        const [carried, expected] = row.handled;
        expect(carried(loaded)).toEqual(expected);
      } else {
        // exactly one error, at the field, saying it is not supported yet and naming it
        expect(result.errors.map((e) => e.path)).toEqual([at]);
        expect(result.errors[0]?.message).toContain('not supported yet');
        expect(result.errors[0]?.message).toContain(lastField(at));
      }
    },
  );
});

const ALL_ROWS = [...ROLLOUT_FIELDS, ...TEMPLATE_FIELDS];

/** Argo's source: the Go module cache (tools/ builds the oracle from it) or an unpacked copy. */
const ARGO_SOURCE = [
  process.env.ARGO_ROLLOUTS_SOURCE,
  path.join(process.env.HOME ?? '/root', 'go/pkg/mod/github.com/argoproj/argo-rollouts@v1.10.2'),
  '/tmp/argo/github.com/argoproj/argo-rollouts@v1.10.2',
].find((dir) => dir !== undefined && existsSync(path.join(dir, 'pkg/apis/rollouts/v1alpha1/types.go')));

/** The json names of a Go struct's fields, embedded (`json:",inline"`) structs included. */
function goFields(source: string, type: string): string[] {
  const body = new RegExp(`^type ${type} struct \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(source)?.[1];
  if (body === undefined) throw new Error(`type ${type} not found in Argo's source`);
  return [...body.matchAll(/^\s*(?:(\w+)\s+)?([\w.*[\]]+)\s+`json:"([^"]*)"/gm)].flatMap((match) => {
    const [name, ...options] = (match[3] as string).split(',');
    if (name === '-') return [];
    if (name === '' && options.includes('inline')) return goFields(source, match[2] as string);
    return [name as string];
  });
}

describe("the table is Argo's types", () => {
  const sourceIt = ARGO_SOURCE ? it : it.skip;
  sourceIt.each(Object.entries(WALKED_TYPES))('%s (%s): every field, no other', (type, file) => {
    const source = readFileSync(path.join(ARGO_SOURCE as string, 'pkg/apis/rollouts/v1alpha1', file), 'utf8');
    const table = ALL_ROWS.filter((row) => row.goType === type).map((row) => lastField(row.path));
    expect([...new Set(table)].sort()).toEqual(goFields(source, type).sort());
  });

  it('names only Go types it walks (and metav1.LabelSelector)', () => {
    for (const row of ALL_ROWS)
      expect([...Object.keys(WALKED_TYPES), 'LabelSelector', OURS]).toContain(row.goType);
  });
});

/** Field paths of an object below spec, lists as [n]; maps of user data are not walked. */
const OPAQUE = /^spec\.template$|\.matchLabels$|\.jsonBody$|\.labels$|\.annotations$|\.plugins?$/;
function fieldPaths(value: unknown, at: string, out: Set<string>): void {
  if (Array.isArray(value)) value.forEach((item) => fieldPaths(item, `${at}[n]`, out));
  else if (isObject(value) && !OPAQUE.test(at))
    for (const [key, field] of Object.entries(value)) {
      const next = `${at}.${key}`;
      out.add(next);
      fieldPaths(field, next, out);
    }
}

const yamlFiles = (dir: string) =>
  existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => path.join(dir, f))
    : [];
const FIXTURES = [
  ...yamlFiles(GOOD_DIR),
  ...yamlFiles(BAD_DIR),
  ...yamlFiles(SEED_DIR),
  ...yamlFiles(path.resolve(SEED_DIR, '../fast')),
  ...yamlFiles(path.resolve(process.cwd(), 'test/fixtures/bad-input/manifests')),
];

describe('every field the fixtures and examples use is in the table', () => {
  /** Lists as [n]; the same Go type at another place as where the table walks it. */
  const general = (at: string) =>
    at
      .replace(/\[\d+\]/g, '[n]')
      .replace(/\.steps\[n\]\.analysis\./, '.analysis.')
      .replace(/\.virtualServices\[n\]/, '.virtualService')
      .replace(/\.prometheus\.headers\[n\]/, '.web.headers[n]')
      .replace(/\.web\.authentication\.oauth2\./, '.prometheus.authentication.oauth2.');
  const known = new Set(ALL_ROWS.map((row) => general(row.path)));
  // Inside a field refused as a whole (a router, a provider, blueGreen) nothing is read.
  const refusedWhole = ALL_ROWS.filter((row) => !row.handled).map((row) => general(row.path));
  const insideRefused = (at: string) =>
    refusedWhole.some((r) => at.startsWith(`${r}.`) || at.startsWith(`${r}[n]`));
  it.each(FIXTURES.map((file) => [path.relative(process.cwd(), file)]))('%s', (file) => {
    const text = readFileSync(file, 'utf8');
    const errors = loadManifests(text, file).errors.map((e) => general(e.path));
    // an error at the path or above it (a list written as a map: its keys are not fields)
    const reported = (at: string) =>
      errors.some((e) => at === e || at.startsWith(`${e}.`) || at.startsWith(`${e}[n]`));
    for (const { value } of parseDocuments(text, file).documents) {
      if (
        !isObject(value) ||
        !['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate'].includes(String(value.kind))
      )
        continue;
      const paths = new Set<string>();
      fieldPaths(value.spec, 'spec', paths);
      // A path the table does not know is a typo the loader refused (the bad fixtures have some)…
      // …or it lies inside a field refused as a whole.
      const unknown = [...paths]
        .map(general)
        .filter((at) => !known.has(at) && !reported(at) && !insideRefused(at));
      expect(unknown).toEqual([]);
    }
  });
});
