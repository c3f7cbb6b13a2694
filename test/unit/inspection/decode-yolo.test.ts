import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { candidates, decodeYolo, iou, nms, outputLayout, type Candidate } from '../../../src/main/inspection/decode-yolo.ts';
import { letterboxGeometry, type Box } from '../../../src/main/inspection/letterbox.ts';

/** Rows of [cx, cy, w, h, ...scores] → channels-first [1, 4+nc, N] data. */
function channelsFirst(rows: number[][]): { data: Float32Array; dims: number[] } {
  const c = rows[0]!.length;
  const n = rows.length;
  const data = new Float32Array(c * n);
  rows.forEach((r, i) => r.forEach((v, ch) => (data[ch * n + i] = v)));
  return { data, dims: [1, c, n] };
}

const ROWS = [
  [32, 32, 20, 10, 0.9, 0.1],
  [33, 32, 20, 10, 0.8, 0.05],
  [32, 32, 20, 10, 0.2, 0.7],
  [10, 50, 8, 8, 0.1, 0.2],
];

describe('outputLayout', () => {
  it('reads [1, 4+nc, N] and the transposed [1, N, 4+nc]', () => {
    expect(outputLayout([1, 6, 2100], 2)).toEqual({ anchors: 2100, channelsFirst: true });
    expect(outputLayout([1, 2100, 6], 2)).toEqual({ anchors: 2100, channelsFirst: false });
  });
  it('refuses an output that does not fit the label count', () => {
    expect(() => outputLayout([1, 84, 8400], 12)).toThrow(/not YOLOv8 layout \[1, 16, N\] for 12 labels/);
    expect(() => outputLayout([2, 16, 10], 12)).toThrow();
  });
});

describe('candidates', () => {
  it('takes the best class per anchor and applies its threshold', () => {
    const { data, dims } = channelsFirst(ROWS);
    const c = candidates(data, dims, 2, [0.25, 0.25]);
    expect(c.map((x) => [x.cls, x.score])).toEqual([
      [0, expect.closeTo(0.9, 5)],
      [0, expect.closeTo(0.8, 5)],
      [1, expect.closeTo(0.7, 5)],
    ]);
    expect(c[0]!.box).toEqual([22, 27, 42, 37]);
  });
  it('honours per-class thresholds', () => {
    const { data, dims } = channelsFirst(ROWS);
    expect(candidates(data, dims, 2, [0.85, 0.1]).map((x) => x.cls)).toEqual([0, 1, 1]);
  });
  it('reads the transposed layout to the same candidates', () => {
    const { data, dims } = channelsFirst(ROWS);
    const t = Float32Array.from(ROWS.flat());
    expect(candidates(t, [1, 4, 6], 2, [0.25, 0.25])).toEqual(candidates(data, dims, 2, [0.25, 0.25]));
  });
  it('drops NaN scores and degenerate boxes', () => {
    const { data, dims } = channelsFirst([
      [10, 10, 5, 5, NaN, NaN],
      [10, 10, 0, 5, 0.9, 0],
      [10, 10, NaN, 5, 0.9, 0],
    ]);
    expect(candidates(data, dims, 2, [0.25, 0.25])).toEqual([]);
  });
});

describe('decodeYolo', () => {
  it('suppresses a same-class duplicate, keeps another class, maps to original pixels', () => {
    const { data, dims } = channelsFirst(ROWS);
    const dets = decodeYolo(data, dims, { labels: ['knife', 'gun'], thresholds: [0.25, 0.25], nmsIou: 0.5, geometry: letterboxGeometry(128, 64, 64, 64) });
    expect(dets).toEqual([
      { label: 'knife', score: expect.closeTo(0.9, 5), box: [44, 22, 84, 42] },
      { label: 'gun', score: expect.closeTo(0.7, 5), box: [44, 22, 84, 42] },
    ]);
  });
  it('drops a box lying entirely in the letterbox padding', () => {
    const { data, dims } = channelsFirst([[32, 5, 10, 6, 0.9, 0]]);
    expect(decodeYolo(data, dims, { labels: ['knife', 'gun'], thresholds: [0.25, 0.25], nmsIou: 0.5, geometry: letterboxGeometry(128, 64, 64, 64) })).toEqual([]);
  });
});

describe('nms', () => {
  const box = fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 120 }));
  const cand = fc.record({ b: box, score: fc.double({ min: 0, max: 1, noNaN: true }), cls: fc.integer({ min: 0, max: 2 }) });
  const toCand = (c: { b: [number, number, number, number]; score: number; cls: number }): Candidate => ({
    box: [c.b[0], c.b[1], c.b[0] + c.b[2], c.b[1] + c.b[3]] as Box,
    score: c.score,
    cls: c.cls,
  });

  it('leaves no pair of the same class above the IoU threshold, sorted by score', () => {
    fc.assert(
      fc.property(fc.array(cand, { maxLength: 60 }), fc.double({ min: 0.1, max: 0.9, noNaN: true }), (cs, thr) => {
        const kept = nms(cs.map(toCand), thr);
        for (let i = 0; i < kept.length; i++) {
          if (i > 0 && kept[i]!.score > kept[i - 1]!.score) return false;
          for (let j = i + 1; j < kept.length; j++) if (kept[i]!.cls === kept[j]!.cls && iou(kept[i]!.box, kept[j]!.box) > thr) return false;
        }
        return true;
      }),
    );
  });

  it('keeps every candidate that no higher-scoring same-class box overlaps', () => {
    fc.assert(
      fc.property(fc.array(cand, { maxLength: 40 }), (cs) => {
        const all = cs.map(toCand);
        const kept = new Set(nms(all, 0.5));
        return all.every((c) => kept.has(c) || all.some((o) => o !== c && o.cls === c.cls && o.score >= c.score && iou(o.box, c.box) > 0.5));
      }),
    );
  });

  it('bounds its work when a threshold lets every anchor through', () => {
    const many: Candidate[] = Array.from({ length: 20_000 }, (_, i) => ({ box: [(i % 200) * 10, Math.floor(i / 200) * 10, (i % 200) * 10 + 5, Math.floor(i / 200) * 10 + 5] as Box, score: (i % 997) / 997, cls: 0 }));
    const t = performance.now();
    const kept = nms(many, 0.5);
    expect(kept).toHaveLength(300);
    expect(kept[0]!.score).toBeCloseTo(996 / 997, 6);
    expect(performance.now() - t).toBeLessThan(2000);
  });

  it('computes IoU of known boxes', () => {
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(1 / 3, 6);
    expect(iou([0, 0, 10, 10], [10, 0, 20, 10])).toBe(0);
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
  });
});
