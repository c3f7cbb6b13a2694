// Retry delay after consecutive failures: capped exponential with full jitter (a uniform draw
// between 0 and the capped exponential). Full jitter spreads many stations that lost the same
// link apart, so they do not all hit the central service the moment it comes back.
// Pure: the random source is injected.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** The ceiling for the n-th consecutive failure (n >= 1): min(max, base * 2^(n-1)). */
export function backoffCeiling(failures: number, p: BackoffPolicy): number {
  if (failures <= 0) return 0;
  // 2^(n-1) overflows to Infinity for large n; min() keeps it at the cap.
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.min(failures - 1, 1023));
}

/** A delay in [0, ceiling], drawn with `random` (a function returning [0, 1) like Math.random). */
export function backoffDelay(failures: number, p: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(failures, p);
  const r = random();
  const u = Number.isFinite(r) ? Math.min(Math.max(r, 0), 1) : 0;
  return Math.floor(u * ceiling);
}
