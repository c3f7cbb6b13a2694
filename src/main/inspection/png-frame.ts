// The common scanner PNG without sharp: 8/16-bit grey or RGB, not interlaced, that letterboxes by an
// exact half (640×480 into 320) or, 8-bit, by another shrink reduce.ts reproduces (640×480 into 384). zlib inflates it, the filters are undone here, and the samples go
// through the raw-frame letterbox (netpbm-letterbox.ts), which reproduces sharp's pixels byte for byte
// (tested against sharp on PNGs of every filter type). ~4–5 ms instead of ~10 for sharp's decode +
// resize on the station PC. Anything else, and anything odd about the file (a bad CRC, a truncated
// chunk, a colour profile, transparency, a palette), returns undefined: sharp then decodes it and
// reports what is wrong with it, exactly as before.
import { crc32, inflateSync } from 'node:zlib';
import { jsLetterboxable, type NetpbmFrame } from './netpbm-letterbox.ts';

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Chunks that do not change the pixels sharp produces; any other sends the file to sharp. */
const HARMLESS = new Set(['tEXt', 'zTXt', 'iTXt', 'pHYs', 'tIME']);

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.every((b, i) => bytes[i] === b);
}

/** The PNG's samples as a raw frame when the JS path can take it (see the header), else undefined. */
export function pngFrame(bytes: Uint8Array, dstWidth: number, dstHeight: number, maxPixels: number): NetpbmFrame | undefined {
  if (!isPng(bytes)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let ihdr: { width: number; height: number; depth: number; colour: number } | undefined;
  let ended = false;
  for (let o = 8; o < bytes.length && !ended; ) {
    if (o + 12 > bytes.length) return undefined;
    const len = view.getUint32(o);
    if (len > bytes.length - o - 12) return undefined;
    const type = String.fromCharCode(bytes[o + 4]!, bytes[o + 5]!, bytes[o + 6]!, bytes[o + 7]!);
    const body = bytes.subarray(o + 8, o + 8 + len);
    if (crc32(body, crc32(bytes.subarray(o + 4, o + 8))) !== view.getUint32(o + 8 + len)) return undefined;
    if (ihdr === undefined) {
      if (type !== 'IHDR' || len !== 13) return undefined;
      const [depth, colour, compression, filter, interlace] = body.subarray(8, 13);
      if (compression !== 0 || filter !== 0 || interlace !== 0 || (depth !== 8 && depth !== 16) || (colour !== 0 && colour !== 2)) return undefined;
      ihdr = { width: view.getUint32(o + 8), height: view.getUint32(o + 12), depth, colour };
    } else if (type === 'IDAT') idat.push(body);
    else if (type === 'IEND') ended = true;
    else if (!HARMLESS.has(type)) return undefined;
    o += 12 + len;
  }
  if (!ihdr || !ended || idat.length === 0) return undefined;
  const { width, height, depth, colour } = ihdr;
  const channels = colour === 2 ? 3 : 1;
  const bytesPerSample = depth === 16 ? 2 : 1;
  const maxval = depth === 16 ? 65535 : 255;
  if (width < 1 || height < 1 || width * height > maxPixels || !jsLetterboxable({ width, height, bytesPerSample, maxval }, dstWidth, dstHeight)) return undefined;
  const rowBytes = width * channels * bytesPerSample;
  const expected = (rowBytes + 1) * height;
  let raw: Buffer;
  try {
    // One IDAT is the usual case: inflate it where it lies rather than copying it into a new buffer.
    // A chunk larger than the image makes zlib write one buffer, not ~60 16 kB pieces joined by a copy.
    raw = inflateSync(idat.length === 1 ? idat[0]! : Buffer.concat(idat), { maxOutputLength: expected, chunkSize: expected + 64 });
  } catch {
    return undefined;
  }
  if (raw.length !== expected) return undefined;
  const samples = unfilter(raw, rowBytes, height, channels * bytesPerSample);
  if (!samples) return undefined;
  return { header: { width, height, channels, maxval, bytesPerSample, offset: 0, payloadBytes: samples.length }, bytes: samples };
}

/**
 * Undoes the per-row filters (PNG spec §9) in place: `bpp` is the distance to the previous pixel's
 * byte. Returns the samples as the start of `raw` (the filter bytes squeezed out), or undefined for an
 * unknown filter type (`raw` is then garbage). In place is safe: row y's samples land y + 1 bytes
 * before where they were read, so a write never reaches a byte still to be read, and the row above is
 * already final. Saves a 900 kB allocation per 640×480 RGB image.
 */
export function unfilter(raw: Uint8Array, rowBytes: number, height: number, bpp: number): Uint8Array | undefined {
  const out = raw;
  for (let y = 0; y < height; y++) {
    const s = y * (rowBytes + 1) + 1;
    const d = y * rowBytes;
    const up = d - rowBytes; // the row above in `out`; y = 0 has none (zeros)
    const f = raw[s - 1];
    if (f === 0 || (f === 2 && y === 0)) out.copyWithin(d, s, s + rowBytes);
    else if (f === 1) {
      for (let i = 0; i < rowBytes; i++) out[d + i] = (raw[s + i]! + (i >= bpp ? out[d + i - bpp]! : 0)) & 255;
    } else if (f === 2) {
      for (let i = 0; i < rowBytes; i++) out[d + i] = (raw[s + i]! + out[up + i]!) & 255;
    } else if (f === 3) {
      for (let i = 0; i < rowBytes; i++) {
        const a = i >= bpp ? out[d + i - bpp]! : 0;
        const b = y > 0 ? out[up + i]! : 0;
        out[d + i] = (raw[s + i]! + ((a + b) >> 1)) & 255;
      }
    } else if (f === 4) {
      for (let i = 0; i < rowBytes; i++) {
        const a = i >= bpp ? out[d + i - bpp]! : 0;
        const b = y > 0 ? out[up + i]! : 0;
        const c = i >= bpp && y > 0 ? out[up + i - bpp]! : 0;
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        out[d + i] = (raw[s + i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 255;
      }
    } else return undefined;
  }
  return out.subarray(0, rowBytes * height);
}
