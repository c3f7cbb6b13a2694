import { describe, expect, it } from 'vitest';
import { applyOps, colourise, DEFAULT_OPS, hsv, isGreySource, materialOf, type Pixels } from '../../../src/renderer/image-ops.ts';

/** A 3×1 image: organic orange, inorganic blue, empty belt white. */
const ORANGE = [230, 140, 40];
const BLUE = [40, 80, 200];
const WHITE = [250, 250, 250];
function img(...px: number[][]): Pixels {
  return { width: px.length, height: 1, data: new Uint8ClampedArray(px.flatMap((p) => [...p, 255])) };
}
const pixels = (p: Pixels) => Array.from({ length: p.width * p.height }, (_, i) => Array.from(p.data.slice(i * 4, i * 4 + 3)));

describe('image tools', () => {
  const base = img(ORANGE, BLUE, WHITE);

  it('classify pseudo-colour pixels by material', () => {
    expect(hsv(255, 0, 0)).toEqual([0, 1, 1]);
    expect(materialOf(...(ORANGE as [number, number, number]))).toBe('organic');
    expect(materialOf(...(BLUE as [number, number, number]))).toBe('inorganic');
    expect(materialOf(60, 170, 60)).toBe('mixed');
    expect(materialOf(...(WHITE as [number, number, number]))).toBeUndefined();
  });

  it('leave the image unchanged with the default tools, without touching the source', () => {
    const out = applyOps(base, DEFAULT_OPS);
    expect(pixels(out)).toEqual([ORANGE, BLUE, WHITE]);
    expect(out.data).not.toBe(base.data);
  });

  it('greyscale uses luminance', () => {
    expect(pixels(applyOps(base, { ...DEFAULT_OPS, mode: 'grey' }))).toEqual([
      [156, 156, 156], // 0.299·230 + 0.587·140 + 0.114·40
      [82, 82, 82],
      [250, 250, 250],
    ]);
  });

  it('organic-only blanks inorganic pixels to belt white, inorganic-only the reverse', () => {
    expect(pixels(applyOps(base, { ...DEFAULT_OPS, material: 'organic' }))).toEqual([ORANGE, [255, 255, 255], [255, 255, 255]]);
    expect(pixels(applyOps(base, { ...DEFAULT_OPS, material: 'inorganic' }))).toEqual([[255, 255, 255], BLUE, [255, 255, 255]]);
  });

  it('invert flips every channel and keeps alpha', () => {
    const out = applyOps(base, { ...DEFAULT_OPS, invert: true });
    expect(pixels(out)).toEqual([
      [25, 115, 215],
      [215, 175, 55],
      [5, 5, 5],
    ]);
    expect(out.data[3]).toBe(255);
  });

  it('contrast spreads values from mid-grey, gamma lifts dark values', () => {
    const grey = img([64, 64, 64], [128, 128, 128], [192, 192, 192]);
    const c = pixels(applyOps(grey, { ...DEFAULT_OPS, contrast: 2 })).map((p) => p[0]);
    expect(c[0]).toBeLessThan(64);
    expect(Math.abs(c[1]! - 128)).toBeLessThanOrEqual(1);
    expect(c[2]).toBeGreaterThan(192);
    const g = pixels(applyOps(grey, { ...DEFAULT_OPS, gamma: 2 })).map((p) => p[0]);
    expect(g[0]).toBe(Math.round(Math.sqrt(64 / 255) * 255));
    expect(g[0]).toBeGreaterThan(64);
  });

  it('edge enhancement sharpens a step and leaves flat areas alone', () => {
    const step = img([100, 100, 100], [100, 100, 100], [200, 200, 200], [200, 200, 200]);
    const out = pixels(applyOps(step, { ...DEFAULT_OPS, edges: true })).map((p) => p[0]);
    expect(out).toEqual([100, 0, 255, 200]);
  });

  it('recognise a grey source and give it pseudo-colour by attenuation', () => {
    const grey = img([250, 250, 250], [200, 200, 200], [120, 120, 120], [30, 30, 30]);
    expect(isGreySource(grey)).toBe(true);
    expect(isGreySource(base)).toBe(false);
    const col = colourise(grey);
    expect(pixels(col)[0]).toEqual([250, 250, 250]);
    expect(materialOf(...(pixels(col)[1] as [number, number, number]))).toBe('organic');
    expect(materialOf(...(pixels(col)[2] as [number, number, number]))).toBe('mixed');
    expect(materialOf(...(pixels(col)[3] as [number, number, number]))).toBe('inorganic');
  });
});
