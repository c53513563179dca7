// A metric's provider in an AnalysisTemplate: exactly one of Argo's providers, and the fields of the
// two this project measures with (prometheus, web) of the types the measuring activity reads.
import { Issues, type FieldPath } from './errors.js';
import {
  checkKnownFields,
  describeSeveralSet,
  presentKeys,
  readBoolean,
  readInteger,
  readList,
  readMap,
  readString,
} from './fields.js';

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
  // Required: there is no default Prometheus to ask (an AnalysisRun without one could never measure).
  readString(issues, prometheus.address, [...path, 'address'], 'a URL such as http://prometheus:9090', {
    required: true,
    nonEmpty: true,
  });
  readString(issues, prometheus.query, [...path, 'query'], 'a PromQL query', {
    required: true,
    nonEmpty: true,
  });
  validateHeaders(issues, prometheus.headers, [...path, 'headers']);
}

function validateWeb(issues: Issues, value: unknown, path: FieldPath): void {
  const web = readMap(issues, value, path, 'a map with url');
  if (web === undefined) return;
  readString(issues, web.url, [...path, 'url'], 'a URL', { required: true, nonEmpty: true });
  const method = readString(issues, web.method, [...path, 'method'], 'GET, POST or PUT');
  if (method !== undefined && !['GET', 'POST', 'PUT'].includes(method)) {
    issues.add([...path, 'method'], method, 'GET, POST or PUT');
  }
  readString(issues, web.jsonPath, [...path, 'jsonPath'], 'a JSONPath such as {$.data.ok}');
  readInteger(issues, web.timeoutSeconds, [...path, 'timeoutSeconds'], { min: 0 });
  readBoolean(issues, web.insecure, [...path, 'insecure']);
  validateHeaders(issues, web.headers, [...path, 'headers']);
}

function validateHeaders(issues: Issues, value: unknown, path: FieldPath): void {
  const headers = readList(issues, value, path, 'a list of {key, value}');
  headers?.forEach((entry, index) => {
    const header = readMap(issues, entry, [...path, index], 'a map with key and value', { required: true });
    if (header === undefined) return;
    readString(issues, header.key, [...path, index, 'key'], 'a header name', {
      required: true,
      nonEmpty: true,
    });
    readString(issues, header.value, [...path, index, 'value'], 'a header value (a string)', {
      required: true,
    });
  });
}
