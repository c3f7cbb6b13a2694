import { describe, expect, it } from 'vitest';
import { benchSummary, latencyGoalMs, type BenchFigures } from '../../../src/main/cli/commands/bench-summary.ts';

const figures = (over: Partial<BenchFigures> = {}): BenchFigures => ({
  parcels: 1500,
  throughputPerSec: 24.1,
  rateRequested: 25,
  latencyMs: { p50: 44, p99: 96, max: 150 },
  inferenceMs: { p50: 22, p99: 60 },
  peakRssMb: 700,
  lost: 0,
  deadlineMisses: 0,
  stagesMs: { wait: { p50: 2, p99: 40 } },
  tail: { parcels: 15, meanMs: { latencyMs: 130, correlateMs: 8, waitMs: 50, preprocessMs: 25, inferenceMs: 45, sendMs: 0 } },
  ...over,
});

describe('benchSummary', () => {
  it('holds the figures against the goals of the line', () => {
    expect(latencyGoalMs(60)).toBe(98);
    const text = benchSummary(figures()).join('\n');
    expect(text).toContain('goal p99 ≤ 98 = 1.3 × inference p99 + 20: met');
    expect(text).toContain('24.1/s (kept up');
    expect(text).toContain('lost            0 (met)');
    // Stages under half a millisecond are left out of the tail's split.
    expect(text).toContain('slowest 1 % (15 parcels, mean 130 ms): correlate 8 + wait 50 + preprocess 25 + inference 45');
    expect(text).not.toContain('send');
  });

  it('says what is not met, and what to look at next', () => {
    const text = benchSummary(figures({ throughputPerSec: 20, latencyMs: { p50: 60, p99: 180, max: 300 }, lost: 3, stagesMs: { wait: { p50: 30, p99: 120 } } })).join('\n');
    expect(text).toContain('20/s (FELL BEHIND');
    expect(text).toContain('+ 20: NOT met');
    expect(text).toContain('lost            3 (NOT met)');
    expect(text).toMatch(/fell behind: try a lower --rate/);
    expect(text).toMatch(/queueing for a worker/);
    // 100 parcels at 20/s is 5 s of play: its start-up weighs too much to judge the rate.
    const short = benchSummary(figures({ parcels: 100, rateRequested: 20, throughputPerSec: 14 })).join('\n');
    expect(short).toContain('14/s (run too short to judge the rate)');
    expect(short).not.toMatch(/fell behind/);
  });
});
