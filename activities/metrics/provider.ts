// What every metric provider implements (Argo's metric provider interface, reduced to one call). A
// provider gets its configuration with every `{{args.x}}` already resolved, secrets included, and
// answers with a value or the reason there is none: a provider failure (connection refused, HTTP 500,
// a body that is not JSON) is an Error measurement returned as data, never a thrown, retried activity.
import type { MeasureResult } from '../../core/analysis/types.js';

export interface MeasureContext {
  /** Aborted when the activity is cancelled: the request stops and the provider rethrows. */
  signal?: AbortSignal;
  /** Hides secret values; applied to a message before it is shortened, so no part of one survives the cut. */
  mask?: (text: string) => string;
  /** Adds a credential met while measuring (an oauth2 access token) to what the mask hides. */
  secret?: (value: string) => void;
}

export interface MetricProviderClient<Config> {
  measure(config: Config, context: MeasureContext): Promise<MeasureResult>;
}

/** Error messages stay short: they travel through workflow history and show in `rollouts get`. */
export const MAX_MESSAGE_CHARS = 300;

export function capMessage(text: string, max = MAX_MESSAGE_CHARS): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
}

export function failed(message: string, context?: MeasureContext): MeasureResult {
  return { error: capMessage(context?.mask ? context.mask(message) : message) };
}
