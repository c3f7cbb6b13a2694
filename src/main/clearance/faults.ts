// Fault injection for the reference server and the test proxy: one pure decision per request
// from a seeded generator, so a failing run can be replayed with the same seed.
import { mulberry32 } from '../../shared/random.ts';
import type { FaultRates } from '../../shared/sync-api.ts';

export type Fault = 'none' | 'delay' | 'error5xx' | 'dropBefore' | 'dropAfter' | 'truncate' | 'garble';

/** Seeded so a failing run can be replayed with the same seed (mulberry32; not for anything secret). */
export const seededRandom = mulberry32;

export const NO_FAULTS: FaultRates = { delay: 0, delayMs: 200, error5xx: 0, drop: 0, truncate: 0, garble: 0 };

/**
 * Picks at most one fault. The rates are independent probabilities tried in a fixed order; a drop
 * is split evenly between before the request is handled and after (handled, answer lost).
 */
export function decideFault(rates: FaultRates, random: () => number): Fault {
  if (random() < rates.drop) return random() < 0.5 ? 'dropBefore' : 'dropAfter';
  if (random() < rates.error5xx) return 'error5xx';
  if (random() < rates.truncate) return 'truncate';
  if (random() < rates.garble) return 'garble';
  if (random() < rates.delay) return 'delay';
  return 'none';
}

/** A copy of `body` with a run of bytes in the middle overwritten (still the same length). */
export function garbleBytes(body: Buffer): Buffer {
  const out = Buffer.from(body);
  const start = Math.floor(out.length / 3);
  // NUL is never valid in JSON, inside a string or out, so a garbled answer can never parse.
  for (let i = start; i < Math.min(out.length, start + 16); i++) out[i] = 0;
  return out;
}

export function faultCounters(): Record<Exclude<Fault, 'none'>, number> {
  return { delay: 0, error5xx: 0, dropBefore: 0, dropAfter: 0, truncate: 0, garble: 0 };
}
