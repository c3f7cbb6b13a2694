// What the console's <img> is given for a stored X-ray image. Browsers show PNG, JPEG and WebP; a TIFF
// or a raw netpbm frame from the scanner is re-encoded to PNG on request (display only: the stored
// evidence keeps its bytes and hash). Off the parcel path, so a few milliseconds here cost nothing there.
import sharp, { type Sharp } from 'sharp';
import { netpbmSamples8, parseNetpbmHeader } from '../../shared/netpbm.ts';

const SHOWN: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', jpg: 'image/jpeg', webp: 'image/webp' };

/** The content type the browser gets for a stored format (known before any conversion). */
export function browserMime(format: string): string {
  return SHOWN[format] ?? 'image/png';
}

export function needsTranscode(format: string): boolean {
  return !(format in SHOWN);
}

export async function browserImage(bytes: Buffer, format: string): Promise<{ mime: string; bytes: Buffer }> {
  if (!needsTranscode(format)) return { mime: browserMime(format), bytes };
  const img = format === 'pnm' ? netpbmToSharp(bytes) : sharp(bytes, { failOn: 'error' });
  return { mime: 'image/png', bytes: await img.png({ compressionLevel: 1 }).toBuffer() };
}

/**
 * 8-bit samples for display (sharp's raw input has no maxval, and 16 bits add nothing on a screen).
 * A 16-bit grey frame, the scanner's usual one, needs no per-sample JS on this event loop (the line's):
 * read as two-channel 8-bit, its first channel is the high byte.
 */
function netpbmToSharp(bytes: Buffer): Sharp {
  const h = parseNetpbmHeader(bytes);
  const { width, height } = h;
  if (h.bytesPerSample === 2 && h.maxval === 65535 && h.channels === 1) {
    return sharp(bytes.subarray(h.offset, h.offset + h.payloadBytes), { raw: { width, height, channels: 2 } }).extractChannel(0);
  }
  return sharp(netpbmSamples8(h, bytes), { raw: { width, height, channels: h.channels } });
}
