// What the console's <img> is given for a stored X-ray image. Browsers show PNG, JPEG and WebP; a TIFF
// or a raw netpbm frame from the scanner is re-encoded to PNG on request (display only: the stored
// evidence keeps its bytes and hash). Off the parcel path, so a few milliseconds here cost nothing there.
import sharp, { type Sharp } from 'sharp';
import { parseNetpbmHeader } from '../../shared/netpbm.ts';

const SHOWN: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', jpg: 'image/jpeg', webp: 'image/webp' };

export function needsTranscode(format: string): boolean {
  return !(format in SHOWN);
}

export async function browserImage(bytes: Buffer, format: string): Promise<{ mime: string; bytes: Buffer }> {
  const mime = SHOWN[format];
  if (mime) return { mime, bytes };
  const img = format === 'pnm' ? netpbmToSharp(bytes) : sharp(bytes, { failOn: 'error' });
  return { mime: 'image/png', bytes: await img.png({ compressionLevel: 1 }).toBuffer() };
}

/** 8-bit samples for display (sharp's raw input has no maxval, and 16 bits add nothing on a screen). */
function netpbmToSharp(bytes: Buffer): Sharp {
  const h = parseNetpbmHeader(bytes);
  const n = h.width * h.height * h.channels;
  const eight = new Uint8Array(n);
  if (h.bytesPerSample === 1) for (let i = 0; i < n; i++) eight[i] = Math.min(255, Math.round((bytes[h.offset + i]! * 255) / h.maxval));
  else for (let i = 0, p = h.offset; i < n; i++, p += 2) eight[i] = Math.min(255, Math.round((((bytes[p]! << 8) | bytes[p + 1]!) * 255) / h.maxval));
  return sharp(eight, { raw: { width: h.width, height: h.height, channels: h.channels } });
}
