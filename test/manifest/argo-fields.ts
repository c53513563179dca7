// Every field of Argo Rollouts' Rollout and AnalysisTemplate types (v1.10.2,
// pkg/apis/rollouts/v1alpha1/types.go and analysis_types.go), each with the Go type that declares it
// and what this project does with it: handled (the normalized definition or template carries it, and
// `carried` reads it back) or refused (lint says "not supported yet", naming it). A type refused as a
// whole (blueGreen, nginx, datadog, …) is one row; its own fields are never read.
import type { AnalysisTemplate, TemplateRules } from '../../core/analysis/types.js';
import type { RolloutDefinition } from '../../core/types.js';

export interface Loaded {
  rollout: RolloutDefinition;
  template: AnalysisTemplate;
}

export interface FieldRow {
  /** Where the value goes, with list indexes (`steps[1]`); `[n]` is any item when matching fixtures. */
  path: string;
  /** Argo's Go struct that declares the field (the last segment of path). */
  goType: string;
  value: unknown;
  /** Handled: what the loaded definition or template carries, and what it must be. Absent: refused. */
  handled?: [carried: (loaded: Loaded) => unknown, expected: unknown];
  /** Set before the value (paths → values; undefined deletes), for fields that need a context. */
  prepare?: Record<string, unknown>;
}

const C = 'spec.strategy.canary';
const VS = `${C}.trafficRouting.istio.virtualService`;
const DR = `${C}.trafficRouting.istio.destinationRule`;
const BG = `${C}.analysis`;
const STEP = `${C}.steps[1]`;
const M = 'spec.metrics[0]';
const P = `${M}.provider`;

const canary = (l: Loaded) => l.rollout.canary;
const vs = (l: Loaded) => l.rollout.canary.trafficRouting?.istio.virtualServices[0];
const dr = (l: Loaded) => l.rollout.canary.trafficRouting?.istio.destinationRule;
const step = (l: Loaded) => l.rollout.canary.steps[1];
const metric = (l: Loaded) => l.template.metrics[0];
const prom = (l: Loaded) => l.template.metrics[0]?.provider.prometheus;
const web = (l: Loaded) => l.template.metrics[0]?.provider.web;

/** maxSurge and maxUnavailable pace a canary without a router only. */
const basicCanary = { [`${C}.trafficRouting`]: undefined };
const noPause = { [`${STEP}.pause`]: undefined };
const stepAnalysis = { [STEP]: { analysis: { templates: [{ templateName: 'rate' }] } } };
const noValue = { [`${BG}.args[0].value`]: undefined };
const withRule = { [DR]: { name: 'dr', canarySubsetName: 'c', stableSubsetName: 's' } };
const onlyProvider = (provider: string) => ({ [`${P}.prometheus`]: undefined, [`${P}.${provider}`]: {} });
const OAUTH2 = { tokenUrl: 'https://idp/token', clientId: 'rollouts', clientSecret: '{{args.service}}' };
const RANGE = { start: 'now() - duration("10m")', end: 'now()', step: '1m' };
const withOAuth2 = (provider: string) => ({ [`${P}.${provider}.authentication`]: { oauth2: OAUTH2 } });
const withRange = { [`${P}.prometheus.rangeQuery`]: RANGE };
const ampAddress = {
  [`${P}.prometheus.address`]: 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1',
};
const withSigv4 = { ...ampAddress, [`${P}.prometheus.authentication`]: { sigv4: { region: 'eu-west-1' } } };
const postWeb = { [`${P}.prometheus`]: undefined, [`${P}.web`]: { url: 'http://w', method: 'POST' } };

/** Not a field of Argo's: a Rollout arg read from a Secret (resolve.ts), this project's own. */
export const OURS = 'ours (not in Argo)';

const refused = (path: string, goType: string, value: unknown, prepare?: FieldRow['prepare']): FieldRow =>
  prepare ? { path, goType, value, prepare } : { path, goType, value };

export const ROLLOUT_FIELDS: FieldRow[] = [
  // RolloutSpec
  { path: 'spec.replicas', goType: 'RolloutSpec', value: 3, handled: [(l) => l.rollout.replicas, 3] },
  {
    path: 'spec.selector',
    goType: 'RolloutSpec',
    value: { matchLabels: { app: 'myapp' } },
    handled: [(l) => l.rollout.selector, { matchLabels: { app: 'myapp' } }],
  },
  {
    path: 'spec.template',
    goType: 'RolloutSpec',
    value: { metadata: { labels: { app: 'myapp' } }, spec: { containers: [{ name: 'a', image: 'x/y:2' }] } },
    handled: [(l) => l.rollout.template.spec.containers[0]?.image, 'x/y:2'],
  },
  refused('spec.workloadRef', 'RolloutSpec', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'myapp' }),
  {
    path: 'spec.minReadySeconds',
    goType: 'RolloutSpec',
    value: 5,
    handled: [(l) => l.rollout.minReadySeconds, 5],
  },
  {
    path: 'spec.rollbackWindow',
    goType: 'RolloutSpec',
    value: { revisions: 2 },
    handled: [(l) => l.rollout.rollbackWindowRevisions, 2],
  },
  // RollbackWindowSpec
  {
    path: 'spec.rollbackWindow.revisions',
    goType: 'RollbackWindowSpec',
    value: 3,
    prepare: { 'spec.rollbackWindow': {} },
    handled: [(l) => l.rollout.rollbackWindowRevisions, 3],
  },
  {
    path: 'spec.strategy',
    goType: 'RolloutSpec',
    value: { canary: { steps: [{ setWeight: 5 }] } },
    handled: [(l) => l.rollout.canary.steps, [{ kind: 'setWeight', weight: 5 }]],
  },
  {
    path: 'spec.revisionHistoryLimit',
    goType: 'RolloutSpec',
    value: 4,
    handled: [(l) => l.rollout.revisionHistoryLimit, 4],
  },
  { path: 'spec.paused', goType: 'RolloutSpec', value: true, handled: [(l) => l.rollout.paused, true] },
  {
    path: 'spec.progressDeadlineSeconds',
    goType: 'RolloutSpec',
    value: 120,
    handled: [(l) => l.rollout.progressDeadlineSeconds, 120],
  },
  {
    path: 'spec.progressDeadlineAbort',
    goType: 'RolloutSpec',
    value: true,
    handled: [(l) => l.rollout.progressDeadlineAbort, true],
  },
  {
    path: 'spec.restartAt',
    goType: 'RolloutSpec',
    value: '2026-01-01T00:00:00Z',
    handled: [(l) => l.rollout.restartAt, '2026-01-01T00:00:00Z'],
  },
  refused('spec.analysis', 'RolloutSpec', { successfulRunHistoryLimit: 2 }),
  // metav1.LabelSelector
  {
    path: 'spec.selector.matchLabels',
    goType: 'LabelSelector',
    value: { app: 'myapp' },
    handled: [(l) => l.rollout.selector.matchLabels, { app: 'myapp' }],
  },
  refused('spec.selector.matchExpressions', 'LabelSelector', [{ key: 'app', operator: 'Exists' }]),
  // RolloutStrategy
  refused('spec.strategy.blueGreen', 'RolloutStrategy', { activeService: 'active' }),
  {
    path: C,
    goType: 'RolloutStrategy',
    value: {
      canaryService: 'c2',
      stableService: 's2',
      trafficRouting: { istio: { virtualService: { name: 'v' } } },
    },
    handled: [(l) => canary(l).canaryService, 'c2'],
  },
  // CanaryStrategy
  {
    path: `${C}.canaryService`,
    goType: 'CanaryStrategy',
    value: 'c2',
    handled: [(l) => canary(l).canaryService, 'c2'],
  },
  {
    path: `${C}.stableService`,
    goType: 'CanaryStrategy',
    value: 's2',
    handled: [(l) => canary(l).stableService, 's2'],
  },
  {
    path: `${C}.steps`,
    goType: 'CanaryStrategy',
    value: [{ setWeight: 30 }],
    handled: [(l) => canary(l).steps, [{ kind: 'setWeight', weight: 30 }]],
  },
  {
    path: `${C}.trafficRouting`,
    goType: 'CanaryStrategy',
    value: { istio: { virtualService: { name: 'vs2' } } },
    handled: [(l) => vs(l)?.name, 'vs2'],
  },
  {
    path: `${C}.maxUnavailable`,
    goType: 'CanaryStrategy',
    value: 1,
    prepare: basicCanary,
    handled: [(l) => canary(l).maxUnavailable, 1],
  },
  {
    path: `${C}.maxSurge`,
    goType: 'CanaryStrategy',
    value: '25%',
    prepare: basicCanary,
    handled: [(l) => canary(l).maxSurge, '25%'],
  },
  {
    path: `${C}.analysis`,
    goType: 'CanaryStrategy',
    value: {
      templates: [{ templateName: 'rate' }],
      args: [{ name: 'service', value: 's' }],
      startingStep: 1,
    },
    handled: [(l) => canary(l).analysis?.startingStep, 1],
  },
  {
    path: `${C}.antiAffinity`,
    goType: 'CanaryStrategy',
    value: { requiredDuringSchedulingIgnoredDuringExecution: {} },
    handled: [(l) => canary(l).antiAffinity, { requiredDuringSchedulingIgnoredDuringExecution: {} }],
  },
  // AntiAffinity: exactly one of the two
  {
    path: `${C}.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution`,
    goType: 'AntiAffinity',
    value: { weight: 40 },
    handled: [
      (l) => canary(l).antiAffinity,
      { preferredDuringSchedulingIgnoredDuringExecution: { weight: 40 } },
    ],
  },
  {
    path: `${C}.antiAffinity.requiredDuringSchedulingIgnoredDuringExecution`,
    goType: 'AntiAffinity',
    value: {},
    handled: [(l) => canary(l).antiAffinity, { requiredDuringSchedulingIgnoredDuringExecution: {} }],
  },
  {
    path: `${C}.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight`,
    goType: 'PreferredDuringSchedulingIgnoredDuringExecution',
    value: 100,
    handled: [
      (l) => canary(l).antiAffinity,
      { preferredDuringSchedulingIgnoredDuringExecution: { weight: 100 } },
    ],
  },
  {
    path: `${C}.canaryMetadata`,
    goType: 'CanaryStrategy',
    value: { labels: { role: 'canary' } },
    handled: [(l) => canary(l).canaryMetadata, { labels: { role: 'canary' } }],
  },
  {
    path: `${C}.canaryMetadata.labels`,
    goType: 'PodTemplateMetadata',
    value: { role: 'canary' },
    handled: [(l) => canary(l).canaryMetadata?.labels, { role: 'canary' }],
  },
  {
    path: `${C}.canaryMetadata.annotations`,
    goType: 'PodTemplateMetadata',
    value: { 'example.com/role': 'canary' },
    handled: [(l) => canary(l).canaryMetadata?.annotations, { 'example.com/role': 'canary' }],
  },
  {
    path: `${C}.stableMetadata`,
    goType: 'CanaryStrategy',
    value: { labels: { role: 'stable' }, annotations: { 'example.com/role': 'stable' } },
    handled: [
      (l) => canary(l).stableMetadata,
      { labels: { role: 'stable' }, annotations: { 'example.com/role': 'stable' } },
    ],
  },
  {
    path: `${C}.scaleDownDelaySeconds`,
    goType: 'CanaryStrategy',
    value: 10,
    handled: [(l) => canary(l).scaleDownDelaySeconds, 10],
  },
  {
    path: `${C}.scaleDownDelayRevisionLimit`,
    goType: 'CanaryStrategy',
    value: 1,
    handled: [(l) => canary(l).scaleDownDelayRevisionLimit, 1],
  },
  {
    path: `${C}.abortScaleDownDelaySeconds`,
    goType: 'CanaryStrategy',
    value: 5,
    handled: [(l) => canary(l).abortScaleDownDelaySeconds, 5],
  },
  {
    path: `${C}.dynamicStableScale`,
    goType: 'CanaryStrategy',
    value: true,
    handled: [(l) => canary(l).dynamicStableScale, true],
  },
  refused(`${C}.pingPong`, 'CanaryStrategy', { pingService: 'ping', pongService: 'pong' }),
  {
    path: `${C}.minPodsPerReplicaSet`,
    goType: 'CanaryStrategy',
    value: 2,
    handled: [(l) => canary(l).minPodsPerReplicaSet, 2],
  },
  refused(`${C}.replicaProgressThreshold`, 'CanaryStrategy', { type: 'Percent', value: 50 }),
  // CanaryStep: steps[1] is a pause in the base
  {
    path: `${STEP}.setWeight`,
    goType: 'CanaryStep',
    value: 50,
    prepare: noPause,
    handled: [step, { kind: 'setWeight', weight: 50 }],
  },
  {
    path: `${STEP}.pause`,
    goType: 'CanaryStep',
    value: { duration: '1m' },
    handled: [step, { kind: 'pause', durationSeconds: 60 }],
  },
  refused(`${STEP}.experiment`, 'CanaryStep', { templates: [{ name: 'a', specRef: 'canary' }] }, noPause),
  {
    path: `${STEP}.analysis`,
    goType: 'CanaryStep',
    value: { templates: [{ templateName: 'rate' }] },
    prepare: noPause,
    handled: [(l) => step(l)?.kind, 'analysis'],
  },
  {
    path: `${STEP}.setCanaryScale`,
    goType: 'CanaryStep',
    value: { replicas: 1 },
    prepare: noPause,
    handled: [step, { kind: 'setCanaryScale', replicas: 1 }],
  },
  refused(`${STEP}.setHeaderRoute`, 'CanaryStep', { name: 'header' }, noPause),
  refused(`${STEP}.setMirrorRoute`, 'CanaryStep', { name: 'mirror' }, noPause),
  refused(`${STEP}.plugin`, 'CanaryStep', { name: 'example/plugin' }, noPause),
  {
    path: `${STEP}.pause.duration`,
    goType: 'RolloutPause',
    value: '30s',
    handled: [step, { kind: 'pause', durationSeconds: 30 }],
  },
  {
    path: `${STEP}.setCanaryScale.weight`,
    goType: 'SetCanaryScale',
    value: 30,
    prepare: noPause,
    handled: [step, { kind: 'setCanaryScale', weight: 30 }],
  },
  {
    path: `${STEP}.setCanaryScale.replicas`,
    goType: 'SetCanaryScale',
    value: 2,
    prepare: noPause,
    handled: [step, { kind: 'setCanaryScale', replicas: 2 }],
  },
  {
    path: `${STEP}.setCanaryScale.matchTrafficWeight`,
    goType: 'SetCanaryScale',
    value: true,
    prepare: noPause,
    handled: [step, { kind: 'setCanaryScale', matchTrafficWeight: true }],
  },
  // RolloutAnalysisBackground (RolloutAnalysis inline, and startingStep)
  {
    path: `${BG}.templates`,
    goType: 'RolloutAnalysisBackground',
    value: [{ templateName: 'rate' }],
    handled: [(l) => canary(l).analysis?.templates, [{ templateName: 'rate', clusterScope: false }]],
  },
  {
    path: `${BG}.args`,
    goType: 'RolloutAnalysisBackground',
    value: [{ name: 'service', value: 'v' }],
    handled: [(l) => canary(l).analysis?.args, [{ name: 'service', value: 'v' }]],
  },
  {
    path: `${BG}.dryRun`,
    goType: 'RolloutAnalysisBackground',
    value: [{ metricName: 'rate' }],
    handled: [(l) => canary(l).analysis?.rules?.dryRun, [{ metricName: 'rate' }]],
  },
  {
    path: `${BG}.measurementRetention`,
    goType: 'RolloutAnalysisBackground',
    value: [{ metricName: 'rate', limit: 5 }],
    handled: [(l) => canary(l).analysis?.rules?.measurementRetention, [{ metricName: 'rate', limit: 5 }]],
  },
  {
    path: `${BG}.dryRun[0].metricName`,
    goType: 'DryRun',
    value: 'ra.e',
    handled: [(l) => canary(l).analysis?.rules?.dryRun[0]?.metricName, 'ra.e'],
  },
  {
    path: `${BG}.measurementRetention[0].metricName`,
    goType: 'MeasurementRetention',
    value: 'ra.e',
    prepare: { [`${BG}.measurementRetention`]: [{ metricName: 'x', limit: 3 }] },
    handled: [(l) => canary(l).analysis?.rules?.measurementRetention[0]?.metricName, 'ra.e'],
  },
  {
    path: `${BG}.measurementRetention[0].limit`,
    goType: 'MeasurementRetention',
    value: 4,
    prepare: { [`${BG}.measurementRetention`]: [{ metricName: 'rate', limit: 1 }] },
    handled: [(l) => canary(l).analysis?.rules?.measurementRetention[0]?.limit, 4],
  },
  refused(`${BG}.analysisRunMetadata`, 'RolloutAnalysisBackground', { labels: { team: 'a' } }),
  {
    path: `${BG}.startingStep`,
    goType: 'RolloutAnalysisBackground',
    value: 2,
    handled: [(l) => canary(l).analysis?.startingStep, 2],
  },
  // RolloutAnalysis of an analysis step
  {
    path: `${STEP}.analysis.templates`,
    goType: 'RolloutAnalysis',
    value: [{ templateName: 'other' }],
    prepare: stepAnalysis,
    handled: [
      (l) => (step(l) as { templates?: unknown }).templates,
      [{ templateName: 'other', clusterScope: false }],
    ],
  },
  {
    path: `${STEP}.analysis.args`,
    goType: 'RolloutAnalysis',
    value: [{ name: 'service', value: 'v' }],
    prepare: stepAnalysis,
    handled: [(l) => (step(l) as { args?: unknown }).args, [{ name: 'service', value: 'v' }]],
  },
  {
    path: `${STEP}.analysis.dryRun`,
    goType: 'RolloutAnalysis',
    value: [{ metricName: 'rate' }],
    prepare: stepAnalysis,
    handled: [(l) => (step(l) as { rules?: TemplateRules }).rules?.dryRun, [{ metricName: 'rate' }]],
  },
  {
    path: `${STEP}.analysis.measurementRetention`,
    goType: 'RolloutAnalysis',
    value: [{ metricName: 'rate', limit: 5 }],
    prepare: stepAnalysis,
    handled: [
      (l) => (step(l) as { rules?: TemplateRules }).rules?.measurementRetention,
      [{ metricName: 'rate', limit: 5 }],
    ],
  },
  refused(`${STEP}.analysis.analysisRunMetadata`, 'RolloutAnalysis', { labels: { team: 'a' } }, stepAnalysis),
  // AnalysisTemplateRef, AnalysisRunArgument, ArgumentValueFrom, FieldRef
  {
    path: `${BG}.templates[0].templateName`,
    goType: 'AnalysisTemplateRef',
    value: 'other',
    handled: [(l) => canary(l).analysis?.templates[0]?.templateName, 'other'],
  },
  {
    path: `${BG}.templates[0].clusterScope`,
    goType: 'AnalysisTemplateRef',
    value: true,
    handled: [(l) => canary(l).analysis?.templates[0]?.clusterScope, true],
  },
  {
    path: `${BG}.args[0].name`,
    goType: 'AnalysisRunArgument',
    value: 'svc',
    handled: [(l) => canary(l).analysis?.args[0]?.name, 'svc'],
  },
  {
    path: `${BG}.args[0].value`,
    goType: 'AnalysisRunArgument',
    value: 'v2',
    handled: [(l) => canary(l).analysis?.args[0]?.value, 'v2'],
  },
  {
    path: `${BG}.args[0].valueFrom`,
    goType: 'AnalysisRunArgument',
    value: { podTemplateHashValue: 'Stable' },
    prepare: noValue,
    handled: [(l) => canary(l).analysis?.args[0]?.valueFrom, { podTemplateHashValue: 'Stable' }],
  },
  {
    path: `${BG}.args[0].valueFrom.podTemplateHashValue`,
    goType: 'ArgumentValueFrom',
    value: 'Latest',
    prepare: noValue,
    handled: [(l) => canary(l).analysis?.args[0]?.valueFrom, { podTemplateHashValue: 'Latest' }],
  },
  {
    path: `${BG}.args[0].valueFrom.fieldRef`,
    goType: 'ArgumentValueFrom',
    value: { fieldPath: 'metadata.name' },
    prepare: noValue,
    handled: [(l) => canary(l).analysis?.args[0]?.valueFrom, { fieldRef: { fieldPath: 'metadata.name' } }],
  },
  // this project's own: a Rollout arg from a Secret (Argo's ArgumentValueFrom has no secretKeyRef)
  {
    path: `${BG}.args[0].valueFrom.secretKeyRef`,
    goType: OURS,
    value: { name: 's', key: 'k' },
    prepare: noValue,
    handled: [(l) => canary(l).analysis?.args[0]?.valueFrom, { secretKeyRef: { name: 's', key: 'k' } }],
  },
  {
    path: `${BG}.args[0].valueFrom.secretKeyRef.name`,
    goType: OURS,
    value: 's2',
    prepare: { ...noValue, [`${BG}.args[0].valueFrom`]: { secretKeyRef: { name: 's', key: 'k' } } },
    handled: [(l) => canary(l).analysis?.args[0]?.valueFrom, { secretKeyRef: { name: 's2', key: 'k' } }],
  },
  {
    path: `${BG}.args[0].valueFrom.secretKeyRef.key`,
    goType: OURS,
    value: 'k2',
    prepare: { ...noValue, [`${BG}.args[0].valueFrom`]: { secretKeyRef: { name: 's', key: 'k' } } },
    handled: [(l) => canary(l).analysis?.args[0]?.valueFrom, { secretKeyRef: { name: 's', key: 'k2' } }],
  },
  {
    path: `${BG}.args[0].valueFrom.fieldRef.fieldPath`,
    goType: 'FieldRef',
    value: 'metadata.namespace',
    prepare: noValue,
    handled: [
      (l) => canary(l).analysis?.args[0]?.valueFrom,
      { fieldRef: { fieldPath: 'metadata.namespace' } },
    ],
  },
  // RolloutTrafficRouting: istio, and every other router refused as a whole
  {
    path: `${C}.trafficRouting.istio`,
    goType: 'RolloutTrafficRouting',
    value: { virtualService: { name: 'vs2' } },
    handled: [(l) => vs(l)?.name, 'vs2'],
  },
  refused(`${C}.trafficRouting.nginx`, 'RolloutTrafficRouting', { stableIngress: 'ingress' }),
  refused(`${C}.trafficRouting.alb`, 'RolloutTrafficRouting', { ingress: 'ingress', servicePort: 80 }),
  refused(`${C}.trafficRouting.smi`, 'RolloutTrafficRouting', { rootService: 'root' }),
  refused(`${C}.trafficRouting.ambassador`, 'RolloutTrafficRouting', { mappings: ['m'] }),
  refused(`${C}.trafficRouting.appMesh`, 'RolloutTrafficRouting', { virtualService: { name: 'v' } }),
  refused(`${C}.trafficRouting.traefik`, 'RolloutTrafficRouting', { weightedTraefikServiceName: 't' }),
  refused(`${C}.trafficRouting.managedRoutes`, 'RolloutTrafficRouting', [{ name: 'r' }]),
  refused(`${C}.trafficRouting.apisix`, 'RolloutTrafficRouting', { route: { name: 'r' } }),
  refused(`${C}.trafficRouting.plugins`, 'RolloutTrafficRouting', { 'example/router': {} }),
  refused(`${C}.trafficRouting.maxTrafficWeight`, 'RolloutTrafficRouting', 1000),
  // IstioTrafficRouting, IstioVirtualService, TLSRoute, TCPRoute, IstioDestinationRule
  {
    path: VS,
    goType: 'IstioTrafficRouting',
    value: { name: 'vs2', routes: ['primary'] },
    handled: [(l) => vs(l)?.routes, ['primary']],
  },
  {
    path: `${C}.trafficRouting.istio.virtualServices`,
    goType: 'IstioTrafficRouting',
    value: [{ name: 'a' }, { name: 'b' }],
    prepare: { [VS]: undefined },
    handled: [(l) => canary(l).trafficRouting?.istio.virtualServices.map((v) => v.name), ['a', 'b']],
  },
  {
    path: DR,
    goType: 'IstioTrafficRouting',
    value: { name: 'dr', canarySubsetName: 'c', stableSubsetName: 's' },
    handled: [dr, { name: 'dr', canarySubsetName: 'c', stableSubsetName: 's' }],
  },
  {
    path: `${VS}.name`,
    goType: 'IstioVirtualService',
    value: 'vs3.edge',
    handled: [(l) => [vs(l)?.name, vs(l)?.namespace], ['vs3', 'edge']],
  },
  {
    path: `${VS}.routes`,
    goType: 'IstioVirtualService',
    value: ['primary'],
    handled: [(l) => vs(l)?.routes, ['primary']],
  },
  {
    path: `${VS}.tlsRoutes`,
    goType: 'IstioVirtualService',
    value: [{ port: 443 }],
    handled: [(l) => vs(l)?.tlsRoutes, [{ port: 443 }]],
  },
  {
    path: `${VS}.tcpRoutes`,
    goType: 'IstioVirtualService',
    value: [{ port: 5000 }],
    handled: [(l) => vs(l)?.tcpRoutes, [{ port: 5000 }]],
  },
  {
    path: `${VS}.tlsRoutes[0].port`,
    goType: 'TLSRoute',
    value: 8443,
    handled: [(l) => vs(l)?.tlsRoutes, [{ port: 8443 }]],
  },
  {
    path: `${VS}.tlsRoutes[0].sniHosts`,
    goType: 'TLSRoute',
    value: ['a.example.com'],
    handled: [(l) => vs(l)?.tlsRoutes, [{ sniHosts: ['a.example.com'] }]],
  },
  {
    path: `${VS}.tcpRoutes[0].port`,
    goType: 'TCPRoute',
    value: 5000,
    handled: [(l) => vs(l)?.tcpRoutes, [{ port: 5000 }]],
  },
  {
    path: `${DR}.name`,
    goType: 'IstioDestinationRule',
    value: 'dr2',
    prepare: withRule,
    handled: [(l) => dr(l)?.name, 'dr2'],
  },
  {
    path: `${DR}.canarySubsetName`,
    goType: 'IstioDestinationRule',
    value: 'c2',
    prepare: withRule,
    handled: [(l) => dr(l)?.canarySubsetName, 'c2'],
  },
  {
    path: `${DR}.stableSubsetName`,
    goType: 'IstioDestinationRule',
    value: 's2',
    prepare: withRule,
    handled: [(l) => dr(l)?.stableSubsetName, 's2'],
  },
  refused(`${DR}.additionalSubsetNames`, 'IstioDestinationRule', ['preview'], withRule),
];

export const TEMPLATE_FIELDS: FieldRow[] = [
  // AnalysisTemplateSpec
  {
    path: 'spec.metrics',
    goType: 'AnalysisTemplateSpec',
    value: [{ name: 'm2', provider: { prometheus: { address: 'http://p', query: 'up' } } }],
    handled: [(l) => metric(l)?.name, 'm2'],
  },
  {
    path: 'spec.args',
    goType: 'AnalysisTemplateSpec',
    value: [{ name: 'service', value: 'x' }],
    handled: [(l) => l.template.args, [{ name: 'service', value: 'x' }]],
  },
  {
    path: 'spec.dryRun',
    goType: 'AnalysisTemplateSpec',
    value: [{ metricName: 'rate' }],
    handled: [(l) => metric(l)?.dryRun, true],
  },
  {
    path: 'spec.measurementRetention',
    goType: 'AnalysisTemplateSpec',
    value: [{ metricName: 'rate', limit: 3 }],
    handled: [(l) => metric(l)?.measurementRetention, 3],
  },
  {
    path: 'spec.templates',
    goType: 'AnalysisTemplateSpec',
    value: [{ templateName: 'other' }, { templateName: 'shared', clusterScope: true }],
    handled: [
      (l) => l.template.templates,
      [
        { templateName: 'other', clusterScope: false },
        { templateName: 'shared', clusterScope: true },
      ],
    ],
  },
  // AnalysisTemplateRef, as an AnalysisTemplate's spec.templates entry
  {
    path: 'spec.templates[0].templateName',
    goType: 'AnalysisTemplateRef',
    value: 'other',
    handled: [(l) => l.template.templates?.[0]?.templateName, 'other'],
  },
  {
    path: 'spec.templates[0].clusterScope',
    goType: 'AnalysisTemplateRef',
    value: true,
    prepare: { 'spec.templates[0].templateName': 'shared' },
    handled: [(l) => l.template.templates?.[0], { templateName: 'shared', clusterScope: true }],
  },
  // Metric
  { path: `${M}.name`, goType: 'Metric', value: 'm3', handled: [(l) => metric(l)?.name, 'm3'] },
  { path: `${M}.interval`, goType: 'Metric', value: '30s', handled: [(l) => metric(l)?.intervalSeconds, 30] },
  {
    path: `${M}.initialDelay`,
    goType: 'Metric',
    value: '10s',
    handled: [(l) => metric(l)?.initialDelaySeconds, 10],
  },
  { path: `${M}.count`, goType: 'Metric', value: 1, handled: [(l) => metric(l)?.count, 1] },
  {
    path: `${M}.successCondition`,
    goType: 'Metric',
    value: 'result[0] > 0.9',
    handled: [(l) => metric(l)?.successCondition, 'result[0] > 0.9'],
  },
  {
    path: `${M}.failureCondition`,
    goType: 'Metric',
    value: 'result[0] < 0.5',
    handled: [(l) => metric(l)?.failureCondition, 'result[0] < 0.5'],
  },
  { path: `${M}.failureLimit`, goType: 'Metric', value: 2, handled: [(l) => metric(l)?.failureLimit, 2] },
  {
    path: `${M}.inconclusiveLimit`,
    goType: 'Metric',
    value: 1,
    handled: [(l) => metric(l)?.inconclusiveLimit, 1],
  },
  {
    path: `${M}.consecutiveErrorLimit`,
    goType: 'Metric',
    value: 2,
    handled: [(l) => metric(l)?.consecutiveErrorLimit, 2],
  },
  {
    path: P,
    goType: 'Metric',
    value: { prometheus: { address: 'http://p2', query: 'up' } },
    handled: [(l) => prom(l)?.address, 'http://p2'],
  },
  {
    path: `${M}.consecutiveSuccessLimit`,
    goType: 'Metric',
    value: 2,
    handled: [(l) => metric(l)?.consecutiveSuccessLimit, 2],
  },
  // DryRun, MeasurementRetention
  {
    path: 'spec.dryRun[0].metricName',
    goType: 'DryRun',
    value: 'rate',
    handled: [(l) => metric(l)?.dryRun, true],
  },
  {
    path: 'spec.measurementRetention[0].metricName',
    goType: 'MeasurementRetention',
    value: 'rate',
    prepare: { 'spec.measurementRetention': [{ metricName: 'x', limit: 3 }] },
    handled: [(l) => metric(l)?.measurementRetention, 3],
  },
  {
    path: 'spec.measurementRetention[0].limit',
    goType: 'MeasurementRetention',
    value: 4,
    prepare: { 'spec.measurementRetention': [{ metricName: 'rate', limit: 1 }] },
    handled: [(l) => metric(l)?.measurementRetention, 4],
  },
  // Argument, ValueFrom, SecretKeyRef
  {
    path: 'spec.args[0].name',
    goType: 'Argument',
    value: 'service',
    handled: [(l) => l.template.args[0]?.name, 'service'],
  },
  {
    path: 'spec.args[0].value',
    goType: 'Argument',
    value: 'x',
    handled: [(l) => l.template.args[0]?.value, 'x'],
  },
  {
    path: 'spec.args[0].valueFrom',
    goType: 'Argument',
    value: { secretKeyRef: { name: 's', key: 'k' } },
    handled: [(l) => l.template.args[0]?.secretKeyRef, { name: 's', key: 'k' }],
  },
  {
    path: 'spec.args[0].valueFrom.secretKeyRef',
    goType: 'ValueFrom',
    value: { name: 's', key: 'k' },
    handled: [(l) => l.template.args[0]?.secretKeyRef, { name: 's', key: 'k' }],
  },
  refused('spec.args[0].valueFrom.fieldRef', 'ValueFrom', { fieldPath: 'metadata.name' }),
  {
    path: 'spec.args[0].valueFrom.secretKeyRef.name',
    goType: 'SecretKeyRef',
    value: 's2',
    prepare: { 'spec.args[0].valueFrom': { secretKeyRef: { name: 's', key: 'k' } } },
    handled: [(l) => l.template.args[0]?.secretKeyRef, { name: 's2', key: 'k' }],
  },
  {
    path: 'spec.args[0].valueFrom.secretKeyRef.key',
    goType: 'SecretKeyRef',
    value: 'k2',
    prepare: { 'spec.args[0].valueFrom': { secretKeyRef: { name: 's', key: 'k' } } },
    handled: [(l) => l.template.args[0]?.secretKeyRef, { name: 's', key: 'k2' }],
  },
  // MetricProvider: prometheus and web; every other provider refused as a whole
  {
    path: `${P}.prometheus`,
    goType: 'MetricProvider',
    value: { address: 'http://p3', query: 'up' },
    handled: [(l) => prom(l)?.address, 'http://p3'],
  },
  {
    path: `${P}.web`,
    goType: 'MetricProvider',
    value: { url: 'http://w' },
    prepare: { [`${P}.prometheus`]: undefined },
    handled: [(l) => web(l)?.url, 'http://w'],
  },
  ...[
    'kayenta',
    'datadog',
    'wavefront',
    'newRelic',
    'job',
    'cloudWatch',
    'graphite',
    'influxdb',
    'skywalking',
    'plugin',
  ].map((provider) => refused(`${P}.${provider}`, 'MetricProvider', { query: 'q' }, onlyProvider(provider))),
  // PrometheusMetric
  {
    path: `${P}.prometheus.address`,
    goType: 'PrometheusMetric',
    value: 'http://p4',
    handled: [(l) => prom(l)?.address, 'http://p4'],
  },
  {
    path: `${P}.prometheus.query`,
    goType: 'PrometheusMetric',
    value: 'sum(up)',
    handled: [(l) => prom(l)?.query, 'sum(up)'],
  },
  {
    path: `${P}.prometheus.authentication`,
    goType: 'PrometheusMetric',
    value: { oauth2: OAUTH2 },
    handled: [(l) => prom(l)?.authentication, { oauth2: OAUTH2 }],
  },
  {
    path: `${P}.prometheus.timeout`,
    goType: 'PrometheusMetric',
    value: 5,
    handled: [(l) => prom(l)?.timeout, 5],
  },
  {
    path: `${P}.prometheus.insecure`,
    goType: 'PrometheusMetric',
    value: true,
    handled: [(l) => prom(l)?.insecure, true],
  },
  {
    path: `${P}.prometheus.headers`,
    goType: 'PrometheusMetric',
    value: [{ key: 'A', value: 'b' }],
    handled: [(l) => prom(l)?.headers, [{ key: 'A', value: 'b' }]],
  },
  {
    path: `${P}.prometheus.rangeQuery`,
    goType: 'PrometheusMetric',
    value: RANGE,
    handled: [(l) => prom(l)?.rangeQuery, RANGE],
  },
  // PrometheusRangeQueryArgs
  ...(
    [
      ['start', 'now() - duration("1h")'],
      ['end', 'now() - duration("5m")'],
      ['step', '30s'],
    ] as const
  ).map(([field, value]): FieldRow => ({
    path: `${P}.prometheus.rangeQuery.${field}`,
    goType: 'PrometheusRangeQueryArgs',
    value,
    prepare: withRange,
    handled: [(l) => prom(l)?.rangeQuery?.[field], value],
  })),
  // Authentication (of both providers; Sigv4Config is refused as a whole), OAuth2Config
  {
    path: `${P}.prometheus.authentication.oauth2`,
    goType: 'Authentication',
    value: OAUTH2,
    handled: [(l) => prom(l)?.authentication?.oauth2, OAUTH2],
  },
  {
    path: `${P}.prometheus.authentication.sigv4`,
    goType: 'Authentication',
    value: { region: 'eu-west-1' },
    prepare: ampAddress,
    handled: [(l) => prom(l)?.authentication?.sigv4, { region: 'eu-west-1' }],
  },
  // Sigv4Config: credentials from the worker's environment, so no profile or role of its own
  {
    path: `${P}.prometheus.authentication.sigv4.region`,
    goType: 'Sigv4Config',
    value: 'us-east-2',
    prepare: ampAddress,
    handled: [(l) => prom(l)?.authentication?.sigv4?.region, 'us-east-2'],
  },
  refused(`${P}.prometheus.authentication.sigv4.profile`, 'Sigv4Config', 'prod', withSigv4),
  refused(`${P}.prometheus.authentication.sigv4.roleArn`, 'Sigv4Config', 'arn:aws:iam::1:role/r', withSigv4),
  ...(
    [
      ['tokenUrl', 'https://idp2/token'],
      ['clientId', 'other'],
      ['clientSecret', 's3cret'],
      ['scopes', ['metrics:read']],
    ] as const
  ).map(([field, value]): FieldRow => ({
    path: `${P}.prometheus.authentication.oauth2.${field}`,
    goType: 'OAuth2Config',
    value,
    prepare: withOAuth2('prometheus'),
    handled: [(l) => prom(l)?.authentication?.oauth2?.[field], value],
  })),
  // WebMetric (a POST, so that a body is allowed), WebMetricHeader
  {
    path: `${P}.web.method`,
    goType: 'WebMetric',
    value: 'PUT',
    prepare: postWeb,
    handled: [(l) => web(l)?.method, 'PUT'],
  },
  {
    path: `${P}.web.url`,
    goType: 'WebMetric',
    value: 'http://w2',
    prepare: postWeb,
    handled: [(l) => web(l)?.url, 'http://w2'],
  },
  {
    path: `${P}.web.headers`,
    goType: 'WebMetric',
    value: [{ key: 'A', value: 'b' }],
    prepare: postWeb,
    handled: [(l) => web(l)?.headers, [{ key: 'A', value: 'b' }]],
  },
  {
    path: `${P}.web.body`,
    goType: 'WebMetric',
    value: 'x',
    prepare: postWeb,
    handled: [(l) => web(l)?.body, 'x'],
  },
  {
    path: `${P}.web.timeoutSeconds`,
    goType: 'WebMetric',
    value: 5,
    prepare: postWeb,
    handled: [(l) => web(l)?.timeoutSeconds, 5],
  },
  {
    path: `${P}.web.jsonPath`,
    goType: 'WebMetric',
    value: '{$.a}',
    prepare: postWeb,
    handled: [(l) => web(l)?.jsonPath, '{$.a}'],
  },
  {
    path: `${P}.web.insecure`,
    goType: 'WebMetric',
    value: true,
    prepare: postWeb,
    handled: [(l) => web(l)?.insecure, true],
  },
  {
    path: `${P}.web.jsonBody`,
    goType: 'WebMetric',
    value: { a: 1 },
    prepare: postWeb,
    handled: [(l) => web(l)?.jsonBody, { a: 1 }],
  },
  {
    path: `${P}.web.authentication`,
    goType: 'WebMetric',
    value: { oauth2: OAUTH2 },
    prepare: postWeb,
    handled: [(l) => web(l)?.authentication, { oauth2: OAUTH2 }],
  },
  {
    path: `${P}.web.authentication.oauth2`,
    goType: 'Authentication',
    value: OAUTH2,
    prepare: postWeb,
    handled: [(l) => web(l)?.authentication?.oauth2, OAUTH2],
  },
  refused(`${P}.web.authentication.sigv4`, 'Authentication', { region: 'eu-west-1' }, postWeb),
  {
    path: `${P}.web.headers[0].key`,
    goType: 'WebMetricHeader',
    value: 'B',
    prepare: { ...postWeb, [`${P}.web.headers`]: [{ key: 'A', value: 'b' }] },
    handled: [(l) => web(l)?.headers, [{ key: 'B', value: 'b' }]],
  },
  {
    path: `${P}.web.headers[0].value`,
    goType: 'WebMetricHeader',
    value: 'c',
    prepare: { ...postWeb, [`${P}.web.headers`]: [{ key: 'A', value: 'b' }] },
    handled: [(l) => web(l)?.headers, [{ key: 'A', value: 'c' }]],
  },
];

/**
 * Go types walked field by field (each must match Argo's source exactly), with the Go file that
 * declares them; LabelSelector is Kubernetes' (metav1), checked by hand.
 */
export const WALKED_TYPES: Record<string, 'types.go' | 'analysis_types.go'> = {
  RolloutSpec: 'types.go',
  RollbackWindowSpec: 'types.go',
  RolloutStrategy: 'types.go',
  CanaryStrategy: 'types.go',
  CanaryStep: 'types.go',
  PodTemplateMetadata: 'types.go',
  RolloutPause: 'types.go',
  SetCanaryScale: 'types.go',
  RolloutAnalysisBackground: 'types.go',
  RolloutAnalysis: 'types.go',
  AnalysisTemplateRef: 'types.go',
  AnalysisRunArgument: 'types.go',
  ArgumentValueFrom: 'types.go',
  FieldRef: 'types.go',
  RolloutTrafficRouting: 'types.go',
  IstioTrafficRouting: 'types.go',
  IstioVirtualService: 'types.go',
  TLSRoute: 'types.go',
  TCPRoute: 'types.go',
  IstioDestinationRule: 'types.go',
  AntiAffinity: 'types.go',
  // (RequiredDuringSchedulingIgnoredDuringExecution is `struct{}`: any key in it is refused as unknown.)
  PreferredDuringSchedulingIgnoredDuringExecution: 'types.go',
  AnalysisTemplateSpec: 'analysis_types.go',
  Metric: 'analysis_types.go',
  DryRun: 'analysis_types.go',
  MeasurementRetention: 'analysis_types.go',
  Argument: 'analysis_types.go',
  ValueFrom: 'analysis_types.go',
  SecretKeyRef: 'analysis_types.go',
  MetricProvider: 'analysis_types.go',
  PrometheusMetric: 'analysis_types.go',
  WebMetric: 'analysis_types.go',
  WebMetricHeader: 'analysis_types.go',
  PrometheusRangeQueryArgs: 'analysis_types.go',
  Authentication: 'analysis_types.go',
  OAuth2Config: 'analysis_types.go',
  Sigv4Config: 'analysis_types.go',
};
