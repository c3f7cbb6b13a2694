// The JS path for common PNGs must give the model exactly sharp's pixels, for every filter type, depth
// and colour type it takes, and must hand anything else (or anything broken) back to sharp untouched.
import sharp from 'sharp';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeGreyPng } from '../../../src/devices/sim/grey-image.ts';
import { letterboxGeometry } from '../../../src/main/inspection/letterbox.ts';
import { pngFrame, unfilter } from '../../../src/main/inspection/png-frame.ts';
import { verifyAxis } from '../../../src/main/inspection/reduce.ts';
import { letterbox, MAX_INPUT_PIXELS } from '../../../src/main/inspection/preprocess.ts';
import { renderParcel } from '../../../src/shared/xray/index.ts';
import { pngChunk as chunk } from '../../../src/main/inspection/warmup-images.ts';

/** A PNG written here with a chosen filter per row (sharp picks its own), samples big-endian as PNG stores them. */
function encodePng(width: number, height: number, channels: 1 | 3, depth: 8 | 16, samples: Uint8Array, filterOf: (y: number) => number, extra: Buffer[] = []): Buffer {
  const bpp = channels * (depth / 8);
  const rowBytes = width * bpp;
  const raw = Buffer.alloc((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    const f = filterOf(y);
    raw[y * (rowBytes + 1)] = f;
    for (let i = 0; i < rowBytes; i++) {
      const x = samples[y * rowBytes + i]!;
      const a = i >= bpp ? samples[y * rowBytes + i - bpp]! : 0;
      const b = y > 0 ? samples[(y - 1) * rowBytes + i]! : 0;
      const c = i >= bpp && y > 0 ? samples[(y - 1) * rowBytes + i - bpp]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const pred = [0, a, b, (a + b) >> 1, paeth][f]!;
      raw[y * (rowBytes + 1) + 1 + i] = (x - pred) & 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = depth;
  ihdr[9] = channels === 3 ? 2 : 0;
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), ...extra, chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

function bigEndian16(v: Uint16Array): Uint8Array {
  const out = new Uint8Array(v.length * 2);
  for (let i = 0; i < v.length; i++) {
    out[2 * i] = v[i]! >> 8;
    out[2 * i + 1] = v[i]! & 255;
  }
  return out;
}

async function sameAsSharp(png: Buffer, input = 320): Promise<void> {
  // reduce.ts takes a size pair once checked against sharp; the exact half needs no check
  const g = letterboxGeometry(png.readUInt32BE(16), png.readUInt32BE(20), input, input);
  await Promise.all([verifyAxis(g.srcWidth, g.newWidth), verifyAxis(g.srcHeight, g.newHeight)]);
  expect(pngFrame(png, input, input, MAX_INPUT_PIXELS), 'the JS path takes this PNG').toBeDefined();
  const js = await letterbox(png, input, input, 114);
  const viaSharp = await letterbox(png, input, input, 114, MAX_INPUT_PIXELS, true);
  expect(js.geometry).toEqual(viaSharp.geometry);
  expect(Buffer.compare(js.rgb, viaSharp.rgb), 'byte-identical letterbox').toBe(0);
}

describe('PNG into the model input without sharp', () => {
  const p = renderParcel(3, { width: 640, height: 480, raw: true });
  const grey16 = p.high!;
  const grey8 = Uint8Array.from(grey16, (v) => v >> 8);
  const rgb16 = new Uint16Array(p.colour.length);
  for (let i = 0; i < rgb16.length; i++) rgb16[i] = p.colour[i]! * 257 + (i % 7);

  it('undoes every filter type (None, Sub, Up, Average, Paeth) exactly', () => {
    for (const [channels, depth, samples] of [[3, 8, p.colour], [1, 16, bigEndian16(grey16)]] as const) {
      const png = encodePng(640, 480, channels, depth, samples, (y) => y % 5);
      const f = pngFrame(png, 320, 320, MAX_INPUT_PIXELS)!;
      expect(f.header).toMatchObject({ width: 640, height: 480, channels, bytesPerSample: depth / 8, maxval: depth === 8 ? 255 : 65535, offset: 0 });
      expect(Buffer.compare(Buffer.from(f.bytes), Buffer.from(samples))).toBe(0);
    }
    expect(unfilter(new Uint8Array([5, 1, 2]), 2, 1, 1), 'filter type 5 does not exist').toBeUndefined();
  });

  it('gives sharp\'s pixels for 8- and 16-bit grey and RGB, whichever filters were used', async () => {
    for (const filterOf of [(y: number) => y % 5, (y: number) => (y * 7) % 5]) {
      await sameAsSharp(encodePng(640, 480, 3, 8, p.colour, filterOf));
      await sameAsSharp(encodePng(640, 480, 1, 8, grey8, filterOf));
      await sameAsSharp(encodePng(640, 480, 1, 16, bigEndian16(grey16), filterOf));
      await sameAsSharp(encodePng(640, 480, 3, 16, bigEndian16(rgb16), filterOf));
    }
    // As the scanner simulator and sharp write them (adaptive filters, text chunks).
    await sameAsSharp(encodeGreyPng(640, 480, grey16));
    await sameAsSharp(await sharp(Buffer.from(p.colour), { raw: { width: 640, height: 480, channels: 3 } }).png({ adaptiveFiltering: true }).toBuffer());
    await sameAsSharp(encodePng(640, 480, 3, 8, p.colour, () => 4, [chunk('tEXt', Buffer.from('Comment\0parcel 42'))]));
  });

  it('gives sharp\'s pixels at other shrinks too (reduce.ts): 640×480 into 384 and 416, 600×400 into 320, grey and RGB', async () => {
    for (const input of [384, 416]) {
      await sameAsSharp(encodePng(640, 480, 3, 8, p.colour, (y) => y % 5), input);
      await sameAsSharp(encodePng(640, 480, 1, 8, grey8, (y) => y % 5), input);
    }
    await sameAsSharp(encodePng(600, 400, 3, 8, p.colour.subarray(0, 600 * 400 * 3), () => 1));
  });

  it('hands anything else, or anything broken, back to sharp, which reports it as before', async () => {
    const good = encodePng(640, 480, 3, 8, p.colour, (y) => y % 5);
    const take = (b: Buffer) => pngFrame(b, 320, 320, MAX_INPUT_PIXELS);
    expect(take(good)).toBeDefined();
    // 16-bit off the exact half, or an upscale: sharp resizes it.
    expect(take(encodePng(600, 400, 1, 16, bigEndian16(grey16.subarray(0, 600 * 400)), () => 0))).toBeUndefined();
    expect(take(encodePng(160, 120, 3, 8, p.colour.subarray(0, 160 * 120 * 3), () => 0))).toBeUndefined();
    // A colour profile, transparency or gamma may change sharp's pixels: not taken.
    expect(take(encodePng(640, 480, 3, 8, p.colour, () => 0, [chunk('gAMA', Buffer.from([0, 0, 0xb1, 0x8f]))]))).toBeUndefined();
    // Over the pixel limit: not taken (sharp's probe refuses it with INSPECT_IMAGE_TOO_LARGE).
    expect(pngFrame(good, 320, 320, 640 * 480 - 1)).toBeUndefined();
    // A flipped bit in the pixel data: the CRC no longer matches.
    const flipped = Buffer.from(good);
    flipped[good.length - 40]! ^= 1;
    expect(take(flipped)).toBeUndefined();
    await expect(letterbox(flipped, 320, 320, 114)).rejects.toMatchObject({ code: 'INSPECT_IMAGE_CORRUPT' });
    // Truncated anywhere: not taken, and sharp says it is truncated.
    for (const n of [20, 100, Math.floor(good.length / 2), good.length - 1]) {
      expect(take(good.subarray(0, n))).toBeUndefined();
    }
    await expect(letterbox(good.subarray(0, Math.floor(good.length / 2)), 320, 320, 114)).rejects.toMatchObject({ code: 'INSPECT_IMAGE_CORRUPT' });
    // More pixel data than the header promises (a zip bomb's shape): inflate stops at the expected size.
    const bomb = encodePng(640, 480, 3, 8, p.colour, () => 0);
    const ihdrClaimsLess = Buffer.from(bomb);
    ihdrClaimsLess.writeUInt32BE(240, 20); // height 240 in IHDR, 480 rows of data
    ihdrClaimsLess.writeUInt32BE(crc32(ihdrClaimsLess.subarray(12, 29)), 29);
    expect(pngFrame(ihdrClaimsLess, 320, 160, MAX_INPUT_PIXELS)).toBeUndefined();
  });
});
