// `rollouts lab errors IMAGE RATE`: the rate as a fraction (0.65) or a percentage (65%). Pure.

export class RateError extends Error {}

const HOW = 'give a fraction from 0 to 1 (0.65) or a percentage from 0% to 100% (65%)';

/** The error rate as a fraction in [0, 1]. */
export function parseRate(text: string): number {
  const value = text.trim();
  const percent = value.endsWith('%');
  const number = percent ? value.slice(0, -1).trim() : value;
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(number)) throw new RateError(`RATE: "${text}" is not a rate: ${HOW}`);
  const rate = percent ? Number(number) / 100 : Number(number);
  if (rate > 1) throw new RateError(`RATE: "${text}" is more than ${percent ? '100%' : '1'}: ${HOW}`);
  // 57% / 100 is 0.5700000000000001: round away the float noise (a millionth of a percent is plenty).
  return Math.round(rate * 1e8) / 1e8;
}

export function formatRate(rate: number): string {
  return `${Math.round(rate * 1e6) / 1e4}%`;
}
