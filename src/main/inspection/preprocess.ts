// Image bytes → letterboxed RGB → normalised Float32 NCHW tensor. The header is read and checked before
// any pixel is decoded, so a zero-byte, foreign, truncated or absurdly large file costs a clear error and
// a bounded amount of memory, never a crash.
import sharp, { type Metadata } from 'sharp';
import { ErrorCodes, StationError, errorMessage } from '../../shared/errors.ts';
import { looksLikeNetpbm, parseNetpbmHeader } from '../../shared/netpbm.ts';
import { letterboxGeometry, type LetterboxGeometry } from './letterbox.ts';
import { isExactHalf, jsLetterboxable, letterboxNetpbm, type NetpbmFrame } from './netpbm-letterbox.ts';
import { pngFrame } from './png-frame.ts';
import { releaseBuffer } from './release-buffer.ts';
import { reduce8ToTensor, type ChannelLuts } from './reduce.ts';

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

export interface LetterboxedTensor {
  tensor: Float32Array;
  geometry: LetterboxGeometry;
}

/**
 * Image bytes → the model's input tensor: letterbox + toTensor, except that a frame reduce.ts resizes
 * (a PNG or raw frame that is not an exact half, 640×480 into 384) goes straight into the tensor,
 * skipping the interleaved RGB image. A PNG is inflated once whichever path takes it. The tensor is the same either way (tested); `out` is reused when
 * it has the right length.
 */
export async function letterboxTensor(bytes: Uint8Array, spec: InputSpec, out?: Float32Array, maxPixels = MAX_INPUT_PIXELS): Promise<LetterboxedTensor> {
  const { width: W, height: H } = spec;
  const size = 3 * W * H;
  const t = out?.length === size ? out : new Float32Array(size);
  const frame = pngFrame(bytes, W, H, maxPixels) ?? netpbmFrame(bytes, maxPixels);
  if (frame && isExactHalf(frame.header, W, H)) {
    // Decoded already: the exact-half letterbox, without letterbox() inflating the PNG a second time.
    const lb = await letterboxNetpbm(frame, W, H, spec.pad);
    return { tensor: toTensor(lb.rgb, W, H, spec, t), geometry: lb.geometry };
  }
  if (frame && jsLetterboxable(frame.header, W, H)) {
    const h = frame.header;
    const g = letterboxGeometry(h.width, h.height, W, H);
    const luts = channelLuts(spec);
    fillPadPlanes(t, g, luts, spec.pad);
    reduce8ToTensor(frame.bytes, h.offset, h.width, h.height, h.channels as 1 | 3, g.newWidth, g.newHeight, t, W, H, g.padX, g.padY, luts);
    if (frame.bytes.buffer !== bytes.buffer) releaseBuffer(frame.bytes); // zlib's output, ours alone
    return { tensor: t, geometry: g };
  }
  const lb = await letterbox(bytes, W, H, spec.pad, maxPixels);
  return { tensor: toTensor(lb.rgb, W, H, spec, t), geometry: lb.geometry };
}

/** A raw netpbm frame whose header reads; anything wrong with it is left for letterbox() to report. */
function netpbmFrame(bytes: Uint8Array, maxPixels: number): NetpbmFrame | undefined {
  if (!looksLikeNetpbm(bytes)) return undefined;
  try {
    return { header: parseNetpbmHeader(bytes, maxPixels), bytes };
  } catch {
    return undefined;
  }
}

const lutCache = new Map<string, ChannelLuts>(); // one normalisation per model in practice
/** Per channel, the float each 8-bit level becomes: the very expression toTensor evaluates. */
export function channelLuts(spec: Pick<InputSpec, 'scale' | 'mean' | 'std'>): ChannelLuts {
  const key = `${spec.scale} ${spec.mean.join(',')} ${spec.std.join(',')}`;
  let luts = lutCache.get(key);
  if (!luts) {
    const one = (c: number): Float32Array => {
      const k = spec.scale / spec.std[c]!;
      const b = -spec.mean[c]! / spec.std[c]!;
      const l = new Float32Array(256);
      for (let v = 0; v < 256; v++) l[v] = v * k + b;
      return l;
    };
    luts = [one(0), one(1), one(2)];
    if (lutCache.size >= 8) lutCache.clear();
    lutCache.set(key, luts);
  }
  return luts;
}

/** The padding around the image area, in every plane. */
function fillPadPlanes(t: Float32Array, g: LetterboxGeometry, luts: ChannelLuts, pad: number): void {
  const { dstWidth: W, dstHeight: H, padX, padY, newWidth, newHeight } = g;
  for (let c = 0; c < 3; c++) {
    const v = luts[c]![pad]!;
    const base = c * W * H;
    t.fill(v, base, base + padY * W);
    t.fill(v, base + (padY + newHeight) * W, base + H * W);
    for (let y = padY; y < padY + newHeight; y++) {
      t.fill(v, base + y * W, base + y * W + padX);
      t.fill(v, base + y * W + padX + newWidth, base + (y + 1) * W);
    }
  }
}
