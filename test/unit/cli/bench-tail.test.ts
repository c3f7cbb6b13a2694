import { describe, expect, it } from 'vitest';
import { tailSplit } from '../../../src/main/cli/commands/bench.ts';
import type { ParcelTiming } from '../../../src/main/line/runtime.ts';

const t = (latencyMs: number, extra: Partial<ParcelTiming> = {}): ParcelTiming => ({ scanId: `S${latencyMs}`, command: 'HOLD', latencyMs, ...extra });

describe('tailSplit', () => {
  it('averages each stage over the parcels at or above the quantile, leaving out stages they lack', () => {
    const timings = Array.from({ length: 98 }, (_, i) => t(i + 1, { waitMs: 0, inferenceMs: 20 }));
    timings.push(t(300, { waitMs: 200, inferenceMs: 60 }), t(100, { waitMs: 40, inferenceMs: 40 }));
    expect(tailSplit(timings, 0.98)).toEqual({ parcels: 2, fromMs: 100, meanMs: { latencyMs: 200, waitMs: 120, inferenceMs: 50 } });
    // A deadline HOLD has no inspection split: only its latency counts.
    expect(tailSplit([t(5), t(9000)], 0.5)).toEqual({ parcels: 1, fromMs: 9000, meanMs: { latencyMs: 9000 } });
    expect(tailSplit([], 0.99)).toBeUndefined();
  });
});
