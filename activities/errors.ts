// Turns what the outside world throws into Temporal failures of the right kind: permanent errors fail
// the activity at once (non-retryable), transient ones are retried by Temporal with backoff. Messages
// name the object and field; whole API response bodies never go into history.
import { ApplicationFailure } from '@temporalio/common';
import { PermanentFailureType, TransientFailureType } from '../core/failures.js';

export function permanentFailure(type: PermanentFailureType, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true });
}

export function transientFailure(message: string, cause?: Error): ApplicationFailure {
  return ApplicationFailure.create({ type: TransientFailureType, message, nonRetryable: false, cause });
}

/** Status codes from an HTTP-shaped error (client-node's ApiException has `code`). */
export function statusCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  for (const candidate of [e.code, e.statusCode, e.response?.status]) {
    if (typeof candidate === 'number') return candidate;
  }
  return undefined;
}

/** The API server's own one-line reason (a Status object's `message`), never the whole body. */
function serverMessage(err: unknown): string | undefined {
  const body = (err as { body?: unknown } | null)?.body;
  const parsed = typeof body === 'string' ? safeParse(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message.slice(0, 300) : undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Classifies a Kubernetes API error. `what` names the object, e.g. `VirtualService rollouts-demo/myapp-vsvc`.
 * 404 → NotFound, 422/400 → Invalid, 403 → Forbidden (permanent); 409, 429, 5xx, network → transient.
 */
export function classifyKubeError(err: unknown, what: string): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const code = statusCode(err);
  const reason = serverMessage(err);
  const suffix = reason ? `: ${reason}` : '';
  if (code === 404) return permanentFailure(PermanentFailureType.NotFound, `${what} not found${suffix}`);
  if (code === 422 || code === 400)
    return permanentFailure(PermanentFailureType.Invalid, `${what} was rejected as invalid${suffix}`);
  if (code === 403)
    return permanentFailure(PermanentFailureType.Forbidden, `${what}: access forbidden${suffix}`);
  const detail = code !== undefined ? `HTTP ${code}${suffix}` : networkReason(err);
  return transientFailure(`${what}: ${detail}`);
}

function networkReason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const full = typeof e?.message === 'string' ? e.message : String(err);
  // Shortened from the front: the end says what failed ("reason: connect ECONNREFUSED 127.0.0.1:6443").
  const message = full.length > 200 ? `…${full.slice(-199)}` : full;
  return code ? `${code} (${message})` : message;
}
