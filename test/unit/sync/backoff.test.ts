import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { backoffCeiling, backoffDelay } from '../../../src/main/sync/backoff.ts';

const p = { baseMs: 500, maxMs: 60_000 };

describe('backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4].map((n) => backoffCeiling(n, p))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffCeiling(8, p)).toBe(60_000);
    expect(backoffCeiling(5000, p)).toBe(60_000);
    expect(backoffCeiling(0, p)).toBe(0);
  });

  it('draws full jitter between 0 and the ceiling from the injected random source', () => {
    expect(backoffDelay(3, p, () => 0)).toBe(0);
    expect(backoffDelay(3, p, () => 0.5)).toBe(1000);
    expect(backoffDelay(3, p, () => 0.999999)).toBe(1999);
  });

  it('never leaves [0, cap] whatever the random source returns', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.double(), (n, r) => {
        const d = backoffDelay(n, p, () => r);
        return Number.isInteger(d) && d >= 0 && d <= p.maxMs;
      }),
    );
  });
});
