// The objects a bench rollout needs, as a user would write them: its Namespace, stable and canary
// Services, VirtualService, and the Rollout (optionally with a background web analysis against the
// bench's own metric endpoint, so a provider's cost is not counted as ours).
import { stringify } from 'yaml';

export const BENCH_NAMESPACE = 'bench';
export const IMAGE = 'bench/app';

export interface BenchRollout {
  name: string;
  namespace?: string;
  steps: Record<string, unknown>[];
  /** A background web analysis every `intervalSeconds` against `url`, starting at step 0. */
  analysis?: { url: string; intervalSeconds: number; failureLimit?: number };
  /** Or the background analysis of a template many rollouts share, with a `key` argument of their own. */
  sharedAnalysis?: { template: string; key: string };
  /** Route traffic through Services and a VirtualService (default); false: a canary with neither. */
  router?: boolean;
  image?: string;
}

export const services = (name: string) => ({ stable: `${name}-stable`, canary: `${name}-canary` });
export const virtualServiceName = (name: string) => `${name}-vsvc`;

/** Steps that alternate `setWeight` between two weights and `pause: {}`: every promote moves the weight. */
export function alternatingSteps(
  pairs: number,
  weights: [number, number] = [10, 20],
): Record<string, unknown>[] {
  return Array.from({ length: pairs }, (_, i) => [{ setWeight: weights[i % 2] }, { pause: {} }]).flat();
}

/** The cluster's side: Services and VirtualService (the Namespace is `namespaceYaml`). */
export function clusterObjects(rollout: BenchRollout): Record<string, unknown>[] {
  const namespace = rollout.namespace ?? BENCH_NAMESPACE;
  const { stable, canary } = services(rollout.name);
  const service = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { ports: [{ port: 80, targetPort: 8080, name: 'http' }], selector: { app: rollout.name } },
  });
  if (rollout.router === false) return [];
  return [
    service(stable),
    service(canary),
    {
      apiVersion: 'networking.istio.io/v1alpha3',
      kind: 'VirtualService',
      metadata: { name: virtualServiceName(rollout.name), namespace },
      spec: {
        hosts: [`${rollout.name}.bench.local`],
        http: [
          {
            name: 'primary',
            route: [
              { destination: { host: stable }, weight: 100 },
              { destination: { host: canary }, weight: 0 },
            ],
          },
        ],
      },
    },
  ];
}

export function namespaceObject(namespace = BENCH_NAMESPACE): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } };
}

/** The Rollout (and its AnalysisTemplate when it has an analysis). */
export function rolloutObjects(rollout: BenchRollout): Record<string, unknown>[] {
  const namespace = rollout.namespace ?? BENCH_NAMESPACE;
  const { stable, canary } = services(rollout.name);
  const template = `${rollout.name}-check`;
  const objects: Record<string, unknown>[] = [];
  if (rollout.analysis)
    objects.push({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: template, namespace },
      spec: {
        metrics: [
          {
            name: 'ok',
            interval: `${rollout.analysis.intervalSeconds}s`,
            successCondition: 'result == 1',
            failureLimit: rollout.analysis.failureLimit ?? 0,
            provider: { web: { url: rollout.analysis.url, jsonPath: '{$.ok}' } },
          },
        ],
      },
    });
  const analysis = rollout.sharedAnalysis
    ? {
        startingStep: 0,
        templates: [{ templateName: rollout.sharedAnalysis.template }],
        args: [{ name: 'key', value: rollout.sharedAnalysis.key }],
      }
    : rollout.analysis
      ? { startingStep: 0, templates: [{ templateName: template }] }
      : undefined;
  objects.push({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: rollout.name, namespace },
    spec: {
      replicas: 1,
      revisionHistoryLimit: 1,
      selector: { matchLabels: { app: rollout.name } },
      template: {
        metadata: { labels: { app: rollout.name } },
        spec: { containers: [{ name: 'app', image: rollout.image ?? `${IMAGE}:1` }] },
      },
      strategy: {
        canary: {
          ...(rollout.router !== false ? { canaryService: canary, stableService: stable } : {}),
          ...(analysis ? { analysis } : {}),
          ...(rollout.router !== false
            ? {
                trafficRouting: {
                  istio: { virtualService: { name: virtualServiceName(rollout.name), routes: ['primary'] } },
                },
              }
            : {}),
          steps: rollout.steps,
        },
      },
    },
  });
  return objects;
}

/** A template whose web metric asks `${endpoint}/ok/{{args.key}}` every `intervalSeconds`. */
export function sharedAnalysisTemplate(
  name: string,
  endpoint: string,
  intervalSeconds: number,
  namespace = BENCH_NAMESPACE,
): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    metadata: { name, namespace },
    spec: {
      args: [{ name: 'key' }],
      metrics: [
        {
          name: 'ok',
          interval: `${intervalSeconds}s`,
          successCondition: 'result == 1',
          failureLimit: 0,
          provider: { web: { url: `${endpoint}/ok/{{args.key}}`, jsonPath: '{$.ok}' } },
        },
      ],
    },
  };
}

export function toYaml(objects: readonly Record<string, unknown>[]): string {
  return objects.map((o) => stringify(o)).join('---\n');
}
