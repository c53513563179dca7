// The share of requests each image answers with HTTP 500, as a user sets it (`PUT /api/errors`,
// `rollouts lab errors IMAGE RATE`): by the exact image reference of a ReplicaSet's first container.
// Unset images answer every request with 200.
import { isObject } from '../../core/json.js';

export interface ErrorRate {
  image: string;
  /** 0..1 */
  rate: number;
}

export class ErrorRateInputError extends Error {}

const EXAMPLE = '{"image": "argoproj/rollouts-demo:green", "rate": 0.65}';

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string') return `${JSON.stringify(value)} (a string)`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a${typeof value === 'object' ? 'n' : ''} ${typeof value}`;
}

/** A request body's `{image, rate}`, or an ErrorRateInputError whose message starts with the field at fault. */
export function parseErrorRate(body: unknown): ErrorRate {
  if (!isObject(body))
    throw new ErrorRateInputError(`body: expected a JSON object like ${EXAMPLE}, got ${describe(body)}`);
  const fields = body;
  for (const key of Object.keys(fields))
    if (key !== 'image' && key !== 'rate')
      throw new ErrorRateInputError(`${key}: unknown field (expected only "image" and "rate")`);
  const { image, rate } = fields;
  if (typeof image !== 'string' || image.trim() === '')
    throw new ErrorRateInputError(
      `image: required, the image reference as in the pod template (e.g. "argoproj/rollouts-demo:green"), got ${describe(image)}`,
    );
  if (typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 1)
    throw new ErrorRateInputError(
      `rate: required, a number from 0 to 1 (the share of requests answered with HTTP 500), got ${describe(rate)}`,
    );
  return { image: image.trim(), rate };
}

export class ErrorRates {
  private readonly rates = new Map<string, number>();

  /** Sets an image's rate; 0 removes it. */
  set({ image, rate }: ErrorRate): void {
    if (rate === 0) this.rates.delete(image);
    else this.rates.set(image, rate);
  }

  get(image: string): number {
    return this.rates.get(image) ?? 0;
  }

  /** Every image with a rate above 0, by image. */
  list(): ErrorRate[] {
    return [...this.rates.entries()]
      .map(([image, rate]) => ({ image, rate }))
      .sort((a, b) => a.image.localeCompare(b.image));
  }
}
