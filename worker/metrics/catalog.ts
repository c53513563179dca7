// Every metric the worker serves, with what it means. Argo Rollouts' controller metric names, types and
// labels where one exists (controller/metrics/prommetrics.go, v1.10.2), so dashboards made for Argo
// keep working; ours carry the `rollouts_` prefix. Each HELP says where the number comes from.
import { Registry, type Counter, type Gauge, type Histogram } from './registry.js';

/** Fractions of a second to a minute: lateness, queueing, most activities. */
const SHORT = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds to a day: steps and AnalysisRuns. */
const LONG = [1, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400];
/** Activities: a write takes milliseconds, a wait for pods minutes. */
const ACTIVITY = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

const SEEN =
  'Known for each rollout whose workflow this worker ran a task of since it started (a restarted worker ' +
  'learns an idle rollout at its next change); gone once its workflow no longer runs.';

export interface WorkerMetrics {
  registry: Registry;
  rolloutInfo: Gauge;
  replicasAvailable: Gauge;
  replicasUnavailable: Gauge;
  replicasDesired: Gauge;
  replicasUpdated: Gauge;
  rolloutPhase: Gauge;
  rolloutEvents: Counter;
  analysisRunInfo: Gauge;
  analysisRunPhase: Gauge;
  analysisRunMetricType: Gauge;
  analysisRunMetricPhase: Gauge;
  kubeRequests: Counter;
  statusPhase: Gauge;
  stepDuration: Histogram;
  analysisRunDuration: Histogram;
  measurementLateness: Histogram;
  activityDuration: Histogram;
  activityFailures: Counter;
  activityScheduleToStart: Histogram;
}

export function createWorkerMetrics(registry = new Registry()): WorkerMetrics {
  const r = registry;
  return {
    registry,
    // ---- Argo's
    rolloutInfo: r.gauge(
      'rollout_info',
      "Information about rollout. phase as Argo's metrics calculate it from the Progressing condition (Completed, Progressing, Paused, Timeout, Error, Abort, InvalidSpec). " +
        SEEN,
      ['namespace', 'name', 'strategy', 'traffic_router', 'phase'],
    ),
    replicasAvailable: r.gauge(
      'rollout_info_replicas_available',
      'The number of available replicas per rollout: status.availableReplicas as last observed by the rollout (pods are not watched). ' +
        SEEN,
      ['namespace', 'name'],
    ),
    replicasUnavailable: r.gauge(
      'rollout_info_replicas_unavailable',
      'The number of unavailable replicas per rollout: status.replicas - status.availableReplicas, as last observed. ' +
        SEEN,
      ['namespace', 'name'],
    ),
    replicasDesired: r.gauge(
      'rollout_info_replicas_desired',
      'The number of desired replicas per rollout (spec.replicas). ' + SEEN,
      ['namespace', 'name'],
    ),
    replicasUpdated: r.gauge(
      'rollout_info_replicas_updated',
      "The number of updated replicas per rollout: status.updatedReplicas (the current revision's), as last observed. " +
        SEEN,
      ['namespace', 'name'],
    ),
    rolloutPhase: r.gauge(
      'rollout_phase',
      'Information on the state of the rollout (DEPRECATED - use rollout_info): 1 for its phase, 0 for the others. ' +
        SEEN,
      ['namespace', 'name', 'strategy', 'phase'],
    ),
    rolloutEvents: r.counter(
      'rollout_events_total',
      "Count of rollout events: the Kubernetes Events recorded on Rollout objects (rollouts driven by one) by this worker's status writes.",
      ['namespace', 'name', 'type', 'reason'],
    ),
    analysisRunInfo: r.gauge(
      'analysis_run_info',
      "Information about analysis run. name: the AnalysisRun object's (base) name when the rollout is driven by a Rollout object, else <rollout>:rev<N>:<k> from the run's workflow id. " +
        "Known for the runs this worker ran a task of; the last 5 successful and 5 unsuccessful finished runs of each rollout are kept, as Argo's history limits.",
      ['namespace', 'name', 'phase'],
    ),
    analysisRunPhase: r.gauge(
      'analysis_run_phase',
      'Information on the state of the Analysis Run (DEPRECATED - use analysis_run_info): 1 for its phase, 0 for the others.',
      ['namespace', 'name', 'phase'],
    ),
    analysisRunMetricType: r.gauge(
      'analysis_run_metric_type',
      'Information on the type of a specific metric in the Analysis Runs (Prometheus, Web).',
      ['namespace', 'name', 'metric', 'type'],
    ),
    analysisRunMetricPhase: r.gauge(
      'analysis_run_metric_phase',
      "Information on the duration of a specific metric in the Analysis Run (Argo's words; it is the metric's phase): 1 for its phase, 0 for the others.",
      ['namespace', 'name', 'metric', 'type', 'dry_run', 'phase'],
    ),
    kubeRequests: r.counter(
      'controller_clientset_k8s_request_total',
      "Number of kubernetes requests executed during application reconciliation: those of this worker's activities (not its watcher's). " +
        'kind is the resource (a subresource such as /status counts against its object); name N/A for lists, events and replicasets, as Argo; status_code 0 when no answer came.',
      ['kind', 'namespace', 'name', 'verb', 'status_code'],
    ),
    // ---- ours
    statusPhase: r.gauge(
      'rollouts_status_phase',
      "Each rollout's status phase (Healthy, Progressing, Paused, Degraded: status.phase, `rollouts get`, the RolloutPhase search attribute), 1 for the phase it is in. " +
        "From the workflows this worker ran a task of, and for the others from Temporal's list of running rollouts (at start and every 30 s); gone once its workflow no longer runs.",
      ['namespace', 'name', 'phase'],
    ),
    stepDuration: r.histogram(
      'rollouts_step_duration_seconds',
      'Seconds from when a rollout reached a canary step (the first: when its revision began) until it moved on or the revision ended (promoted, aborted, superseded), by step kind; workflow time. A user pause before the step counts in it.',
      ['namespace', 'name', 'kind'],
      LONG,
    ),
    analysisRunDuration: r.histogram(
      'rollouts_analysis_run_duration_seconds',
      "Seconds from an AnalysisRun's start to its end (across continue-as-new), by its templates (analysis) and final phase; workflow time.",
      ['namespace', 'rollout', 'analysis', 'phase'],
      LONG,
    ),
    measurementLateness: r.histogram(
      'rollouts_measurement_lateness_seconds',
      "Seconds from when a measurement was due (its initialDelay, or interval after the previous one) to when the AnalysisRun workflow scheduled its measure activity: the timer's and the workflow task's delay. The activity's own queueing is rollouts_activity_schedule_to_start_seconds{activity_type=\"measure\"}.",
      ['namespace', 'rollout', 'metric'],
      SHORT,
    ),
    activityDuration: r.histogram(
      'rollouts_activity_duration_seconds',
      'Seconds each activity attempt ran on this worker, by activity type and outcome (Completed, Failed).',
      ['activity_type', 'outcome'],
      ACTIVITY,
    ),
    activityFailures: r.counter(
      'rollouts_activity_failures_total',
      'Failed activity attempts on this worker, by activity type and kind: NotFound, RouteNotFound, Invalid, Forbidden (permanent: the rollout aborts), Transient (retried), Cancelled, or Unexpected (an unclassified error: retried).',
      ['activity_type', 'kind'],
    ),
    activityScheduleToStart: r.histogram(
      'rollouts_activity_schedule_to_start_seconds',
      "Seconds from when Temporal scheduled an activity attempt to when this worker began it (its queueing; the server's clock against the worker's).",
      ['activity_type'],
      SHORT,
    ),
  };
}
