// One HTTP request for a provider, with its failure put into words: every outcome is an answer (any
// status, body as text) or a short reason (connection refused, timed out, host not found). Bodies are
// read as text and parsed by the provider, so an HTML page is reported as such rather than as a
// JSON parse error, and no body ever goes into a message.
import https from 'node:https';
import { isAxiosError, type AxiosInstance, type Method } from 'axios';

export interface HttpRequest {
  method: Method;
  url: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  data?: string;
  timeoutSeconds: number;
  /**
   * When the whole measurement must be over (epoch ms), when it makes more than one request (an oauth2
   * token, then the query): each request gets what is left of timeoutSeconds, not all of it again.
   */
  deadline?: number;
  insecure?: boolean;
  /** The activity's cancellation: when it fires, the request is aborted and its error rethrown. */
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  statusText: string;
  contentType: string;
  body: string;
}

/** Larger answers are refused: no metric needs them, and they would only cost memory. */
export const MAX_BODY_BYTES = 10 * 1024 * 1024;

const insecureAgent = new https.Agent({ rejectUnauthorized: false });

/** No answer: why (a short reason), and whether no connection could be made at all. */
export interface HttpFailure {
  error: string;
  /** Refused, no such host, no route: the server could not be reached (rather than answering badly). */
  unreachable: boolean;
}

/** A pooled keep-alive socket the server closed (it restarted, or went away) fails this way first. */
const STALE_SOCKET = new Set(['ECONNRESET', 'EPIPE']);

export async function httpRequest(
  http: AxiosInstance,
  request: HttpRequest,
): Promise<HttpAnswer | HttpFailure> {
  const first = await httpRequestOnce(http, request);
  // Node keeps connections alive, so the first request after the server went away (or came back)
  // may meet a dead socket: once more on a fresh one, which tells refused from reset truthfully.
  // Metric queries only read, so asking twice is safe.
  if ('error' in first && first.code !== undefined && STALE_SOCKET.has(first.code))
    return httpRequestOnce(http, request);
  return first;
}

async function httpRequestOnce(
  http: AxiosInstance,
  request: HttpRequest,
): Promise<HttpAnswer | (HttpFailure & { code?: string })> {
  const milliseconds =
    request.deadline === undefined
      ? request.timeoutSeconds * 1000
      : Math.max(0, request.deadline - Date.now());
  const timeout = AbortSignal.timeout(milliseconds);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  try {
    const response = await http.request<string>({
      method: request.method,
      url: request.url,
      headers: request.headers,
      params: request.params,
      data: request.data,
      signal,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      maxContentLength: MAX_BODY_BYTES,
      maxRedirects: 5,
      ...(request.insecure ? { httpsAgent: insecureAgent } : {}),
    });
    const contentType = response.headers['content-type'];
    return {
      status: response.status,
      statusText: response.statusText ?? '',
      contentType: typeof contentType === 'string' ? contentType : '',
      body: typeof response.data === 'string' ? response.data : String(response.data ?? ''),
    };
  } catch (err) {
    // Cancelled: the activity's own reason (a CancelledFailure), which the worker reports as cancellation.
    if (request.signal?.aborted) throw (request.signal.reason as Error | undefined) ?? err;
    if (timeout.aborted) return { error: `no answer within ${request.timeoutSeconds}s`, unreachable: false };
    const code = errorCode(err);
    return {
      error: describeNetworkError(err),
      unreachable: UNREACHABLE.has(code ?? ''),
      ...(code !== undefined ? { code } : {}),
    };
  }
}

const reasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  ERR_FR_TOO_MANY_REDIRECTS: 'too many redirects',
  ERR_INVALID_URL: 'invalid URL',
};

/** The codes of a connection that could not be made. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
]);

function describeNetworkError(err: unknown): string {
  const code = errorCode(err);
  if (code && reasons[code]) return reasons[code];
  const message = err instanceof Error ? err.message : String(err);
  if (/maxContentLength/.test(message)) return `the answer is larger than ${MAX_BODY_BYTES / 1048576} MiB`;
  // TLS failures (unknown CA, self-signed, wrong host name) keep Node's own words, which name the fault.
  return code ? `${code}: ${message}` : message;
}

function errorCode(err: unknown): string | undefined {
  if (isAxiosError(err) && err.code) return err.code;
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A URL for messages: no user:password, no query (where tokens hide), no fragment. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url.split(/[?#]/)[0] ?? url;
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return url.split(/[?#]/)[0] ?? url;
  }
}

/** Undefined when the URL is http(s), else what is wrong with it ("… is not a URL"). */
export function checkHttpUrl(url: string): { error: string } | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: 'is not a URL' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    return { error: `has scheme ${parsed.protocol.replace(':', '')}, expected http or https` };
  return undefined;
}

export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

export function parseJson(body: string): { value: unknown } | undefined {
  try {
    return { value: JSON.parse(body) as unknown };
  } catch {
    return undefined;
  }
}

/** What the body was, for an error message ("text/html", or "empty"), never the body itself. */
export function describeBody(answer: HttpAnswer): string {
  if (answer.body.trim() === '') return 'an empty body';
  const type = answer.contentType.split(';')[0]?.trim();
  return type ? `a ${type} body` : 'a body that is not JSON';
}

/** Sets one header, replacing any of the same name in another case (as Go's Header.Set). */
export function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name.toLowerCase()) delete headers[key];
  headers[name] = value;
}

export function headerObject(headers: { key: string; value: string }[] | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { key, value } of headers ?? []) result[key] = value;
  return result;
}
