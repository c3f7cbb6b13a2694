// The console's <img> gets PNG for formats browsers cannot show (TIFF, raw netpbm frames).
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { browserImage, needsTranscode } from '../../../src/main/console/browser-image.ts';
import { encodeNetpbm } from '../../../src/shared/netpbm.ts';

describe('browserImage', () => {
  it('passes PNG and JPEG through untouched', async () => {
    const png = await sharp({ create: { width: 4, height: 3, channels: 3, background: '#123456' } }).png().toBuffer();
    const shown = await browserImage(png, 'png');
    expect(shown).toEqual({ mime: 'image/png', bytes: png });
    expect(needsTranscode('jpeg')).toBe(false);
  });

  it('turns a 16-bit grey netpbm frame into a PNG with the same picture', async () => {
    const samples = Uint16Array.from({ length: 6 * 2 }, (_, i) => i * 5000);
    const shown = await browserImage(Buffer.from(encodeNetpbm(6, 2, 1, 65535, samples)), 'pnm');
    expect(shown.mime).toBe('image/png');
    const { data, info } = await sharp(shown.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([6, 2]);
    const firstChannel = [...data].filter((_, i) => i % info.channels === 0);
    expect(firstChannel).toEqual([...samples].map((v) => v >> 8));
  });

  it('scales a 12-bit grey frame and an 8-bit colour frame for display', async () => {
    const grey = await browserImage(Buffer.from(encodeNetpbm(2, 1, 1, 4095, Uint16Array.of(4095, 2048))), 'pnm');
    const g = await sharp(grey.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([g.data[0], g.data[g.info.channels]]).toEqual([255, 128]);
    const rgb = Uint8Array.of(255, 0, 0, 0, 0, 255);
    const colour = await browserImage(Buffer.from(encodeNetpbm(2, 1, 3, 255, rgb)), 'pnm');
    const c = await sharp(colour.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([...c.data]).toEqual([...rgb]);
  });

  it('turns a TIFF into a PNG', async () => {
    const tiff = await sharp({ create: { width: 5, height: 5, channels: 3, background: '#ff0000' } }).tiff().toBuffer();
    const shown = await browserImage(tiff, 'tiff');
    expect(shown.mime).toBe('image/png');
    expect((await sharp(shown.bytes).metadata()).format).toBe('png');
  });
});
