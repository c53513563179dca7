// Failure types that activities raise and the workflow reads. Permanent ones are non-retryable
// ApplicationFailures: retrying cannot help, so the rollout aborts with the message, which names
// the object and the field. Everything else is transient and retried with backoff.
export const PermanentFailureType = {
  /** A named object (VirtualService, Service, DestinationRule…) does not exist. */
  NotFound: 'NotFound',
  /** A route, destination or subset named in the Rollout is missing from the object. */
  RouteNotFound: 'RouteNotFound',
  /** The API server refused the object as invalid (422) or forbade the write (403). */
  Invalid: 'Invalid',
  Forbidden: 'Forbidden',
} as const;

export type PermanentFailureType = (typeof PermanentFailureType)[keyof typeof PermanentFailureType];

export const TransientFailureType = 'Transient';

export function isPermanentFailureType(type: string | undefined | null): type is PermanentFailureType {
  return type !== undefined && type !== null && Object.values<string>(PermanentFailureType).includes(type);
}
