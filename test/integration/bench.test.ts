// `station bench` end to end at a small size: the JSON contract of the issue, plus `tail` and --trace.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParcelTiming } from '../../src/main/line/runtime.ts';
import { station } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

describe('station bench', () => {
  it('plays parcels through the real pipeline, prints one JSON object and writes each parcel\'s split with --trace', async () => {
    const trace = join(tempDir(), 'trace.jsonl');
    const r = await station(['bench', '--parcels', '30', '--rate', '10', '--pool', '4', '--trace', trace, '--json']);
    expect(r.code, r.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown> & { latencyMs: { p50: number; p99: number; max: number }; inferenceMs: { p50: number; p99: number }; tail: { parcels: number; fromMs: number; meanMs: Record<string, number> } };
    expect(out).toMatchObject({ parcels: 30, lost: 0 });
    for (const k of ['throughputPerSec', 'peakRssMb', 'deadlineMisses']) expect(typeof out[k]).toBe('number');
    expect(out.latencyMs.p50).toBeLessThanOrEqual(out.latencyMs.p99);
    expect(out.inferenceMs.p50).toBeGreaterThan(0);

    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as ParcelTiming);
    expect(lines).toHaveLength(30);
    for (const t of lines) {
      expect(['RELEASE', 'HOLD']).toContain(t.command);
      // The parts happen one after another inside the latency (rounding to whole ms aside).
      expect(t.inspectMs!).toBeGreaterThanOrEqual(t.inferenceMs! - 1);
      expect(t.latencyMs).toBeGreaterThanOrEqual(t.inspectMs! + (t.commitMs ?? 0) - 1);
    }
    // The slowest parcel alone makes the top 1 % of 30: `tail` is its split.
    const slowest = lines.reduce((a, b) => (b.latencyMs > a.latencyMs ? b : a));
    expect(out.tail).toMatchObject({ parcels: 1, fromMs: slowest.latencyMs, meanMs: { latencyMs: Math.round(slowest.latencyMs * 10) / 10 } });
    expect(Object.keys(out.tail.meanMs)).toEqual(expect.arrayContaining(['correlateMs', 'waitMs', 'preprocessMs', 'inferenceMs', 'commitMs', 'sendMs']));
  }, 120_000);
});
