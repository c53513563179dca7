// The condition language against Argo's own: every generated condition/result pair (argo-cases.ts) goes
// through our evaluateCondition and through Argo v1.10.2's utils/evaluate.EvalCondition (argo-oracle),
// and both must give the same verdict, or both an error (the messages may differ: ours name more).
import { describe, expect, it } from '@jest/globals';
import { decodeMetricValue } from '../../core/analysis/values.js';
import type { MetricValue } from '../../core/analysis/types.js';
import { evaluateCondition } from '../../core/expr/index.js';
import { askOracle, type OracleAnswer, type OracleResult } from '../support/argo-oracle.js';
import { conditionPairs } from './argo-cases.js';

/** The value our analysis hands the condition for what a provider returned (judge(), decodeMetricValue). */
function ourValue(result: OracleResult): unknown {
  return result.type === 'nil' ? null : decodeMetricValue(result.value as MetricValue);
}

function ours(condition: string, result: OracleResult): OracleAnswer {
  try {
    return {
      verdict: evaluateCondition(condition, ourValue(result), result.type === 'vector' ? 'vector' : 'json'),
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Pairs where we still decide differently, each with why: listed here, printed, and asserted to still
 * differ, so none is skipped silently and a fix must take its line out.
 */
const KNOWN_DIVERGENCES: Readonly<Record<string, string>> = {
  // expr-lang's sum() of an empty array is the int 0 (a float for any other array), and an int that
  // reaches isNaN/isInf at run time is a Go panic. Ours tracks ints by static type only.
  'isNaN((2 * sum(result))) on {"type":"vector","value":[]}': 'sum([]) is an int at run time',
  '!(isNaN((sum(result) + 2)) || -3 >= sum(result)) on {"type":"vector","value":[]}':
    'sum([]) is an int at run time',
};

const outcome = (answer: OracleAnswer): string =>
  answer.error !== undefined ? 'error' : String(answer.verdict);

describe('conditions against Argo v1.10.2 (utils/evaluate)', () => {
  it('gives the same verdict, or an error in both, on every generated pair', async () => {
    const pairs = conditionPairs();
    expect(pairs.length).toBeGreaterThanOrEqual(2000);
    const argo = await askOracle(
      pairs.map(({ condition, result }) => ({ op: 'condition', condition, result })),
    );
    const disagreements: string[] = [];
    const known: string[] = [];
    pairs.forEach(({ condition, result }, index) => {
      const theirs = argo[index] as OracleAnswer;
      const mine = ours(condition, result);
      const key = `${condition} on ${JSON.stringify(result)}`;
      if (outcome(theirs) !== outcome(mine) && key in KNOWN_DIVERGENCES) {
        known.push(key);
      } else if (outcome(theirs) !== outcome(mine)) {
        disagreements.push(
          `${JSON.stringify(condition)} on ${JSON.stringify(result)}: Argo ${theirs.error ?? String(theirs.verdict)}, ours ${mine.error ?? String(mine.verdict)}`,
        );
      }
    });
    const verdicts = argo.filter((answer) => answer.error === undefined).length;
    console.log(
      `argo-differential: ${pairs.length} cases (${verdicts} verdicts, ${pairs.length - verdicts} errors in Argo), ` +
        `${pairs.length - disagreements.length - known.length} agreed, ${disagreements.length} disagreed, ` +
        `${known.length} known divergences: ${known.map((key) => `${key} (${KNOWN_DIVERGENCES[key] ?? ''})`).join('; ')}`,
    );
    expect(disagreements).toEqual([]);
    expect(known.sort()).toEqual(Object.keys(KNOWN_DIVERGENCES).sort());
  });
});
