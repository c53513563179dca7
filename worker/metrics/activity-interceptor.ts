// Every activity attempt on this worker, timed and, when it fails, counted by the kind of failure
// (activities/errors.ts' classification); a status write's Events counted as Argo's rollout_events_total.
import { performance } from 'node:perf_hooks';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { PermanentFailureType, TransientFailureType } from '../../core/failures.js';
import type { WriteRolloutStatusInput, WriteRolloutStatusResult } from '../../activities/interface.js';
import type { WorkerMetrics } from './catalog.js';

const KINDS = new Set<string>([...Object.values(PermanentFailureType), TransientFailureType]);

/** NotFound, RouteNotFound, Invalid, Forbidden, Transient, Cancelled, or Unexpected (anything unclassified). */
export function failureKind(err: unknown): string {
  if (err instanceof CancelledFailure) return 'Cancelled';
  if (err instanceof ApplicationFailure && err.type && KINDS.has(err.type)) return err.type;
  return 'Unexpected';
}

/**
 * The Events a writeRolloutStatus attempt recorded: those of its input once the status is written, or
 * found written by an earlier attempt (activities/rollout-status.ts records them then, once).
 */
export function recordedEvents(
  activityType: string,
  input: unknown,
  result: unknown,
): WriteRolloutStatusInput['events'] {
  if (activityType !== 'writeRolloutStatus') return [];
  const written = result as WriteRolloutStatusResult | undefined;
  if (!written?.written && !written?.reason?.startsWith('already written')) return [];
  return (input as WriteRolloutStatusInput | undefined)?.events ?? [];
}

export function activityMetrics(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const type = ctx.info.activityType;
        const queued = (Date.now() - ctx.info.currentAttemptScheduledTimestampMs) / 1000;
        metrics.activityScheduleToStart.observe({ activity_type: type }, Math.max(0, queued));
        const began = performance.now();
        const seconds = () => (performance.now() - began) / 1000;
        try {
          const result = await next(input);
          metrics.activityDuration.observe({ activity_type: type, outcome: 'Completed' }, seconds());
          const status = input.args[0] as WriteRolloutStatusInput | undefined;
          for (const event of recordedEvents(type, status, result) ?? [])
            metrics.rolloutEvents.inc({
              namespace: status?.namespace ?? '',
              name: status?.name ?? '',
              type: event.type,
              reason: event.reason,
            });
          return result;
        } catch (err) {
          metrics.activityDuration.observe({ activity_type: type, outcome: 'Failed' }, seconds());
          metrics.activityFailures.inc({ activity_type: type, kind: failureKind(err) });
          throw err;
        }
      },
    },
  });
}
