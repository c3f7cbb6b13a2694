// Random compliance sampling that an auditor can check: the draw is HMAC-SHA256(seed, key) read as
// a number in [0, 1), compared with the rate. Keyed on the waybill, so re-scanning a parcel cannot
// re-roll the draw; the ticket (hash prefix) is stored with the verdict for recomputation.
import { createHmac } from 'node:crypto';

export interface SamplingDraw {
  sampled: boolean;
  /** First 16 hex digits of the HMAC. */
  ticket: string;
  /** The draw in [0, 1): the first 52 bits of the HMAC divided by 2^52. */
  draw: number;
}

export function samplingDraw(key: string, seed: string, rate: number): SamplingDraw {
  const hex = createHmac('sha256', seed).update(key, 'utf8').digest('hex');
  const draw = parseInt(hex.slice(0, 13), 16) / 2 ** 52;
  return { sampled: draw < rate, ticket: hex.slice(0, 16), draw };
}
