// scaleDownDelayRevisionLimit (core/scale-down-limit.ts) as Argo's scaleDownDelayHelper counts: old
// ReplicaSets up and waiting, newest revision first; past the limit they go at once.
import { describe, expect, it } from '@jest/globals';
import { beyondScaleDownRevisionLimit, type OldReplicaSet } from '../../core/scale-down-limit.js';

const rs = (hash: string, revision: number, waiting = true, replicas = 3): OldReplicaSet => ({
  hash,
  revision,
  replicas,
  waiting,
});

describe('beyondScaleDownRevisionLimit', () => {
  const three = [rs('r1', 1), rs('r3', 3), rs('r2', 2)];

  it('keeps the newest `limit` waiting, the older ones go at once', () => {
    expect(beyondScaleDownRevisionLimit(three, [], 1)).toEqual(['r2', 'r1']);
    expect(beyondScaleDownRevisionLimit(three, [], 2)).toEqual(['r1']);
    expect(beyondScaleDownRevisionLimit(three, [], 3)).toEqual([]);
  });

  it('without a limit keeps them all (Argo: MaxInt32); 0 sends them all at once', () => {
    expect(beyondScaleDownRevisionLimit(three, [], undefined)).toEqual([]);
    expect(beyondScaleDownRevisionLimit(three, [], 0)).toEqual(['r3', 'r2', 'r1']);
  });

  it('does not count the referenced, those at zero, or those not waiting', () => {
    const set = [rs('r5', 5), rs('r4', 4, true, 0), rs('r3', 3, false), rs('r2', 2), rs('r1', 1)];
    // r5 is referenced (a Service still selects it): skipped, so r2 is the one kept
    expect(beyondScaleDownRevisionLimit(set, ['r5'], 1)).toEqual(['r1']);
  });
});
