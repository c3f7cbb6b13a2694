// Raw netpbm frames at device ingest: parsed without sharp, decoded to the same samples as the PNG of
// the same frame, and refused with DEVICE_IMAGE_REJECTED like any other bad image.
import { describe, expect, it } from 'vitest';
import { decodeImage, probeImage, probePlane, type ImageLimits } from '../../../src/devices/scanner/image-decode.ts';
import { encodeGreyPng } from '../../../src/devices/sim/grey-image.ts';
import { encodeNetpbm } from '../../../src/shared/netpbm.ts';

const LIMITS: ImageLimits = { maxImageBytes: 8 << 20, maxImagePixels: 1 << 22 };

describe('netpbm frames at ingest', () => {
  it('a 16-bit P5 frame decodes to the same little-endian samples as its 16-bit PNG', async () => {
    const w = 37;
    const h = 23;
    const samples = Uint16Array.from({ length: w * h }, (_, i) => (i * 2654435761) >>> 16);
    const a = await decodeImage(encodeNetpbm(w, h, 1, 65535, samples), LIMITS);
    const b = await decodeImage(encodeGreyPng(w, h, samples), LIMITS);
    expect(a).toMatchObject({ format: 'pnm', width: w, height: h, bitDepth: 16, channels: 1 });
    expect(b).toMatchObject({ format: 'png', bitDepth: 16, channels: 1 });
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(true);
  });

  it('header-only ingest reports the frame without touching the pixels', async () => {
    const ppm = encodeNetpbm(8, 4, 3, 255, new Uint8Array(8 * 4 * 3).fill(7));
    expect(await probeImage(ppm, LIMITS)).toEqual({ format: 'pnm', width: 8, height: 4, bitDepth: 8, grey: false });
    expect(await probePlane(ppm, LIMITS)).toMatchObject({ format: 'pnm', channels: 3, pixels: new Uint8Array(0), encodedBytes: ppm.length });
  });

  it('a 12-bit frame (maxval 4095) is stretched to the full 16-bit range', async () => {
    const pgm = encodeNetpbm(2, 1, 1, 4095, Uint16Array.from([4095, 2048]));
    const px = new Uint16Array((await decodeImage(pgm, LIMITS)).pixels.slice().buffer);
    expect([...px]).toEqual([65535, Math.round((2048 * 65535) / 4095)]);
  });

  it('short pixel data, a huge claim and a broken header are refused as DEVICE_IMAGE_REJECTED', async () => {
    const good = encodeNetpbm(8, 4, 1, 255, new Uint8Array(32));
    await expect(probeImage(good.subarray(0, good.length - 3), LIMITS)).rejects.toMatchObject({ code: 'DEVICE_IMAGE_REJECTED', message: expect.stringMatching(/29 of 32 bytes/) });
    await expect(probeImage(Buffer.from('P5 60000 60000 255\n'), LIMITS)).rejects.toMatchObject({ code: 'DEVICE_IMAGE_REJECTED', message: expect.stringMatching(/60000×60000/) });
    await expect(decodeImage(Buffer.from('P6 x'), LIMITS)).rejects.toMatchObject({ code: 'DEVICE_IMAGE_REJECTED' });
  });
});
