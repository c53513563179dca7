// What a rollout's workflow is doing, read from Temporal's side (no worker needed), for the outage
// scenarios that must meet one activity: the pending activities (type, state, attempt, last failure),
// the worker held still (SIGSTOP) at the moment a chosen activity is under way, and afterwards the
// retried attempts its history recorded, with the summary each activity was scheduled with.
import { Client, Connection, defaultPayloadConverter } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Lab } from '../../support/lab.js';

const EventType = temporal.api.enums.v1.EventType;
const State = temporal.api.enums.v1.PendingActivityState;

export interface PendingActivity {
  id: string;
  type: string;
  state: 'Scheduled' | 'Started' | 'CancelRequested' | 'Unspecified';
  attempt: number;
  lastFailure?: string;
}

export interface RetriedActivity {
  type: string;
  summary?: string;
  /** The attempt that finally ran (the history keeps only the last start of an activity). */
  attempt: number;
  lastFailure?: string;
}

function stateName(state: number | null | undefined): PendingActivity['state'] {
  switch (state) {
    case State.PENDING_ACTIVITY_STATE_SCHEDULED:
      return 'Scheduled';
    case State.PENDING_ACTIVITY_STATE_STARTED:
      return 'Started';
    case State.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED:
      return 'CancelRequested';
    default:
      return 'Unspecified';
  }
}

/** A failure's message with its causes ("…: cause: …"), which is where the network reason sits. */
function failureText(failure: temporal.api.failure.v1.IFailure | null | undefined): string | undefined {
  const parts: string[] = [];
  for (let f = failure; f; f = f.cause) if (f.message) parts.push(f.message);
  return parts.length ? parts.join(' | cause: ') : undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ActivityProbe {
  private held = false;

  private constructor(
    private readonly lab: Lab,
    private readonly connection: Connection,
    private readonly client: Client,
  ) {}

  static async connect(lab: Lab): Promise<ActivityProbe> {
    const connection = await Connection.connect({ address: lab.url('TEMPORAL_ADDRESS') });
    return new ActivityProbe(lab, connection, new Client({ connection, namespace: 'default' }));
  }

  async close(): Promise<void> {
    this.resumeWorker();
    await this.connection.close();
  }

  /** The latest run of the workflow and its pending activities (none if it does not exist yet). */
  async pending(workflowId: string): Promise<{ runId?: string; activities: PendingActivity[] }> {
    let described;
    try {
      described = await this.client.workflow.getHandle(workflowId).describe();
    } catch (err) {
      if ((err as Error).name === 'WorkflowNotFoundError') return { activities: [] };
      throw err;
    }
    return {
      runId: described.runId,
      activities: (described.raw.pendingActivities ?? []).map((a) => ({
        id: a.activityId ?? '',
        type: a.activityType?.name ?? '',
        state: stateName(a.state),
        attempt: a.attempt ?? 0,
        ...(a.lastFailure ? { lastFailure: failureText(a.lastFailure) } : {}),
      })),
    };
  }

  /**
   * Lets the worker run in slices of `runMs` and looks at the workflow between them with the worker
   * stopped (SIGSTOP), until an activity `matches`. Returns with the worker still stopped, so whatever
   * the caller does next (stopping the API server) happens before that activity can go on;
   * `resumeWorker()` lets it go. Short slices catch activities that take milliseconds.
   */
  async holdWorkerWhen(
    workflowId: string,
    matches: (activity: PendingActivity) => boolean,
    { runMs, timeoutMs }: { runMs: number; timeoutMs: number },
  ): Promise<{ runId: string; activity: PendingActivity; looks: number }> {
    const deadline = Date.now() + timeoutMs;
    for (let looks = 1; ; looks++) {
      this.lab.kill('worker', 'SIGSTOP');
      this.held = true;
      try {
        const { runId, activities } = await this.pending(workflowId);
        const activity = activities.find(matches);
        if (runId && activity) return { runId, activity, looks };
      } catch (err) {
        this.resumeWorker();
        throw err;
      }
      this.resumeWorker();
      if (Date.now() > deadline)
        throw new Error(`${workflowId}: no matching activity within ${timeoutMs / 1000}s (${looks} looks)`);
      await sleep(runMs);
    }
  }

  resumeWorker(): void {
    if (!this.held) return;
    this.held = false;
    this.lab.kill('worker', 'SIGCONT');
  }

  /** The activities of one run that needed more than one attempt, from its history. */
  async retriedActivities(workflowId: string, runId: string): Promise<RetriedActivity[]> {
    const history = await this.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const scheduled = new Map<string, { type: string; summary?: string }>();
    const retried: RetriedActivity[] = [];
    for (const event of history.events ?? []) {
      const id = String(event.eventId ?? '');
      if (event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        const summary = event.userMetadata?.summary;
        scheduled.set(id, {
          type: event.activityTaskScheduledEventAttributes?.activityType?.name ?? '',
          ...(summary ? { summary: defaultPayloadConverter.fromPayload<string>(summary) } : {}),
        });
      }
      const started = event.activityTaskStartedEventAttributes;
      if (
        event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
        started &&
        (started.attempt ?? 0) > 1
      ) {
        const of = scheduled.get(String(started.scheduledEventId ?? ''));
        retried.push({
          type: of?.type ?? '?',
          ...(of?.summary ? { summary: of.summary } : {}),
          attempt: started.attempt ?? 0,
          ...(started.lastFailure ? { lastFailure: failureText(started.lastFailure) } : {}),
        });
      }
    }
    return retried;
  }
}
