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

/**
 * 8-bit samples for display (sharp's raw input has no maxval, and 16 bits add nothing on a screen).
 * The usual frames need no per-sample JS on this event loop (the line's): 8-bit goes to sharp as it is,
 * and a 16-bit grey frame is read as two-channel 8-bit whose first channel is the high byte.
 */
function netpbmToSharp(bytes: Buffer): Sharp {
  const h = parseNetpbmHeader(bytes);
  const payload = bytes.subarray(h.offset, h.offset + h.payloadBytes);
  const { width, height } = h;
  if (h.bytesPerSample === 1 && h.maxval === 255) return sharp(payload, { raw: { width, height, channels: h.channels } });
  if (h.bytesPerSample === 2 && h.maxval === 65535 && h.channels === 1) return sharp(payload, { raw: { width, height, channels: 2 } }).extractChannel(0);
  const n = width * height * h.channels;
  const eight = new Uint8Array(n);
  if (h.bytesPerSample === 1) for (let i = 0; i < n; i++) eight[i] = Math.min(255, Math.round((bytes[h.offset + i]! * 255) / h.maxval));
  else for (let i = 0, p = h.offset; i < n; i++, p += 2) eight[i] = Math.min(255, Math.round((((bytes[p]! << 8) | bytes[p + 1]!) * 255) / h.maxval));
  return sharp(eight, { raw: { width, height, channels: h.channels } });
}
