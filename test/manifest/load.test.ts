import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { lintFiles } from '../../client/lint.js';
import { loadManifests } from '../../core/manifest/index.js';
import type { RolloutDefinition } from '../../core/types.js';
import { GOOD_DIR, SEED_DIR, readText } from './fixtures.js';

const good = (name: string) => readText(path.join(GOOD_DIR, name));

describe('loadManifests: several documents', () => {
  const result = loadManifests(good('multi-document.yaml'), 'multi-document.yaml');

  it('loads each kind into its list, skipping empty documents but counting them', () => {
    expect(result.errors).toEqual([]);
    expect(
      result.objects.map((object) => [object.document, object.kind, object.namespace, object.name]),
    ).toEqual([
      [0, 'Namespace', '', 'shop'],
      [2, 'Service', 'shop', 'cart-canary'],
      [3, 'ClusterAnalysisTemplate', '', 'http-health'],
      [4, 'Rollout', 'shop', 'cart'],
    ]);
    expect(result.others.map((object) => object.kind)).toEqual(['Namespace', 'Service']);
  });

  it('keeps a ClusterAnalysisTemplate as written, placeholders included', () => {
    expect(result.analysisTemplates).toEqual([
      {
        kind: 'ClusterAnalysisTemplate',
        name: 'http-health',
        namespace: '',
        spec: {
          args: [
            { name: 'url' },
            { name: 'interval', value: '10s' },
            { name: 'token', valueFrom: { secretKeyRef: { name: 'health-token', key: 'token' } } },
          ],
          metrics: [
            {
              name: 'healthy',
              interval: '{{args.interval}}',
              count: 3,
              failureLimit: 1,
              successCondition: 'result == true',
              provider: {
                web: {
                  url: '{{args.url}}',
                  jsonPath: '{$.ok}',
                  headers: [{ key: 'Authorization', value: 'Bearer {{args.token}}' }],
                },
              },
            },
          ],
          dryRun: [],
          measurementRetention: [],
        },
      },
    ]);
  });

  it('normalizes a Rollout without routing: no services, bare-number pause', () => {
    expect(result.rollouts).toHaveLength(1);
    expect(result.rollouts[0]?.canary).toEqual({
      steps: [
        { kind: 'setWeight', weight: 50 },
        { kind: 'pause', durationSeconds: 30 },
      ],
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 0, // without a router an abort scales the canary down at once
      dynamicStableScale: false,
    });
    expect(result.rollouts[0]?.replicas).toBe(3);
  });
});

describe('loadManifests: every field normalized', () => {
  const expected: RolloutDefinition = {
    name: 'checkout',
    namespace: 'payments',
    labels: { team: 'payments' },
    annotations: { owner: 'payments@example.com' },
    replicas: 5,
    selector: { matchLabels: { app: 'checkout' } },
    template: {
      metadata: { labels: { app: 'checkout', 'app.kubernetes.io/part-of': 'shop' } },
      spec: {
        containers: [
          { name: 'checkout', image: 'example/checkout:2.1' },
          { name: 'proxy', image: 'example/proxy:1.0' },
        ],
      },
    },
    revisionHistoryLimit: 3,
    progressDeadlineSeconds: 300,
    progressDeadlineAbort: true,
    minReadySeconds: 10,
    paused: true,
    canary: {
      steps: [
        { kind: 'setCanaryScale', replicas: 1 },
        { kind: 'setWeight', weight: 10 },
        { kind: 'setCanaryScale', weight: 25 },
        { kind: 'setCanaryScale', matchTrafficWeight: true },
        { kind: 'pause', durationSeconds: 5400 },
        { kind: 'pause', durationSeconds: 90 },
        {
          kind: 'analysis',
          templates: [{ templateName: 'istio-success-rate', clusterScope: false }],
          args: [
            { name: 'stable-hash', valueFrom: { podTemplateHashValue: 'Stable' } },
            { name: 'token', valueFrom: { secretKeyRef: { name: 'prometheus-token', key: 'token' } } },
            { name: 'app', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
          ],
        },
        { kind: 'setWeight', weight: 100 },
      ],
      analysis: {
        templates: [{ templateName: 'http-health', clusterScope: true }],
        args: [{ name: 'url', value: 'http://checkout-canary/healthz' }],
        startingStep: 0,
      },
      trafficRouting: {
        istio: {
          virtualServices: [
            { name: 'checkout-vsvc', routes: ['primary', 'secondary'], tlsRoutes: [], tcpRoutes: [] },
            {
              // `name.namespace`: Argo's shorthand for a VirtualService in another namespace
              name: 'checkout-tls',
              namespace: 'edge',
              routes: [],
              tlsRoutes: [
                { port: 443, sniHosts: ['checkout.example.com'] },
                { sniHosts: ['pay.example.com'] },
              ],
              tcpRoutes: [{ port: 5000 }],
            },
          ],
          destinationRule: {
            name: 'checkout-destrule',
            canarySubsetName: 'canary',
            stableSubsetName: 'stable',
          },
        },
      },
      scaleDownDelaySeconds: 30,
      abortScaleDownDelaySeconds: 0,
      dynamicStableScale: true,
      antiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: { weight: 50 } },
    },
  };

  it('applies the defaultNamespace option and keeps every override', () => {
    const result = loadManifests(good('full-featured.yaml'), 'full-featured.yaml', {
      defaultNamespace: 'payments',
    });
    expect(result.errors).toEqual([]);
    expect(result.rollouts).toEqual([expected]);
  });

  it("uses Kubernetes' default namespace when none is given", () => {
    const result = loadManifests(good('full-featured.yaml'), 'full-featured.yaml');
    expect(result.rollouts[0]?.namespace).toBe('default');
    expect(result.objects[0]?.namespace).toBe('default');
  });
});

describe('loadManifests: errors', () => {
  it('reports a YAML syntax error with its line, and still loads the other documents', () => {
    const text = [
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: ok}',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata:',
      '  name: broken',
      '  labels: {app: [x}',
      '',
    ].join('\n');
    const result = loadManifests(text, 'services.yaml');
    expect(result.others.map((object) => object.name)).toEqual(['ok']);
    expect(result.errors.length).toBeGreaterThanOrEqual(1);
    expect(result.errors[0]).toMatchObject({
      file: 'services.yaml',
      document: 1,
      line: 9,
      expected: 'valid YAML',
    });
    expect(result.errors[0]?.message).toMatch(
      /^services\.yaml: document 1: line 9, column \d+: YAML syntax error: /,
    );
  });

  it('reports duplicate keys as YAML errors', () => {
    const result = loadManifests('kind: Service\nkind: Namespace\n', 'dup.yaml');
    expect(result.errors[0]?.message).toContain('line 2');
    expect(result.errors[0]?.message).toContain('Map keys must be unique');
  });

  it('collects every error of a document, not just the first', () => {
    const text = readText(path.join(SEED_DIR, '05-rollout.yaml'))
      .replace('revisionHistoryLimit: 2', 'revisionHistoryLimit: -1\n  replicas: many')
      .replace('- setWeight: 40', '- setWeight: 400')
      .replace('{duration: 60s}', '{duration: soon}')
      .replace('stableService: myapp-stable-svc', 'stableService: myapp-canary-svc');
    const result = loadManifests(text, 'rollout.yaml');
    expect(result.rollouts).toEqual([]);
    expect(result.errors.map((error) => error.path)).toEqual([
      'spec.replicas',
      'spec.revisionHistoryLimit',
      'spec.strategy.canary.stableService',
      'spec.strategy.canary.steps[2].setWeight',
      'spec.strategy.canary.steps[3].pause.duration',
    ]);
  });

  it('returns a valid Rollout next to an invalid one', () => {
    const seed = readText(path.join(SEED_DIR, '05-rollout.yaml'));
    const broken = seed
      .replace('name: myapp\n', 'name: other\n')
      .replace('- setWeight: 20', '- setWeight: -20');
    const result = loadManifests(`${seed}---\n${broken}`, 'two.yaml');
    expect(result.rollouts.map((rollout) => rollout.name)).toEqual(['myapp']);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ document: 1, name: 'other', found: '-20' });
  });

  it('needs an apiVersion on objects of other kinds', () => {
    const result = loadManifests('kind: ConfigMap\nmetadata: {name: settings}\n', 'cm.yaml');
    expect(result.others).toHaveLength(1);
    expect(result.errors.map((error) => error.message)).toEqual([
      'cm.yaml: ConfigMap default/settings: apiVersion: missing, expected an apiVersion such as v1',
    ]);
  });

  it('returns nothing and no error for an empty file', () => {
    expect(loadManifests('', 'empty.yaml')).toEqual({
      rollouts: [],
      analysisTemplates: [],
      others: [],
      objects: [],
      errors: [],
    });
    expect(loadManifests('---\n# nothing\n---\n', 'empty.yaml').errors).toEqual([]);
  });
});

describe('lintFiles', () => {
  const seedRollout = readText(path.join(SEED_DIR, '05-rollout.yaml'));
  const files: Record<string, string> = { 'a.yaml': seedRollout, 'b.yaml': seedRollout };
  const read = (file: string): string => {
    const text = files[file];
    if (text === undefined) throw new Error(`ENOENT: no such file, open '${file}'`);
    return text;
  };

  it('finds the same object in two files', () => {
    const { errors, objects } = lintFiles(['a.yaml', 'b.yaml'], read);
    expect(objects).toHaveLength(2);
    expect(errors.map((error) => error.message)).toEqual([
      'b.yaml: Rollout rollouts-demo/myapp: metadata.name: "myapp" is already used by the Rollout in a.yaml document 0',
    ]);
  });

  it('reports a file it cannot read and goes on with the rest', () => {
    const { errors, objects } = lintFiles(['missing.yaml', 'a.yaml'], read);
    expect(objects.map((object) => object.file)).toEqual(['a.yaml']);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe(
      "missing.yaml: cannot read the file: ENOENT: no such file, open 'missing.yaml'",
    );
  });

  it('passes the default namespace on', () => {
    const { objects } = lintFiles(
      ['c.yaml'],
      () => 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\n',
      {
        defaultNamespace: 'staging',
      },
    );
    expect(objects).toEqual([
      { file: 'c.yaml', document: 0, kind: 'Service', namespace: 'staging', name: 'web' },
    ]);
  });
});
