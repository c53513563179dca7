// Reading activity failures in workflow code.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { isPermanentFailureType } from '../core/failures.js';

/** The message of a non-retryable activity failure, or undefined for anything else. */
export function permanentFailureMessage(err: unknown): string | undefined {
  if (!(err instanceof ActivityFailure)) return undefined;
  const cause = err.cause;
  if (cause instanceof ApplicationFailure && (cause.nonRetryable || isPermanentFailureType(cause.type)))
    return cause.message;
  return undefined;
}
