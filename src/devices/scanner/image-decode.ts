// X-ray image decoding with bounds checked BEFORE any pixel is decoded: the encoded size first,
// then the header (sharp metadata reads only the header) for format and width×height, and only
// then the decode itself, which sharp also caps with limitInputPixels. Accepts PNG, JPEG, TIFF and raw
// binary netpbm frames (P5/P6, parsed here without sharp), 8- or 16-bit, and dual-energy high/low pairs
// of the same size.
import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import { StationError, errorMessage } from '../../shared/errors.ts';
import { looksLikeNetpbm, parseNetpbmHeader, type NetpbmHeader } from '../../shared/netpbm.ts';
import { DeviceErrorCodes, type ImageFormat, type XrayPlane } from '../../shared/devices.ts';

export interface ImageLimits {
  maxImageBytes: number;
  maxImagePixels: number;
}

const FORMATS: Record<string, ImageFormat> = { png: 'png', jpeg: 'jpeg', jpg: 'jpeg', tiff: 'tiff' };

function reject(reason: string, context: Record<string, unknown> = {}): StationError {
  return new StationError(DeviceErrorCodes.DEVICE_IMAGE_REJECTED, reason, context);
}

function netpbmHeader(bytes: Uint8Array, limits: ImageLimits): NetpbmHeader {
  try {
    return parseNetpbmHeader(bytes, limits.maxImagePixels);
  } catch (e) {
    throw reject(errorMessage(e), { format: 'pnm' });
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The IHDR of a common PNG (grey or RGB, with or without alpha, 8 or 16 bits), read here with its CRC
 * checked: every parcel's image is probed, and sharp's metadata() is a round trip through the thread
 * pool that waited behind busy cores. Anything else (a palette, fewer bits, a damaged header): undefined,
 * and sharp reads the header and says what is wrong with it, as before.
 */
export function pngHeader(bytes: Uint8Array): { width: number; height: number; bitDepth: 8 | 16; grey: boolean } | undefined {
  if (bytes.byteLength < 33 || !PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 33);
  if (view.getUint32(8) !== 13 || String.fromCharCode(bytes[12]!, bytes[13]!, bytes[14]!, bytes[15]!) !== 'IHDR') return undefined;
  if (crc32(bytes.subarray(16, 29), crc32(bytes.subarray(12, 16))) !== view.getUint32(29)) return undefined;
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const depth = bytes[24]!;
  const colour = bytes[25]!;
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) return undefined;
  if ((depth !== 8 && depth !== 16) || ![0, 2, 4, 6].includes(colour) || bytes[26] !== 0 || bytes[27] !== 0 || bytes[28]! > 1) return undefined;
  return { width, height, bitDepth: depth, grey: colour === 0 || colour === 4 };
}

function withinPixelLimit<T extends { width: number; height: number }>(h: T, limits: ImageLimits): T {
  if (h.width * h.height > limits.maxImagePixels) throw reject(`image is ${h.width}×${h.height}, over the ${limits.maxImagePixels}-pixel limit`, { width: h.width, height: h.height });
  return h;
}

/** Header-only check: format and dimensions, without decoding pixels. */
export async function probeImage(bytes: Uint8Array, limits: ImageLimits): Promise<{ format: ImageFormat; width: number; height: number; bitDepth: 8 | 16; grey: boolean }> {
  if (bytes.byteLength === 0) throw reject('image is empty');
  if (bytes.byteLength > limits.maxImageBytes) throw reject(`image is ${bytes.byteLength} bytes, over the ${limits.maxImageBytes}-byte limit`, { bytes: bytes.byteLength });
  if (looksLikeNetpbm(bytes)) {
    const h = netpbmHeader(bytes, limits);
    return { format: 'pnm', width: h.width, height: h.height, bitDepth: h.bytesPerSample === 2 ? 16 : 8, grey: h.channels === 1 };
  }
  const png = pngHeader(bytes);
  if (png) return { format: 'png', ...withinPixelLimit(png, limits) };
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw reject(`not a readable image: ${(e as Error).message}`);
  }
  const format = meta.format ? FORMATS[meta.format] : undefined;
  if (!format) throw reject(`unsupported image format ${meta.format ?? 'unknown'} (PNG, JPEG, TIFF or binary netpbm P5/P6)`, { format: meta.format });
  const { width, height } = meta;
  if (!width || !height) throw reject('image header has no size');
  withinPixelLimit({ width, height }, limits);
  const bitDepth = meta.depth === 'ushort' || meta.depth === 'short' ? 16 : meta.depth === 'uchar' || meta.depth === 'char' ? 8 : undefined;
  if (bitDepth === undefined) throw reject(`unsupported sample depth ${meta.depth}`, { depth: meta.depth });
  // Greyscale (with or without alpha) stays one channel; pseudo-colour X-ray renderings stay RGB.
  const grey = (meta.channels ?? 1) - (meta.hasAlpha ? 1 : 0) <= 1;
  return { format, width, height, bitDepth, grey };
}

/** Netpbm samples as an XrayPlane: 16-bit little-endian like sharp's raw output, scaled to full range when maxval is not. */
function decodeNetpbm(bytes: Uint8Array, limits: ImageLimits): XrayPlane {
  const h = netpbmHeader(bytes, limits);
  const n = h.width * h.height * h.channels;
  const full = h.bytesPerSample === 2 ? 65535 : 255;
  let pixels: Uint8Array;
  if (h.bytesPerSample === 1) {
    pixels = bytes.slice(h.offset, h.offset + n);
    if (h.maxval !== full) for (let i = 0; i < n; i++) pixels[i] = Math.min(255, Math.round((pixels[i]! * 255) / h.maxval));
  } else {
    const out = new Uint16Array(n);
    const k = full / h.maxval;
    for (let i = 0, p = h.offset; i < n; i++, p += 2) out[i] = Math.min(65535, Math.round(((bytes[p]! << 8) | bytes[p + 1]!) * k));
    pixels = new Uint8Array(out.buffer);
  }
  return { format: 'pnm', width: h.width, height: h.height, bitDepth: h.bytesPerSample === 2 ? 16 : 8, channels: h.channels, pixels, encodedBytes: bytes.byteLength };
}

export async function decodeImage(bytes: Uint8Array, limits: ImageLimits): Promise<XrayPlane> {
  const head = await probeImage(bytes, limits);
  if (head.format === 'pnm') return decodeNetpbm(bytes, limits);
  try {
    // Without an explicit colourspace sharp converts to sRGB (3 channels, and 16-bit values mangled).
    const space = head.grey ? (head.bitDepth === 16 ? 'grey16' : 'b-w') : head.bitDepth === 16 ? 'rgb16' : 'srgb';
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxImagePixels, failOn: 'error' })
      .removeAlpha()
      .toColourspace(space)
      .raw({ depth: head.bitDepth === 16 ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return {
      format: head.format,
      width: info.width,
      height: info.height,
      bitDepth: head.bitDepth,
      channels: info.channels,
      pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      encodedBytes: bytes.byteLength,
    };
  } catch (e) {
    throw reject(`image decode failed: ${(e as Error).message}`, { format: head.format });
  }
}

/**
 * Header-only ingest for consumers that decode the encoded bytes themselves (the station's inspector
 * does): the same size, format, pixel-count and depth checks as decodeImage, no pixel decode, and
 * `pixels` left empty. A file whose body is corrupt passes here and fails in the consumer's decode.
 */
export async function probePlane(bytes: Uint8Array, limits: ImageLimits): Promise<XrayPlane> {
  const head = await probeImage(bytes, limits);
  return { format: head.format, width: head.width, height: head.height, bitDepth: head.bitDepth, channels: head.grey ? 1 : 3, pixels: new Uint8Array(0), encodedBytes: bytes.byteLength };
}

/** Decodes a high/low pair; both must decode and share width and height. */
export async function decodeDualEnergy(high: Uint8Array, low: Uint8Array, limits: ImageLimits): Promise<{ high: XrayPlane; low: XrayPlane }> {
  const [h, l] = await Promise.all([decodeImage(high, limits), decodeImage(low, limits)]);
  if (h.width !== l.width || h.height !== l.height) throw reject(`dual-energy pair differs in size: high ${h.width}×${h.height}, low ${l.width}×${l.height}`);
  return { high: h, low: l };
}
