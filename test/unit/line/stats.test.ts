import { describe, expect, it } from 'vitest';
import { LatencyStats } from '../../../src/main/line/stats.ts';

describe('latency statistics', () => {
  it('gives nearest-rank percentiles and cumulative buckets', () => {
    const s = new LatencyStats(1000, [5, 50, 500]);
    for (let i = 1; i <= 100; i++) s.add(i);
    expect(s.percentile(50)).toBe(50);
    expect(s.percentile(99)).toBe(99);
    expect(s.max).toBe(100);
    expect(s.bucketCounts).toEqual([5, 50, 100]);
  });

  it('keeps only the most recent samples for percentiles, counting all of them', () => {
    const s = new LatencyStats(10);
    for (let i = 0; i < 1000; i++) s.add(i < 990 ? 1000 : 1);
    expect(s.percentile(99)).toBe(1);
    expect(s.count).toBe(1000);
    expect(s.max).toBe(1000);
  });
});
