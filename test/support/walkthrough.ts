// The seed's walkthrough (lab/walkthrough.ts, the script `npm run demo` plays) on a test's lab, with the
// cluster checked at every stop: the VirtualService weights, both Services' selectors, the rollout phase
// and the analysis verdicts; on the way, every timed pause and measurement is watched. Used by the
// end-to-end test as it is, and by the fault suite with faults injected around it: both compare what
// it returns.
import path from 'node:path';
import type { AnalysisPhase } from '../../core/analysis/types.js';
import type { RolloutStatus } from '../../core/status.js';
import {
  image,
  playWalkthrough,
  WALKTHROUGH_NAMESPACE,
  WALKTHROUGH_ROLLOUT,
  walkthroughManifests,
  type Expected,
  type WalkthroughManifests,
} from '../../lab/walkthrough.js';
import { imageOf, revisionOf, type Lab } from './lab.js';

export { image, type Expected };
const NAME = WALKTHROUGH_ROLLOUT;
const VIRTUAL_SERVICE = 'myapp-vsvc';
const ROUTE = 'primary';
const STABLE_SVC = 'myapp-stable-svc';
const CANARY_SVC = 'myapp-canary-svc';
const HASH_LABEL = 'rollouts-pod-template-hash';

/** What the cluster and the rollout looked like at one stop of the walkthrough. */
export interface Stop {
  stage: string;
  at: number;
  phase: RolloutStatus['phase'];
  step: number | null;
  /** Canary weight in the VirtualService, and what the rollout says it is. */
  vsCanaryWeight: number;
  vsStableWeight: number;
  statusCanaryWeight: number;
  /** The image each Service's selector picks, through the ReplicaSet with that hash. */
  stableServiceImage: string | undefined;
  canaryServiceImage: string | undefined;
  analysis: { revision: number; phase: AnalysisPhase }[];
}

/** The end state: what two runs of the walkthrough must agree on, faults or not. */
export interface FinalState {
  phase: RolloutStatus['phase'];
  stableImage: string | undefined;
  weights: { canary: number; stable: number };
  vsWeights: Record<string, number>;
  stableServiceImage: string | undefined;
  canaryServiceImage: string | undefined;
  /** revision → image and replicas, of every ReplicaSet left in the cluster. */
  replicaSets: { revision: number; image: string | undefined; replicas: number }[];
  /** revision → verdict of its background AnalysisRun. */
  verdicts: { revision: number; phase: AnalysisPhase }[];
}

export interface TimedPause {
  revision: number;
  step: number;
  /** Every distinct `until` the status showed for this pause: one, unless the timer restarted. */
  untils: string[];
  startedAt: string;
}

export interface WalkthroughResult {
  stops: Stop[];
  final: FinalState;
  pauses: TimedPause[];
  /** Measurements seen twice (same metric, same start): must be none. */
  duplicateMeasurements: string[];
  seconds: number;
}

export interface WalkthroughOptions {
  /** Default rollouts-demo; another namespace runs the same walkthrough beside it. */
  namespace?: string;
  /** How long each wait may take (a fault suite allows for restarts). Default 120 s. */
  waitMs?: number;
  log?: (line: string) => void;
}

/** The fast examples for this lab and namespace, in the lab's directory. */
function manifests(lab: Lab, namespace: string): WalkthroughManifests {
  const dir = path.join(lab.paths.walkthroughDir, namespace);
  return walkthroughManifests(dir, namespace, lab.url('PROMETHEUS_URL'));
}

export class Walkthrough {
  readonly namespace: string;
  readonly stops: Stop[] = [];
  private readonly pauses = new Map<string, TimedPause>();
  private readonly measurements = new Set<string>();
  private readonly duplicates: string[] = [];
  private readonly waitMs: number;
  private readonly log: (line: string) => void;
  private afterStop: WalkthroughHooks['afterStop'];

  constructor(
    private readonly lab: Lab,
    options: WalkthroughOptions = {},
  ) {
    this.namespace = options.namespace ?? WALKTHROUGH_NAMESPACE;
    this.waitMs = options.waitMs ?? 120_000;
    this.log = options.log ?? (() => undefined);
  }

  private rollouts(...args: string[]): Promise<string> {
    return this.lab.mustRollouts(...args, '-n', this.namespace);
  }

  /** Waits, watching timed pauses and measurements on the way. */
  private async waitFor(what: string, done: (s: RolloutStatus) => boolean): Promise<RolloutStatus> {
    this.log(`${this.namespace}: waiting until ${what}`);
    return this.lab.waitFor(
      NAME,
      this.namespace,
      what,
      (s) => {
        this.observe(s);
        return done(s);
      },
      this.waitMs,
    );
  }

  private observe(s: RolloutStatus): void {
    for (const pause of s.pauseConditions) {
      if (!pause.until || s.canaryRevision === undefined) continue;
      const key = `${s.canaryRevision.revision}:${s.currentStepIndex}`;
      const seen = this.pauses.get(key) ?? {
        revision: s.canaryRevision.revision,
        step: s.currentStepIndex ?? -1,
        untils: [],
        startedAt: pause.startTime,
      };
      if (!seen.untils.includes(pause.until)) seen.untils.push(pause.until);
      this.pauses.set(key, seen);
    }
    for (const run of s.analysisRuns)
      for (const metric of run.live?.metrics ?? []) {
        // The retained window slides, so a measurement is seen many times; twice in one status is a double count.
        const inThisStatus = new Set<string>();
        for (const m of metric.measurements) {
          const key = `${run.workflowId}/${metric.name}@${m.startedAt}`;
          if (inThisStatus.has(key)) this.duplicates.push(key);
          inThisStatus.add(key);
          this.measurements.add(key);
        }
        // Errors never count toward `count`, as in Argo (patch 'analysis-errors-not-counted').
        const counted = metric.successful + metric.failed + metric.inconclusive;
        if (counted !== metric.count)
          this.duplicates.push(
            `${run.workflowId}/${metric.name}: count ${metric.count} but ${counted} by phase`,
          );
      }
  }

  /** Records and checks one stop: the VirtualService and Services must say what the status says. */
  async stop(stage: string, s: RolloutStatus, expected: Expected): Promise<Stop | undefined> {
    const weights = await this.lab.routeWeights(this.namespace, VIRTUAL_SERVICE, ROUTE);
    const images = await this.imagesByHash();
    const selectorImage = async (service: string) => {
      const hash = (await this.lab.selector(this.namespace, service))[HASH_LABEL];
      return hash === undefined ? undefined : images.get(hash);
    };
    const stop: Stop = {
      stage,
      at: Date.now(),
      phase: s.phase,
      step: s.currentStepIndex,
      vsCanaryWeight: weights[CANARY_SVC] ?? NaN,
      vsStableWeight: weights[STABLE_SVC] ?? NaN,
      statusCanaryWeight: s.weights.canary,
      stableServiceImage: await selectorImage(STABLE_SVC),
      canaryServiceImage: await selectorImage(CANARY_SVC),
      analysis: s.analysisRuns.map((run) => ({ revision: run.revision, phase: run.phase })),
    };
    this.stops.push(stop);
    const problems: string[] = [];
    const check = (
      field: string,
      actual: string | number | undefined,
      wanted: string | number | undefined,
    ) => {
      if (wanted !== undefined && actual !== wanted)
        problems.push(`${field}: ${String(actual)}, expected ${String(wanted)}`);
    };
    check('phase', stop.phase, expected.phase);
    check('VirtualService canary weight', stop.vsCanaryWeight, expected.canaryWeight);
    if (expected.canaryWeight !== undefined)
      check('VirtualService stable weight', stop.vsStableWeight, 100 - expected.canaryWeight);
    check('status canary weight', stop.statusCanaryWeight, expected.canaryWeight);
    check(
      'stable Service selects',
      stop.stableServiceImage,
      expected.stableImage && image(expected.stableImage),
    );
    check(
      'canary Service selects',
      stop.canaryServiceImage,
      expected.canaryImage && image(expected.canaryImage),
    );
    for (const [revision, phase] of Object.entries(expected.verdicts ?? {}))
      check(
        `analysis of revision ${revision}`,
        stop.analysis.find((a) => a.revision === Number(revision))?.phase,
        phase,
      );
    this.log(
      `${this.namespace}: ${stage}: ${stop.phase} step ${String(stop.step)} weight ${stop.vsCanaryWeight}/${stop.vsStableWeight}` +
        ` stable→${String(stop.stableServiceImage)} canary→${String(stop.canaryServiceImage)}`,
    );
    if (problems.length && expected.mayMoveOn && (await this.movedOn(s))) {
      // A timed pause can end between the status and the reads of the cluster (seconds, on a loaded
      // machine): the step that follows is checked at its own stop.
      this.stops.pop();
      this.log(`${this.namespace}: ${stage}: moved on while the cluster was read (${problems.join('; ')})`);
      return undefined;
    }
    if (problems.length) throw new Error(`${this.namespace}, ${stage}:\n  ${problems.join('\n  ')}`);
    await this.afterStop?.(stop);
    return stop;
  }

  /** Whether the rollout left the step and phase `s` showed. */
  private async movedOn(s: RolloutStatus): Promise<boolean> {
    const now = await this.lab.status(NAME, this.namespace);
    return now.currentStepIndex !== s.currentStepIndex || now.phase !== s.phase;
  }

  private async imagesByHash(): Promise<Map<string, string | undefined>> {
    const replicaSets = await this.lab.replicaSets(this.namespace, NAME);
    return new Map(replicaSets.map((rs) => [rs.metadata?.labels?.[HASH_LABEL] ?? '', imageOf(rs)]));
  }

  /** Applies the Namespace, Services, VirtualService and Gateway: before `run`, once per namespace. */
  async prepare(): Promise<void> {
    await this.lab.applyFiles(...manifests(this.lab, this.namespace).objects);
  }

  /** Steps 1-5 (after `prepare`). */
  async run(hooks: WalkthroughHooks = {}): Promise<WalkthroughResult> {
    const began = Date.now();
    this.afterStop = hooks.afterStop;
    const last = await playWalkthrough(manifests(this.lab, this.namespace), {
      say: (line) => this.log(`${this.namespace}: ${line}`),
      rollouts: (...args) => this.rollouts(...args),
      tryRollouts: (...args) => this.lab.rollouts(...args, '-n', this.namespace),
      waitFor: (what, done) => this.waitFor(what, done),
      stop: (stage, s, expected) => this.stop(stage, s, expected),
      beforeGreenPromote: async () => {
        await hooks.beforeGreenPromote?.();
      },
    });
    return {
      stops: this.stops,
      final: await this.finalState(last),
      pauses: [...this.pauses.values()],
      duplicateMeasurements: [...this.duplicates],
      seconds: (Date.now() - began) / 1000,
    };
  }

  /** The end state, once the delayed scale-downs are done (the old stable waits scaleDownDelaySeconds). */
  async finalState(s: RolloutStatus): Promise<FinalState> {
    const settled = await this.lab.waitFor(
      NAME,
      this.namespace,
      'old ReplicaSets scaled down',
      (x) => x.replicaSets.every((rs) => rs.role === 'stable' || rs.desiredReplicas === 0),
      this.waitMs,
    );
    const images = await this.imagesByHash();
    const selectorImage = async (service: string) =>
      images.get((await this.lab.selector(this.namespace, service))[HASH_LABEL] ?? '');
    const replicaSets = await this.lab.replicaSets(this.namespace, NAME);
    return {
      phase: settled.phase,
      stableImage: s.stableRevision?.images[NAME],
      weights: { canary: settled.weights.canary, stable: settled.weights.stable },
      vsWeights: await this.lab.routeWeights(this.namespace, VIRTUAL_SERVICE, ROUTE),
      stableServiceImage: await selectorImage(STABLE_SVC),
      canaryServiceImage: await selectorImage(CANARY_SVC),
      replicaSets: replicaSets.map((rs) => ({
        revision: revisionOf(rs),
        image: imageOf(rs),
        replicas: rs.spec?.replicas ?? 0,
      })),
      verdicts: settled.analysisRuns
        .filter((run) => run.kind === 'background')
        .map((run) => ({ revision: run.revision, phase: run.phase })),
    };
  }
}

export interface WalkthroughHooks {
  /** Before green is promoted: set its error rate (the lab's is per image, so a suite with several
   * namespaces sets it once, before any of them gets there). */
  beforeGreenPromote?: () => Promise<void>;
  /** After each stop was checked, e.g. to look at the mesh page. */
  afterStop?: (stop: Stop) => Promise<void>;
}
