import { describe, expect, it } from 'vitest';
import { isValid, ulid } from 'ulid';
import { pooledCryptoRandom } from '../../../src/shared/random.ts';

describe('pooledCryptoRandom', () => {
  it('gives k/256 values in [0, 1) and refills its pool when spent', () => {
    const r = pooledCryptoRandom(16);
    const xs = Array.from({ length: 200 }, r);
    for (const x of xs) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      expect(Number.isInteger(x * 256)).toBe(true);
    }
    // 200 draws from a 16-byte pool: later refills are fresh bytes, not the first pool again
    expect(xs.slice(16, 32)).not.toEqual(xs.slice(0, 16));
    expect(new Set(xs).size).toBeGreaterThan(50);
  });

  it('makes valid, distinct ULIDs whose random part is spread over all 32 characters', () => {
    const r = pooledCryptoRandom();
    const ids = Array.from({ length: 20_000 }, () => ulid(undefined, r));
    expect(ids.every((id) => isValid(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    const counts = new Map<string, number>();
    for (const id of ids) for (const c of id.slice(10)) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(32);
    const expected = (ids.length * 16) / 32; // 10,000 per character
    for (const n of counts.values()) expect(Math.abs(n - expected)).toBeLessThan(expected * 0.06);
  });
});
