// Whole parcels: reproducible from the seed, and label boxes that are the objects' own masks.
import { describe, expect, it } from 'vitest';
import { DETECTION_LABELS } from '../../../src/shared/domain/detection.ts';
import { renderParcel } from '../../../src/shared/xray/index.ts';

const SMALL = { width: 320, height: 240 };

describe('renderParcel', () => {
  it('gives byte-identical pixels and labels for the same seed', () => {
    const a = renderParcel(1234, SMALL);
    const b = renderParcel(1234, SMALL);
    expect(Buffer.from(a.colour).equals(Buffer.from(b.colour))).toBe(true);
    expect(a.objects).toEqual(b.objects);
    const c = renderParcel(1235, SMALL);
    expect(Buffer.from(a.colour).equals(Buffer.from(c.colour))).toBe(false);
  });

  it('keeps every label box inside the image and non-degenerate', () => {
    let seen = 0;
    for (let seed = 0; seed < 12; seed++) {
      const p = renderParcel(seed, SMALL);
      expect(p.colour.length).toBe(320 * 240 * 3);
      for (const o of p.objects) {
        seen++;
        const [x1, y1, x2, y2] = o.box;
        expect(DETECTION_LABELS).toContain(o.label);
        expect(x1).toBeGreaterThanOrEqual(0);
        expect(y1).toBeGreaterThanOrEqual(0);
        expect(x2).toBeLessThanOrEqual(320);
        expect(y2).toBeLessThanOrEqual(240);
        expect(x2 - x1).toBeGreaterThanOrEqual(4);
        expect(y2 - y1).toBeGreaterThanOrEqual(4);
      }
    }
    expect(seen).toBeGreaterThan(8);
  });

  it('computes each box from the object itself: all its attenuation lies inside, and the box is tight', () => {
    for (const label of DETECTION_LABELS) {
      const p = renderParcel(77, { ...SMALL, objects: [label], clutter: false, raw: true });
      expect(p.objects).toHaveLength(1);
      const [x1, y1, x2, y2] = p.objects[0]!.box;
      const high = p.high!;
      let minX = 320;
      let minY = 240;
      let maxX = -1;
      let maxY = -1;
      for (let y = 0; y < 240; y++) {
        // Skip rows a dead or unstable detector element darkened end to end (a scanner artefact).
        let dark = 0;
        for (let x = 0; x < 320; x++) if (high[y * 320 + x]! < 0.9 * 65535) dark++;
        if (dark > 160) continue;
        for (let x = 0; x < 320; x++) {
          // Clearly attenuated (well above noise): must be the object.
          if (high[y * 320 + x]! < 0.9 * 65535) {
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
          }
        }
      }
      // Blur can spread a pixel beyond the mask; the mask can include faint fringes below the 10 % cut.
      expect(minX, label).toBeGreaterThanOrEqual(x1 - 2);
      expect(minY, label).toBeGreaterThanOrEqual(y1 - 2);
      expect(maxX, label).toBeLessThanOrEqual(x2 + 1);
      expect(maxY, label).toBeLessThanOrEqual(y2 + 1);
      // Tight: within 3 px inside each edge, something (3 × 3 mean, so not noise) attenuates ≥ 2.5 %.
      const mean = (x: number, y: number): number => {
        let sum = 0;
        for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += high[Math.min(239, Math.max(0, y + dy)) * 320 + Math.min(319, Math.max(0, x + dx))]!;
        return sum / 9 / 65535;
      };
      const bandMin = (xa: number, xb: number, ya: number, yb: number): number => {
        let m = 1;
        for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) m = Math.min(m, mean(x, y));
        return m;
      };
      expect(bandMin(x1, x1 + 3, y1, y2), `${label} left`).toBeLessThan(0.975);
      expect(bandMin(x2 - 3, x2, y1, y2), `${label} right`).toBeLessThan(0.975);
      expect(bandMin(x1, x2, y1, y1 + 3), `${label} top`).toBeLessThan(0.975);
      expect(bandMin(x1, x2, y2 - 3, y2), `${label} bottom`).toBeLessThan(0.975);
    }
  });

  it('can render a parcel with no objects of interest, and greyscale scans', () => {
    const empty = renderParcel(5, { ...SMALL, objects: [] });
    expect(empty.objects).toEqual([]);
    expect(empty.clutter.length).toBeGreaterThan(0);
    const grey = renderParcel(5, { ...SMALL, greyRate: 1 });
    expect(grey.rendering).toBe('grey');
    for (let i = 0; i < grey.colour.length; i += 3 * 97) {
      expect(grey.colour[i]).toBe(grey.colour[i + 1]);
      expect(grey.colour[i]).toBe(grey.colour[i + 2]);
    }
  });

  it('draws about 12 % of parcels without objects of interest by default', () => {
    let empty = 0;
    const n = 120;
    for (let seed = 0; seed < n; seed++) {
      const p = renderParcel(seed, { width: 64, height: 48 });
      if (p.objects.length + p.unlabelled.length === 0) empty++;
    }
    expect(empty / n).toBeGreaterThan(0.05);
    expect(empty / n).toBeLessThan(0.22);
  });
});
