// evaluateConditionAsBefore: the rules analysis runs begun before patch 'conditions-as-argo' were
// judged by, kept so their histories replay. Each row is a condition both rule sets accept whose
// verdict the patch changed: the old verdict here, and a check that the new rules do differ.
import { describe, expect, it } from '@jest/globals';
import { evaluateCondition, evaluateConditionAsBefore } from '../../core/expr/index.js';

/** condition, result, the verdict before (true/false) or the start of its error. */
type Row = [string, unknown, boolean | string];

const ROWS: Row[] = [
  // No type check: a comparison across types is false, nil fields end a ?. chain, strings index.
  ['result == 1', '1', false],
  ['asFloat(result) == "1.1"', '1.1', false],
  ['result?.a.b == nil', null, true],
  ['result?.[0] == nil', null, true],
  ['1 in result', null, false],
  ['false && result.x.y', null, false],
  ['result[0] == "h"', 'hello', true],
  ['result > 0.9', '0.95', 'cannot compare string and number with >'],
  ['result % 2 == 0', 2.5, '% needs integers'],
  // isNil and default looked at their argument, not the whole result.
  ['default(result[0], 0) >= 0.9', [0.95], true],
  ['default(result.rate, 1) == 1', {}, true],
  ['isNil(result.x)', { x: null }, true],
  // isInf took Go's sign; int() and asInt() refused what int64 cannot hold; a missing index was -1.
  ['isInf(result, 1)', Infinity, true],
  ['isInf(result, 1)', -Infinity, false],
  ['isInf(result, -1)', -Infinity, true],
  ['asInt(result) == 1', NaN, 'asInt() cannot convert number (NaN) to an integer'],
  ['int(result) < 0', Infinity, 'int() cannot convert number (+Inf) to an integer'],
  ['findLastIndex(result, # > 5) == -1', [1, 2, 3], true],
  ['findIndex(result, # > 5) == -1', [1, 2, 3], true],
  // nil on either side of contains failed; every comparison chained.
  ['result contains "a"', null, 'contains needs two strings'],
  ['result.s startsWith "a"', {}, 'startsWith needs two strings'],
  ['1 == 1 == true', null, false],
];

function outcome(run: () => boolean): boolean | string {
  try {
    return run();
  } catch (err) {
    return (err as Error).message;
  }
}

describe('evaluateConditionAsBefore', () => {
  it.each(ROWS)('%s with result %p', (condition, result, before) => {
    const old = outcome(() => evaluateConditionAsBefore(condition, result));
    if (typeof before === 'boolean') expect(old).toBe(before);
    else expect(String(old)).toContain(before);
    expect(outcome(() => evaluateCondition(condition, result))).not.toEqual(old);
  });

  it('agrees with the new rules on the conditions Argo documents', () => {
    const documented: Row[] = [
      ['result[0] >= 0.95', [0.97], true],
      ['result[0] >= 0.95', [0.9], false],
      ['len(result) == 0 || result[0] < 0.01', [], true],
      ['isNaN(result[0]) || result[0] >= 0.95', [NaN], true],
      ['result.successful == true', { successful: true }, true],
      ['default(result, 0) >= 0.9', null, false],
    ];
    for (const [condition, result, verdict] of documented) {
      expect(evaluateConditionAsBefore(condition, result)).toBe(verdict);
      expect(evaluateCondition(condition, result)).toBe(verdict);
    }
  });
});
