// Argo's oauth2 authentication of the prometheus and web providers: the client-credentials grant of
// golang.org/x/oauth2/clientcredentials (v0.36.0, Argo's), one token per measurement, because Argo
// builds the provider, and with it the token source, anew for each measurement. The request is a form
// POST to tokenUrl (grant_type=client_credentials, scope = the scopes joined by spaces), the client's
// id and secret first as HTTP Basic credentials and, if that fails, in the form instead (x/oauth2's
// AuthStyleAutoDetect). The answer is JSON or a form; its access_token goes out as
// `Authorization: <token_type> <access_token>` (Bearer when no type is given).
import type { AxiosInstance } from 'axios';
import type { OAuth2ClientCredentials } from '../../core/analysis/types.js';
import { describeBody, displayUrl, httpRequest, isSuccess, parseJson, type HttpAnswer } from './http.js';

export interface TokenRequestOptions {
  timeoutSeconds: number;
  deadline?: number;
  insecure?: boolean;
  /** Headers the token request carries as well (Argo's Prometheus client sends its custom headers there too). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Told the Basic credentials sent, so that a server echoing them back cannot show them. */
  secret?: (value: string) => void;
}

/** The Authorization header to send, and the token in it (for the secret mask); or why there is none. */
export type TokenResult = { authorization: string; accessToken: string } | { error: string };

export async function fetchOAuth2Token(
  http: AxiosInstance,
  config: OAuth2ClientCredentials,
  options: TokenRequestOptions,
): Promise<TokenResult> {
  const first = await requestToken(http, config, options, 'header');
  const result = 'error' in first ? await requestToken(http, config, options, 'form') : first;
  if (!('error' in result)) return result;
  return { error: `no oauth2 token from ${displayUrl(config.tokenUrl)}: ${result.error}` };
}

async function requestToken(
  http: AxiosInstance,
  config: OAuth2ClientCredentials,
  options: TokenRequestOptions,
  credentialsIn: 'header' | 'form',
): Promise<TokenResult> {
  // Go's url.Values.Encode: keys in order, QueryEscape'd.
  const form: [string, string][] = [];
  if (credentialsIn === 'form') {
    options.secret?.(queryEscape(config.clientSecret));
    form.push(['client_id', config.clientId], ['client_secret', config.clientSecret]);
  }
  form.push(['grant_type', 'client_credentials']);
  if (config.scopes && config.scopes.length > 0) form.push(['scope', config.scopes.join(' ')]);
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (credentialsIn === 'header') {
    const pair = `${queryEscape(config.clientId)}:${queryEscape(config.clientSecret)}`;
    const credentials = Buffer.from(pair, 'utf8').toString('base64');
    options.secret?.(credentials);
    headers.Authorization = `Basic ${credentials}`;
  }
  const answer = await httpRequest(http, {
    method: 'POST',
    url: config.tokenUrl,
    headers: { ...headers, ...options.headers },
    data: form.map(([key, value]) => `${queryEscape(key)}=${queryEscape(value)}`).join('&'),
    timeoutSeconds: options.timeoutSeconds,
    deadline: options.deadline,
    insecure: options.insecure,
    signal: options.signal,
  });
  if ('error' in answer) return { error: answer.error };
  return readTokenAnswer(answer);
}

/** x/oauth2's doTokenRoundTrip: a form or JSON answer, an error code in either, a token in 2xx only. */
function readTokenAnswer(answer: HttpAnswer): TokenResult {
  const status = `HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''}`;
  const ok = isSuccess(answer.status);
  const type = answer.contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  let fields: Record<string, unknown>;
  if (type === 'application/x-www-form-urlencoded' || type === 'text/plain') {
    fields = Object.fromEntries(new URLSearchParams(answer.body));
  } else {
    const parsed = parseJson(answer.body)?.value;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return {
        error: ok ? `answered ${status} with ${describeBody(answer)}, expected a JSON token` : status,
      };
    fields = parsed as Record<string, unknown>;
  }
  const text = (key: string): string => {
    const value = fields[key];
    return typeof value === 'string' ? value : '';
  };
  const code = text('error');
  if (!ok || code !== '') {
    // The server's own reason, as x/oauth2 puts it: "invalid_client" "Bad client credentials".
    const reason = [code, text('error_description'), text('error_uri')].filter((s) => s !== '');
    return { error: code === '' ? status : `${status}: ${reason.map((s) => JSON.stringify(s)).join(' ')}` };
  }
  const accessToken = text('access_token');
  if (accessToken === '') return { error: `answered ${status} without an access_token` };
  return { authorization: `${tokenType(text('token_type'))} ${accessToken}`, accessToken };
}

/** x/oauth2's Token.Type(): the well-known types in their canonical case, Bearer when none. */
function tokenType(written: string): string {
  const canonical: Record<string, string> = { bearer: 'Bearer', mac: 'MAC', basic: 'Basic' };
  return canonical[written.toLowerCase()] ?? (written === '' ? 'Bearer' : written);
}

/** Go's url.QueryEscape: space as +, and !'()* escaped (encodeURIComponent leaves those). */
export function queryEscape(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
