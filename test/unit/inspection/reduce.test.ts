// reduce.ts must give exactly sharp's pixels for resize(..., { kernel: 'linear' }) wherever it is used:
// the model is trained on letterboxes made by the station's preprocessing, and a site's images take
// whichever path their format allows, so the two must never differ by a grey level.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { MAX_SHRINK, readyTaps, reduce8, reducible, verifyAxis } from '../../../src/main/inspection/reduce.ts';
import { noise } from './images.ts';

async function sharpReduce(src: Uint8Array, w: number, h: number, channels: 1 | 3, ow: number, oh: number): Promise<Buffer> {
  return sharp(Buffer.from(src), { raw: { width: w, height: h, channels } }).toColourspace('srgb').resize(ow, oh, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
}

async function ready(w: number, h: number, ow: number, oh: number): Promise<boolean> {
  await Promise.all([verifyAxis(w, ow), verifyAxis(h, oh)]);
  return reducible(w, h, ow, oh);
}

describe('JS reduce (libvips linear reducev + reduceh)', () => {
  it('takes the sizes a scanner frame meets, and is then byte-identical to sharp on other noise, grey and RGB', async () => {
    const cases: [number, number, number, number][] = [
      [640, 480, 384, 288], [640, 480, 416, 312], [480, 640, 288, 384], [1000, 700, 384, 269],
      [800, 600, 416, 312], [1280, 960, 384, 288], [500, 400, 320, 256], [800, 600, 800, 312], [97, 61, 40, 30],
    ];
    for (const [i, [w, h, ow, oh]] of cases.entries()) {
      expect(await ready(w, h, ow, oh), `${w}×${h} → ${ow}×${oh} taken`).toBe(true);
      for (const channels of [3, 1] as const) {
        const src = noise(w * h * channels, i * 2 + channels);
        const want = await sharpReduce(src, w, h, channels, ow, oh);
        const got = Buffer.alloc(ow * oh * 3);
        reduce8(src, 0, w, h, channels, ow, oh, got, ow, 0, 0);
        let differing = 0;
        for (let j = 0; j < got.length; j++) if (got[j] !== want[j]) differing++;
        expect(differing, `${w}×${h}×${channels} → ${ow}×${oh}`).toBe(0);
      }
    }
  });

  it('over random sizes, never differs from sharp where it takes the frame', async () => {
    let s = 99;
    const rnd = (n: number): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return (s >>> 8) % n;
    };
    let taken = 0;
    for (let t = 0; t < 60; t++) {
      const w = 20 + rnd(900), h = 20 + rnd(700);
      const ow = Math.round(w / (1 + rnd(2500) / 1000)), oh = Math.round(h / (1 + rnd(2500) / 1000));
      if (!(await ready(w, h, ow, oh))) continue;
      taken++;
      const src = noise(w * h * 3, t + 1000);
      const want = await sharpReduce(src, w, h, 3, ow, oh);
      const got = Buffer.alloc(ow * oh * 3);
      reduce8(src, 0, w, h, 3, ow, oh, got, ow, 0, 0);
      expect(Buffer.compare(got, want), `${w}×${h} → ${ow}×${oh}`).toBe(0);
    }
    expect(taken, 'most random sizes are taken').toBeGreaterThan(30);
  });

  it('writes into its place in a wider letterbox and leaves the rest alone', async () => {
    expect(await ready(64, 48, 40, 30)).toBe(true);
    const src = noise(64 * 48 * 3, 9);
    const alone = Buffer.alloc(40 * 30 * 3);
    reduce8(src, 0, 64, 48, 3, 40, 30, alone, 40, 0, 0);
    const boxed = Buffer.alloc(50 * 40 * 3, 114);
    reduce8(new Uint8Array([1, 2, 3, ...src]), 3, 64, 48, 3, 40, 30, boxed, 50, 5, 4); // payload at an offset
    for (let y = 0; y < 30; y++) expect(boxed.subarray(((y + 4) * 50 + 5) * 3, ((y + 4) * 50 + 45) * 3).equals(alone.subarray(y * 120, (y + 1) * 120))).toBe(true);
    expect([...boxed.subarray(0, 3)]).toEqual([114, 114, 114]);
    expect([...boxed.subarray(((4 * 50) + 45) * 3, ((4 * 50) + 46) * 3)]).toEqual([114, 114, 114]);
  });

  it('takes nothing unchecked, and leaves to sharp what it cannot reproduce', async () => {
    expect(readyTaps(646, 388), 'not checked yet').toBeUndefined();
    expect(reducible(646, 484, 388, 291), 'first frame of a new size: sharp, and the check starts').toBe(false);
    await Promise.all([verifyAxis(646, 388), verifyAxis(484, 291)]);
    expect(reducible(646, 484, 388, 291)).toBe(true);
    expect(() => reduce8(new Uint8Array(10 * 10 * 3), 0, 10, 10, 3, 7, 7, new Uint8Array(7 * 7 * 3), 7, 0, 0)).toThrow(/not checked/);
    expect(await verifyAxis(320, 640), 'upscale').toBeNull();
    expect(await verifyAxis(1920, 384), '5×: libvips box-shrinks first').toBeNull();
    expect(await verifyAxis(Math.ceil(100 * MAX_SHRINK), 100)).toBeNull();
    expect(await verifyAxis(333, 320), 'positions on odd 1/128 boundaries: libvips\' running sum decides').toBeNull();
    const t = (await verifyAxis(640, 384))!;
    for (let o = 0; o < 384; o++) {
      let sum = 0;
      for (let i = 0; i < t.n; i++) sum += t.w[o * t.n + i]!;
      expect(sum).toBeGreaterThan(4090);
      expect(sum).toBeLessThanOrEqual(4096);
    }
  });
});
