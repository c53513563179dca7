// A metric's provider in an AnalysisTemplate: exactly one of Argo's providers, and the fields of the
// two this project measures with (prometheus, web) of the types the measuring activity reads; every
// field of Argo's PrometheusMetric and WebMetric is read (a few sub-fields are refused, unsupported.ts),
// and a misspelt one is an unknown field.
import { Issues, type FieldPath } from './errors.js';
import {
  checkKnownFields,
  describeSeveralSet,
  isAbsent,
  presentKeys,
  readBoolean,
  readInteger,
  readList,
  readMap,
  readString,
} from './fields.js';
import { hasArgReference } from '../analysis/args.js';
import { validateAuthentication } from './validate-provider-authentication.js';
import { validateRangeQuery } from './validate-range-query.js';

/**
 * The longest provider timeout, in seconds: a measurement (the oauth2 token and the query together)
 * must end within the measuring activity's 2 minutes (workflows/activities.ts), or the activity is cut
 * off and retried rather than the measurement being an Error. Argo has no limit.
 */
export const MAX_PROVIDER_TIMEOUT_SECONDS = 100;

/** The fields of Argo's PrometheusMetric and WebMetric (analysis_types.go). */
const PROMETHEUS_FIELDS = [
  'address',
  'query',
  'authentication',
  'timeout',
  'insecure',
  'headers',
  'rangeQuery',
];
const WEB_FIELDS = [
  'method',
  'url',
  'headers',
  'body',
  'timeoutSeconds',
  'jsonPath',
  'insecure',
  'jsonBody',
  'authentication',
];

/** Argo's metric providers; prometheus and web are the ones this project measures with. */
const PROVIDERS = [
  'prometheus',
  'web',
  'job',
  'datadog',
  'newRelic',
  'wavefront',
  'kayenta',
  'cloudWatch',
  'graphite',
  'influxdb',
  'skywalking',
  'plugin',
];
const PROVIDERS_TEXT = `exactly one of ${PROVIDERS.join(', ')}`;

export function validateProvider(issues: Issues, value: unknown, path: FieldPath): void {
  const provider = readMap(issues, value, path, `a map with ${PROVIDERS_TEXT}`, { required: true });
  if (provider === undefined) return;
  checkKnownFields(issues, provider, path, PROVIDERS);
  const set = presentKeys(provider, PROVIDERS);
  // A misspelt provider is reported as an unknown field already; "none set" would only repeat it.
  const misspelt = Object.keys(provider).some((key) => !PROVIDERS.includes(key));
  if (set.length > 1 || (set.length === 0 && !misspelt)) {
    const problem =
      set.length === 0
        ? `no provider is set, expected ${PROVIDERS_TEXT}`
        : `${describeSeveralSet(set)}, expected ${PROVIDERS_TEXT}`;
    issues.add(path, provider, PROVIDERS_TEXT, problem);
  }
  for (const key of set) {
    const at = [...path, key];
    if (key === 'prometheus') validatePrometheus(issues, provider[key], at);
    else if (key === 'web') validateWeb(issues, provider[key], at);
    // Argo's other providers are known (no "unknown field"), but nothing here measures with them.
    else issues.notSupported(at, provider[key], `the ${key} provider`, 'use prometheus or web');
  }
}

function validatePrometheus(issues: Issues, value: unknown, path: FieldPath): void {
  const prometheus = readMap(issues, value, path, 'a map with address and query');
  if (prometheus === undefined) return;
  checkKnownFields(issues, prometheus, path, PROMETHEUS_FIELDS);
  // Required: there is no default Prometheus to ask (an AnalysisRun without one could never measure).
  readString(issues, prometheus.address, [...path, 'address'], 'a URL such as http://prometheus:9090', {
    required: true,
    nonEmpty: true,
  });
  readString(issues, prometheus.query, [...path, 'query'], 'a PromQL query', {
    required: true,
    nonEmpty: true,
  });
  // Seconds, as Argo's *int64 (absent: 30). Argo measures every time as an Error with a negative one,
  // and with 0 every query times out at once: both refused.
  readInteger(issues, prometheus.timeout, [...path, 'timeout'], {
    min: 1,
    max: MAX_PROVIDER_TIMEOUT_SECONDS,
  });
  // Argo's: skip the TLS certificate check of an https:// address.
  readBoolean(issues, prometheus.insecure, [...path, 'insecure']);
  validateHeaders(issues, prometheus.headers, [...path, 'headers']);
  if (!isAbsent(prometheus.rangeQuery))
    validateRangeQuery(issues, prometheus.rangeQuery, [...path, 'rangeQuery']);
  const address = typeof prometheus.address === 'string' ? prometheus.address : undefined;
  validateAuthentication(
    issues,
    prometheus.authentication,
    [...path, 'authentication'],
    'prometheus',
    address !== undefined && !hasArgReference(address) ? address : undefined,
  );
}

function validateWeb(issues: Issues, value: unknown, path: FieldPath): void {
  const web = readMap(issues, value, path, 'a map with url');
  if (web === undefined) return;
  checkKnownFields(issues, web, path, WEB_FIELDS);
  readString(issues, web.url, [...path, 'url'], 'a URL', { required: true, nonEmpty: true });
  const method = readString(issues, web.method, [...path, 'method'], 'GET, POST or PUT');
  if (method !== undefined && !['GET', 'POST', 'PUT'].includes(method)) {
    issues.add([...path, 'method'], method, 'GET, POST or PUT');
  }
  readString(issues, web.jsonPath, [...path, 'jsonPath'], 'a JSONPath such as {$.data.ok}');
  // Seconds; Argo takes 0 or less (and absent) as its default, 10.
  readInteger(issues, web.timeoutSeconds, [...path, 'timeoutSeconds'], { max: MAX_PROVIDER_TIMEOUT_SECONDS });
  readBoolean(issues, web.insecure, [...path, 'insecure']);
  readString(issues, web.body, [...path, 'body'], 'a string (the request body)');
  // Argo's web provider: "use either Body or JSONBody; both cannot exists for WebMetric payload"
  if (!isAbsent(web.body) && !isAbsent(web.jsonBody)) {
    issues.add(
      [...path, 'jsonBody'],
      web.jsonBody,
      'body or jsonBody, not both',
      'both body and jsonBody are set, expected one of them',
    );
  }
  // …and every measurement of a GET with a body is an Error there: say so now.
  const payload = ['body', 'jsonBody'].find((key) => !isAbsent(web[key]) && web[key] !== '');
  if (payload !== undefined && (method ?? 'GET') === 'GET') {
    issues.add(
      [...path, payload],
      web[payload],
      'method POST or PUT with a body',
      `${payload} needs method POST or PUT (Argo measures a GET with a body as an Error)`,
    );
  }
  validateHeaders(issues, web.headers, [...path, 'headers']);
  validateAuthentication(issues, web.authentication, [...path, 'authentication'], 'web');
}

function validateHeaders(issues: Issues, value: unknown, path: FieldPath): void {
  const headers = readList(issues, value, path, 'a list of {key, value}');
  headers?.forEach((entry, index) => {
    const header = readMap(issues, entry, [...path, index], 'a map with key and value', { required: true });
    if (header === undefined) return;
    checkKnownFields(issues, header, [...path, index], ['key', 'value']);
    readString(issues, header.key, [...path, index, 'key'], 'a header name', {
      required: true,
      nonEmpty: true,
    });
    readString(issues, header.value, [...path, index, 'value'], 'a header value (a string)', {
      required: true,
    });
  });
}
