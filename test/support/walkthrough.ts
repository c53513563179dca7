// The seed's walkthrough (../shared/seed/README.md, steps 1-5) at demo pace (examples/fast), driven only
// through the `rollouts` command on a lab, with the cluster checked at every stop: the VirtualService
// weights, both Services' selectors, the rollout phase and the analysis verdicts. Used by the end-to-end
// test as it is, and by the fault suite with faults injected around it: both compare what it returns.
import fs from 'node:fs';
import path from 'node:path';
import type { AnalysisPhase } from '../../core/analysis/types.js';
import type { RolloutStatus } from '../../core/status.js';
import { imageOf, revisionOf, type Lab } from './lab.js';
import { repoRoot, testOutput } from './paths.js';

const examples = path.join(repoRoot, 'examples', 'fast');
export const image = (colour: string) => `argoproj/rollouts-demo:${colour}`;
const NAME = 'myapp';
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

/** The fast examples for this lab and namespace: its Prometheus address, the namespace renamed. */
function manifests(lab: Lab, namespace: string): { objects: string[]; rollout: string[] } {
  const dir = path.join(testOutput, 'walkthrough', path.basename(lab.paths.dir), namespace);
  fs.mkdirSync(dir, { recursive: true });
  const write = (file: string) => {
    const text = fs
      .readFileSync(path.join(examples, file), 'utf8')
      .replaceAll('namespace: rollouts-demo', `namespace: ${namespace}`)
      .replace(/^(\s+name: )rollouts-demo$/m, `$1${namespace}`)
      .replaceAll('http://127.0.0.1:9090', lab.url('PROMETHEUS_URL'));
    const target = path.join(dir, file);
    fs.writeFileSync(target, text);
    return target;
  };
  return {
    objects: ['00-namespace.yaml', '01-services.yaml', '02-virtualservice.yaml', '03-gateway.yaml'].map(
      write,
    ),
    rollout: ['04-analysistemplate.yaml', '05-rollout.yaml'].map(write),
  };
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
    this.namespace = options.namespace ?? 'rollouts-demo';
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
        const total = metric.successful + metric.failed + metric.inconclusive + metric.error;
        if (total !== metric.count)
          this.duplicates.push(
            `${run.workflowId}/${metric.name}: count ${metric.count} but ${total} by phase`,
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

  /** Steps 1-5. */
  async run(hooks: WalkthroughHooks = {}): Promise<WalkthroughResult> {
    const began = Date.now();
    this.afterStop = hooks.afterStop;
    const { rollout } = manifests(this.lab, this.namespace);
    const onImage = (colour: string) => (s: RolloutStatus) =>
      s.phase === 'Healthy' && s.stableRevision?.images[NAME] === image(colour) && !s.canaryRevision;
    const pausedAtFirstStep = (colour: string) => (s: RolloutStatus) =>
      s.phase === 'Paused' && s.canaryRevision?.images[NAME] === image(colour) && s.currentStepIndex === 1;

    // 1. blue, straight to full scale.
    await this.rollouts('apply', '-f', rollout[0] as string, '-f', rollout[1] as string);
    let s = await this.waitFor('blue is Healthy', onImage('blue'));
    await this.stop('1. blue deployed', s, {
      phase: 'Healthy',
      canaryWeight: 0,
      stableImage: 'blue',
      canaryImage: 'blue',
    });

    // 2. yellow: 20 %, paused until promoted, background analysis running.
    await this.rollouts('set', 'image', NAME, `${NAME}=${image('yellow')}`);
    s = await this.waitFor('yellow is paused at 20 %', pausedAtFirstStep('yellow'));
    await this.stop('2. yellow at 20 %, paused', s, {
      phase: 'Paused',
      canaryWeight: 20,
      stableImage: 'blue',
      canaryImage: 'yellow',
      verdicts: { 2: 'Running' },
    });

    // 3. promote: 40, 60, 80 with timed pauses, then yellow is stable.
    await this.rollouts('promote', NAME);
    for (const [step, weight] of [
      [3, 40],
      [5, 60],
      [7, 80],
    ] as const) {
      s = await this.waitFor(
        `yellow is paused at ${weight} %`,
        (x) => (x.currentStepIndex ?? 0) > step || (x.currentStepIndex === step && x.phase === 'Paused'),
      );
      if (s.currentStepIndex === step)
        await this.stop(`3. yellow at ${weight} %, timed pause`, s, {
          phase: 'Paused',
          canaryWeight: weight,
          stableImage: 'blue',
          canaryImage: 'yellow',
          mayMoveOn: true,
        });
    }
    s = await this.waitFor('yellow is stable', onImage('yellow'));
    await this.stop('3. yellow stable', s, {
      phase: 'Healthy',
      canaryWeight: 0,
      stableImage: 'yellow',
      canaryImage: 'yellow',
      verdicts: { 2: 'Successful' },
    });

    // 4. green at 20 %, errors injected, promote: the analysis aborts it, weight back to 0.
    await this.rollouts('set', 'image', NAME, `${NAME}=${image('green')}`);
    s = await this.waitFor(
      'green is paused at 20 % (or already rolled back)',
      (x) => pausedAtFirstStep('green')(x) || x.aborted,
    );
    if (!s.aborted)
      await this.stop('4. green at 20 %, paused', s, {
        phase: 'Paused',
        canaryWeight: 20,
        stableImage: 'yellow',
        canaryImage: 'green',
      });
    await hooks.beforeGreenPromote?.();
    if (!s.aborted) {
      // The analysis may abort green between the wait above and this promote: then the rollout refuses it
      // ("myapp is aborted: use retry…"), or there is nothing left to promote.
      const promoted = await this.lab.rollouts('promote', NAME, '-n', this.namespace);
      if (
        promoted.code !== 0 &&
        !promoted.err.startsWith('nothing to promote') &&
        !promoted.err.startsWith(`${NAME} is aborted`)
      )
        throw new Error(`promote green: ${promoted.err}`);
    }
    s = await this.waitFor(
      'the analysis rolls green back',
      (x) =>
        x.aborted &&
        x.weights.canary === 0 &&
        x.analysisRuns.some((r) => r.revision === 3 && r.phase === 'Failed'),
    );
    await this.stop('4. green rolled back by its analysis', s, {
      phase: 'Degraded',
      canaryWeight: 0,
      stableImage: 'yellow',
      canaryImage: 'yellow',
      verdicts: { 3: 'Failed' },
    });

    // 5. purple (the fix) completes.
    await this.rollouts('set', 'image', NAME, `${NAME}=${image('purple')}`);
    s = await this.waitFor('purple is paused at 20 %', pausedAtFirstStep('purple'));
    await this.stop('5. purple at 20 %, paused', s, {
      phase: 'Paused',
      canaryWeight: 20,
      stableImage: 'yellow',
      canaryImage: 'purple',
    });
    await this.rollouts('promote', NAME);
    s = await this.waitFor('purple is stable', onImage('purple'));
    await this.stop('5. purple stable', s, {
      phase: 'Healthy',
      canaryWeight: 0,
      stableImage: 'purple',
      canaryImage: 'purple',
      verdicts: { 4: 'Successful' },
    });

    return {
      stops: this.stops,
      final: await this.finalState(s),
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

export interface Expected {
  phase?: RolloutStatus['phase'];
  canaryWeight?: number;
  stableImage?: string;
  canaryImage?: string;
  /** revision → phase of its AnalysisRun. */
  verdicts?: Record<number, AnalysisPhase>;
  /** A timed pause: it may end while the stop is read, and then the stop is skipped. */
  mayMoveOn?: boolean;
}
