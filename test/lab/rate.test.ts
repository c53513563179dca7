// `rollouts lab errors IMAGE RATE`: a fraction or a percentage, anything else refused naming RATE.
import { describe, expect, it } from '@jest/globals';
import { formatRate, parseRate, RateError } from '../../lab/stack/rate.js';

describe('parseRate', () => {
  it.each([
    ['0.65', 0.65],
    ['65%', 0.65],
    ['0', 0],
    ['0%', 0],
    ['1', 1],
    ['100%', 1],
    ['.5', 0.5],
    ['12.5%', 0.125],
    ['57%', 0.57],
    [' 30 % ', 0.3],
    ['1.0', 1],
  ])('%j is %d', (text, rate) => expect(parseRate(text)).toBe(rate));

  it.each(['', 'abc', '-0.1', '-5%', '65%%', '0,65', '1e-1', 'NaN', 'Infinity', '%'])(
    '%j is not a rate',
    (text) => {
      expect(() => parseRate(text)).toThrow(
        new RateError(
          `RATE: "${text}" is not a rate: give a fraction from 0 to 1 (0.65) or a percentage from 0% to 100% (65%)`,
        ),
      );
    },
  );

  it.each([
    ['1.5', '1'],
    ['65', '1'],
    ['150%', '100%'],
  ])('%j is more than %s', (text, limit) => {
    expect(() => parseRate(text)).toThrow(
      new RateError(
        `RATE: "${text}" is more than ${limit}: give a fraction from 0 to 1 (0.65) or a percentage from 0% to 100% (65%)`,
      ),
    );
  });
});

describe('formatRate', () => {
  it.each([
    [0.65, '65%'],
    [0, '0%'],
    [1, '100%'],
    [0.125, '12.5%'],
    [0.57, '57%'],
  ])('%d is %s', (rate, text) => expect(formatRate(rate)).toBe(text));
});
