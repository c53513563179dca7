// A Prometheus rangeQuery and oauth2 authentication (good/provider-authentication.yaml): Argo's fields
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
  });

  it('passes the check of a template carried in a definition', () => {
    const issues = new Issues({ file: 'signal', document: 0, kind: 'Rollout', namespace: 'shop', name: 'x' });
    checkCarriedTemplate(issues, JSON.parse(JSON.stringify(template)), ['templates', 0]);
    expect(issues.errors).toEqual([]);
  });

  it('a carried oauth2 without its secret, or with sigv4, is refused by that check', () => {
    const issues = new Issues({ file: 'signal', document: 0, kind: 'Rollout', namespace: 'shop', name: 'x' });
    const carried = JSON.parse(JSON.stringify(template)) as typeof template;
    const prometheus = carried.metrics[0]?.provider.prometheus;
    if (!prometheus) throw new Error('prometheus');
    prometheus.authentication = { oauth2: { ...OAUTH2, clientSecret: '' }, sigv4: {} } as never;
    checkCarriedTemplate(issues, carried, ['templates', 0]);
    expect(issues.errors.map((e) => e.path)).toEqual([
      'templates[0].metrics[0].provider.prometheus.authentication',
      'templates[0].metrics[0].provider.prometheus.authentication.oauth2.clientSecret',
    ]);
  });
});
