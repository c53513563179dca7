// The seed's own manifests (examples/seed, a copy of the shared seed) must load cleanly.
import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { lintFiles } from '../../client/lint.js';
import { loadManifests } from '../../core/manifest/index.js';
import type { RolloutDefinition } from '../../core/types.js';
import { SEED_DIR, readText } from './fixtures.js';

const seedFile = (name: string) => path.join(SEED_DIR, name);

const expectedRollout: RolloutDefinition = {
  name: 'myapp',
  namespace: 'rollouts-demo',
  labels: {},
  annotations: {},
  replicas: 1,
  selector: { matchLabels: { app: 'myapp' } },
  template: {
    metadata: { labels: { app: 'myapp' } },
    spec: {
      containers: [
        {
          name: 'myapp',
          image: 'argoproj/rollouts-demo:blue',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          resources: { requests: { memory: '32Mi', cpu: '5m' } },
        },
      ],
    },
  },
  revisionHistoryLimit: 2,
  progressDeadlineSeconds: 600,
  progressDeadlineAbort: false,
  minReadySeconds: 0,
  paused: false,
  canary: {
    canaryService: 'myapp-canary-svc',
    stableService: 'myapp-stable-svc',
    steps: [
      { kind: 'setWeight', weight: 20 },
      { kind: 'pause' },
      { kind: 'setWeight', weight: 40 },
      { kind: 'pause', durationSeconds: 60 },
      { kind: 'setWeight', weight: 60 },
      { kind: 'pause', durationSeconds: 60 },
      { kind: 'setWeight', weight: 80 },
      { kind: 'pause', durationSeconds: 60 },
    ],
    analysis: {
      templates: [{ templateName: 'istio-success-rate', clusterScope: false }],
      args: [
        { name: 'service', value: 'myapp-canary-svc' },
        { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      ],
      startingStep: 1,
    },
    trafficRouting: {
      istio: { virtualServices: [{ name: 'myapp-vsvc', routes: ['primary'], tlsRoutes: [], tcpRoutes: [] }] },
    },
    scaleDownDelaySeconds: 30,
    abortScaleDownDelaySeconds: 30,
    dynamicStableScale: false,
  },
};

describe('the seed manifests', () => {
  it('lint with zero errors, listing every object', () => {
    const files = readdirSync(SEED_DIR)
      .filter((name) => name.endsWith('.yaml'))
      .sort()
      .map(seedFile);
    const { errors, objects } = lintFiles(files, readText);
    expect(errors).toEqual([]);
    expect(objects.map(({ kind, namespace, name }) => `${kind} ${namespace}/${name}`)).toEqual([
      'Namespace /rollouts-demo',
      'Service rollouts-demo/myapp-canary-svc',
      'Service rollouts-demo/myapp-stable-svc',
      'VirtualService rollouts-demo/myapp-vsvc',
      'Gateway rollouts-demo/myapp-gateway',
      'AnalysisTemplate rollouts-demo/istio-success-rate',
      'Rollout rollouts-demo/myapp',
    ]);
  });

  it('normalizes 05-rollout.yaml to the full definition', () => {
    const result = loadManifests(readText(seedFile('05-rollout.yaml')), '05-rollout.yaml');
    expect(result.errors).toEqual([]);
    expect(result.rollouts).toEqual([expectedRollout]);
    // JSON-clean: it travels in workflow history
    expect(JSON.parse(JSON.stringify(result.rollouts[0]))).toEqual(expectedRollout);
  });

  it('reads 04-analysistemplate.yaml as an AnalysisTemplate', () => {
    const result = loadManifests(readText(seedFile('04-analysistemplate.yaml')), '04-analysistemplate.yaml');
    expect(result.errors).toEqual([]);
    expect(result.rollouts).toEqual([]);
    expect(result.others).toEqual([]);
    const [template] = result.analysisTemplates;
    expect(template).toMatchObject({
      kind: 'AnalysisTemplate',
      name: 'istio-success-rate',
      namespace: 'rollouts-demo',
      spec: {
        args: [{ name: 'service' }, { name: 'namespace' }],
        dryRun: [],
        measurementRetention: [],
        metrics: [
          {
            name: 'success-rate',
            initialDelay: '60s',
            interval: '20s',
            successCondition: 'len(result) == 0 || result[0] > 0.90',
            failureLimit: 3,
            provider: { prometheus: { address: 'http://prometheus.istio-system:9090' } },
          },
        ],
      },
    });
    expect(template?.spec.metrics[0]?.provider.prometheus?.query).toContain(
      '{{args.service}}.{{args.namespace}}',
    );
  });

  it('lists the Istio and core objects as others, without errors', () => {
    const result = loadManifests(readText(seedFile('01-services.yaml')), '01-services.yaml');
    expect(result.errors).toEqual([]);
    expect(result.others.map((object) => [object.document, object.kind, object.name])).toEqual([
      [0, 'Service', 'myapp-canary-svc'],
      [1, 'Service', 'myapp-stable-svc'],
    ]);
  });
});
