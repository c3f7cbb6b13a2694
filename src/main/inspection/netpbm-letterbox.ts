// Letterbox for raw netpbm frames without a decoder. A 640×480 frame into a 320 input is an exact half
// on both axes; that case is done here in JS and reproduces sharp's 'linear' reduce byte for byte (a
// [1,3,3,1]/8 filter per axis, edges clamped, vertical pass first, each pass rounded; 16-bit/65535 then
// >> 8 like sharp's ushort → uchar), so the model sees the same pixels as from the PNG of the same frame
// (tested). ~1.3 ms instead of ~9 ms for decode + resize. Other downscales of 8-bit frames (640×480
// into a 384 or 416 input) go through reduce.ts once it has checked that size pair against sharp;
// anything else (16-bit or odd maxval off the exact half, upscales, unchecked pairs) through sharp's raw input.
import sharp from 'sharp';
import { eightBitLut, netpbmSamples8, type NetpbmHeader } from '../../shared/netpbm.ts';
import { letterboxGeometry, type LetterboxGeometry } from './letterbox.ts';
import { reduce8, reducible } from './reduce.ts';

export interface NetpbmFrame {
  header: NetpbmHeader;
  bytes: Uint8Array;
}

/** True when the frame is exactly twice the letterboxed size on both axes (the JS fast path). */
export function isExactHalf(h: Pick<NetpbmHeader, 'width' | 'height'>, dstWidth: number, dstHeight: number): boolean {
  const g = letterboxGeometry(h.width, h.height, dstWidth, dstHeight);
  return g.newWidth * 2 === h.width && g.newHeight * 2 === h.height && g.newWidth >= 2;
}

/**
 * True when the JS paths letterbox this frame without sharp: the exact half, or an 8-bit shrink whose
 * size pair reduce.ts has checked against sharp (the first frames of a new size start that check and go
 * through sharp meanwhile).
 */
export function jsLetterboxable(h: Pick<NetpbmHeader, 'width' | 'height' | 'bytesPerSample' | 'maxval'>, dstWidth: number, dstHeight: number): boolean {
  if (isExactHalf(h, dstWidth, dstHeight)) return true;
  if (h.bytesPerSample !== 1 || h.maxval !== 255) return false;
  const g = letterboxGeometry(h.width, h.height, dstWidth, dstHeight);
  return reducible(h.width, h.height, g.newWidth, g.newHeight);
}

/** Letterboxed interleaved RGB (dstWidth × dstHeight × 3) from a P5/P6 frame; grey is replicated. */
export async function letterboxNetpbm(f: NetpbmFrame, dstWidth: number, dstHeight: number, pad: number): Promise<{ rgb: Buffer; geometry: LetterboxGeometry }> {
  const g = letterboxGeometry(f.header.width, f.header.height, dstWidth, dstHeight);
  const rgb = Buffer.allocUnsafe(dstWidth * dstHeight * 3);
  fillPad(rgb, g, pad);
  const h = f.header;
  if (isExactHalf(h, dstWidth, dstHeight)) halfScale(f, g, rgb);
  else if (jsLetterboxable(h, dstWidth, dstHeight)) {
    reduce8(f.bytes, h.offset, h.width, h.height, h.channels, g.newWidth, g.newHeight, rgb, g.dstWidth, g.padX, g.padY);
  } else await viaSharp(f, g, rgb);
  return { rgb, geometry: g };
}

function halfScale(f: NetpbmFrame, g: LetterboxGeometry, rgb: Buffer): void {
  const { width: W, height: H, channels: C, bytesPerSample: B, offset, maxval } = f.header;
  if (C === 3 && B === 1 && maxval === 255 && (W * 3) % 4 === 0) return halfScaleRgb8(f, g, rgb);
  const s = f.bytes;
  const n = W * C;
  const stride = n * B;
  const acc = new Int32Array(n);
  // After the filter a sample is still on the file's scale; this maps it to 0..255 as sharp would.
  const lut = eightBitLut(B, maxval);
  const row = (y: number): number => offset + Math.min(H - 1, Math.max(0, y)) * stride;
  for (let oy = 0; oy < g.newHeight; oy++) {
    const y0 = 2 * oy;
    const a = row(y0 - 1), b = row(y0), c = row(y0 + 1), e = row(y0 + 2);
    if (B === 1) for (let i = 0; i < n; i++) acc[i] = (s[a + i]! + 3 * (s[b + i]! + s[c + i]!) + s[e + i]! + 4) >> 3;
    else {
      for (let i = 0, p = 0; i < n; i++, p += 2) {
        acc[i] = (((s[a + p]! << 8) | s[a + p + 1]!) + 3 * (((s[b + p]! << 8) | s[b + p + 1]!) + ((s[c + p]! << 8) | s[c + p + 1]!)) + ((s[e + p]! << 8) | s[e + p + 1]!) + 4) >> 3;
      }
    }
    const d = ((oy + g.padY) * g.dstWidth + g.padX) * 3;
    if (C === 3) horizontal3(acc, rgb, d, g.newWidth, lut);
    else horizontal1(acc, rgb, d, g.newWidth, lut);
  }
}

let aligned = new Uint32Array(0);
/**
 * The common frame (8-bit RGB, maxval 255), ~1.6× faster: the vertical pass adds two samples per 32-bit
 * word (16-bit lanes hold at most 8·255 + 4, so no carries cross), and the horizontal pass needs no LUT.
 * Reads the payload as 32-bit words, so it is copied to an aligned buffer first unless it already is.
 */
function halfScaleRgb8(f: NetpbmFrame, g: LetterboxGeometry, rgb: Buffer): void {
  const { width: W, height: H, offset } = f.header;
  const n = W * 3;
  const nw = n >> 2;
  const total = n * H;
  let s32: Uint32Array;
  if ((f.bytes.byteOffset + offset) % 4 === 0) s32 = new Uint32Array(f.bytes.buffer, f.bytes.byteOffset + offset, total >> 2);
  else {
    if (aligned.length < total >> 2) aligned = new Uint32Array(total >> 2);
    new Uint8Array(aligned.buffer, 0, total).set(f.bytes.subarray(offset, offset + total));
    s32 = aligned;
  }
  const acc16 = new Uint16Array(n);
  const acc32 = new Uint32Array(acc16.buffer);
  for (let oy = 0; oy < g.newHeight; oy++) {
    const y0 = 2 * oy;
    const a = Math.max(0, y0 - 1) * nw, b = y0 * nw, c = (y0 + 1) * nw, e = Math.min(H - 1, y0 + 2) * nw;
    for (let k = 0, o = 0; k < nw; k++, o += 2) {
      const wa = s32[a + k]!, wb = s32[b + k]!, wc = s32[c + k]!, we = s32[e + k]!;
      // bytes 0 and 2 in one pair of lanes, bytes 1 and 3 in the other; then (v + 4) >> 3 per lane.
      const lo = (((wa & 0xff00ff) + 3 * ((wb & 0xff00ff) + (wc & 0xff00ff)) + (we & 0xff00ff) + 0x40004) >>> 3) & 0xff00ff;
      const hi = ((((wa >>> 8) & 0xff00ff) + 3 * (((wb >>> 8) & 0xff00ff) + ((wc >>> 8) & 0xff00ff)) + ((we >>> 8) & 0xff00ff) + 0x40004) >>> 3) & 0xff00ff;
      acc32[o] = (lo & 0xffff) | (hi << 16); // samples 0, 1 (little-endian lanes)
      acc32[o + 1] = (lo >>> 16) | (hi & 0xffff0000); // samples 2, 3
    }
    horizontalRgb8(acc16, rgb, ((oy + g.padY) * g.dstWidth + g.padX) * 3, g.newWidth);
  }
}

function horizontalRgb8(acc: Uint16Array, o: Buffer, d: number, nw: number): void {
  const last = nw - 1;
  for (let c = 0; c < 3; c++) o[d + c] = (4 * acc[c]! + 3 * acc[3 + c]! + acc[6 + c]! + 4) >> 3;
  for (let x = 1, s = 3, q = d + 3; x < last; x++, s += 6, q += 3) {
    o[q] = (acc[s]! + 3 * (acc[s + 3]! + acc[s + 6]!) + acc[s + 9]! + 4) >> 3;
    o[q + 1] = (acc[s + 1]! + 3 * (acc[s + 4]! + acc[s + 7]!) + acc[s + 10]! + 4) >> 3;
    o[q + 2] = (acc[s + 2]! + 3 * (acc[s + 5]! + acc[s + 8]!) + acc[s + 11]! + 4) >> 3;
  }
  const s1 = 6 * last;
  for (let c = 0; c < 3; c++) o[d + 3 * last + c] = (acc[s1 - 3 + c]! + 3 * acc[s1 + c]! + 4 * acc[s1 + 3 + c]! + 4) >> 3;
}

/** One output row of RGB: [1,3,3,1]/8 over source columns 2x−1..2x+2, the first and last clamped. */
function horizontal3(acc: Int32Array, o: Buffer, d: number, nw: number, L: Uint8Array): void {
  const last = nw - 1;
  for (let c = 0; c < 3; c++) o[d + c] = L[(4 * acc[c]! + 3 * acc[3 + c]! + acc[6 + c]! + 4) >> 3]!;
  for (let x = 1, s = 3, q = d + 3; x < last; x++, s += 6, q += 3) {
    o[q] = L[(acc[s]! + 3 * (acc[s + 3]! + acc[s + 6]!) + acc[s + 9]! + 4) >> 3]!;
    o[q + 1] = L[(acc[s + 1]! + 3 * (acc[s + 4]! + acc[s + 7]!) + acc[s + 10]! + 4) >> 3]!;
    o[q + 2] = L[(acc[s + 2]! + 3 * (acc[s + 5]! + acc[s + 8]!) + acc[s + 11]! + 4) >> 3]!;
  }
  const s1 = 6 * last;
  for (let c = 0; c < 3; c++) o[d + 3 * last + c] = L[(acc[s1 - 3 + c]! + 3 * acc[s1 + c]! + 4 * acc[s1 + 3 + c]! + 4) >> 3]!;
}

function horizontal1(acc: Int32Array, o: Buffer, d: number, nw: number, L: Uint8Array): void {
  const last = nw - 1;
  const put = (q: number, v: number): void => {
    o[q] = v;
    o[q + 1] = v;
    o[q + 2] = v;
  };
  put(d, L[(4 * acc[0]! + 3 * acc[1]! + acc[2]! + 4) >> 3]!);
  for (let x = 1, s = 1, q = d + 3; x < last; x++, s += 2, q += 3) put(q, L[(acc[s]! + 3 * (acc[s + 1]! + acc[s + 2]!) + acc[s + 3]! + 4) >> 3]!);
  const s1 = 2 * last;
  put(d + 3 * last, L[(acc[s1 - 1]! + 3 * acc[s1]! + 4 * acc[s1 + 1]! + 4) >> 3]!);
}

/** Any other scale: samples to 8-bit in JS (sharp's raw input does not know maxval), then sharp resizes. */
async function viaSharp(f: NetpbmFrame, g: LetterboxGeometry, rgb: Buffer): Promise<void> {
  const { width, height, channels } = f.header;
  const eight = netpbmSamples8(f.header, f.bytes);
  const { data } = await sharp(eight, { raw: { width, height, channels } })
    .toColourspace('srgb')
    .resize(g.newWidth, g.newHeight, { fit: 'fill', kernel: 'linear' })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const row = g.newWidth * 3;
  for (let y = 0; y < g.newHeight; y++) data.copy(rgb, ((y + g.padY) * g.dstWidth + g.padX) * 3, y * row, (y + 1) * row);
}

/** Pads the border only: the image area is overwritten. */
function fillPad(rgb: Buffer, g: LetterboxGeometry, pad: number): void {
  const { dstWidth: W, dstHeight: H, padX, padY, newWidth, newHeight } = g;
  rgb.fill(pad, 0, padY * W * 3);
  rgb.fill(pad, (padY + newHeight) * W * 3, H * W * 3);
  for (let y = padY; y < padY + newHeight; y++) {
    rgb.fill(pad, y * W * 3, (y * W + padX) * 3);
    rgb.fill(pad, (y * W + padX + newWidth) * 3, (y + 1) * W * 3);
  }
}
