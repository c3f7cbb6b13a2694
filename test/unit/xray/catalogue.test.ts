// Each model's extent must contain its parts (placement keeps objects in frame by it), and builders
// must vary: the detector has to see many shapes per class.
import { describe, expect, it } from 'vitest';
import { DETECTION_LABELS } from '../../../src/shared/domain/detection.ts';
import { CATALOGUE } from '../../../src/shared/xray/catalogue.ts';
import { clutterItem } from '../../../src/shared/xray/clutter.ts';
import type { Model } from '../../../src/shared/xray/parts.ts';
import { Rng } from '../../../src/shared/xray/rng.ts';
import { apply } from '../../../src/shared/xray/shapes.ts';

function partsExtent(m: Model): [number, number, number, number] {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const p of m.parts) {
    const [bx0, by0, bx1, by1] = p.shape.bounds;
    for (const [x, y] of [
      [bx0, by0],
      [bx1, by0],
      [bx0, by1],
      [bx1, by1],
    ] as const) {
      const [X, Y] = apply(p.at, x, y);
      x0 = Math.min(x0, X);
      y0 = Math.min(y0, Y);
      x1 = Math.max(x1, X);
      y1 = Math.max(y1, Y);
    }
  }
  return [x0, y0, x1, y1];
}

describe('object catalogue', () => {
  it('centres every model on its parts and reports their extent (placement keeps objects in frame by it)', () => {
    for (const label of DETECTION_LABELS) {
      for (let seed = 0; seed < 40; seed++) {
        const m = CATALOGUE[label](new Rng(seed));
        expect(m.parts.length, label).toBeGreaterThan(0);
        const [x0, y0, x1, y1] = partsExtent(m);
        const slackX = m.w / 2 + 1e-6;
        const slackY = m.h / 2 + 1e-6;
        expect(-x0, `${label} seed ${seed} left`).toBeLessThanOrEqual(slackX);
        expect(x1, `${label} seed ${seed} right`).toBeLessThanOrEqual(slackX);
        expect(-y0, `${label} seed ${seed} top`).toBeLessThanOrEqual(slackY);
        expect(y1, `${label} seed ${seed} bottom`).toBeLessThanOrEqual(slackY);
        expect(x1 - x0, label).toBeCloseTo(m.w, 6);
      }
    }
  });

  it('varies shape and size from seed to seed', () => {
    for (const label of DETECTION_LABELS) {
      const sizes = new Set(Array.from({ length: 20 }, (_, s) => Math.round(CATALOGUE[label](new Rng(s)).w)));
      expect(sizes.size, label).toBeGreaterThan(5);
    }
  });

  it('draws clutter of many kinds', () => {
    const rng = new Rng(3);
    const kinds = new Set(Array.from({ length: 400 }, () => clutterItem(rng).kind));
    expect(kinds.size).toBeGreaterThanOrEqual(15);
  });
});
