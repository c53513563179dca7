// The measuring activity: `measure` reads the metric's secret args, puts them into the provider, asks
// the provider (Prometheus or web) and returns a value or the reason there is none. Everything the
// outside world can do wrong (a missing Secret, Prometheus down, HTTP 500, HTML instead of JSON) is an
// Error measurement returned as data, which the analysis counts against consecutiveErrorLimit; only a
// bug in our own code throws. Secret values are masked out of whatever is returned or thrown.
import { Context } from '@temporalio/activity';
import axios, { type AxiosInstance } from 'axios';
import type { MeasureInput, MeasureResult, MetricValue } from '../../core/analysis/types.js';
import type { MetricActivities } from '../interface.js';
import type { Kube } from '../kube.js';
import { PrometheusClient } from './prometheus.js';
import { failed, type MeasureContext } from './provider.js';
import { readSecretArgs, SecretArgError, SecretMask } from './secrets.js';
import { substituteSecretArgs } from './substitute.js';
import { WebClient } from './web.js';

export interface MetricActivityDeps {
  kube: Kube;
  /** The HTTP client of every provider; a fresh axios instance when absent. */
  http?: AxiosInstance;
}

// Declared in the one contract file; re-exported for the metric tests that import it from here.
export type { MetricActivities } from '../interface.js';

/**
 * Values larger than this (as JSON) are refused: a measurement is kept in workflow history and in the
 * status (measurementRetention of them), so a whole API answer must not become one.
 */
export const MAX_VALUE_BYTES = 16 * 1024;

export function createMetricActivities(deps: MetricActivityDeps): MetricActivities {
  const http = deps.http ?? axios.create();
  const prometheus = new PrometheusClient(http);
  const web = new WebClient(http);

  async function measureWith(
    input: MeasureInput,
    mask: SecretMask,
    context: MeasureContext,
  ): Promise<MeasureResult> {
    let values: Record<string, string>;
    try {
      values = await readSecretArgs(deps.kube, input.namespace, input.secretArgs);
    } catch (err) {
      if (err instanceof SecretArgError) return failed(err.message);
      throw err;
    }
    mask.add(Object.values(values));
    const { provider, unresolved } = substituteSecretArgs(input.provider, values);
    if (unresolved.length > 0) {
      const names = unresolved.map((name) => `{{args.${name}}}`).join(', ');
      return failed(`${names} ${unresolved.length === 1 ? 'has' : 'have'} no value`);
    }
    // A client secret written into the template (not from a Secret) is a credential all the same.
    const oauth2 = (provider.prometheus ?? provider.web)?.authentication?.oauth2;
    if (oauth2) mask.add([oauth2.clientSecret]);
    if (provider.prometheus) return prometheus.measure(provider.prometheus, context);
    if (provider.web) return web.measure(provider.web, context);
    return failed('the metric has no provider that we support (prometheus, web)');
  }

  return {
    measure: async (input) => {
      const mask = new SecretMask();
      try {
        const result = await measureWith(input, mask, {
          signal: activitySignal(),
          mask: (text) => mask.text(text),
          secret: (value) => mask.add([value]),
        });
        return limitSize(maskResult(result, mask));
      } catch (err) {
        if (err instanceof Error) {
          err.message = mask.text(err.message);
          if (err.stack) err.stack = mask.text(err.stack);
        }
        throw err;
      }
    },
  };
}

/** The activity's cancellation signal; none when called outside an activity (a test, a dry run). */
function activitySignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    return undefined;
  }
}

function maskResult(result: MeasureResult, mask: SecretMask): MeasureResult {
  const masked: MeasureResult = {};
  if (result.value !== undefined) masked.value = mask.value(result.value);
  if (result.error !== undefined) masked.error = mask.text(result.error);
  return masked;
}

function limitSize(result: MeasureResult): MeasureResult {
  if (result.value === undefined) return result;
  const bytes = Buffer.byteLength(JSON.stringify(result.value satisfies MetricValue));
  if (bytes <= MAX_VALUE_BYTES) return result;
  return failed(
    `the value is ${bytes} bytes of JSON, more than ${MAX_VALUE_BYTES}: select less (jsonPath, or a narrower query)`,
  );
}
