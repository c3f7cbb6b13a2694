// Raw netpbm frames must reach the model as the same pixels as the PNG of the same frame: the fast
// exact-half path is compared byte for byte with sharp's decode + resize on rendered X-ray parcels.
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeGreyPng } from '../../../src/devices/sim/grey-image.ts';
import { letterbox, MAX_INPUT_PIXELS, probeImage } from '../../../src/main/inspection/preprocess.ts';
import { isExactHalf } from '../../../src/main/inspection/netpbm-letterbox.ts';
import { reducible, verifyAxis } from '../../../src/main/inspection/reduce.ts';
import { encodeNetpbm } from '../../../src/shared/netpbm.ts';
import { renderParcel } from '../../../src/shared/xray/index.ts';

function diff(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  expect(a.length).toBe(b.length);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

function parcel(seed: number, width: number, height: number) {
  return renderParcel(seed, { width, height, raw: true });
}

describe('netpbm frames into the model input', () => {
  it('a 640×480 colour frame (P6) gives exactly the pixels of its PNG', async () => {
    for (const seed of [1, 2]) {
      const p = parcel(seed, 640, 480);
      const ppm = encodeNetpbm(640, 480, 3, 255, p.colour);
      const png = await sharp(Buffer.from(p.colour), { raw: { width: 640, height: 480, channels: 3 } }).png().toBuffer();
      expect(isExactHalf({ width: 640, height: 480 }, 320, 320)).toBe(true);
      const a = await letterbox(ppm, 320, 320, 114);
      const b = await letterbox(png, 320, 320, 114, MAX_INPUT_PIXELS, true); // sharp, not the JS PNG path
      expect(a.geometry).toEqual(b.geometry);
      expect(diff(a.rgb, b.rgb).max).toBe(0);
    }
  });

  it('a 16-bit grey frame (P5, the scanner raw view) gives exactly the pixels of its 16-bit PNG, portrait too', async () => {
    for (const [w, h] of [[640, 480], [480, 640]] as const) {
      const p = parcel(3, w, h);
      const pgm = encodeNetpbm(w, h, 1, 65535, p.high!);
      const png = encodeGreyPng(w, h, p.high!);
      expect((await sharp(png).metadata()).depth).toBe('ushort');
      const a = await letterbox(pgm, 320, 320, 114);
      const b = await letterbox(png, 320, 320, 114, MAX_INPUT_PIXELS, true); // sharp, not the JS PNG path
      expect(diff(a.rgb, b.rgb).max).toBe(0);
      expect(await probeImage(pgm)).toEqual({ width: w, height: h, format: 'pnm' });
    }
  });

  it('other sizes: identical to sharp for 8-bit (reduce.ts), within one grey level for 16-bit (sharp), padding untouched', async () => {
    const p = parcel(4, 1000, 700);
    await Promise.all([verifyAxis(1000, 320), verifyAxis(700, 224)]);
    expect(reducible(1000, 700, 320, 224), 'reduce.ts takes this size once checked').toBe(true);
    const a = await letterbox(encodeNetpbm(1000, 700, 3, 255, p.colour), 320, 320, 114);
    const png = await sharp(Buffer.from(p.colour), { raw: { width: 1000, height: 700, channels: 3 } }).png().toBuffer();
    const b = await letterbox(png, 320, 320, 114, MAX_INPUT_PIXELS, true); // sharp, not the JS PNG path
    expect(a.geometry).toMatchObject({ newWidth: 320, newHeight: 224, padY: 48 });
    expect(diff(a.rgb, b.rgb).max).toBe(0);
    const c = await letterbox(encodeNetpbm(1000, 700, 1, 65535, p.high!), 320, 320, 114);
    const d = await letterbox(encodeGreyPng(1000, 700, p.high!), 320, 320, 114);
    expect(diff(c.rgb, d.rgb).max).toBeLessThanOrEqual(1);
    expect([...c.rgb.subarray(0, 3)]).toEqual([114, 114, 114]);
  });

  it('a 12-bit frame (maxval 4095) is scaled to full range, not left 16 times too dark', async () => {
    const p = parcel(5, 640, 480);
    const twelve = Uint16Array.from(p.high!, (v) => v >> 4);
    const a = await letterbox(encodeNetpbm(640, 480, 1, 4095, twelve), 320, 320, 114);
    const b = await letterbox(encodeNetpbm(640, 480, 1, 65535, p.high!), 320, 320, 114);
    const { max, mean } = diff(a.rgb, b.rgb);
    expect(max).toBeLessThanOrEqual(2);
    expect(mean).toBeLessThan(0.5);
  });

  it('bad frames give the inspector\'s coded errors', async () => {
    const good = encodeNetpbm(64, 48, 3, 255, new Uint8Array(64 * 48 * 3));
    await expect(letterbox(good.subarray(0, good.length - 1), 320, 320, 114)).rejects.toMatchObject({ code: 'INSPECT_IMAGE_CORRUPT', message: expect.stringMatching(/pixel data truncated/) });
    await expect(letterbox(Buffer.from('P6 60000 60000 255\n'), 320, 320, 114)).rejects.toMatchObject({ code: 'INSPECT_IMAGE_TOO_LARGE' });
    await expect(letterbox(Buffer.from('P6 4 4 255#\n'), 320, 320, 114)).rejects.toMatchObject({ code: 'INSPECT_IMAGE_CORRUPT' });
  });
});
