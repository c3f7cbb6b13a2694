// Image sources for the scanner simulator: a function from photo-eye sequence number to encoded
// image bytes. The default renders synthetic dual-energy X-ray parcels with the shared generator
// (src/shared/xray); the placeholder is a cheap gradient for benchmarks and fast tests.
import sharp from 'sharp';
import { encodeNetpbm } from '../../shared/netpbm.ts';
import { renderParcel } from '../../shared/xray/index.ts';
import { encodeGreyPng, encodeGreyTiff } from './grey-image.ts';

export interface SimImage {
  high: Buffer;
  low?: Buffer;
  format: SimImageFormat;
}

/** 'pnm': the raw 16-bit frame as binary netpbm (P5), what a line scanner can send without compressing. */
export type SimImageFormat = 'png' | 'tiff' | 'jpeg' | 'pnm';

export type ImageSource = (seq: number) => Promise<SimImage>;

export interface ImageSourceOptions {
  width: number;
  height: number;
  format: SimImageFormat;
  dualEnergy: boolean;
}

function encode(o: ImageSourceOptions, samples: Uint16Array): Buffer {
  if (o.format === 'pnm') return Buffer.from(encodeNetpbm(o.width, o.height, 1, 65535, samples).buffer);
  return o.format === 'tiff' ? encodeGreyTiff(o.width, o.height, samples) : encodeGreyPng(o.width, o.height, samples);
}

/** Synthetic X-ray parcels: 16-bit high/low channels (PNG/TIFF/netpbm) or the pseudo-colour rendering (JPEG). */
export function xrayImageSource(o: ImageSourceOptions): ImageSource {
  return async (seq) => {
    const p = renderParcel(seq + 1, { width: o.width, height: o.height, raw: true });
    if (o.format === 'jpeg') {
      const high = await sharp(Buffer.from(p.colour), { raw: { width: p.width, height: p.height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
      return { high, format: 'jpeg' };
    }
    const high = encode(o, p.high!);
    return o.dualEnergy ? { high, low: encode(o, p.low!), format: o.format } : { high, format: o.format };
  };
}

/** A gradient with a dark box whose position depends on seq; fast and deterministic. */
export function placeholderImageSource(o: ImageSourceOptions): ImageSource {
  return async (seq) => {
    const make = (atten: number): Uint16Array => {
      const a = new Uint16Array(o.width * o.height);
      const bx = (seq * 37) % Math.max(1, o.width - 40);
      for (let y = 0; y < o.height; y++) {
        for (let x = 0; x < o.width; x++) {
          const inBox = x >= bx && x < bx + 40 && y >= o.height / 4 && y < (o.height * 3) / 4;
          a[y * o.width + x] = inBox ? Math.round(9000 * atten) : 60000 - ((x * 7 + y * 3 + seq) % 4000);
        }
      }
      return a;
    };
    if (o.format === 'jpeg') {
      const g = make(1);
      const eight = Uint8Array.from(g, (v) => v >> 8);
      return { high: await sharp(Buffer.from(eight), { raw: { width: o.width, height: o.height, channels: 1 } }).jpeg().toBuffer(), format: 'jpeg' };
    }
    const high = encode(o, make(1));
    return o.dualEnergy ? { high, low: encode(o, make(0.6)), format: o.format } : { high, format: o.format };
  };
}
