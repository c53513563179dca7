// The typed client behind the `rollouts` command, scripts (client/index.ts) and the tests: every
// action on a rollout is an update to its entity workflow, so the caller gets an immediate answer, or
// the one-line reason it does not apply. Status is a query; waitForPhase polls it. The list is one
// visibility call, each line the summary the workflow keeps in its memo.
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type UpdateDefinition,
  type WorkflowHandle,
} from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import {
  listItemOf,
  readSummary,
  type RolloutListItem,
  type RolloutSummary,
} from '../core/rollout-summary.js';
import type { RolloutStatus } from '../core/status.js';
import type { RolloutDefinition } from '../core/types.js';
import {
  abortUpdate,
  analysisStatusQuery,
  deployUpdate,
  pauseUpdate,
  promoteUpdate,
  resumeUpdate,
  retryUpdate,
  ROLLOUT_WORKFLOW_TYPE,
  rolloutWorkflowId,
  parseRolloutWorkflowId,
  rolloutWorkflowIdPrefix,
  statusQuery,
  type ActionResult,
  type ClusterSource,
} from '../workflows/messages.js';
import type { rolloutWorkflow } from '../workflows/rollout.js';
import {
  RevisionImageKey,
  RolloutNameKey,
  RolloutNamespaceKey,
  RolloutPhaseKey,
} from '../workflows/search-attributes.js';
import { CALLS_AT_ONCE, mapInOrder } from './concurrency.js';
import { loadRolloutFiles, type RolloutFilesOptions } from './manifest-files.js';
import { sendUpdate } from './update-retry.js';
import { waitForStatus, type StatusWanted, type WaitOptions } from './wait.js';

const QUERY_DEADLINE_MS = 3000;
const LIST_PAGE_SIZE = 1000;
/** A namespace that can go into a list query as it is (a DNS label always can). */
const QUERY_SAFE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GRPC_DEADLINE_EXCEEDED = 4;

const GRPC_UNIMPLEMENTED = 12;

function isUnimplemented(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.code === GRPC_UNIMPLEMENTED || e?.cause?.code === GRPC_UNIMPLEMENTED;
}

function isDeadlineExceeded(err: unknown): boolean {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  return e?.code === GRPC_DEADLINE_EXCEEDED || e?.cause?.code === GRPC_DEADLINE_EXCEEDED;
}

/** The rollout refused the action (nothing to promote, not aborted…): a user error, not a failure. */
export class ActionRejectedError extends Error {}

export class RolloutNotFoundError extends Error {
  constructor(namespace: string, name: string) {
    super(`rollout ${namespace}/${name} not found (no workflow ${rolloutWorkflowId(namespace, name)})`);
  }
}

export interface ApplyResult extends ActionResult {
  started: boolean;
}

export interface RolloutRef {
  namespace: string;
  name: string;
}

interface RolloutListEntry {
  id: string;
  ref: RolloutRef;
  summary: RolloutSummary | undefined;
}

export interface AppliedRollout {
  /** The definition sent, with the AnalysisTemplates it uses. */
  rollout: RolloutDefinition;
  result: ApplyResult;
}

export class RolloutsClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  private handle(namespace: string, name: string): WorkflowHandle<typeof rolloutWorkflow> {
    return this.client.workflow.getHandle(rolloutWorkflowId(namespace, name));
  }

  /**
   * Runs an update, sent again while the server drops it unaccepted (client/update-retry.ts), and
   * turns a validator's rejection and a missing workflow into clear errors.
   */
  private async act<Arg>(
    namespace: string,
    name: string,
    update: UpdateDefinition<ActionResult, [Arg]>,
    arg: Arg,
  ): Promise<ActionResult> {
    try {
      return await sendUpdate((updateId) =>
        this.handle(namespace, name).executeUpdate(update, { args: [arg], updateId }),
      );
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError)
        throw new ActionRejectedError(err.cause?.message ?? err.message);
      if (err instanceof WorkflowNotFoundError) throw new RolloutNotFoundError(namespace, name);
      throw err;
    }
  }

  /** Starts the rollout's workflow, or gives it the definition as a new revision. */
  async apply(rollout: RolloutDefinition): Promise<ApplyResult> {
    const { namespace, name } = rollout;
    for (let attempt = 0; ; attempt++) {
      try {
        const result = await sendUpdate((updateId) =>
          this.handle(namespace, name).executeUpdate(deployUpdate, { args: [{ rollout }], updateId }),
        );
        return { ...result, started: false };
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError)
          throw new ActionRejectedError(err.cause?.message ?? err.message);
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      try {
        await this.startWorkflow(rollout);
        return { started: true, message: `rollout ${namespace}/${name} created` };
      } catch (err) {
        // Someone else started it between our two calls: deliver the definition as a revision.
        if (!(err instanceof WorkflowExecutionAlreadyStartedError) || attempt > 2) throw err;
      }
    }
  }

  /**
   * `rollouts apply -f`: every Rollout of the files, validated with its templates first; throws
   * ManifestFilesError (every error) or UnreadableFileError and applies nothing when one is wrong.
   */
  async applyFiles(paths: string[], options: RolloutFilesOptions = {}): Promise<AppliedRollout[]> {
    // A few at a time, in the files' order; the first failure stops the rest and is thrown.
    return mapInOrder(await loadRolloutFiles(paths, options), CALLS_AT_ONCE, async (rollout) => ({
      rollout,
      result: await this.apply(rollout),
    }));
  }

  private registered?: Promise<boolean>;

  /** Whether the namespace has our search attributes (a server without them refuses a start that sets them). */
  private searchAttributesRegistered(): Promise<boolean> {
    this.registered ??= this.client.connection.operatorService
      .listSearchAttributes({ namespace: this.client.options.namespace })
      .then((answer) => RolloutNameKey.name in (answer.customAttributes ?? {}))
      .catch(() => false); // a server without the operator API (the test server) has none either
    return this.registered;
  }

  /**
   * The watcher's deploy of one generation of a Rollout object: an update-with-start, so the first
   * generation starts the workflow and every later one is a `deploy` of it. A generation already taken
   * is refused by the workflow (ActionRejectedError), which is how a relist or a second watcher is told.
   */
  async deployFromCluster(rollout: RolloutDefinition, cluster: ClusterSource): Promise<ActionResult> {
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof rolloutWorkflow>(
      ROLLOUT_WORKFLOW_TYPE,
      {
        workflowId: rolloutWorkflowId(rollout.namespace, rollout.name),
        taskQueue: this.taskQueue,
        args: [{ rollout }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        ...(await this.searchAttributes(rollout)),
      },
    );
    try {
      return await sendUpdate((updateId) =>
        this.client.workflow.executeUpdateWithStart(deployUpdate, {
          args: [{ rollout, cluster }],
          updateId,
          startWorkflowOperation,
        }),
      );
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError)
        throw new ActionRejectedError(err.cause?.message ?? err.message);
      throw err;
    }
  }

  /**
   * A generation of a Rollout object that fails lint, for the workflow already running it: its status
   * shows InvalidSpec while the last valid generation stays. Throws RolloutNotFoundError when none runs.
   */
  invalidSpec(
    namespace: string,
    name: string,
    cluster: ClusterSource,
    message: string,
  ): Promise<ActionResult> {
    return this.act(namespace, name, deployUpdate, { invalidSpec: message, cluster });
  }

  /** Our search attributes when the server knows them, so the UI and CLI can find rollouts. */
  private async searchAttributes(rollout: RolloutDefinition) {
    const image = rollout.template.spec.containers[0]?.image ?? '';
    return (await this.searchAttributesRegistered())
      ? {
          typedSearchAttributes: [
            { key: RolloutNameKey, value: rollout.name },
            { key: RolloutNamespaceKey, value: rollout.namespace },
            { key: RolloutPhaseKey, value: 'Progressing' },
            { key: RevisionImageKey, value: image },
          ],
        }
      : {};
  }

  private async startWorkflow(rollout: RolloutDefinition): Promise<void> {
    await this.client.workflow.start<typeof rolloutWorkflow>(ROLLOUT_WORKFLOW_TYPE, {
      workflowId: rolloutWorkflowId(rollout.namespace, rollout.name),
      taskQueue: this.taskQueue,
      args: [{ rollout }],
      ...(await this.searchAttributes(rollout)),
    });
  }

  /**
   * The Rollout object `uid` was deleted: its workflow ends (terminated, so nothing more is written;
   * the garbage collector deletes what the object owned). A workflow driven by another object of the
   * same name, or by none, is left alone. Says whether one was ended.
   */
  async endDeleted(namespace: string, name: string, uid: string): Promise<boolean> {
    let status: RolloutStatus;
    try {
      status = await this.status(namespace, name);
    } catch (err) {
      if (err instanceof RolloutNotFoundError) return false;
      throw err;
    }
    if (status.cluster?.uid !== uid) return false;
    try {
      await this.handle(namespace, name).terminate(`Rollout ${namespace}/${name} (uid ${uid}) was deleted`);
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return false; // ended meanwhile
      throw err;
    }
    return true;
  }

  setImage(namespace: string, name: string, container: string, image: string): Promise<ActionResult> {
    return this.act(namespace, name, deployUpdate, { image: { container, image } });
  }

  promote(namespace: string, name: string, full = false): Promise<ActionResult> {
    return this.act(namespace, name, promoteUpdate, { full });
  }

  abort(namespace: string, name: string, reason?: string): Promise<ActionResult> {
    return this.act(namespace, name, abortUpdate, reason ? { reason } : {});
  }

  retry(namespace: string, name: string): Promise<ActionResult> {
    return this.act(namespace, name, retryUpdate, {});
  }

  pause(namespace: string, name: string): Promise<ActionResult> {
    return this.act(namespace, name, pauseUpdate, {});
  }

  resume(namespace: string, name: string): Promise<ActionResult> {
    return this.act(namespace, name, resumeUpdate, {});
  }

  /**
   * The rollout's status. A query that reaches a run as it continues as new can go unanswered, so
   * each attempt has a deadline and a second one goes to the new run.
   */
  async status(namespace: string, name: string): Promise<RolloutStatus> {
    return this.withLiveAnalysis(await this.queryStatus(namespace, name));
  }

  /** The rollout's own status query, without its AnalysisRuns' live metrics (see `status`). */
  private async queryStatus(namespace: string, name: string): Promise<RolloutStatus> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
          this.handle(namespace, name).query(statusQuery),
        );
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw new RolloutNotFoundError(namespace, name);
        if (!isDeadlineExceeded(err) || attempt >= 3) throw err;
      }
    }
  }

  /**
   * The status once the rollout is in phase `wanted` ("Paused", "Healthy", …) or a condition on its
   * status holds; throws WaitTimeoutError (saying what it last was) after `timeoutMs`.
   */
  waitForPhase(
    namespace: string,
    name: string,
    wanted: StatusWanted,
    timeoutMs = 120_000,
    options: Omit<WaitOptions, 'timeoutMs'> = {},
  ): Promise<RolloutStatus> {
    return waitForStatus(() => this.status(namespace, name), `${namespace}/${name}`, wanted, {
      ...options,
      timeoutMs,
      isFinal: (err) => err instanceof RolloutNotFoundError,
    });
  }

  /** Each AnalysisRun's metrics come from its own workflow (kept out of the rollout's history). */
  private async withLiveAnalysis(status: RolloutStatus): Promise<RolloutStatus> {
    const analysisRuns = await Promise.all(
      status.analysisRuns.map(async (run) => {
        try {
          const live = await this.client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
            this.client.workflow.getHandle(run.workflowId).query(analysisStatusQuery),
          );
          return { ...run, live };
        } catch {
          return run; // a run whose history is gone: the rollout's own record of it is enough
        }
      }),
    );
    return { ...status, analysisRuns };
  }

  /**
   * What `rollouts list` shows of the running rollouts, optionally of one namespace, from one
   * visibility list (paged): each workflow's memo summary (core/rollout-summary.ts). Only a workflow
   * without one (a run from before summaries, one whose first task has not run, a server whose list
   * carries no memo) is asked for its status, those few at a time.
   */
  async list(namespace?: string): Promise<RolloutListItem[]> {
    const found = await this.runningWithSummary(namespace);
    const items = await mapInOrder(found, CALLS_AT_ONCE, async ({ ref, summary }) => {
      if (summary) return { ...ref, ...summary };
      try {
        return listItemOf(await this.queryStatus(ref.namespace, ref.name));
      } catch (err) {
        if (err instanceof RolloutNotFoundError) return undefined; // ended since the list
        throw err;
      }
    });
    return items.filter((item): item is RolloutListItem => item !== undefined);
  }

  /**
   * The full status of every running rollout, optionally of one namespace (`list -o json`): a query of
   * each (and of its AnalysisRuns), a few at a time, so slower than `list` with many rollouts.
   */
  async statuses(namespace?: string): Promise<RolloutStatus[]> {
    const statuses = await mapInOrder(await this.running(namespace), CALLS_AT_ONCE, async (ref) => {
      try {
        return await this.status(ref.namespace, ref.name);
      } catch (err) {
        if (err instanceof RolloutNotFoundError) return undefined; // ended since the list
        throw err;
      }
    });
    return statuses.filter((s): s is RolloutStatus => s !== undefined);
  }

  /** The rollouts whose workflow runs, optionally of one namespace, from visibility (no query of each). */
  async running(namespace?: string): Promise<RolloutRef[]> {
    return (await this.runningWithSummary(namespace)).map(({ ref }) => ref);
  }

  /**
   * The running rollout workflows, sorted, each with the summary in its memo (undefined: none). With
   * our search attributes registered the namespace is part of the query (workflows started without
   * them, RolloutNamespace unset, are filtered here by id).
   */
  private async runningWithSummary(namespace?: string): Promise<RolloutListEntry[]> {
    const prefix = rolloutWorkflowIdPrefix(namespace);
    let query = `WorkflowType = '${ROLLOUT_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`;
    if (namespace !== undefined && QUERY_SAFE.test(namespace) && (await this.searchAttributesRegistered()))
      query += ` AND (${RolloutNamespaceKey.name} = '${namespace}' OR ${RolloutNamespaceKey.name} IS NULL)`;
    const found = new Map<string, Record<string, unknown> | undefined>();
    try {
      for await (const execution of this.client.workflow.list({ query, pageSize: LIST_PAGE_SIZE }))
        found.set(execution.workflowId, execution.memo);
    } catch (err) {
      if (!isUnimplemented(err)) throw err;
      for (const [id, memo] of await this.openWithoutQueries()) found.set(id, memo);
    }
    const entries: RolloutListEntry[] = [];
    for (const [id, memo] of found) {
      if (!id.startsWith(prefix)) continue;
      const ref = parseRolloutWorkflowId(id);
      if (ref) entries.push({ id, ref, summary: readSummary(memo) });
    }
    return entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /**
   * Open rollout workflows, with their memo, through the older list call, for a server without list
   * queries (the time-skipping test server has no visibility store).
   */
  private async openWithoutQueries(): Promise<Map<string, Record<string, unknown> | undefined>> {
    const open = new Map<string, Record<string, unknown> | undefined>();
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await this.client.workflowService.listOpenWorkflowExecutions({
        namespace: this.client.options.namespace,
        typeFilter: { name: ROLLOUT_WORKFLOW_TYPE },
        maximumPageSize: LIST_PAGE_SIZE,
        ...(nextPageToken ? { nextPageToken } : {}),
      });
      for (const execution of page.executions) {
        const id = execution.execution?.workflowId;
        if (id) open.set(id, this.decodeMemo(execution.memo?.fields));
      }
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return open;
  }

  /** A raw memo as the list call decodes it; a field that does not decode is left out. */
  private decodeMemo(
    fields: Record<string, Payload> | null | undefined,
  ): Record<string, unknown> | undefined {
    if (!fields) return undefined;
    const { payloadConverter } = this.client.options.loadedDataConverter;
    const memo: Record<string, unknown> = {};
    for (const [key, payload] of Object.entries(fields)) {
      try {
        memo[key] = payloadConverter.fromPayload(payload);
      } catch {
        // not ours to read: the summary, if it is this one, is missing and the query tells
      }
    }
    return memo;
  }

  /** The uid of the Rollout object driving this rollout; undefined when none runs or none drives it. */
  async clusterUid(namespace: string, name: string): Promise<string | undefined> {
    try {
      return (await this.status(namespace, name)).cluster?.uid;
    } catch (err) {
      if (err instanceof RolloutNotFoundError) return undefined;
      throw err;
    }
  }
}
