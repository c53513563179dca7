// What each message does, and when it does not apply. `check*` returns the one-line reason a request
// cannot be taken (the update validators reject with it; signals log it and change nothing);
// `apply*` records the request in the state's PendingRequests (pending-requests.ts), where the steps
// read it, and returns the answer for the person who sent it. Payloads come from anyone who can reach
// the server (the Temporal UI, `temporal workflow signal`), so each check also refuses wrong types,
// unknown fields and oversized values, naming them, before anything is recorded.
import { patched } from '@temporalio/workflow';
import { checkDefinition } from '../core/definition-check.js';
import { isObject } from '../core/json.js';
import { imageProblem } from '../core/manifest/names.js';
import { describeStep } from '../core/steps.js';
import type { RolloutDefinition } from '../core/types.js';
import { MAX_REASON_LENGTH } from '../core/limits.js';
import { shorten } from '../core/text.js';
import type { AbortInput, DeployInput, PromoteInput } from './messages.js';
import type { PendingRequests } from './pending-requests.js';
import { BACK_TO_STABLE_FINISHES_STEPS, TEMPLATE_MATCHES_REPLICA_SET } from './patches.js';
import { podMetadataManaged, podMetadataOutOfSync } from './pod-metadata.js';
import type { RolloutState } from './state.js';

/** A value in a one-line reason: as JSON, cut short (a payload can be megabytes). */
function shown(value: unknown): string {
  return shorten(JSON.stringify(value) ?? String(value));
}

/**
 * An optional payload: absent, null, or an object with only the `known` fields. A misspelt field is
 * refused rather than ignored: `{"ful": true}` must not quietly promote one step instead of all.
 */
function payloadProblem(
  verb: string,
  input: unknown,
  known: readonly string[],
  example: string,
): string | undefined {
  if (input === undefined || input === null) return undefined;
  if (!isObject(input)) return `${verb}: payload must be ${example}`;
  const unknown = Object.keys(input).find((key) => !known.includes(key));
  if (unknown === undefined) return undefined;
  return `${verb}: unknown field ${shown(unknown)}, expected ${known.length ? known.join(', ') : 'none'}`;
}

export class RolloutRequests {
  constructor(private readonly state: RolloutState) {}

  /** What the steps will act on; written here only once a check has passed. */
  private get pending(): PendingRequests {
    return this.state.requests;
  }

  private get name(): string {
    return this.state.definition.name;
  }

  private phaseText(): string {
    return this.state.phase().phase;
  }

  // ---- promote

  checkPromote(input: unknown): string | undefined {
    const problem = payloadProblem('promote', input, ['full'], 'an object like {"full": true}');
    if (problem) return problem;
    const full = isObject(input) ? input.full : undefined;
    if (full !== undefined && typeof full !== 'boolean')
      return `promote: "full" must be true or false, not ${shown(full)}`;
    if (this.state.data.aborted)
      return `${this.name} is aborted: use retry to restart its steps, or deploy a new revision`;
    if (!this.state.canaryInProgress) return `nothing to promote: ${this.name} is ${this.phaseText()}`;
    if (full === true) return undefined;
    if (this.state.work.pause || this.pending.paused) return undefined;
    // Argo's promote skips the step that runs; here a running analysis step (a step waiting for its
    // pods would still need them for the traffic the next step keeps).
    if (this.runningAnalysisStep() !== undefined) return undefined;
    const index = this.state.data.currentStepIndex ?? 0;
    const step = this.state.definition.canary.steps[index];
    const doing = step
      ? `step ${index + 1}/${this.state.definition.canary.steps.length} (${describeStep(step)}) is running`
      : 'it is promoting';
    return `${this.name} is not paused: ${doing}; use --full to skip every remaining step`;
  }

  /** The index of the analysis step that runs now (not paused on its verdict), if that is what runs. */
  private runningAnalysisStep(): number | undefined {
    const index = this.state.data.currentStepIndex;
    if (index === null || this.state.work.pause || !this.state.analysisStepSkippable) return undefined;
    return this.state.definition.canary.steps[index]?.kind === 'analysis' ? index : undefined;
  }

  applyPromote(input: PromoteInput | undefined): string {
    if (input?.full) {
      this.pending.promote = 'full';
      this.pending.paused = false;
      return `promoting ${this.name} fully: skipping the remaining steps`;
    }
    if (this.pending.paused) {
      // Promoting a paused rollout resumes it; it promotes a step too when a step's pause holds it.
      this.pending.paused = false;
      const pause = this.state.work.pause;
      if (!pause || pause.reason === 'PausedByUser') return `resumed ${this.name}`;
    }
    this.pending.promote = 'step';
    const index = this.state.data.currentStepIndex ?? 0;
    const next = this.state.definition.canary.steps[index + 1];
    const skipped =
      this.runningAnalysisStep() === index
        ? ` (step ${index + 1}'s analysis skipped, its run terminated)`
        : '';
    return next
      ? `promoted ${this.name}${skipped}: next is step ${index + 2} (${describeStep(next)})`
      : `promoted ${this.name}${skipped}: next is full promotion`;
  }

  // ---- abort

  checkAbort(input: unknown): string | undefined {
    const problem = payloadProblem('abort', input, ['reason'], 'an object like {"reason": "…"}');
    if (problem) return problem;
    const reason = isObject(input) ? input.reason : undefined;
    if (reason !== undefined && typeof reason !== 'string')
      return `abort: "reason" must be a string, not ${shown(reason)}`;
    if (typeof reason === 'string' && reason.length > MAX_REASON_LENGTH)
      return `abort: "reason" is ${reason.length} characters long, expected at most ${MAX_REASON_LENGTH}`;
    if (this.state.data.aborted) return `${this.name} is already aborted`;
    if (!this.state.stable)
      return `nothing to abort: ${this.name} is deploying its first revision, which has no stable to return to`;
    if (!this.state.canaryInProgress) return `nothing to abort: ${this.name} is ${this.phaseText()}`;
    return undefined;
  }

  applyAbort(input: AbortInput | undefined): string {
    const rev = this.state.desired;
    this.pending.abort = input?.reason
      ? `aborted by user: ${input.reason}`
      : `aborted by user: update to revision ${rev.number} (${rev.hash})`;
    return `aborting ${this.name}: traffic goes back to the stable revision`;
  }

  // ---- retry

  checkRetry(input: unknown): string | undefined {
    const problem = payloadProblem('retry', input, [], 'an object or empty');
    if (problem) return problem;
    if (!this.state.data.aborted) return `nothing to retry: ${this.name} is ${this.phaseText()}, not aborted`;
    return undefined;
  }

  applyRetry(): string {
    this.state.data.aborted = undefined;
    this.state.clearCondition('Aborted');
    return this.state.stable
      ? `retrying ${this.name} from step 1`
      : `retrying the first deploy of ${this.name}`;
  }

  // ---- pause / resume

  checkPause(input: unknown): string | undefined {
    const problem = payloadProblem('pause', input, [], 'an object or empty');
    if (problem) return problem;
    if (this.pending.paused) return `${this.name} is already paused`;
    return undefined;
  }

  applyPause(): string {
    this.pending.paused = true;
    return `paused ${this.name}: it stops before its next step`;
  }

  checkResume(input: unknown): string | undefined {
    const problem = payloadProblem('resume', input, [], 'an object or empty');
    if (problem) return problem;
    if (!this.pending.paused) return `${this.name} is not paused by a user`;
    return undefined;
  }

  applyResume(): string {
    this.pending.paused = false;
    return `resumed ${this.name}`;
  }

  // ---- deploy: a new definition, or one container's new image

  checkDeploy(input: unknown): string | undefined {
    if (!isObject(input)) return 'deploy: payload must be an object with "rollout" or "image"';
    const problem = payloadProblem('deploy', input, ['rollout', 'image', 'invalidSpec', 'cluster'], '');
    if (problem) return problem;
    const { rollout, image, invalidSpec, cluster } = input;
    if ([rollout, image, invalidSpec].filter((given) => given !== undefined).length !== 1)
      return cluster === undefined
        ? 'deploy: give exactly one of "rollout" or "image"'
        : 'deploy: give exactly one of "rollout", "image" or "invalidSpec"';
    const source = this.checkClusterSource(cluster, invalidSpec);
    if (source) return source;
    if (invalidSpec !== undefined) return undefined;
    if (image !== undefined) {
      if (
        !isObject(image) ||
        typeof image.container !== 'string' ||
        typeof image.image !== 'string' ||
        image.image === ''
      )
        return 'deploy: "image" must be {"container": "<name>", "image": "<image>"}';
      const extra = payloadProblem('deploy', image, ['container', 'image'], '');
      if (extra) return extra.replace('unknown field ', 'unknown field in "image": ');
      const wrong = imageProblem(image.image);
      if (wrong) return `deploy: image.image: ${wrong}`;
      const names = this.state.definition.template.spec.containers.map((c) => c.name);
      if (!names.includes(image.container))
        return `deploy: ${this.name} has no container ${shown(image.container)} (containers: ${names.join(', ')})`;
      return undefined;
    }
    const errors = checkDefinition(rollout);
    if (errors.length > 3) return `deploy: ${errors.slice(0, 3).join('; ')} (and ${errors.length - 3} more)`;
    if (errors.length) return `deploy: ${errors.join('; ')}`;
    const def = rollout as RolloutDefinition;
    const current = this.state.definition;
    if (def.name !== current.name || def.namespace !== current.namespace)
      return `deploy: this workflow manages ${current.namespace}/${current.name}, not ${def.namespace}/${def.name}`;
    return undefined;
  }

  /**
   * A deploy from the Rollout object is taken once per generation (a relist, two watchers or a late
   * event send it again); a rollout driven by its object takes no definition from anywhere else, so
   * the object and the workflow never disagree on what is desired.
   */
  private checkClusterSource(cluster: unknown, invalidSpec: unknown): string | undefined {
    const taken = this.state.data.cluster;
    if (cluster === undefined)
      return taken
        ? `deploy: ${this.name} is driven by its Rollout object: change the object (kubectl apply, kubectl argo rollouts set image)`
        : invalidSpec === undefined
          ? undefined
          : 'deploy: "invalidSpec" comes only with "cluster"';
    if (
      !isObject(cluster) ||
      typeof cluster.uid !== 'string' ||
      cluster.uid === '' ||
      cluster.uid.length > 128 ||
      !Number.isSafeInteger(cluster.generation) ||
      (cluster.generation as number) < 1
    )
      return 'deploy: "cluster" must be {"uid": "<the Rollout\'s uid>", "generation": <its metadata.generation, 1 or more>}';
    if (
      cluster.stepHash !== undefined &&
      (typeof cluster.stepHash !== 'string' || !/^[a-z0-9]{1,16}$/.test(cluster.stepHash))
    )
      return 'deploy: "cluster.stepHash" must be the steps\' hash (lower-case letters and digits)';
    const extra = payloadProblem('deploy', cluster, ['uid', 'generation', 'stepHash'], '');
    if (extra) return extra.replace('unknown field ', 'unknown field in "cluster": ');
    if (invalidSpec !== undefined && (typeof invalidSpec !== 'string' || invalidSpec === ''))
      return 'deploy: "invalidSpec" must be the lint message of the generation that failed';
    if (taken && taken.uid === cluster.uid && (cluster.generation as number) <= taken.generation)
      return `deploy: generation ${String(cluster.generation)} of ${this.name} is already taken (at generation ${taken.generation})`;
    return undefined;
  }

  applyDeploy(input: DeployInput): string {
    if (input.cluster) this.state.data.cluster = { ...input.cluster };
    if (input.invalidSpec !== undefined) {
      this.state.setCondition('InvalidSpec', true, 'InvalidSpec', input.invalidSpec);
      return `${this.name}: generation ${input.cluster?.generation ?? '?'} is invalid: ${input.invalidSpec}`;
    }
    if (input.cluster) this.state.clearCondition('InvalidSpec');
    // spec.paused of the object is the plugin's pause and resume (Argo's controllerPause aside).
    const pausedBySpec =
      input.cluster && input.rollout && input.rollout.paused !== this.state.definition.paused
        ? input.rollout.paused
        : undefined;
    const result = this.applyDefinition(input);
    if (pausedBySpec === undefined || pausedBySpec === this.pending.paused) return result;
    return `${result}; ${pausedBySpec ? this.applyPause() : this.applyResume()}`;
  }

  private applyDefinition(input: DeployInput): string {
    const definition =
      input.rollout ?? this.withImage(input.image?.container ?? '', input.image?.image ?? '');
    // Only a template whose own hash is new asks; histories from before never did.
    const sameAs = this.state.replicaSetFor(definition);
    const changed = this.state.acceptDefinition(
      definition,
      sameAs !== undefined && patched(TEMPLATE_MATCHES_REPLICA_SET) ? sameAs : undefined,
    );
    // Marks this history as managing ephemeral metadata, so that a change of only the metadata is
    // work for the control loop (pod-metadata.ts); histories from before never get the mark.
    podMetadataManaged(this.state);
    const rev = this.state.desired;
    if (!changed && podMetadataOutOfSync(this.state).length > 0)
      return `${this.name}: revision ${rev.number} (${rev.hash}) keeps its template; its pods get the new canaryMetadata/stableMetadata`;
    if (!changed)
      return `${this.name} is unchanged: revision ${rev.number} (${rev.hash}) already has this template`;
    const wasAborted = this.state.data.aborted !== undefined;
    this.state.data.aborted = undefined; // a new revision replaces an aborted one (Argo)
    this.state.clearCondition('Aborted');
    if (rev.hash === this.state.stable?.hash) {
      // Argo's rollback to the stable: every step counts as done. A canary in flight is abandoned
      // that way (endings.ts); an aborted one runs nothing that would, so it is done here.
      const steps = this.state.definition.canary.steps.length;
      if (wasAborted && steps > 0 && patched(BACK_TO_STABLE_FINISHES_STEPS))
        this.state.data.currentStepIndex = steps;
      return `${this.name}: back to the stable template (${rev.hash})`;
    }
    return `${this.name}: revision ${rev.number} (${rev.hash}) accepted`;
  }

  private withImage(container: string, image: string): RolloutDefinition {
    const def = this.state.definition;
    const containers = def.template.spec.containers.map((c) => (c.name === container ? { ...c, image } : c));
    return { ...def, template: { ...def.template, spec: { ...def.template.spec, containers } } };
  }
}
