import { describe, expect, it } from '@jest/globals';
import { ErrorRateInputError, ErrorRates, parseErrorRate } from '../../lab/mesh/error-rates.js';

const GREEN = 'argoproj/rollouts-demo:green';

function problem(body: unknown): string {
  try {
    parseErrorRate(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ErrorRateInputError);
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('parseErrorRate', () => {
  it('takes {image, rate} with rate from 0 to 1', () => {
    expect(parseErrorRate({ image: GREEN, rate: 0.65 })).toEqual({ image: GREEN, rate: 0.65 });
    expect(parseErrorRate({ image: ` ${GREEN} `, rate: 0 })).toEqual({ image: GREEN, rate: 0 });
    expect(parseErrorRate({ rate: 1, image: GREEN })).toEqual({ image: GREEN, rate: 1 });
  });

  it.each([
    [{ image: GREEN, rate: 1.5 }, /^rate: required, a number from 0 to 1 .*got 1\.5$/],
    [{ image: GREEN, rate: -0.1 }, /^rate: .*got -0\.1$/],
    [{ image: GREEN, rate: '0.65' }, /^rate: .*got "0\.65" \(a string\)$/],
    [{ image: GREEN }, /^rate: .*got nothing$/],
    [{ image: GREEN, rate: null }, /^rate: .*got null$/],
    [{ rate: 0.5 }, /^image: required, .*got nothing$/],
    [{ image: '', rate: 0.5 }, /^image: .*got "" \(a string\)$/],
    [{ image: 42, rate: 0.5 }, /^image: .*got 42$/],
    [{ image: GREEN, rate: 0.5, rat: 1 }, /^rat: unknown field \(expected only "image" and "rate"\)$/],
    [[GREEN, 0.5], /^body: expected a JSON object like .*got an array$/],
    ['green', /^body: .*got "green" \(a string\)$/],
    [null, /^body: .*got null$/],
  ])('%j → %s', (body, message) => {
    expect(problem(body)).toMatch(message);
  });
});

describe('ErrorRates', () => {
  it('is 0 for an image never set; set, change and reset (0 removes it)', () => {
    const rates = new ErrorRates();
    expect(rates.get(GREEN)).toBe(0);
    rates.set({ image: GREEN, rate: 0.65 });
    rates.set({ image: 'argoproj/rollouts-demo:blue', rate: 0.1 });
    expect(rates.get(GREEN)).toBe(0.65);
    expect(rates.list()).toEqual([
      { image: 'argoproj/rollouts-demo:blue', rate: 0.1 },
      { image: GREEN, rate: 0.65 },
    ]);
    rates.set({ image: GREEN, rate: 0 });
    expect(rates.get(GREEN)).toBe(0);
    expect(rates.list()).toEqual([{ image: 'argoproj/rollouts-demo:blue', rate: 0.1 }]);
  });

  it('matches images exactly (the tag is part of the image)', () => {
    const rates = new ErrorRates();
    rates.set({ image: GREEN, rate: 0.5 });
    expect(rates.get('argoproj/rollouts-demo:green2')).toBe(0);
    expect(rates.get('green')).toBe(0);
  });
});
