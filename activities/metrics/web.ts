// The web provider: one HTTP request, and the value `jsonPath` selects from its JSON answer (numbers
// stay numbers, strings strings, objects and lists as they are). Without jsonPath the whole JSON answer
// is the value. A status outside 2xx, or an answer that is not JSON, is an Error measurement. With
// authentication.oauth2, a client-credentials token goes with the request (oauth2.ts).
// https://argo-rollouts.readthedocs.io/en/stable/analysis/web/
import type { AxiosInstance } from 'axios';
import type { MeasureResult, MetricValue, WebProvider } from '../../core/analysis/types.js';
import {
  checkHttpUrl,
  describeBody,
  displayUrl,
  headerObject,
  httpRequest,
  isSuccess,
  parseJson,
  setHeader,
} from './http.js';
import { JsonPathError, selectJsonPath } from './jsonpath.js';
import { fetchOAuth2Token } from './oauth2.js';
import { failed, type MeasureContext, type MetricProviderClient } from './provider.js';

export const DEFAULT_WEB_TIMEOUT_SECONDS = 10;

export class WebClient implements MetricProviderClient<WebProvider> {
  constructor(private readonly http: AxiosInstance) {}

  async measure(config: WebProvider, context: MeasureContext): Promise<MeasureResult> {
    const method = config.method ?? 'GET';
    const where = `${method} ${displayUrl(config.url)}`;
    const invalid = checkHttpUrl(config.url);
    if (invalid) return failed(`web metric: the url ${invalid.error}`, context);
    const headers = headerObject(config.headers);
    let data = config.body;
    if (config.jsonBody !== undefined) {
      data = JSON.stringify(config.jsonBody);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
        headers['Content-Type'] = 'application/json';
    }
    // Argo: 0 or less is its default.
    const timeoutSeconds =
      config.timeoutSeconds !== undefined && config.timeoutSeconds > 0
        ? config.timeoutSeconds
        : DEFAULT_WEB_TIMEOUT_SECONDS;
    // The token and the request share the timeout: a measurement ends within it (and the activity's limit).
    const deadline = Date.now() + timeoutSeconds * 1000;
    const oauth2 = config.authentication?.oauth2;
    if (oauth2) {
      const token = await fetchOAuth2Token(this.http, oauth2, {
        timeoutSeconds,
        deadline,
        insecure: config.insecure,
        signal: context.signal,
        secret: context.secret,
      });
      if ('error' in token) return failed(`${where}: ${token.error}`, context);
      context.secret?.(token.accessToken);
      // Argo's oauth2 transport sets it on the request last: it wins over a header of the same name.
      setHeader(headers, 'Authorization', token.authorization);
    }
    const answer = await httpRequest(this.http, {
      method,
      url: config.url,
      headers,
      data,
      timeoutSeconds,
      deadline,
      insecure: config.insecure,
      signal: context.signal,
    });
    if ('error' in answer) return failed(`${where}: ${answer.error}`, context);
    if (!isSuccess(answer.status))
      return failed(
        `${where}: HTTP ${answer.status}${answer.statusText ? ` ${answer.statusText}` : ''} (expected 2xx)`,
        context,
      );
    const parsed = parseJson(answer.body);
    if (!parsed) return failed(`${where}: answered with ${describeBody(answer)}, expected JSON`, context);
    if (!config.jsonPath) return { value: parsed.value as MetricValue };
    try {
      const selection = selectJsonPath(config.jsonPath, parsed.value);
      if (!selection.found)
        return failed(`${where}: jsonPath ${config.jsonPath} selects nothing in the answer`, context);
      return { value: selection.value as MetricValue };
    } catch (err) {
      if (err instanceof JsonPathError) return failed(err.message, context);
      throw err;
    }
  }
}
