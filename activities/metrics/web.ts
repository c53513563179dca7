// The web provider: one HTTP request, and the value `jsonPath` selects from its JSON answer (numbers
// stay numbers, strings strings, objects and lists as they are). Without jsonPath the whole JSON answer
// is the value. A status outside 2xx, or an answer that is not JSON, is an Error measurement.
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
} from './http.js';
import { JsonPathError, selectJsonPath } from './jsonpath.js';
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
    const answer = await httpRequest(this.http, {
      method,
      url: config.url,
      headers,
      data,
      timeoutSeconds: config.timeoutSeconds ?? DEFAULT_WEB_TIMEOUT_SECONDS,
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
