import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { letterboxGeometry } from '../../../src/main/inspection/letterbox.ts';
import { letterbox, letterboxTensor, probeImage, toTensor, type InputSpec } from '../../../src/main/inspection/preprocess.ts';
import { reducible, verifyAxis } from '../../../src/main/inspection/reduce.ts';
import { encodeNetpbm } from '../../../src/shared/netpbm.ts';
import { png16Grey, pngHeaderOnly } from './images.ts';

async function noisePng(width: number, height: number): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 2654435761) >>> 24;
  return sharp(px, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

async function expectCode(p: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await expect(p).rejects.toMatchObject({ name: 'StationError', code, message: expect.stringMatching(message) });
}

describe('bad image files give a coded error, never a crash', () => {
  it('zero bytes', async () => {
    await expectCode(letterbox(new Uint8Array(0), 320, 320, 114), 'INSPECT_IMAGE_EMPTY', /empty \(0 bytes\)/);
  });
  it('not an image', async () => {
    await expectCode(letterbox(Buffer.from('{"parcel": "not an image"}\n'), 320, 320, 114), 'INSPECT_IMAGE_UNSUPPORTED', /not a readable image/);
  });
  it('random bytes', async () => {
    await expectCode(letterbox(Buffer.alloc(4096, 0x5a), 320, 320, 114), 'INSPECT_IMAGE_UNSUPPORTED', /not a readable image/);
  });
  it('a PNG header claiming 30000×30000 pixels is refused before any decoding', async () => {
    const before = process.memoryUsage().rss;
    await expectCode(letterbox(pngHeaderOnly(30000, 30000), 320, 320, 114), 'INSPECT_IMAGE_TOO_LARGE', /30000×30000 pixels, over the 64000000 pixel limit/);
    // 30000² × 3 bytes would be 2.7 GB; nothing near that was allocated.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
  it('a PNG header within the limit but with no pixel data is corrupt', async () => {
    await expectCode(letterbox(pngHeaderOnly(200, 100), 320, 320, 114), 'INSPECT_IMAGE_CORRUPT', /corrupt or truncated/);
  });
  it('a truncated PNG', async () => {
    const png = await noisePng(300, 200);
    await expectCode(letterbox(png.subarray(0, Math.floor(png.length / 2)), 320, 320, 114), 'INSPECT_IMAGE_CORRUPT', /corrupt or truncated/);
  });
  it('a truncated JPEG', async () => {
    const jpg = await sharp(await noisePng(300, 200)).jpeg().toBuffer();
    await expectCode(letterbox(jpg.subarray(0, Math.floor(jpg.length / 2)), 320, 320, 114), 'INSPECT_IMAGE_CORRUPT', /corrupt or truncated/);
  });
  it('a PNG with flipped bytes in its pixel data', async () => {
    const png = Buffer.from(await noisePng(300, 200));
    for (let i = 100; i < png.length - 20; i += 37) png[i] = png[i]! ^ 0xff;
    await expect(letterbox(png, 320, 320, 114)).rejects.toMatchObject({ code: expect.stringMatching(/^INSPECT_IMAGE_(CORRUPT|UNSUPPORTED)$/) });
  });
});

describe('letterbox', () => {
  it('fits a colour image into the input, centred, padded with the pad value', async () => {
    const img = await sharp({ create: { width: 200, height: 100, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
    const { rgb, geometry } = await letterbox(img, 64, 64, 114);
    expect(geometry).toMatchObject({ srcWidth: 200, srcHeight: 100, newWidth: 64, newHeight: 32, padX: 0, padY: 16 });
    expect(rgb.length).toBe(64 * 64 * 3);
    const px = (x: number, y: number) => [...rgb.subarray((y * 64 + x) * 3, (y * 64 + x) * 3 + 3)];
    expect(px(10, 5)).toEqual([114, 114, 114]);
    expect(px(10, 32)).toEqual([255, 0, 0]);
    expect(px(10, 60)).toEqual([114, 114, 114]);
  });

  it('pads byte for byte as sharp\'s own extend() would (training caches were made that way)', async () => {
    for (const [w, h] of [[640, 480], [480, 640], [333, 101], [97, 301], [320, 320]] as const) {
      const img = await noisePng(w, h);
      const g = letterboxGeometry(w, h, 320, 320);
      const viaSharp = await sharp(img)
        .removeAlpha()
        .toColourspace('srgb')
        .resize(g.newWidth, g.newHeight, { fit: 'fill', kernel: 'linear' })
        .extend({ top: g.padY, bottom: 320 - g.newHeight - g.padY, left: g.padX, right: 320 - g.newWidth - g.padX, background: { r: 114, g: 114, b: 114 } })
        .raw({ depth: 'uchar' })
        .toBuffer();
      const { rgb } = await letterbox(img, 320, 320, 114);
      expect(Buffer.compare(rgb, viaSharp), `${w}×${h}`).toBe(0);
    }
  });

  it('reads 16-bit greyscale into three equal 8-bit channels', async () => {
    const { rgb } = await letterbox(png16Grey(64, 64, (x) => (x < 32 ? 0 : 65535)), 64, 64, 114);
    const at = (x: number) => [...rgb.subarray((10 * 64 + x) * 3, (10 * 64 + x) * 3 + 3)];
    expect(at(5)).toEqual([0, 0, 0]);
    expect(at(60)).toEqual([255, 255, 255]);
  });

  it('drops an alpha channel', async () => {
    const img = await sharp({ create: { width: 32, height: 32, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 0.5 } } }).png().toBuffer();
    const { rgb } = await letterbox(img, 32, 32, 114);
    expect(rgb.length).toBe(32 * 32 * 3);
    expect(rgb[2]).toBeGreaterThan(100);
  });

  it('probes the header without decoding', async () => {
    expect(await probeImage(pngHeaderOnly(640, 480))).toEqual({ width: 640, height: 480, format: 'png' });
  });
});

describe('toTensor', () => {
  it('writes planar channels with scale, mean and std', () => {
    const rgb = Uint8Array.from([0, 128, 255, 255, 0, 51]);
    const t = toTensor(rgb, 2, 1, { scale: 1 / 255, mean: [0, 0.5, 0], std: [1, 0.5, 2] });
    expect([...t].map((v) => Math.round(v * 1000) / 1000)).toEqual([0, 1, 0.004, -1, 0.5, 0.1]);
  });
});

describe('letterboxTensor', () => {
  const spec = (size: number): InputSpec => ({ width: size, height: size, pad: 114, scale: 1 / 255, mean: [0.1, 0.2, 0.3], std: [0.9, 0.8, 0.7] });
  /** What the model saw before the fused path: sharp's letterbox, then toTensor. */
  async function reference(bytes: Uint8Array, s: InputSpec): Promise<Float32Array> {
    const lb = await letterbox(bytes, s.width, s.height, s.pad, undefined, true);
    return toTensor(lb.rgb, s.width, s.height, s);
  }
  function firstDifference(a: Float32Array, b: Float32Array): number {
    expect(a.length).toBe(b.length);
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
    return -1;
  }
  const px = (w: number, h: number, ch: number): Buffer => {
    const b = Buffer.alloc(w * h * ch);
    for (let i = 0; i < b.length; i++) b[i] = (Math.imul(i, 2654435761) >>> 23) & 255;
    return b;
  };

  it('gives the same tensor as letterbox + toTensor for the frames it resizes in JS (RGB and grey PNG, raw P6), and for those it does not', async () => {
    await Promise.all([verifyAxis(640, 384), verifyAxis(480, 288)]);
    expect(reducible(640, 480, 384, 288), '640×480 into 384 takes the fused path').toBe(true);
    const rgb = px(640, 480, 3);
    const grey = px(640, 480, 1);
    const cases: [string, Uint8Array, number][] = [
      ['RGB PNG into 384', await sharp(rgb, { raw: { width: 640, height: 480, channels: 3 } }).png().toBuffer(), 384],
      ['grey PNG into 384', await sharp(grey, { raw: { width: 640, height: 480, channels: 1 } }).png().toBuffer(), 384],
      ['P6 into 384', encodeNetpbm(640, 480, 3, 255, rgb), 384],
      ['RGB PNG into 320 (exact half)', await sharp(rgb, { raw: { width: 640, height: 480, channels: 3 } }).png().toBuffer(), 320],
      ['JPEG into 384 (sharp)', await sharp(rgb, { raw: { width: 640, height: 480, channels: 3 } }).jpeg().toBuffer(), 384],
    ];
    for (const [name, bytes, size] of cases) {
      const s = spec(size);
      const want = await reference(bytes, s);
      // A reused tensor full of garbage must come back entirely rewritten, padding included.
      const reused = new Float32Array(3 * size * size).fill(Number.NaN);
      const got = await letterboxTensor(bytes, s, reused);
      expect(got.tensor, `${name}: the tensor passed in is reused`).toBe(reused);
      expect(firstDifference(got.tensor, want), name).toBe(-1);
      expect(got.geometry).toEqual(letterboxGeometry(640, 480, size, size));
    }
  });

  it('reports bad bytes as letterbox does', async () => {
    await expectCode(letterboxTensor(new Uint8Array(0), spec(384)), 'INSPECT_IMAGE_EMPTY', /empty/);
    const p6 = encodeNetpbm(640, 480, 3, 255, px(640, 480, 3));
    await expectCode(letterboxTensor(p6.subarray(0, 1000), spec(384)), 'INSPECT_IMAGE_CORRUPT', /.+/);
  });
});
