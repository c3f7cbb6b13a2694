import { describe, expect, it } from 'vitest';
import type { XrayImage } from '../../../src/shared/devices.ts';
import { memoryLogger } from '../../../src/devices/log.ts';
import { ImageDecoder, type ImageRejected } from '../../../src/devices/scanner/image-ingest.ts';
import { placeholderImageSource } from '../../../src/devices/sim/images.ts';

// The station's inspector decodes the encoded bytes itself, so its ingest checks only the header:
// the same limits must hold without a pixel decode.
const LIMITS = { maxImageBytes: 1024 * 1024, maxImagePixels: 100_000 };

function decoder(): { dec: ImageDecoder; images: XrayImage[]; rejected: ImageRejected[] } {
  const dec = new ImageDecoder('xray1', LIMITS, memoryLogger(), { pixels: 'header-only' });
  const images: XrayImage[] = [];
  const rejected: ImageRejected[] = [];
  dec.events.on('image', (i) => void images.push(i));
  dec.events.on('rejected', (r) => void rejected.push(r));
  return { dec, images, rejected };
}

describe('header-only image ingest', () => {
  it('passes the encoded bytes on with format, size and depth from the header and no decoded pixels', async () => {
    const { dec, images, rejected } = decoder();
    const { high, low } = await placeholderImageSource({ width: 160, height: 120, format: 'png', dualEnergy: true })(1);
    expect(await dec.submit({ source: 't', high, low, seq: 5, at: 1 })).toBeNull();
    expect(rejected).toEqual([]);
    expect(images[0]).toMatchObject({ seq: 5, format: 'png', width: 160, height: 120, bitDepth: 16, channels: 1, dualEnergy: { low: { width: 160, height: 120 } } });
    expect(images[0]!.pixels.byteLength).toBe(0);
    expect(images[0]!.encoded).toBe(high);
  });

  it('stamps the moment the whole image was in hand, and keeps the scanner\'s own stamp', async () => {
    let t = 5000;
    const dec = new ImageDecoder('xray1', LIMITS, memoryLogger(), { pixels: 'header-only', now: () => t });
    const images: XrayImage[] = [];
    dec.events.on('image', (i) => void images.push(i));
    const { high } = await placeholderImageSource({ width: 80, height: 60, format: 'png', dualEnergy: false })(1);
    const done = dec.submit({ source: 'a', high, at: 4970 });
    t = 5009; // checks take time; the receipt is when submit() was called
    expect(await done).toBeNull();
    expect(await dec.submit({ source: 'b', high })).toBeNull();
    expect(images.map((i) => ({ at: i.at, receivedAt: i.receivedAt }))).toEqual([
      { at: 4970, receivedAt: 5000 },
      { at: 5009, receivedAt: 5009 }, // no stamp from the scanner: receipt is the best estimate
    ]);
  });

  it('still refuses oversized, over-pixel, unreadable and mismatched images before anything is decoded', async () => {
    const { dec, images, rejected } = decoder();
    const big = (await placeholderImageSource({ width: 400, height: 300, format: 'png', dualEnergy: false })(1)).high;
    const small = (await placeholderImageSource({ width: 80, height: 60, format: 'png', dualEnergy: false })(1)).high;
    const other = (await placeholderImageSource({ width: 60, height: 80, format: 'png', dualEnergy: false })(1)).high;
    expect(await dec.submit({ source: 'pixels', high: big })).toMatch(/400×300, over the 100000-pixel limit/);
    expect(await dec.submit({ source: 'bytes', high: new Uint8Array(LIMITS.maxImageBytes + 1) })).toMatch(/over the 1048576-byte limit/);
    expect(await dec.submit({ source: 'junk', high: new TextEncoder().encode('not an image at all') })).toMatch(/not a readable image/);
    expect(await dec.submit({ source: 'pair', high: small, low: other })).toMatch(/dual-energy pair differs in size/);
    expect(images).toEqual([]);
    expect(rejected.map((r) => r.source)).toEqual(['pixels', 'bytes', 'junk', 'pair']);
  });
});
