// A check of a normalized RolloutDefinition that arrives from outside the CLI (a `deploy` signal sent by
// hand from the Temporal UI or `temporal workflow signal`, or a workflow started with
// `temporal workflow start`): every field the workflow and its activities read, with the type and range
// they assume, so that the workflow never acts on a malformed one. A definition it lets through cannot
// throw inside workflow code (a workflow task failure retried forever is a stuck rollout), and its
// analyses resolve. Its templates are checked as normalized (core/analysis/check-template.ts).
// Manifests from files go through the full validation in core/manifest first.
import { analysisProblems } from './analysis/attach.js';
import { checkCarriedTemplate, checkRules } from './analysis/check-template.js';
import { isObject } from './json.js';
import { Issues, type FieldPath, type MessageStart } from './manifest/errors.js';
import {
  checkUnique,
  isAbsent,
  readBoolean,
  readInteger,
  readList,
  readMap,
  readString,
  type JsonMap,
} from './manifest/fields.js';
import { imageProblem, readAnnotations, readLabels, readName } from './manifest/names.js';
import { readRestartAt } from './manifest/restart-at.js';
import { validateAntiAffinity, validatePodMetadata, validateSurge } from './manifest/validate-canary.js';
import type { RolloutDefinition } from './types.js';

/** Fields are named from the definition down: `rollout.canary.steps[0].weight: …`. */
const inDefinition: MessageStart = (_, path) => `rollout${path === '' ? '' : `.${path}`}: `;

/** One line per problem, each naming the field as `rollout.<path>`; empty when the definition is usable. */
export function checkDefinition(def: unknown): string[] {
  if (!isObject(def)) return ['rollout: expected an object'];
  const issues = new Issues(
    { file: 'rollout', document: 0, kind: '', namespace: '', name: '' },
    inDefinition,
  );
  checkRollout(issues, def);
  if (issues.count) return issues.errors.map((e) => e.message);
  // Structurally sound: every AnalysisRun it will start must also resolve (templates, args).
  const rollout = def as unknown as RolloutDefinition;
  return analysisProblems(rollout, rollout.analysisTemplates ?? []).map(
    ({ at, message }) => `rollout.canary.${at}: ${message}`,
  );
}

function checkRollout(issues: Issues, def: JsonMap): void {
  readName(issues, def.name, ['name'], 'subdomain', 63);
  readName(issues, def.namespace, ['namespace'], 'label', 63);
  readLabels(issues, def.labels, ['labels'], { required: true });
  if (isAbsent(def.annotations)) issues.add(['annotations'], undefined, 'a map of annotations');
  else readAnnotations(issues, def.annotations, ['annotations']);
  readInteger(issues, def.replicas, ['replicas'], { min: 0, required: true });
  readInteger(issues, def.revisionHistoryLimit, ['revisionHistoryLimit'], { min: 0, required: true });
  readInteger(issues, def.progressDeadlineSeconds, ['progressDeadlineSeconds'], { min: 1, required: true });
  readInteger(issues, def.minReadySeconds, ['minReadySeconds'], { min: 0, required: true });
  readInteger(issues, def.rollbackWindowRevisions, ['rollbackWindowRevisions'], { min: 0 });
  readRestartAt(issues, def.restartAt, ['restartAt']);
  readBoolean(issues, def.progressDeadlineAbort, ['progressDeadlineAbort'], { required: true });
  readBoolean(issues, def.paused, ['paused'], { required: true });

  const selector = readMap(issues, def.selector, ['selector'], 'a map with matchLabels', { required: true });
  const matchLabels = selector
    ? readLabels(issues, selector.matchLabels, ['selector', 'matchLabels'], {
        required: true,
        nonEmpty: true,
      })
    : undefined;
  const templateLabels = checkTemplate(issues, def.template);
  if (matchLabels && templateLabels) {
    for (const [key, value] of Object.entries(matchLabels))
      if (templateLabels[key] !== value)
        issues.add(
          ['selector', 'matchLabels'],
          matchLabels,
          'labels that the template has',
          `${key}=${value} does not match the template labels`,
        );
  }

  const canary = readMap(issues, def.canary, ['canary'], 'a map with steps', { required: true });
  if (canary) checkCanary(issues, canary);
  for (const field of ['canaryMetadata', 'stableMetadata'])
    if (canary) validatePodMetadata(issues, canary[field], ['canary', field], matchLabels ?? {});

  const templates = readList(
    issues,
    def.analysisTemplates,
    ['analysisTemplates'],
    'a list of AnalysisTemplates',
  );
  templates?.forEach((t, i) => checkCarriedTemplate(issues, t, ['analysisTemplates', i]));
  // A run merges its templates as Argo only when all carry their rules (core/analysis/resolve.ts):
  // apply gives all or, before nesting, none.
  const withRules = templates?.filter((t) => isObject(t) && t.rules !== undefined).length ?? 0;
  if (templates && withRules > 0 && withRules < templates.length)
    templates.forEach((t, i) => {
      // One with templates is told so by checkCarriedTemplate already.
      if (isObject(t) && t.rules === undefined && t.templates === undefined)
        issues.add(['analysisTemplates', i, 'rules'], undefined, 'rules, as the other templates carry them');
    });
}

/** Checks the pod template; returns its labels when they are usable. */
function checkTemplate(issues: Issues, value: unknown): Record<string, string> | undefined {
  const template = readMap(issues, value, ['template'], 'a pod template: a map with spec.containers', {
    required: true,
  });
  if (!template) return undefined;
  const metadata = readMap(issues, template.metadata, ['template', 'metadata'], 'a map with labels');
  const labels = isAbsent(metadata?.labels)
    ? {}
    : readLabels(issues, metadata?.labels, ['template', 'metadata', 'labels']);
  if (metadata) readAnnotations(issues, metadata.annotations, ['template', 'metadata', 'annotations']);
  const spec = readMap(issues, template.spec, ['template', 'spec'], 'a map with containers', {
    required: true,
  });
  const at = ['template', 'spec', 'containers'];
  const containers = spec
    ? readList(issues, spec.containers, at, 'a non-empty list of containers', {
        required: true,
        nonEmpty: true,
      })
    : undefined;
  const names = (containers ?? []).map((c, i) => {
    const container = readMap(issues, c, [...at, i], 'a container: a map with name and image', {
      required: true,
    });
    if (!container) return undefined;
    const image = readString(issues, container.image, [...at, i, 'image'], 'a container image', {
      required: true,
      nonEmpty: true,
    });
    const problem = image === undefined ? undefined : imageProblem(image);
    if (problem) issues.add([...at, i, 'image'], image, 'a container image reference', problem);
    return readName(issues, container.name, [...at, i, 'name'], 'label', 63);
  });
  checkUnique(issues, names, (i) => [...at, i, 'name'], 'container name');
  return labels;
}

function checkCanary(issues: Issues, canary: JsonMap): void {
  for (const service of ['canaryService', 'stableService'])
    readName(issues, canary[service], ['canary', service], 'service', 63, { required: false });
  readInteger(issues, canary.scaleDownDelaySeconds, ['canary', 'scaleDownDelaySeconds'], {
    min: 0,
    required: true,
  });
  readInteger(issues, canary.abortScaleDownDelaySeconds, ['canary', 'abortScaleDownDelaySeconds'], {
    min: 0,
    required: true,
  });
  readBoolean(issues, canary.dynamicStableScale, ['canary', 'dynamicStableScale'], { required: true });
  const steps = readList(issues, canary.steps, ['canary', 'steps'], 'a list of steps', { required: true });
  steps?.forEach((step, i) => checkStep(issues, step, ['canary', 'steps', i]));

  const analysis = readMap(issues, canary.analysis, ['canary', 'analysis'], 'a map with templates and args');
  if (analysis) {
    checkAnalysisRefs(issues, analysis, ['canary', 'analysis']);
    readInteger(issues, analysis.startingStep, ['canary', 'analysis', 'startingStep'], {
      min: 0,
      max: steps?.length ?? 0,
      required: true,
    });
  }
  if (!isAbsent(canary.trafficRouting)) checkTrafficRouting(issues, canary.trafficRouting);
  validateSurge(issues, canary, ['canary'], !isAbsent(canary.trafficRouting));
  readInteger(issues, canary.scaleDownDelayRevisionLimit, ['canary', 'scaleDownDelayRevisionLimit'], {
    min: 0,
  });
  // Normalized, antiAffinity and the pod metadata keep the manifest's shape: the manifest's checks.
  if (!isAbsent(canary.antiAffinity))
    validateAntiAffinity(issues, canary.antiAffinity, ['canary', 'antiAffinity']);
}

function checkStep(issues: Issues, value: unknown, path: FieldPath): void {
  const step = readMap(issues, value, path, 'a step object', { required: true });
  if (!step) return;
  switch (step.kind) {
    case 'setWeight':
      readInteger(issues, step.weight, [...path, 'weight'], { min: 0, max: 100, required: true });
      return;
    case 'pause':
      readInteger(issues, step.durationSeconds, [...path, 'durationSeconds'], { min: 0 });
      return;
    case 'setCanaryScale': {
      const replicas = readInteger(issues, step.replicas, [...path, 'replicas'], { min: 0 });
      const weight = readInteger(issues, step.weight, [...path, 'weight'], { min: 0, max: 100 });
      const match = readBoolean(issues, step.matchTrafficWeight, [...path, 'matchTrafficWeight']);
      const set = [replicas, weight, match ? true : undefined].filter((v) => v !== undefined).length;
      if (set !== 1 && issues.count === 0)
        issues.add(path, step, 'exactly one of replicas, weight or matchTrafficWeight: true');
      return;
    }
    case 'analysis':
      checkAnalysisRefs(issues, step, path);
      return;
    default:
      issues.add(
        [...path, 'kind'],
        step.kind,
        'setWeight, pause, setCanaryScale or analysis',
        `expected setWeight, pause, setCanaryScale or analysis, found ${JSON.stringify(step.kind) ?? 'nothing'}`,
      );
  }
}

/** `templates`, `args` and `rules` of a background analysis or an analysis step. */
function checkAnalysisRefs(issues: Issues, analysis: JsonMap, path: FieldPath): void {
  checkRules(issues, analysis.rules, [...path, 'rules']);
  const templates = readList(
    issues,
    analysis.templates,
    [...path, 'templates'],
    'a non-empty list of templates',
    {
      required: true,
      nonEmpty: true,
    },
  );
  templates?.forEach((t, i) => {
    const at = [...path, 'templates', i];
    const ref = readMap(issues, t, at, 'a map with templateName and clusterScope', { required: true });
    if (!ref) return;
    readString(issues, ref.templateName, [...at, 'templateName'], 'a template name', {
      required: true,
      nonEmpty: true,
    });
    readBoolean(issues, ref.clusterScope, [...at, 'clusterScope'], { required: true });
  });
  const args = readList(issues, analysis.args, [...path, 'args'], 'a list of {name, value or valueFrom}', {
    required: true,
  });
  args?.forEach((a, i) => {
    const at = [...path, 'args', i];
    const arg = readMap(issues, a, at, 'a map with name and value or valueFrom', { required: true });
    if (!arg) return;
    readString(issues, arg.name, [...at, 'name'], 'an argument name', { required: true, nonEmpty: true });
    readString(issues, arg.value, [...at, 'value'], 'a string');
    const from = readMap(
      issues,
      arg.valueFrom,
      [...at, 'valueFrom'],
      'a map with fieldRef, podTemplateHashValue or secretKeyRef',
    );
    if (!from) return;
    const fieldRef = readMap(issues, from.fieldRef, [...at, 'valueFrom', 'fieldRef'], 'a map with fieldPath');
    if (fieldRef)
      readString(issues, fieldRef.fieldPath, [...at, 'valueFrom', 'fieldRef', 'fieldPath'], 'a field path', {
        required: true,
        nonEmpty: true,
      });
    const hash = from.podTemplateHashValue;
    if (!isAbsent(hash) && hash !== 'Stable' && hash !== 'Latest')
      issues.add([...at, 'valueFrom', 'podTemplateHashValue'], hash, 'Stable or Latest');
    const secret = readMap(
      issues,
      from.secretKeyRef,
      [...at, 'valueFrom', 'secretKeyRef'],
      'a map with name and key',
    );
    if (secret) {
      readString(issues, secret.name, [...at, 'valueFrom', 'secretKeyRef', 'name'], 'a Secret name', {
        required: true,
        nonEmpty: true,
      });
      readString(issues, secret.key, [...at, 'valueFrom', 'secretKeyRef', 'key'], 'a key of the Secret', {
        required: true,
        nonEmpty: true,
      });
    }
  });
}

function checkTrafficRouting(issues: Issues, value: unknown): void {
  const path = ['canary', 'trafficRouting'];
  const routing = readMap(issues, value, path, '{istio: {virtualServices}}');
  const istio =
    routing &&
    readMap(issues, routing.istio, [...path, 'istio'], 'a map with virtualServices', { required: true });
  if (!istio) return;
  const at = [...path, 'istio', 'virtualServices'];
  const services = readList(issues, istio.virtualServices, at, 'a non-empty list of {name, routes}', {
    required: true,
    nonEmpty: true,
  });
  services?.forEach((s, i) => {
    const vs = readMap(issues, s, [...at, i], 'a map with name and routes', { required: true });
    if (!vs) return;
    readName(issues, vs.name, [...at, i, 'name'], 'subdomain', 253);
    if (!isAbsent(vs.namespace)) readName(issues, vs.namespace, [...at, i, 'namespace'], 'label', 63);
    const routes = readList(issues, vs.routes, [...at, i, 'routes'], 'a list of HTTP route names', {
      required: true,
    });
    routes?.forEach((r, j) =>
      readString(issues, r, [...at, i, 'routes', j], 'a route name', { required: true, nonEmpty: true }),
    );
    for (const kind of ['tlsRoutes', 'tcpRoutes'] as const) {
      const list = readList(issues, vs[kind], [...at, i, kind], `a list of ${kind}`, { required: true });
      list?.forEach((r, j) => {
        const route = readMap(issues, r, [...at, i, kind, j], 'a map with port', { required: true });
        if (route) readInteger(issues, route.port, [...at, i, kind, j, 'port'], { min: 1, max: 65535 });
        const hosts =
          route && readList(issues, route.sniHosts, [...at, i, kind, j, 'sniHosts'], 'a list of host names');
        hosts?.forEach((h, k) =>
          readString(issues, h, [...at, i, kind, j, 'sniHosts', k], 'a host name', { required: true }),
        );
      });
    }
  });
  const rule = readMap(
    issues,
    istio.destinationRule,
    [...path, 'istio', 'destinationRule'],
    'a map with name and subsets',
  );
  if (rule)
    for (const field of ['name', 'canarySubsetName', 'stableSubsetName'])
      readString(issues, rule[field], [...path, 'istio', 'destinationRule', field], 'a name', {
        required: true,
        nonEmpty: true,
      });
}
