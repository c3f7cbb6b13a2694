// Capped exponential backoff with full jitter: attempt n waits a random time in
// [cap(base·2^n)·(1−jitter), cap(base·2^n)]. Jitter keeps a fleet of stations from reconnecting in step.
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** 0 = no jitter, 1 = full jitter. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 200, maxMs: 30_000, jitter: 0.5 };

export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const capped = Math.min(o.maxMs, o.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped * (1 - o.jitter * random()));
}
