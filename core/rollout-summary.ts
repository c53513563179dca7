// What `rollouts list` shows of a rollout (phase, step, canary weight, message), small enough to live
// in the workflow's memo: the workflow upserts it when it changes (workflows/search-attributes.ts), the
// client reads it back from one visibility list instead of querying every workflow.
import type { RolloutPhase, RolloutStatus } from './status.js';
import { shorten } from './text.js';

/** The memo key the summary is kept under. */
export const SUMMARY_MEMO_KEY = 'summary';

/** A message is cut to this length in the memo (the status query keeps it whole). */
export const SUMMARY_MESSAGE_MAX = 2048;

export interface RolloutSummary {
  phase: RolloutPhase;
  message: string;
  /** The status's currentStepIndex: null before the first canary, steps once every step has run. */
  step: number | null;
  /** How many canary steps the rollout has. */
  steps: number;
  /** The canary's traffic weight, %. */
  weight: number;
}

/** A line of `rollouts list`. */
export interface RolloutListItem extends RolloutSummary {
  namespace: string;
  name: string;
}

/** The part of a status the summary is made of (the workflow has it without building a whole status). */
export interface SummarySource {
  phase: RolloutPhase;
  message: string;
  currentStepIndex: number | null;
  steps: readonly unknown[];
  weights: { canary: number };
}

export function summaryOf(source: SummarySource): RolloutSummary {
  return {
    phase: source.phase,
    message: shorten(source.message, SUMMARY_MESSAGE_MAX),
    step: source.currentStepIndex,
    steps: source.steps.length,
    weight: source.weights.canary,
  };
}

export function sameSummary(a: RolloutSummary | undefined, b: RolloutSummary | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return (
    a.phase === b.phase &&
    a.message === b.message &&
    a.step === b.step &&
    a.steps === b.steps &&
    a.weight === b.weight
  );
}

/** The list line of a full status (a rollout whose memo has no summary, or `-o json`'s statuses). */
export function listItemOf(status: RolloutStatus): RolloutListItem {
  return { namespace: status.namespace, name: status.name, ...summaryOf(status) };
}

const PHASES: readonly string[] = ['Healthy', 'Progressing', 'Paused', 'Degraded'] satisfies RolloutPhase[];

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * The summary in a workflow's memo (as the client decodes it), or undefined when there is none or it
 * is not one (a run from before summaries, a memo someone else wrote): then the status query tells.
 */
export function readSummary(memo: Record<string, unknown> | undefined): RolloutSummary | undefined {
  const value = memo?.[SUMMARY_MEMO_KEY];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.phase !== 'string' || !PHASES.includes(v.phase)) return undefined;
  if (typeof v.message !== 'string') return undefined;
  if (!(v.step === null || isCount(v.step)) || !isCount(v.steps)) return undefined;
  if (typeof v.weight !== 'number' || !(v.weight >= 0 && v.weight <= 100)) return undefined;
  return {
    phase: v.phase as RolloutPhase,
    message: v.message,
    step: v.step,
    steps: v.steps,
    weight: v.weight,
  };
}
