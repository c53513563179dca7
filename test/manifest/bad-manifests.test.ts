// One deliberate defect per file under test/fixtures/manifests/bad (its first line says which). Each
// must give exactly one error, at the expected field, saying what was wrong: no cascades, no silence.
import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadManifests } from '../../core/manifest/index.js';
import { BAD_DIR, readText } from './fixtures.js';

const CANARY = 'spec.strategy.canary';
const ISTIO = `${CANARY}.trafficRouting.istio`;
const BG_ARGS = `${CANARY}.analysis.args`;

/** file → [the error's path, a piece of its message] */
const EXPECTATIONS: Record<string, [string, string]> = {
  // metadata and apiVersion
  'api-version.yaml': ['apiVersion', '"argoproj.io/v1beta1" is not argoproj.io/v1alpha1'],
  'name-uppercase.yaml': ['metadata.name', '"MyApp" is not a DNS-1123 name'],
  'name-too-long.yaml': ['metadata.name', 'is 64 characters long, expected at most 63'],
  'namespace-invalid.yaml': ['metadata.namespace', '"rollouts_demo" is not a DNS-1123 label'],
  'missing-kind.yaml': ['kind', 'document 0: kind: missing'],
  'not-a-map.yaml': ['', 'is a list, expected a Kubernetes object'],
  'spec-missing.yaml': ['spec', 'spec: missing'],
  'duplicate-rollout.yaml': ['metadata.name', '"myapp" is already used by the Rollout in document 0'],
  'yaml-syntax.yaml': ['', 'line 40, column 7: YAML syntax error: Flow sequence'],
  // spec
  'replicas-negative.yaml': ['spec.replicas', '-1 is negative, expected a non-negative integer'],
  'replicas-string.yaml': ['spec.replicas', '"3" is a string, expected a non-negative integer'],
  'selector-missing.yaml': ['spec.selector', 'missing, expected a map with matchLabels'],
  'match-labels-empty.yaml': ['spec.selector.matchLabels', 'the map is empty'],
  'match-label-number.yaml': [
    'spec.selector.matchLabels.version',
    '1 is an integer, expected a string (quote it)',
  ],
  'match-expressions.yaml': ['spec.selector.matchExpressions', 'matchExpressions is not supported yet'],
  'selector-mismatch.yaml': [
    'spec.template.metadata.labels.app',
    '"other" does not match spec.selector.matchLabels',
  ],
  'template-labels-missing.yaml': ['spec.template.metadata.labels', 'labels including app: myapp'],
  'containers-empty.yaml': ['spec.template.spec.containers', 'the list is empty'],
  'container-no-image.yaml': [
    'spec.template.spec.containers[0].image',
    'missing, expected a container image',
  ],
  'container-duplicate-name.yaml': [
    'spec.template.spec.containers[1].name',
    '"myapp" repeats the container name',
  ],
  'workload-ref.yaml': ['spec.workloadRef', 'spec.workloadRef is not supported yet'],
  'unknown-spec-field.yaml': ['spec.replica', 'unknown field "replica", expected one of replicas'],
  'revision-history-negative.yaml': ['spec.revisionHistoryLimit', '-2 is negative'],
  'progress-deadline-zero.yaml': [
    'spec.progressDeadlineSeconds',
    '0 is less than 1, expected a positive integer',
  ],
  'progress-deadline-vs-min-ready.yaml': [
    'spec.progressDeadlineSeconds',
    'is not more than minReadySeconds (600)',
  ],
  'progress-deadline-abort-string.yaml': [
    'spec.progressDeadlineAbort',
    '"yes" is a string, expected true or false',
  ],
  'min-ready-float.yaml': ['spec.minReadySeconds', '1.5 is a number, expected a non-negative integer'],
  'paused-number.yaml': ['spec.paused', '1 is an integer, expected true or false'],
  // strategy
  'strategy-missing.yaml': ['spec.strategy', 'missing, expected a map with canary'],
  'blue-green.yaml': ['spec.strategy.blueGreen', 'the blueGreen strategy is not supported yet'],
  'unknown-canary-field.yaml': [`${CANARY}.stepz`, 'unknown field "stepz"'],
  'same-services.yaml': [
    `${CANARY}.stableService`,
    'is also the canaryService, expected two different Services',
  ],
  'service-name-invalid.yaml': [`${CANARY}.canaryService`, '"1-canary" is not a Service name'],
  'scale-down-delay-negative.yaml': [`${CANARY}.scaleDownDelaySeconds`, '-30 is negative'],
  'scale-down-delay-no-routing.yaml': [
    `${CANARY}.scaleDownDelaySeconds`,
    'can only be used with trafficRouting',
  ],
  'abort-scale-down-string.yaml': [`${CANARY}.abortScaleDownDelaySeconds`, '"30s" is a string'],
  'abort-scale-down-no-routing.yaml': [
    `${CANARY}.abortScaleDownDelaySeconds`,
    'can only be used with trafficRouting (without it an abort scales the canary down at once)',
  ],
  'min-pods-no-routing.yaml': [
    `${CANARY}.minPodsPerReplicaSet`,
    'can only be used with trafficRouting (Argo ignores it without)',
  ],
  'min-pods-negative.yaml': [`${CANARY}.minPodsPerReplicaSet`, '-1 is negative'],
  'dynamic-stable-scale-with-delay.yaml': [
    `${CANARY}.dynamicStableScale`,
    'cannot be used together with scaleDownDelaySeconds',
  ],
  'scale-down-revision-limit-no-routing.yaml': [
    `${CANARY}.scaleDownDelayRevisionLimit`,
    'scaleDownDelayRevisionLimit can only be used with trafficRouting',
  ],
  'scale-down-revision-limit-dynamic.yaml': [
    `${CANARY}.scaleDownDelayRevisionLimit`,
    'scaleDownDelayRevisionLimit cannot be used together with dynamicStableScale',
  ],
  'scale-down-revision-limit-negative.yaml': [`${CANARY}.scaleDownDelayRevisionLimit`, '-1 is negative'],
  // antiAffinity as Argo's ValidateRolloutStrategyAntiAffinity
  'canary-anti-affinity.yaml': [
    `${CANARY}.antiAffinity`,
    'preferredDuringSchedulingIgnoredDuringExecution and requiredDuringSchedulingIgnoredDuringExecution are both set, expected exactly one of',
  ],
  'canary-anti-affinity-weight.yaml': [
    `${CANARY}.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight`,
    '0 is not between 1 and 100',
  ],
  // steps
  'steps-not-a-list.yaml': [`${CANARY}.steps`, 'is a map, expected a list of steps'],
  'set-weight-150.yaml': [`${CANARY}.steps[2].setWeight`, '150 is not between 0 and 100'],
  'set-weight-percent.yaml': [
    `${CANARY}.steps[0].setWeight`,
    '"20%" is a string, expected an integer between 0 and 100',
  ],
  'pause-bad-duration.yaml': [`${CANARY}.steps[3].pause.duration`, 'unknown unit "d"'],
  'pause-negative-duration.yaml': [`${CANARY}.steps[3].pause.duration`, '"-60s" is negative'],
  'pause-null.yaml': [`${CANARY}.steps[1].pause`, 'no value, expected a map: {} to wait until promoted'],
  'pause-unknown-field.yaml': [
    `${CANARY}.steps[3].pause.durration`,
    'unknown field "durration", expected one of duration',
  ],
  'step-two-kinds.yaml': [
    `${CANARY}.steps[0]`,
    'the step sets setWeight and pause, expected exactly one step kind',
  ],
  'step-unknown-kind.yaml': [
    `${CANARY}.steps[0].setweight`,
    'unknown step kind "setweight", expected one of setWeight, pause, setCanaryScale, analysis',
  ],
  'step-empty.yaml': [`${CANARY}.steps[1]`, 'the step is empty'],
  'step-header-route.yaml': [
    `${CANARY}.steps[1].setHeaderRoute`,
    'the setHeaderRoute step is not supported yet',
  ],
  'step-mirror-route.yaml': [
    `${CANARY}.steps[1].setMirrorRoute`,
    'the setMirrorRoute step is not supported yet',
  ],
  'step-experiment.yaml': [`${CANARY}.steps[1].experiment`, 'the experiment step is not supported yet'],
  'canary-scale-two.yaml': [`${CANARY}.steps[0].setCanaryScale`, 'replicas and weight are both set'],
  'canary-scale-false.yaml': [
    `${CANARY}.steps[0].setCanaryScale`,
    'nothing is set, expected exactly one of replicas',
  ],
  'canary-scale-weight-range.yaml': [
    `${CANARY}.steps[0].setCanaryScale.weight`,
    '120 is not between 0 and 100',
  ],
  'canary-scale-no-routing.yaml': [
    `${CANARY}.steps[0].setCanaryScale`,
    'needs spec.strategy.canary.trafficRouting',
  ],
  'analysis-step-no-templates.yaml': [`${CANARY}.steps[1].analysis.templates`, 'the list is empty'],
  'analysis-step-no-template-name.yaml': [`${CANARY}.steps[1].analysis.templates[0].templateName`, 'missing'],
  'analysis-step-dry-run.yaml': [`${CANARY}.steps[1].analysis.dryRun[0].metricName`, 'missing'],
  // traffic routing
  'nginx-routing.yaml': [
    `${CANARY}.trafficRouting.nginx`,
    'nginx traffic routing is not supported yet (only istio is)',
  ],
  'managed-routes.yaml': [`${CANARY}.trafficRouting.managedRoutes`, 'managedRoutes is not supported yet'],
  'routing-empty.yaml': [ISTIO, 'missing, expected a map with virtualService or virtualServices'],
  'istio-no-stable-service.yaml': [`${CANARY}.stableService`, 'needs both canaryService and stableService'],
  'vs-and-vss.yaml': [ISTIO, 'both virtualService and virtualServices are set'],
  'vs-missing.yaml': [
    `${ISTIO}.virtualService`,
    'missing, expected virtualService {name, routes} or virtualServices',
  ],
  'vs-no-name.yaml': [`${ISTIO}.virtualService.name`, 'missing'],
  'vss-empty.yaml': [`${ISTIO}.virtualServices`, 'the list is empty'],
  'vss-duplicate-name.yaml': [
    `${ISTIO}.virtualServices[1].name`,
    '"myapp-vsvc" repeats the VirtualService name',
  ],
  'routes-empty.yaml': [
    `${ISTIO}.virtualService.routes`,
    'the list is empty, expected a non-empty list of HTTP route names',
  ],
  'routes-duplicate.yaml': [`${ISTIO}.virtualService.routes[1]`, '"primary" repeats the route name'],
  'tls-route-empty.yaml': [`${ISTIO}.virtualService.tlsRoutes[0]`, 'neither port nor sniHosts is set'],
  'tcp-route-no-port.yaml': [
    `${ISTIO}.virtualService.tcpRoutes[0].port`,
    'missing, expected an integer between 1 and 65535',
  ],
  'tcp-route-port-range.yaml': [
    `${ISTIO}.virtualService.tcpRoutes[0].port`,
    '70000 is not between 1 and 65535',
  ],
  'destination-rule-same-subsets.yaml': [
    `${ISTIO}.destinationRule.stableSubsetName`,
    'expected two different subsets',
  ],
  'destination-rule-missing-subset.yaml': [`${ISTIO}.destinationRule.canarySubsetName`, 'missing'],
  // background analysis and arguments
  'starting-step-out-of-range.yaml': [`${CANARY}.analysis.startingStep`, '5 is not between 0 and 4'],
  'background-no-templates.yaml': [`${CANARY}.analysis.templates`, 'missing, expected a non-empty list'],
  'arg-value-and-value-from.yaml': [`${BG_ARGS}[0]`, 'both value and valueFrom are set'],
  'arg-no-value.yaml': [`${BG_ARGS}[0].value`, 'argument "service" needs a value or valueFrom'],
  'arg-value-number.yaml': [`${BG_ARGS}[0].value`, '8080 is an integer, expected a string'],
  'arg-duplicate.yaml': [`${BG_ARGS}[1].name`, '"service" repeats the argument name'],
  'arg-pod-hash-bad.yaml': [
    `${BG_ARGS}[1].valueFrom.podTemplateHashValue`,
    'found "Canary", expected Stable or Latest',
  ],
  'arg-field-ref-bad.yaml': [
    `${BG_ARGS}[1].valueFrom.fieldRef.fieldPath`,
    'is not a metadata field Argo can read',
  ],
  'arg-secret-no-key.yaml': [`${BG_ARGS}[1].valueFrom.secretKeyRef.key`, 'missing'],
  'arg-value-from-two.yaml': [`${BG_ARGS}[1].valueFrom`, 'fieldRef and podTemplateHashValue are both set'],
  // AnalysisTemplate
  'template-no-name.yaml': [
    'metadata.name',
    'AnalysisTemplate rollouts-demo/(unnamed): metadata.name: missing',
  ],
  'template-no-metrics.yaml': ['spec.metrics', 'the list is empty'],
  'template-duplicate-metric.yaml': ['spec.metrics[1].name', '"success-rate" repeats the metric name'],
  'template-two-providers.yaml': ['spec.metrics[0].provider', 'prometheus and web are both set'],
  'template-no-provider.yaml': ['spec.metrics[0].provider', 'no provider is set'],
  'template-unknown-provider.yaml': ['spec.metrics[0].provider.promethus', 'unknown field "promethus"'],
  'template-prometheus-no-query.yaml': [
    'spec.metrics[0].provider.prometheus.query',
    'missing, expected a PromQL query',
  ],
  'template-bad-interval.yaml': ['spec.metrics[0].interval', '"20 s" has an unknown unit'],
  'template-limit-float.yaml': [
    'spec.metrics[0].failureLimit',
    '1.5 is a number, expected an integer of at least -1',
  ],
  'template-limit-too-low.yaml': ['spec.metrics[0].failureLimit', '-2 is less than -1'],
  'template-limit-above-count.yaml': ['spec.metrics[0].failureLimit', '3 is more than count (2)'],
  'template-count-no-interval.yaml': ['spec.metrics[0].interval', 'count is 5, so an interval'],
  'template-duplicate-arg.yaml': ['spec.args[1].name', '"service" repeats the argument name'],
  'template-undeclared-arg.yaml': [
    'spec.metrics[0].provider.prometheus.query',
    '{{args.svc}} refers to an argument',
  ],
  'template-arg-secret-and-field.yaml': ['spec.args[1].valueFrom', 'secretKeyRef and fieldRef are both set'],
  // conditions are parsed as expr-lang (core/expr), with the column of the problem
  'template-condition-syntax.yaml': [
    'spec.metrics[0].successCondition',
    '"len(result) == 0 || result[0] > )" does not parse: unexpected token ")" at column 33',
  ],
  'template-condition-unknown-function.yaml': [
    'spec.metrics[0].failureCondition',
    'does not parse: unknown function "lenn" at column 1, expected an expr-lang condition',
  ],
  'template-condition-unknown-name.yaml': [
    'spec.metrics[0].successCondition',
    'does not parse: unknown name "results" (the measurement is called result) at column 1',
  ],
  'spec-restart-at.yaml': [
    'spec.restartAt',
    '"2026-02-30T00:00:00Z" is not an RFC 3339 time, expected an RFC 3339 time such as 2026-01-01T00:00:00Z',
  ],
  'spec-rollback-window-negative.yaml': [
    'spec.rollbackWindow.revisions',
    '-1 is negative, expected a non-negative integer',
  ],
  // fields of Argo's types that are not acted on: refused, never accepted and ignored (issue 11)
  'canary-max-surge.yaml': [`${CANARY}.maxSurge`, 'maxSurge can only be used without trafficRouting'],
  'canary-max-surge-zero.yaml': [`${CANARY}.maxSurge`, 'maxSurge and maxUnavailable both can not be zero'],
  'canary-max-unavailable-not-percent.yaml': [
    `${CANARY}.maxUnavailable`,
    '"1" is not a percentage, expected a non-negative integer or a percentage like "25%"',
  ],
  'canary-metadata-selector-label.yaml': [
    `${CANARY}.canaryMetadata.labels.app`,
    '"app" is a label of spec.selector.matchLabels: ephemeral labels are set and removed with the role',
  ],
  'background-measurement-retention.yaml': [
    `${CANARY}.analysis.measurementRetention[0].limit`,
    '-1 is negative',
  ],
  'background-run-metadata.yaml': [
    `${CANARY}.analysis.analysisRunMetadata`,
    'analysisRunMetadata is not supported yet',
  ],
  'destination-rule-additional-subsets.yaml': [
    `${ISTIO}.destinationRule.additionalSubsetNames`,
    'additionalSubsetNames is not supported yet',
  ],
  'step-plugin.yaml': [`${CANARY}.steps[1].plugin`, 'the plugin step is not supported yet'],
  'template-nested-self.yaml': [
    'spec.templates[1].templateName',
    '"istio-success-rate" is this AnalysisTemplate itself: a template cannot include itself',
  ],
  'template-nested-no-name.yaml': ['spec.templates[0].templateName', 'missing'],
  'template-prometheus-range-query.yaml': [
    'spec.metrics[0].provider.prometheus.rangeQuery.start',
    '"now-5m" does not parse: ',
  ],
  'template-range-query-step-unit.yaml': [
    'spec.metrics[0].provider.prometheus.rangeQuery.step',
    'time: missing unit in duration "60", expected a positive duration such as 30s',
  ],
  'template-range-query-end-before-start.yaml': [
    'spec.metrics[0].provider.prometheus.rangeQuery.end',
    'is before start ("now()"), expected a time at or after it',
  ],
  'template-range-query-too-many-points.yaml': [
    'spec.metrics[0].provider.prometheus.rangeQuery.step',
    '"5s" gives more than 11000 points from start to end (Prometheus\' limit)',
  ],
  'template-range-query-unknown-field.yaml': [
    'spec.metrics[0].provider.prometheus.rangeQuery.stepp',
    'unknown field "stepp", expected one of start, end, step',
  ],
  'template-prometheus-authentication.yaml': [
    'spec.metrics[0].provider.prometheus.authentication.oauth2.clientSecret',
    'missing, expected the client secret',
  ],
  'template-oauth2-unknown-field.yaml': [
    'spec.metrics[0].provider.prometheus.authentication.oauth2.scope',
    'unknown field "scope", expected one of tokenUrl, clientId, clientSecret, scopes',
  ],
  'template-oauth2-token-url.yaml': [
    'spec.metrics[0].provider.prometheus.authentication.oauth2.tokenUrl',
    'is not a URL, expected an http or https URL',
  ],
  'template-prometheus-sigv4.yaml': [
    'spec.metrics[0].provider.prometheus.authentication.sigv4.roleArn',
    "roleArn is not supported yet (remove it and give the worker the role's temporary keys",
  ],
  'template-sigv4-not-aps.yaml': [
    'spec.metrics[0].provider.prometheus.authentication.sigv4',
    'Argo signs only requests to Amazon Managed Prometheus (an address with aps-workspaces in it), not to http://prometheus.istio-system:9090: remove sigv4',
  ],
  'template-sigv4-and-oauth2.yaml': [
    'spec.metrics[0].provider.prometheus.authentication',
    'both oauth2 and sigv4 are set, expected one of them (Argo signs over the token)',
  ],
  'template-sigv4-no-region.yaml': [
    'spec.metrics[0].provider.prometheus.authentication.sigv4.region',
    'missing, expected an AWS region such as eu-west-1',
  ],
  'template-prometheus-timeout-zero.yaml': [
    'spec.metrics[0].provider.prometheus.timeout',
    '0 is not between 1 and 100',
  ],
  'template-prometheus-insecure-string.yaml': [
    'spec.metrics[0].provider.prometheus.insecure',
    '"yes" is a string, expected true or false',
  ],
  'template-web-authentication-unknown-field.yaml': [
    'spec.metrics[0].provider.web.authentication.oauth',
    'unknown field "oauth", expected one of sigv4, oauth2',
  ],
  'template-web-authentication.yaml': [
    'spec.metrics[0].provider.web.authentication.sigv4',
    "sigv4 is not supported yet (Argo's web provider ignores it",
  ],
  // a misspelt provider field would be ignored: it is an unknown field
  'template-prometheus-unknown-field.yaml': [
    'spec.metrics[0].provider.prometheus.timeuot',
    'unknown field "timeuot", expected one of address, query',
  ],
  'template-web-unknown-field.yaml': [
    'spec.metrics[0].provider.web.jsonpath',
    'unknown field "jsonpath", expected one of method, url, headers, body, timeoutSeconds, jsonPath',
  ],
  'template-header-unknown-field.yaml': [
    'spec.metrics[0].provider.web.headers[0].secret',
    'unknown field "secret", expected one of key, value',
  ],
  'template-web-get-with-body.yaml': [
    'spec.metrics[0].provider.web.jsonBody',
    'jsonBody needs method POST or PUT (Argo measures a GET with a body as an Error)',
  ],
  // an argoproj.io object of a kind we do not read is not passed over as someone else's
  'kind-misspelt.yaml': [
    'kind',
    '"Rolout" is not a kind of argoproj.io/v1alpha1 that this project knows (did you mean Rollout?), expected one of Rollout, AnalysisTemplate, ClusterAnalysisTemplate',
  ],
  'kind-experiment.yaml': ['kind', 'the Experiment kind is not supported yet'],
  'template-arg-field-ref.yaml': [
    'spec.args[1].valueFrom.fieldRef',
    "fieldRef in an AnalysisTemplate's arg is not supported yet (give the arg in the Rollout's analysis args",
  ],
  'vs-namespace-invalid.yaml': [`${ISTIO}.virtualService.name`, 'the namespace "nnnn'],
};

const files = readdirSync(BAD_DIR)
  .filter((name) => name.endsWith('.yaml'))
  .sort();

describe('bad manifests', () => {
  it('has an expectation for every fixture, and a fixture for every expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files).toEqual(Object.keys(EXPECTATIONS).sort());
  });

  it.each(files)('%s gives exactly the one expected error', (file) => {
    const [path, message] = EXPECTATIONS[file] ?? ['', ''];
    const result = loadManifests(readText(`${BAD_DIR}/${file}`), file);
    expect(result.errors).toHaveLength(1);
    const [error] = result.errors;
    expect(error?.path).toBe(path);
    expect(error?.message).toContain(message);
    // every message names the file first, and carries what was found and what was expected
    expect(error?.message.startsWith(`${file}: `)).toBe(true);
    expect(error?.found).not.toBe('');
    expect(error?.expected).not.toBe('');
    // …and the line it is on (a duplicate is about a whole object, found only after all are read)
    if (file !== 'duplicate-rollout.yaml') expect(error?.line).toBeGreaterThanOrEqual(1);
    expect(error?.file).toBe(file);
    // a Rollout with an error is not returned as a definition
    expect(result.rollouts.length + result.analysisTemplates.length).toBe(
      file === 'duplicate-rollout.yaml' ? 2 : 0,
    );
  });

  it('prints the object, the field and the problem in one sentence', () => {
    const file = 'set-weight-150.yaml';
    const [error] = loadManifests(readText(path.join(BAD_DIR, file)), 'rollout.yaml').errors;
    expect(error).toEqual({
      file: 'rollout.yaml',
      document: 0,
      kind: 'Rollout',
      namespace: 'rollouts-demo',
      name: 'myapp',
      path: 'spec.strategy.canary.steps[2].setWeight',
      found: '150',
      expected: 'an integer between 0 and 100',
      message:
        'rollout.yaml: Rollout rollouts-demo/myapp: spec.strategy.canary.steps[2].setWeight: 150 is not between 0 and 100',
      line: 44,
    });
  });
});
