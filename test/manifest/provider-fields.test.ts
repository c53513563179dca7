// A Prometheus rangeQuery, oauth2 and sigv4 authentication (good/provider-authentication.yaml): Argo's fields
// load as written, start/end with an arg in them wait for the run, web's timeoutSeconds 0 is Argo's
// default, and a carried template with them passes the workflow's own check.
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { checkCarriedTemplate } from '../../core/analysis/check-template.js';
import { normalizeTemplate } from '../../core/analysis/template.js';
import { Issues } from '../../core/manifest/errors.js';
import { loadManifests } from '../../core/manifest/index.js';
import { GOOD_DIR, readText } from './fixtures.js';

const FILE = 'provider-authentication.yaml';
const OAUTH2 = {
  tokenUrl: 'https://idp.example.com/oauth/token',
  clientId: 'rollouts',
  clientSecret: '{{args.client-secret}}',
};

describe(FILE, () => {
  const result = loadManifests(readText(path.join(GOOD_DIR, FILE)), FILE);
  const manifest = result.analysisTemplates[0];
  if (!manifest) throw new Error('the template loads');
  const template = normalizeTemplate(manifest);

  it('loads without an error', () => {
    expect(result.errors).toEqual([]);
  });

  it('carries rangeQuery and oauth2 as written', () => {
    expect(template.metrics[0]?.provider.prometheus).toEqual({
      address: 'https://thanos.example.com',
      query: 'sum(rate(http_errors_total{service="{{args.service}}"}[1m]))',
      timeout: 20,
      rangeQuery: { start: 'now() - duration("{{args.lookback}}")', end: 'now()', step: '1m' },
      authentication: { oauth2: { ...OAUTH2, scopes: ['metrics.read'] } },
    });
    expect(template.metrics[1]?.provider.web).toEqual({
      url: 'https://status.example.com/{{args.service}}',
      method: 'GET',
      jsonPath: '{$.status}',
      authentication: { oauth2: OAUTH2 },
    });
    expect(template.metrics[2]?.provider.prometheus?.authentication).toEqual({
      sigv4: { region: 'eu-west-1' },
    });
  });

  it('passes the check of a template carried in a definition', () => {
    const issues = new Issues({ file: 'signal', document: 0, kind: 'Rollout', namespace: 'shop', name: 'x' });
    checkCarriedTemplate(issues, JSON.parse(JSON.stringify(template)), ['templates', 0]);
    expect(issues.errors).toEqual([]);
  });

  it('a carried oauth2 without its secret, or sigv4 without a region, is refused by that check', () => {
    const issues = new Issues({ file: 'signal', document: 0, kind: 'Rollout', namespace: 'shop', name: 'x' });
    const carried = JSON.parse(JSON.stringify(template)) as typeof template;
    const prometheus = carried.metrics[0]?.provider.prometheus;
    if (!prometheus) throw new Error('prometheus');
    prometheus.authentication = { oauth2: { ...OAUTH2, clientSecret: '' }, sigv4: {} } as never;
    checkCarriedTemplate(issues, carried, ['templates', 0]);
    expect(issues.errors.map((e) => e.path)).toEqual([
      'templates[0].metrics[0].provider.prometheus.authentication.sigv4.region',
      'templates[0].metrics[0].provider.prometheus.authentication.oauth2.clientSecret',
    ]);
  });
});

describe("timeouts as Argo's", () => {
  const template = (provider: Record<string, unknown>) =>
    JSON.stringify({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisTemplate',
      metadata: { name: 't', namespace: 'shop' },
      spec: { metrics: [{ name: 'm', provider }] },
    });
  const load = (provider: Record<string, unknown>) => loadManifests(template(provider), 't.yaml');
  const web = (timeoutSeconds: number) => ({ web: { url: 'http://w', timeoutSeconds } });
  const prometheus = (timeout: number) => ({ prometheus: { address: 'http://p', query: 'up', timeout } });

  it('web timeoutSeconds 0 or less loads, and is carried as absent: the 10 s default', () => {
    for (const seconds of [0, -1]) {
      const result = load(web(seconds));
      expect(result.errors).toEqual([]);
      const [manifest] = result.analysisTemplates;
      if (!manifest) throw new Error('loads');
      expect(normalizeTemplate(manifest).metrics[0]?.provider.web?.timeoutSeconds).toBeUndefined();
    }
  });

  it('a timeout the measuring activity could not wait for is refused, naming the field', () => {
    expect(load(web(101)).errors.map((e) => [e.path, e.expected])).toEqual([
      ['spec.metrics[0].provider.web.timeoutSeconds', 'an integer of at most 100'],
    ]);
    expect(load(prometheus(101)).errors.map((e) => e.path)).toEqual([
      'spec.metrics[0].provider.prometheus.timeout',
    ]);
    expect(load(prometheus(-1)).errors.map((e) => e.path)).toEqual([
      'spec.metrics[0].provider.prometheus.timeout',
    ]);
    expect(load(prometheus(100)).errors).toEqual([]);
  });
});
