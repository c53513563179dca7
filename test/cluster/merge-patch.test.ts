// The status writer's merge patches (core/cluster/merge-patch.ts): only what changed, objects recursed
// into, arrays whole, a removed key as null; applied as the API server applies RFC 7386.
import { describe, expect, it } from '@jest/globals';
import { applyMergePatch, mergePatchBetween, sameJson } from '../../core/cluster/merge-patch.js';

describe('mergePatchBetween', () => {
  it('is undefined when nothing differs, key order aside', () => {
    expect(mergePatchBetween({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toBeUndefined();
  });

  it('carries a changed scalar, a removed key as null and an added key', () => {
    expect(
      mergePatchBetween({ phase: 'Paused', abort: true }, { phase: 'Healthy', stableRS: 'abc' }),
    ).toEqual({
      phase: 'Healthy',
      abort: null,
      stableRS: 'abc',
    });
  });

  it('recurses into objects and replaces arrays whole', () => {
    const from = {
      canary: { weights: { canary: { weight: 20 }, stable: { weight: 80 } } },
      conditions: [{ t: 1 }],
    };
    const to = {
      canary: { weights: { canary: { weight: 40 }, stable: { weight: 80 } } },
      conditions: [{ t: 1 }, { t: 2 }],
    };
    expect(mergePatchBetween(from, to)).toEqual({
      canary: { weights: { canary: { weight: 40 } } },
      conditions: [{ t: 1 }, { t: 2 }],
    });
  });

  it('turns `from` into `to` when applied, leaving what neither touches', () => {
    const from = { a: 1, b: { c: 2, d: 3 }, e: [1] };
    const to = { a: 2, b: { c: 2 }, f: 'x' };
    const object = { ...from, someoneElses: true };
    expect(applyMergePatch(object, mergePatchBetween(from, to))).toEqual({ ...to, someoneElses: true });
  });

  it('treats an undefined value as absent', () => {
    expect(mergePatchBetween({ a: undefined }, { b: undefined })).toBeUndefined();
    expect(mergePatchBetween({ a: 1 }, { a: undefined })).toEqual({ a: null });
  });
});

describe('sameJson', () => {
  it('compares arrays by order and objects by content', () => {
    expect(sameJson([1, 2], [2, 1])).toBe(false);
    expect(sameJson({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameJson({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameJson(null, {})).toBe(false);
  });
});
