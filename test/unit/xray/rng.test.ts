import { describe, expect, it } from 'vitest';
import { Rng, hash32 } from '../../../src/shared/xray/rng.ts';

describe('Rng', () => {
  it('repeats the same stream for the same seed and differs for another', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 50 }, () => a.nextU32());
    expect(Array.from({ length: 50 }, () => b.nextU32())).toEqual(sa);
    expect(Array.from({ length: 50 }, () => c.nextU32())).not.toEqual(sa);
  });

  it('keeps draws in range and roughly uniform', () => {
    const r = new Rng(1);
    const bins = new Array<number>(10).fill(0);
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = r.next();
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      bins[Math.floor(v * 10)]!++;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    for (const n of bins) expect(Math.abs(n - 2000)).toBeLessThan(200);
    const seen = new Set(Array.from({ length: 1000 }, () => r.int(3, 5)));
    expect([...seen].sort()).toEqual([3, 4, 5]);
  });

  it('gives a forked stream that does not depend on later draws of the parent', () => {
    const a = new Rng(9);
    const b = new Rng(9);
    const fa = a.fork(1);
    const fb = b.fork(1);
    a.next();
    expect(fa.nextU32()).toBe(fb.nextU32());
    expect(new Rng(9).fork(1).nextU32()).not.toBe(new Rng(9).fork(2).nextU32());
  });

  it('hashes argument lists to distinct 32-bit values', () => {
    expect(hash32(1, 2)).not.toBe(hash32(2, 1));
    expect(hash32(7)).toBe(hash32(7));
    expect(hash32(7)).toBeLessThan(2 ** 32);
  });
});
