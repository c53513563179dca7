// Bad input, part (a): the whole corpus of bad manifests (test/fixtures/manifests/bad, one defect per
// file, and test/fixtures/bad-input/manifests: AnalysisTemplate errors, what only attaching templates
// to a Rollout shows, files that are not manifests at all) through the built command, as a person
// runs it: `rollouts lint -f FILE` and `rollouts apply -f FILE`, each a process of its own. Every
// error must name the file, the object and the field; apply must exit non-zero, say that nothing was
// applied, and never reach Temporal (TEMPORAL_ADDRESS points at a listener that counts connections).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { lintFiles } from '../../../client/lint.js';
import { loadManifests } from '../../../core/manifest/index.js';
import { repoRoot, testOutput } from '../../support/paths.js';
import { Tally } from './report.js';

const run = promisify(execFile);
const main = path.join(repoRoot, 'dist', 'client', 'main.js');
const OLD_DIR = 'test/fixtures/manifests/bad';
const NEW_DIR = 'test/fixtures/bad-input/manifests';
const tally = new Tally('manifests');

/** Relative paths, as a person would type them (and as every message must repeat them). */
const corpus = [OLD_DIR, NEW_DIR].flatMap((dir) =>
  fs
    .readdirSync(path.join(repoRoot, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `${dir}/${f}`),
);

/**
 * The new fixtures' first error: [its field (or the object or line, for a file that is no manifest),
 * a piece of its message]. The older ones are held to the library's own errors (test/manifest has
 * their exact expectations).
 */
const NEW_EXPECTATIONS: Record<string, [string, string]> = {
  'apply-arg-condition-bad.yaml': [
    'spec.metrics[0].successCondition',
    '"result[0] >= high" does not parse: unknown name "high"',
  ],
  'apply-arg-count-bad.yaml': ['spec.metrics[0].count', '"many" is not an integer'],
  'apply-arg-interval-bad.yaml': ['spec.metrics[0].interval', '"20 seconds" has an unknown unit " seconds"'],
  'apply-arg-missing.yaml': [
    'spec.strategy.canary.analysis',
    'arg "service" of AnalysisTemplate success-rate is required',
  ],
  'apply-cluster-template-missing.yaml': [
    'spec.strategy.canary.analysis',
    'ClusterAnalysisTemplate "success-rate" not found',
  ],
  'apply-field-ref-missing-label.yaml': [
    'spec.strategy.canary.analysis',
    "fieldRef metadata.labels['service'] has no value on the Rollout",
  ],
  'apply-metric-in-two-templates.yaml': [
    'spec.metrics[0].name',
    'metric "success-rate" appears in more than one template',
  ],
  'apply-step-template-missing.yaml': [
    'spec.strategy.canary.steps[1].analysis',
    'AnalysisTemplate "latency" in namespace rollouts-demo not found',
  ],
  'apply-template-missing.yaml': [
    'spec.strategy.canary.analysis',
    'AnalysisTemplate "error-rate" in namespace rollouts-demo not found',
  ],
  'cluster-template-no-name.yaml': [
    'metadata.name',
    'ClusterAnalysisTemplate (unnamed): metadata.name: missing',
  ],
  'empty-document.yaml': ['', 'no Kubernetes objects in the file'],
  'json-not-yaml.yaml': ['line 2', 'YAML syntax error'],
  'rollout-args-not-a-list.yaml': ['spec.strategy.canary.analysis.args', 'is a map, expected a list'],
  'rollout-image-space.yaml': [
    'spec.template.spec.containers[0].image',
    '"argoproj/rollouts demo:blue" is not a container image reference',
  ],
  'rollout-image-too-long.yaml': [
    'spec.template.spec.containers[0].image',
    'is 1093 characters long, expected at most 1024',
  ],
  'tab-indented.yaml': ['line 5', 'Tabs are not allowed as indentation'],
  'template-arg-value-number.yaml': ['spec.args[1].value', '5 is an integer, expected a string'],
  'template-condition-boolean.yaml': ['spec.metrics[0].successCondition', 'true is a boolean'],
  'template-condition-single-equals.yaml': [
    'spec.metrics[0].successCondition',
    'unexpected token "=" (did you mean "=="?)',
  ],
  'template-condition-trailing-and.yaml': [
    'spec.metrics[0].failureCondition',
    '"result[0] < 0.5 &&" does not parse: unexpected end of expression',
  ],
  'template-condition-undeclared-arg.yaml': [
    'spec.metrics[0].successCondition',
    '{{args.threshold}} refers to an argument that spec.args does not declare',
  ],
  'template-consecutive-error-negative.yaml': ['spec.metrics[0].consecutiveErrorLimit', '-1 is negative'],
  'template-count-words.yaml': ['spec.metrics[0].count', '"five" is not a non-negative integer'],
  'template-dry-run-no-metric.yaml': ['spec.dryRun[0].metricName', 'missing'],
  'template-header-no-value.yaml': ['spec.metrics[0].provider.prometheus.headers[0].value', 'missing'],
  'template-inconclusive-above-count.yaml': [
    'spec.metrics[0].inconclusiveLimit',
    '5 is more than count (4), so it could never be reached',
  ],
  'template-initial-delay-words.yaml': [
    'spec.metrics[0].initialDelay',
    '"5 minutes" has an unknown unit " minutes"',
  ],
  'template-interval-list.yaml': ['spec.metrics[0].interval', '["20s"] is a list, expected a duration'],
  'template-interval-negative.yaml': ['spec.metrics[0].interval', '"-20s" is negative'],
  'template-metric-no-name.yaml': ['spec.metrics[0].name', 'missing, expected a non-empty metric name'],
  'template-metrics-not-a-list.yaml': ['spec.metrics', 'is a map, expected a non-empty list of metrics'],
  'template-prometheus-address-number.yaml': [
    'spec.metrics[0].provider.prometheus.address',
    '9090 is an integer, expected a URL',
  ],
  'template-prometheus-no-address.yaml': [
    'spec.metrics[0].provider.prometheus.address',
    'missing, expected a URL',
  ],
  'template-provider-missing.yaml': [
    'spec.metrics[0].provider',
    'missing, expected a map with exactly one of',
  ],
  'template-provider-string.yaml': ['spec.metrics[0].provider', '"prometheus" is a string'],
  'template-provider-unsupported.yaml': [
    'spec.metrics[0].provider.datadog',
    'the datadog provider is not supported yet',
  ],
  'template-query-empty.yaml': [
    'spec.metrics[0].provider.prometheus.query',
    'an empty string, expected a PromQL query',
  ],
  'template-retention-negative.yaml': ['spec.measurementRetention[0].limit', '-1 is negative'],
  'template-unknown-spec-field.yaml': ['spec.metricz', 'unknown field "metricz"'],
  'template-web-insecure-string.yaml': ['spec.metrics[0].provider.web.insecure', '"yes" is a string'],
  'template-web-method.yaml': [
    'spec.metrics[0].provider.web.method',
    'found "DELETE", expected GET, POST or PUT',
  ],
  'template-web-no-url.yaml': ['spec.metrics[0].provider.web.url', 'missing, expected a URL'],
  'template-web-timeout-string.yaml': ['spec.metrics[0].provider.web.timeoutSeconds', '"10s" is a string'],
  'template-web-undeclared-arg.yaml': [
    'spec.metrics[0].provider.web.url',
    '{{ args.window }} refers to an argument that spec.args does not declare',
  ],
};

/**
 * Files whose Rollout refers to a template that is not in the file: lint cannot know (it may be in
 * the cluster) and passes them; apply, with no cluster to look in, refuses them.
 */
const ONLY_APPLY_SEES = new Set([
  `${NEW_DIR}/apply-template-missing.yaml`,
  `${NEW_DIR}/apply-cluster-template-missing.yaml`,
  `${NEW_DIR}/apply-step-template-missing.yaml`,
]);

interface Result {
  code: number;
  out: string;
  err: string;
}

let listener: net.Server;
let connections = 0;
let address = '';
const home = path.join(testOutput, 'faults', 'bad-input', 'manifests-home');

async function rollouts(args: string[]): Promise<Result> {
  const env: Record<string, string | undefined> = { ...process.env, TEMPORAL_ADDRESS: address, HOME: home };
  delete env.KUBECONFIG; // no cluster: a template missing from the files is missing
  delete env.ROLLOUTS_NAMESPACE;
  try {
    const { stdout, stderr } = await run(process.execPath, [main, ...args], {
      cwd: repoRoot,
      env,
      timeout: 30_000,
    });
    return { code: 0, out: stdout, err: stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: e.stdout ?? '', err: e.stderr ?? '' };
  }
}

const linted = new Map<string, Result>();
const applied = new Map<string, Result>();

beforeAll(async () => {
  fs.mkdirSync(home, { recursive: true });
  listener = net.createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  address = `127.0.0.1:${(listener.address() as net.AddressInfo).port}`;
  // Every file twice (lint, apply): a few processes at a time.
  const jobs = corpus.flatMap((file) => [
    async () => void linted.set(file, await rollouts(['lint', '-f', file])),
    async () => void applied.set(file, await rollouts(['apply', '-f', file])),
  ]);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jobs.length; i = next++) await (jobs[i] as () => Promise<void>)();
  };
  await Promise.all(Array.from({ length: 6 }, worker));
}, 170_000);

afterAll(async () => {
  const counts = tally.write();
  console.log(`bad manifests: ${counts.handled}/${counts.tried} handled (${corpus.length} files)`);
  await new Promise((resolve) => listener?.close(resolve));
});

const lines = (text: string) => text.trimEnd().split('\n').filter(Boolean);
const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');

/** Each error line names the file, then the object (or document), then the field or line. */
function expectNamed(file: string, errorLines: string[]): void {
  expect(errorLines.length).toBeGreaterThan(0);
  for (const line of errorLines) {
    expect(line.startsWith(`${file}: `)).toBe(true);
    const rest = line.slice(file.length + 2);
    expect(rest).toMatch(
      /^((Rollout|AnalysisTemplate|ClusterAnalysisTemplate|[A-Z]\w+) [^ :]+: |document \d+: |no Kubernetes objects)/,
    );
  }
}

describe('the bad manifest corpus through `rollouts lint` and `rollouts apply`', () => {
  it('holds at least 60 distinct defects, one per file, each saying which in its first line', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(60);
    for (const file of corpus) expect(read(file).split('\n')[0]).toMatch(/^# Defect: \S/);
    expect(Object.keys(NEW_EXPECTATIONS).sort()).toEqual(
      corpus.filter((f) => f.startsWith(NEW_DIR)).map((f) => path.basename(f)),
    );
  });

  it.each(corpus)('%s', async (file) => {
    await tally.check(file, () => {
      const lint = linted.get(file) as Result;
      const apply = applied.get(file) as Result;
      // lint: exit 1, every error named, the same errors the library finds, and a count
      const expectedLint = lintFiles([file], read).errors.map((e) => e.message);
      if (ONLY_APPLY_SEES.has(file)) {
        expect(lint).toMatchObject({ code: 0, err: '' });
        expect(expectedLint).toEqual([]);
      } else {
        expect(lint.code).toBe(1);
        const errorLines = lines(lint.err);
        expect(errorLines.pop()).toBe(`${expectedLint.length} error(s) in ${file}`);
        expect(errorLines).toEqual(expectedLint);
        expectNamed(file, errorLines);
        expect(lint.out).toBe('');
      }
      // apply: refused before anything is sent, saying so
      const applyLines = lines(apply.err);
      if (apply.code === 2) {
        // not one Rollout in the file, and nothing else wrong with it
        expect(applyLines).toEqual([`error: apply: no Rollout in ${file}`]);
      } else {
        expect(apply.code).toBe(1);
        const summary = applyLines.pop();
        expect(summary).toBe(`nothing applied: ${applyLines.length} error(s)`);
        expectNamed(file, applyLines);
        // everything the manifests themselves get wrong is among what apply reports
        for (const error of loadManifests(read(file), file).errors)
          expect(applyLines).toContain(error.message);
      }
      expect(apply.out).toBe('');
      // the first error names the field (or line) and says what is wrong with it
      const expectation = NEW_EXPECTATIONS[path.basename(file)];
      const first = apply.code === 2 ? (lines(lint.err)[0] ?? '') : (applyLines[0] ?? '');
      if (expectation) {
        const [field, message] = expectation;
        expect(first).toContain(field === '' || field.startsWith('line ') ? field : `${field}: `);
        expect(first).toContain(message);
      } else {
        const [error] = loadManifests(read(file), file).errors;
        if (error?.path) expect(first).toContain(`${error.path}: `);
      }
    });
  });

  it('no apply reached Temporal: bad manifests apply nothing', () => {
    expect(connections).toBe(0);
  });
});
