// Image bytes → letterboxed RGB → normalised Float32 NCHW tensor. The header is read and checked before
// any pixel is decoded, so a zero-byte, foreign, truncated or absurdly large file costs a clear error and
// a bounded amount of memory, never a crash.
import sharp, { type Metadata } from 'sharp';
import { ErrorCodes, StationError, errorMessage } from '../../shared/errors.ts';
import { looksLikeNetpbm, parseNetpbmHeader } from '../../shared/netpbm.ts';
import { letterboxGeometry, type LetterboxGeometry } from './letterbox.ts';
import { letterboxNetpbm } from './netpbm-letterbox.ts';
import { pngFrame } from './png-frame.ts';

/** 64 Mpx covers a 2 m parcel at a line scanner's ~1 mm pitch many times over; a header claiming more is refused. */
export const MAX_INPUT_PIXELS = 64_000_000;
const FORMATS = new Set(['png', 'jpeg', 'tiff', 'webp']);

export interface InputSpec {
  width: number;
  height: number;
  /** Grey level of the letterbox padding (Ultralytics uses 114). */
  pad: number;
  /** x' = (x * scale - mean[c]) / std[c] */
  scale: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export interface Letterboxed {
  /** Interleaved RGB, dstWidth × dstHeight × 3. */
  rgb: Buffer;
  geometry: LetterboxGeometry;
}

/** Header-only check: format, dimensions, pixel limit (a raw netpbm frame: also that all its pixels are there). */
export async function probeImage(bytes: Uint8Array, maxPixels = MAX_INPUT_PIXELS): Promise<{ width: number; height: number; format: string }> {
  if (bytes.byteLength === 0) throw new StationError(ErrorCodes.INSPECT_IMAGE_EMPTY, 'image is empty (0 bytes)');
  if (looksLikeNetpbm(bytes)) {
    const h = parseNetpbmHeader(bytes, maxPixels);
    return { width: h.width, height: h.height, format: 'pnm' };
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new StationError(ErrorCodes.INSPECT_IMAGE_UNSUPPORTED, `not a readable image (PNG, JPEG, TIFF, WebP or binary netpbm expected): ${errorMessage(e)}`, { bytes: bytes.byteLength });
  }
  const { width, height, format } = meta;
  if (!FORMATS.has(format) || !width || !height) {
    throw new StationError(ErrorCodes.INSPECT_IMAGE_UNSUPPORTED, `unsupported image format "${format}" (PNG, JPEG, TIFF, WebP or binary netpbm expected)`, { format });
  }
  if (width * height > maxPixels) {
    throw new StationError(ErrorCodes.INSPECT_IMAGE_TOO_LARGE, `image header claims ${width}×${height} pixels, over the ${maxPixels} pixel limit`, { width, height, maxPixels });
  }
  return { width, height, format };
}

/**
 * Decode (greyscale, 16-bit and alpha handled), resize into the input keeping aspect, pad. `viaSharp`
 * skips the JS path for common PNGs (png-frame.ts), so tests can compare the two.
 */
export async function letterbox(bytes: Uint8Array, dstWidth: number, dstHeight: number, pad: number, maxPixels = MAX_INPUT_PIXELS, viaSharp = false): Promise<Letterboxed> {
  const png = viaSharp ? undefined : pngFrame(bytes, dstWidth, dstHeight, maxPixels);
  if (png) return letterboxNetpbm(png, dstWidth, dstHeight, pad);
  if (looksLikeNetpbm(bytes)) {
    const header = parseNetpbmHeader(bytes, maxPixels);
    try {
      return await letterboxNetpbm({ header, bytes }, dstWidth, dstHeight, pad);
    } catch (e) {
      throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `netpbm frame could not be resized: ${errorMessage(e)}`, { width: header.width, height: header.height });
    }
  }
  const { width, height } = await probeImage(bytes, maxPixels);
  const g = letterboxGeometry(width, height, dstWidth, dstHeight);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error', sequentialRead: true })
      .removeAlpha()
      .toColourspace('srgb')
      .resize(g.newWidth, g.newHeight, { fit: 'fill', kernel: 'linear' })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.width !== g.newWidth || info.height !== g.newHeight || info.channels !== 3) {
      throw new Error(`decoder produced ${info.width}×${info.height}×${info.channels}, expected ${g.newWidth}×${g.newHeight}×3`);
    }
    // Padding by row copies: byte-identical to sharp's extend() (tested) and ~1.5 ms cheaper per image.
    const rgb = Buffer.alloc(dstWidth * dstHeight * 3, pad);
    const row = g.newWidth * 3;
    for (let y = 0; y < g.newHeight; y++) data.copy(rgb, ((y + g.padY) * dstWidth + g.padX) * 3, y * row, (y + 1) * row);
    return { rgb, geometry: g };
  } catch (e) {
    throw new StationError(ErrorCodes.INSPECT_IMAGE_CORRUPT, `image is corrupt or truncated: ${errorMessage(e)}`, { width, height });
  }
}

/** Interleaved RGB bytes → planar normalised floats (NCHW, batch 1). */
export function toTensor(rgb: Uint8Array, width: number, height: number, spec: Pick<InputSpec, 'scale' | 'mean' | 'std'>, out?: Float32Array): Float32Array {
  const plane = width * height;
  const t = out ?? new Float32Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    const k = spec.scale / spec.std[c]!;
    const b = -spec.mean[c]! / spec.std[c]!;
    const base = c * plane;
    for (let i = 0, j = c; i < plane; i++, j += 3) t[base + i] = rgb[j]! * k + b;
  }
  return t;
}
