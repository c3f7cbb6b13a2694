// Fault injection for the reference server and the test proxy: one pure decision per request
// from a seeded generator, so a failing run can be replayed with the same seed.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
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

/**
 * The fault state of one server or proxy: rates, the seeded generator, counters. `enter` decides a
 * request's fault and applies what happens before an answer (drop, delay); `answer` applies what
 * happens to the answer (drop after handling, truncation, garbling) and sends it.
 */
export class FaultInjector {
  private rates_: FaultRates;
  private random: () => number;
  readonly counters = faultCounters();
  requests = 0;

  constructor(faults: Partial<FaultRates> | undefined, defaultSeed: number) {
    this.rates_ = { ...NO_FAULTS, ...faults };
    this.random = seededRandom(this.rates_.seed ?? defaultSeed);
  }

  get rates(): FaultRates {
    return this.rates_;
  }

  set(r: Partial<FaultRates>): FaultRates {
    this.rates_ = { ...this.rates_, ...r };
    if (r.seed !== undefined) this.random = seededRandom(r.seed);
    return this.rates_;
  }

  stats(): Record<Exclude<Fault, 'none'>, number> & { requests: number } {
    return { ...this.counters, requests: this.requests };
  }

  /** The request's fault; undefined when it was dropped before being handled (the socket is gone). */
  async enter(req: IncomingMessage, faultable: boolean): Promise<Fault | undefined> {
    if (faultable) this.requests++;
    const fault = faultable ? decideFault(this.rates_, this.random) : 'none';
    if (fault !== 'none') this.counters[fault]++;
    if (fault === 'dropBefore') return void req.socket.destroy();
    if (fault === 'delay') await sleep(this.rates_.delayMs);
    return fault;
  }

  /** Sends `body` as the answer, unless the fault drops, cuts or garbles it. */
  answer(fault: Fault, req: IncomingMessage, res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: Buffer): void {
    if (fault === 'dropAfter') return void req.socket.destroy();
    res.writeHead(status, { ...headers, 'content-length': body.length });
    if (fault === 'truncate') return void res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
    res.end(fault === 'garble' ? garbleBytes(body) : body);
  }
}
