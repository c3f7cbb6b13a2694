// PNG encoding of one synthetic parcel (sharp, fixed settings so the bytes are reproducible).
import sharp from 'sharp';
import type { SynthParcel } from './parcel.ts';

export interface EncodedParcel {
  id: string;
  split: SynthParcel['split'];
  png: Uint8Array;
  /** 16-bit PNGs of the raw channels (--mode dual). */
  high?: Uint8Array;
  low?: Uint8Array;
  labels: string;
  truth: string;
  ceb: Record<string, string>;
  objects: number;
  mismatch: string;
}

function png(data: Uint8Array | Uint16Array, width: number, height: number, channels: 1 | 3): Promise<Buffer> {
  const depth = data instanceof Uint16Array ? 'ushort' : 'uchar';
  let img = sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels, ...(depth === 'ushort' ? { depth } : {}) } });
  // Without an explicit colourspace sharp widens grey to 8-bit RGB.
  if (channels === 1) img = img.toColourspace(depth === 'ushort' ? 'grey16' : 'b-w');
  return img.png({ compressionLevel: 6, adaptiveFiltering: false, palette: false }).toBuffer();
}

export async function encodeParcel(p: SynthParcel): Promise<EncodedParcel> {
  const [image, high, low] = await Promise.all([
    png(p.pixels, p.width, p.height, p.channels),
    p.high ? png(p.high, p.width, p.height, 1) : undefined,
    p.low ? png(p.low, p.width, p.height, 1) : undefined,
  ]);
  return {
    id: p.id,
    split: p.split,
    png: image,
    ...(high && low ? { high, low } : {}),
    labels: p.labels,
    truth: `${JSON.stringify(p.truth, null, 1)}\n`,
    ceb: { ...p.ceb },
    objects: p.truth.objects.length,
    mismatch: p.truth.mismatch.type,
  };
}
