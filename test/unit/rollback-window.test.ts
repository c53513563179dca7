// Argo's isRollbackWithinWindow (rollout/sync.go) as a decision table: ReplicaSets ordered by the
// revision that created each, as Argo orders them by creationTimestamp.
import { describe, expect, it } from '@jest/globals';
import { isRollbackWithinWindow, type ReplicaSetCreation } from '../../core/rollback-window.js';

const rs = (hash: string, createdRevision: number): ReplicaSetCreation => ({ hash, createdRevision });
/** a (rev 1), b (rev 2), c (rev 3), d (rev 4, stable). */
const four = [rs('a', 1), rs('b', 2), rs('c', 3), rs('d', 4)];

describe('isRollbackWithinWindow', () => {
  const cases: [string, number | undefined, string, string, ReplicaSetCreation[], boolean][] = [
    ['the previous revision, window 1', 1, 'c', 'd', four, true],
    ['two back, window 1 (c lies between)', 1, 'b', 'd', four, false],
    ['two back, window 2', 2, 'b', 'd', four, true],
    ['three back, window 3', 3, 'a', 'd', four, true],
    ['three back, window 2', 2, 'a', 'd', four, false],
    ['no window', undefined, 'c', 'd', four, false],
    ['window 0 (Argo: no window)', 0, 'c', 'd', four, false],
    ['a template never seen (no ReplicaSet)', 5, 'x', 'd', four, false],
    ['a pruned ReplicaSet is no rollback', 5, 'a', 'd', [rs('c', 3), rs('d', 4)], false],
    ['pruned ReplicaSets between do not count', 1, 'a', 'd', [rs('a', 1), rs('d', 4)], true],
    [
      'a newer ReplicaSet than the stable (an aborted canary) is no rollback',
      5,
      'e',
      'd',
      [...four, rs('e', 5)],
      false,
    ],
    ['ReplicaSets newer than the stable do not count', 1, 'c', 'd', [...four, rs('e', 5)], true],
    ['no stable ReplicaSet', 5, 'c', 'z', four, false],
  ];
  it.each(cases)('%s', (_what, revisions, desiredHash, stableHash, replicaSets, expected) => {
    expect(isRollbackWithinWindow({ revisions, desiredHash, stableHash, replicaSets })).toBe(expected);
  });
});
