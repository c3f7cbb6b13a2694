// Binary netpbm (P5 grey, P6 RGB; 8-bit, or 16-bit big-endian when maxval > 255): the raw frame a line
// scanner can hand over without compressing it, so the station skips a PNG decode (~5 ms of the ~8 ms
// preprocessing) on the parcel path. Strict header parser and encoder; pure, no I/O, O(header) work.
// Errors are StationErrors with the INSPECT_IMAGE_* codes; device ingest re-wraps them as its own.
import { ErrorCodes, StationError } from './errors.ts';

/** The same cap as the inspector's (preprocess.ts MAX_INPUT_PIXELS). */
const MAX_INPUT_PIXELS = 64_000_000;
/** A real header is ~15 bytes; comments are allowed, but a header that never ends is garbage, not an image. */
export const MAX_HEADER_BYTES = 4096;
const MAX_DIGITS = 9; // 999_999_999 — anything longer is absurd before the pixel cap even applies

export interface NetpbmHeader {
  width: number;
  height: number;
  /** 1 for P5 (grey), 3 for P6 (RGB). */
  channels: 1 | 3;
  /** 1..65535; ≤255 → 1 byte per sample, else 2 bytes big-endian. */
  maxval: number;
  bytesPerSample: 1 | 2;
  /** Byte offset of the first pixel sample. */
  offset: number;
  /** width*height*channels*bytesPerSample. */
  payloadBytes: number;
}

const isWs = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0b || b === 0x0c || b === 0x0d;

/** True when the bytes start like a binary netpbm we accept (cheap dispatch check before sharp's probe). */
export function looksLikeNetpbm(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x50 && (bytes[1] === 0x35 || bytes[1] === 0x36);
}

export function parseNetpbmHeader(bytes: Uint8Array, maxPixels = MAX_INPUT_PIXELS): NetpbmHeader {
  const n = bytes.length;
  if (n === 0) throw new StationError(ErrorCodes.INSPECT_IMAGE_EMPTY, 'image is empty (0 bytes)');
  if (n < 2 || bytes[0] !== 0x50 /* P */ || (bytes[1] !== 0x35 && bytes[1] !== 0x36)) {
    const magic = Array.from(bytes.subarray(0, 2), (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('');
    throw new StationError(ErrorCodes.INSPECT_IMAGE_UNSUPPORTED, `not a binary netpbm image: magic "${magic}" (P5 or P6 expected)`, { bytes: n });
  }
  const channels = bytes[1] === 0x36 ? 3 : 1;
  const limit = Math.min(n, MAX_HEADER_BYTES);
  let p = 2;

  const truncated = (what: string): never => {
    if (n > MAX_HEADER_BYTES && p >= MAX_HEADER_BYTES) {
      throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `netpbm header longer than ${MAX_HEADER_BYTES} bytes (reading ${what})`, { bytes: n });
    }
    throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `netpbm header truncated while reading ${what} (${n} bytes)`, { bytes: n });
  };

  // Whitespace and comments before a field. The magic must be followed by at least one of them.
  const skip = (what: string): void => {
    const start = p;
    for (;;) {
      if (p >= limit) truncated(what);
      const b = bytes[p]!;
      if (isWs(b)) p++;
      else if (b === 0x23 /* # */) {
        while (p < limit && bytes[p] !== 0x0a && bytes[p] !== 0x0d) p++;
      } else break;
    }
    if (p === start) {
      throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `netpbm header: expected whitespace before ${what} at byte ${p}, got 0x${bytes[p]!.toString(16).padStart(2, '0')}`, { offset: p });
    }
  };

  const num = (what: string): number => {
    skip(what);
    const start = p;
    let v = 0;
    while (p < limit && bytes[p]! >= 0x30 && bytes[p]! <= 0x39) {
      if (p - start >= MAX_DIGITS) throw new StationError(ErrorCodes.INSPECT_IMAGE_TOO_LARGE, `netpbm header: ${what} has more than ${MAX_DIGITS} digits`, { offset: start });
      v = v * 10 + (bytes[p]! - 0x30);
      p++;
    }
    if (p === start) {
      if (p >= limit) truncated(what);
      throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `netpbm header: expected a decimal ${what} at byte ${p}, got 0x${bytes[p]!.toString(16).padStart(2, '0')}`, { offset: p });
    }
    if (p >= limit) truncated(`the byte after ${what}`);
    const b = bytes[p]!;
    if (!isWs(b) && b !== 0x23) {
      throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `netpbm header: ${what} followed by 0x${b.toString(16).padStart(2, '0')} at byte ${p}, not whitespace`, { offset: p });
    }
    return v;
  };

  const width = num('width');
  const height = num('height');
  const maxval = num('maxval');
  if (width < 1 || height < 1) throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `netpbm header claims ${width}×${height} pixels`, { width, height });
  if (width * height > maxPixels) {
    throw new StationError(ErrorCodes.INSPECT_IMAGE_TOO_LARGE, `image header claims ${width}×${height} pixels, over the ${maxPixels} pixel limit`, { width, height, maxPixels });
  }
  if (maxval < 1 || maxval > 65535) throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `netpbm maxval ${maxval} outside 1..65535`, { maxval });
  // Exactly one whitespace byte after maxval: a comment (or anything else) here would be read as pixels by every other decoder.
  if (!isWs(bytes[p]!)) {
    throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `netpbm header: maxval must be followed by a single whitespace byte, got '#' at byte ${p}`, { offset: p });
  }
  const offset = p + 1;
  const bytesPerSample = maxval <= 255 ? 1 : 2;
  const payloadBytes = width * height * channels * bytesPerSample;
  if (n - offset < payloadBytes) {
    throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `netpbm pixel data truncated: ${n - offset} of ${payloadBytes} bytes for ${width}×${height}×${channels}×${bytesPerSample}`, { width, height, have: n - offset, need: payloadBytes });
  }
  return { width, height, channels, maxval, bytesPerSample, offset, payloadBytes };
}

/** P5/P6 bytes from samples: Uint8Array for maxval ≤ 255, Uint16Array (written big-endian) above. */
export function encodeNetpbm(width: number, height: number, channels: 1 | 3, maxval: number, samples: Uint8Array | Uint16Array): Uint8Array {
  const n = width * height * channels;
  if (samples.length !== n) throw new RangeError(`encodeNetpbm: ${samples.length} samples for ${width}×${height}×${channels}`);
  const head = new TextEncoder().encode(`P${channels === 3 ? 6 : 5}\n${width} ${height}\n${maxval}\n`);
  const wide = maxval > 255;
  const out = new Uint8Array(head.length + n * (wide ? 2 : 1));
  out.set(head, 0);
  if (!wide) out.set(samples, head.length);
  else {
    const view = new DataView(out.buffer, head.length);
    for (let i = 0; i < n; i++) view.setUint16(2 * i, Math.min(samples[i]!, maxval), false);
  }
  return out;
}

const eightBitLuts = new Map<number, Uint8Array>();
/**
 * Sample → 0..255: identity for 8-bit/255; the high byte for 16-bit/65535 (what sharp does going from
 * ushort to uchar); otherwise round(v · 255 / maxval), values above maxval clamped.
 */
export function eightBitLut(bytesPerSample: 1 | 2, maxval: number): Uint8Array {
  const key = bytesPerSample * 65536 + maxval;
  let l = eightBitLuts.get(key);
  if (!l) {
    l = new Uint8Array(bytesPerSample === 1 ? 256 : 65536);
    for (let v = 0; v < l.length; v++) l[v] = bytesPerSample === 2 && maxval === 65535 ? v >> 8 : Math.min(255, Math.round((Math.min(v, maxval) * 255) / maxval));
    eightBitLuts.set(key, l);
  }
  return l;
}

/** The frame's samples as 8-bit, interleaved as in the file (a view, not a copy, when they already are). */
export function netpbmSamples8(h: NetpbmHeader, bytes: Uint8Array): Uint8Array {
  const n = h.width * h.height * h.channels;
  if (h.bytesPerSample === 1 && h.maxval === 255) return bytes.subarray(h.offset, h.offset + n);
  const lut = eightBitLut(h.bytesPerSample, h.maxval);
  const eight = new Uint8Array(n);
  if (h.bytesPerSample === 1) for (let i = 0; i < n; i++) eight[i] = lut[bytes[h.offset + i]!]!;
  else for (let i = 0, p = h.offset; i < n; i++, p += 2) eight[i] = lut[(bytes[p]! << 8) | bytes[p + 1]!]!;
  return eight;
}
