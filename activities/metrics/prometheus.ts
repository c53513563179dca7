// The Prometheus provider: an instant query (or a range query: rangeQuery's start and end evaluated at
// each measurement, as Argo) through the HTTP API, with an oauth2 token or a SigV4 signature (Amazon
// Managed Prometheus) when asked, its result turned into what conditions test (DESIGN.md §5): a scalar
// → number, an instant vector → numbers in series order (hence `result[0]`), nothing → [], a matrix →
// every sample of every series, flattened.
// NaN and ±Inf samples stay what they are, tagged, because JSON cannot carry them.
// https://argo-rollouts.readthedocs.io/en/stable/analysis/prometheus/
import type { AxiosInstance } from 'axios';
import type {
  MeasureResult,
  MetricValue,
  PrometheusProvider,
  RangeQuery,
} from '../../core/analysis/types.js';
import {
  durationSecondsText,
  evaluateTime,
  ExpressionEvalError,
  ExpressionSyntaxError,
  parseGoDuration,
  unixSecondsText,
} from '../../core/expr/index.js';
import {
  checkHttpUrl,
  describeBody,
  displayUrl,
  headerObject,
  httpRequest,
  isSuccess,
  parseJson,
  setHeader,
  type HttpAnswer,
} from './http.js';
import { fetchOAuth2Token } from './oauth2.js';
import { canonicalQuery, credentialsFromEnvironment, signV4, type AwsCredentials } from './sigv4.js';
import { failed, type MeasureContext, type MetricProviderClient } from './provider.js';

export const DEFAULT_PROMETHEUS_TIMEOUT_SECONDS = 30;

/** The API's envelope (https://prometheus.io/docs/prometheus/latest/querying/api/#format-overview). */
interface ApiResponse {
  status: 'success' | 'error';
  data?: { resultType?: string; result?: unknown };
  errorType?: string;
  error?: string;
}

type Sample = [number, string];

export class PrometheusClient implements MetricProviderClient<PrometheusProvider> {
  constructor(private readonly http: AxiosInstance) {}

  async measure(config: PrometheusProvider, context: MeasureContext): Promise<MeasureResult> {
    const address = config.address.replace(/\/+$/, '');
    const where = `Prometheus at ${displayUrl(address)}`;
    const invalid = checkHttpUrl(address);
    if (invalid) return failed(`${where}: the address ${invalid.error}`, context);
    const range = config.rangeQuery ? rangeParams(config.rangeQuery) : undefined;
    if (range !== undefined && 'error' in range) return failed(`${where}: ${range.error}`, context);
    const timeoutSeconds = config.timeout ?? DEFAULT_PROMETHEUS_TIMEOUT_SECONDS;
    // The token and the query share the timeout: a measurement ends within it (and the activity's limit).
    const deadline = Date.now() + timeoutSeconds * 1000;
    const signing = awsSigning(config, address);
    if (signing !== undefined && 'error' in signing) return failed(`${where}: ${signing.error}`, context);
    if (signing) {
      context.secret?.(signing.credentials.secretAccessKey);
      if (signing.credentials.sessionToken) context.secret?.(signing.credentials.sessionToken);
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    const custom = headerObject(config.headers);
    const oauth2 = config.authentication?.oauth2;
    if (oauth2) {
      // Argo's token request goes through the same transport as the query: custom headers and insecure.
      const token = await fetchOAuth2Token(this.http, oauth2, {
        timeoutSeconds,
        deadline,
        insecure: config.insecure,
        headers: custom,
        signal: context.signal,
        secret: context.secret,
      });
      if ('error' in token) return failed(`${where}: ${token.error}`, context);
      context.secret?.(token.accessToken);
      headers.Authorization = token.authorization;
    }
    const params: [string, string][] = Object.entries(
      range ? { query: config.query, ...range } : { query: config.query },
    );
    let url = `${address}/api/v1/${range ? 'query_range' : 'query'}`;
    if (signing) {
      // Signed as sent: the query string written here, in the canonical form, not axios' own encoding.
      url = `${url}?${canonicalQuery(params)}`;
      const signed = signV4({
        method: 'GET',
        url: new URL(url),
        region: signing.region,
        service: 'aps',
        date: new Date(),
        credentials: signing.credentials,
      });
      for (const [key, value] of Object.entries(signed)) setHeader(headers, key, value);
    }
    // Custom headers are set last, unsigned, as Argo's header round tripper runs after oauth2's and sigv4's.
    for (const [key, value] of Object.entries(custom)) setHeader(headers, key, value);
    const answer = await httpRequest(this.http, {
      method: 'GET',
      url,
      ...(signing ? {} : { params: Object.fromEntries(params) }),
      headers,
      timeoutSeconds,
      deadline,
      insecure: config.insecure,
      signal: context.signal,
    });
    // "Prometheus at http://…:9090 could not be reached: connection refused": what an aborted rollout
    // shows, so the user knows at once that the metric was never measured, and where it was asked.
    if ('error' in answer)
      return failed(`${where}${answer.unreachable ? ' could not be reached' : ''}: ${answer.error}`, context);
    return interpretAnswer(answer, where, config.query, context);
  }
}

/**
 * Argo signs only requests to Amazon Managed Prometheus (an aps-workspaces address) and only with a
 * sigv4 it can act on (a region: lint refuses profile and roleArn); credentials from the environment.
 */
function awsSigning(
  config: PrometheusProvider,
  address: string,
): { region: string; credentials: AwsCredentials } | { error: string } | undefined {
  const sigv4 = config.authentication?.sigv4;
  if (!sigv4 || sigv4.region === '' || !address.includes('aps-workspaces')) return undefined;
  const credentials = credentialsFromEnvironment();
  if (!credentials)
    return {
      error:
        "authentication.sigv4: no AWS credentials in the worker's environment (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN for temporary ones)",
    };
  return { region: sigv4.region, credentials };
}

/**
 * start, end and step as Prometheus' Go client sends them (unix seconds): start and end evaluated now,
 * as Argo's EvalTime, with Argo's words when one is not a time. Lint checked them unless an arg is in.
 */
function rangeParams(range: RangeQuery): { start: string; end: string; step: string } | { error: string } {
  const times: Partial<Record<'start' | 'end', string>> = {};
  for (const field of ['start', 'end'] as const) {
    try {
      times[field] = unixSecondsText(evaluateTime(range[field]));
    } catch (err) {
      if (!(err instanceof ExpressionSyntaxError || err instanceof ExpressionEvalError)) throw err;
      return {
        error: `failed to parse rangeQuery.${field} ${JSON.stringify(range[field])} as time: ${err.message}`,
      };
    }
  }
  let step: string;
  try {
    step = durationSecondsText(parseGoDuration(range.step));
  } catch (err) {
    if (!(err instanceof ExpressionEvalError)) throw err;
    return { error: `failed to parse rangeQuery.step as duration: ${err.message}` };
  }
  return { start: times.start as string, end: times.end as string, step };
}

/** A query for a message: on one line, and short (the seed's is 500 characters). */
function shortQuery(query: string): string {
  const oneLine = query.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 80 ? `${oneLine.slice(0, 79)}…` : oneLine);
}

function interpretAnswer(
  answer: HttpAnswer,
  where: string,
  query: string,
  context: MeasureContext,
): MeasureResult {
  const parsed = parseJson(answer.body)?.value;
  const api = isApiResponse(parsed) ? parsed : undefined;
  const status = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  // What the query itself got wrong, or gave back, names the query: the address alone does not say
  // which of a template's metrics it was.
  const asked = `${where}: query ${shortQuery(query)}`;
  if (api?.status === 'error') {
    // Prometheus' own reason, e.g. "bad_data: 1:5: parse error: unexpected <op:*>".
    const reason = [api.errorType, api.error].filter((s) => typeof s === 'string' && s !== '').join(': ');
    return failed(`${asked}: ${status}: ${reason || 'query failed'}`, context);
  }
  if (!isSuccess(answer.status)) return failed(`${where}: ${status}`, context);
  if (!api)
    return failed(
      `${where}: answered ${status} with ${describeBody(answer)}, not a Prometheus API response`,
      context,
    );
  try {
    return { value: convertResult(api.data?.resultType, api.data?.result) };
  } catch (err) {
    return failed(`${asked}: ${(err as Error).message}`, context);
  }
}

function isApiResponse(value: unknown): value is ApiResponse {
  if (typeof value !== 'object' || value === null) return false;
  const status = (value as { status?: unknown }).status;
  return status === 'success' || status === 'error';
}

/** Throws (caught above) on a result that does not have the shape its type promises. */
export function convertResult(resultType: string | undefined, result: unknown): MetricValue {
  switch (resultType) {
    case 'scalar':
      return sampleValue(result);
    case 'vector':
      return asArray(result, 'vector').map((series) => sampleValue(field(series, 'value')));
    case 'matrix':
      return asArray(result, 'matrix').flatMap((series) =>
        asArray(field(series, 'values'), 'matrix series').map((sample) => sampleValue(sample)),
      );
    case 'string': {
      const text: unknown = Array.isArray(result) ? (result as unknown[])[1] : undefined;
      const shown =
        typeof text === 'string'
          ? ` (${JSON.stringify(text.length > 40 ? `${text.slice(0, 39)}…` : text)})`
          : '';
      throw new Error(`Prometheus returned a string${shown}, expected a number or vector`);
    }
    default:
      throw new Error(`unknown result type ${JSON.stringify(resultType ?? null)}`);
  }
}

function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`malformed ${what} result`);
  return value;
}

function field(series: unknown, name: 'value' | 'values'): unknown {
  if (typeof series !== 'object' || series === null) throw new Error('malformed series in the result');
  const value = (series as Record<string, unknown>)[name];
  // Native histograms (`histogram`/`histograms` instead of `value`/`values`) have no single number.
  if (value === undefined)
    throw new Error('a series without float samples (a native histogram?) in the result');
  return value;
}

/** A `[unixSeconds, "value"]` pair → its value, a number or a tagged NaN/±Inf. */
function sampleValue(sample: unknown): MetricValue {
  if (!Array.isArray(sample) || sample.length !== 2 || typeof (sample as Sample)[1] !== 'string')
    throw new Error('malformed sample in the result');
  return parseSampleValue((sample as Sample)[1]);
}

/**
 * Prometheus writes sample values with Go's strconv.FormatFloat: "NaN", "+Inf", "-Inf" or a decimal.
 * The tags are what core/analysis/types.ts's MetricValue carries for them.
 */
export function parseSampleValue(text: string): MetricValue {
  switch (text) {
    case 'NaN':
      return { $float: 'NaN' };
    case '+Inf':
    case 'Inf':
      return { $float: '+Inf' };
    case '-Inf':
      return { $float: '-Inf' };
  }
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value))
    throw new Error(`sample value ${JSON.stringify(text)} is not a number`);
  if (value === Infinity) return { $float: '+Inf' };
  if (value === -Infinity) return { $float: '-Inf' };
  return value;
}
