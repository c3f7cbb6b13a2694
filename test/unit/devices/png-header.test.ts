// The PNG header read without sharp must say what sharp's metadata says for the PNGs it takes, and
// leave everything else (palettes, damaged headers) to sharp.
import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { pngHeader, probeImage } from '../../../src/devices/scanner/image-decode.ts';

const LIMITS = { maxImageBytes: 64 * 1024 * 1024, maxImagePixels: 1_000_000 };

async function png(channels: 1 | 2 | 3 | 4, depth: 8 | 16, opts: { palette?: boolean } = {}): Promise<Buffer> {
  const img = sharp({ create: { width: 37, height: 23, channels: channels === 1 || channels === 2 ? 3 : channels, background: { r: 90, g: 90, b: 90, alpha: 0.5 } } });
  const shaped = channels === 1 ? img.toColourspace('b-w').removeAlpha() : channels === 2 ? img.toColourspace('b-w').ensureAlpha(0.5) : img;
  const typed = depth === 16 ? shaped.toColourspace(channels <= 2 ? 'grey16' : 'rgb16') : shaped;
  return typed.png({ palette: opts.palette ?? false }).toBuffer();
}

describe('pngHeader', () => {
  for (const [channels, depth] of [[1, 8], [1, 16], [2, 8], [3, 8], [3, 16], [4, 8]] as const) {
    it(`agrees with sharp's metadata on a ${channels}-channel ${depth}-bit PNG`, async () => {
      const bytes = await png(channels, depth);
      const meta = await sharp(bytes).metadata();
      const h = pngHeader(bytes);
      expect(h).toBeDefined();
      expect(h).toEqual({ width: meta.width, height: meta.height, bitDepth: meta.depth === 'ushort' ? 16 : 8, grey: (meta.channels ?? 1) - (meta.hasAlpha ? 1 : 0) <= 1 });
    });
  }

  it('leaves a palette PNG and a damaged header to sharp', async () => {
    const palette = await png(3, 8, { palette: true });
    expect(palette[25]).toBe(3);
    expect(pngHeader(palette)).toBeUndefined();
    expect(await probeImage(palette, LIMITS)).toMatchObject({ format: 'png', width: 37, height: 23 });
    const damaged = Buffer.from(await png(3, 8));
    damaged[17] = damaged[17]! ^ 0xff; // width, under the header's CRC
    expect(pngHeader(damaged)).toBeUndefined();
    await expect(probeImage(damaged, LIMITS)).rejects.toMatchObject({ code: 'DEVICE_IMAGE_REJECTED' });
  });

  it('holds a header that claims more pixels than the limit to it, as on the path through sharp', async () => {
    const bytes = Buffer.from(await png(1, 8));
    bytes.writeUInt32BE(30000, 16);
    bytes.writeUInt32BE(30000, 20);
    bytes.writeUInt32BE(crc32(bytes.subarray(16, 29), crc32(bytes.subarray(12, 16))), 29);
    expect(pngHeader(bytes)).toEqual({ width: 30000, height: 30000, bitDepth: 8, grey: true });
    await expect(probeImage(bytes, LIMITS)).rejects.toMatchObject({ code: 'DEVICE_IMAGE_REJECTED', message: expect.stringMatching(/30000×30000, over the 1000000-pixel limit/) });
  });
});
