// reduce.ts's passes with the WebAssembly SIMD kernel (reduce-simd.wat): the same integer arithmetic,
// 16 samples (vertical) or one RGB pixel (horizontal) a step. Each entry point returns null/false where
// it does not apply (no WebAssembly SIMD, a tap count or span the kernel does not cover), and the
// caller then runs its JS loops: the bytes are the same either way (tested).
import { REDUCE_SIMD_WASM } from './reduce-simd.wasm.ts';

/** One axis's taps, as reduce.ts keeps them (n slots per output, the first count[o] used). */
export interface Taps {
  n: number;
  count: Int32Array;
  src: Int32Array;
  w: Int32Array;
}

interface Kernel {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  row3: (b0: number, b1: number, b2: number, w0: number, w1: number, w2: number, dst: number, len: number) => void;
  row4: (b0: number, b1: number, b2: number, b3: number, w0: number, w1: number, w2: number, w3: number, dst: number, len: number) => void;
  hrows: (rows: number, rowLen: number, outH: number, rec: number, outW: number, lut: number, out: number, planeBytes: number) => void;
}

/** The WebAssembly global, typed here: the project's libs (ES2024 + Node) do not declare it. */
const wasm = (globalThis as unknown as { WebAssembly?: { Module: new (bytes: Uint8Array) => object; Instance: new (m: object) => { exports: unknown } } }).WebAssembly;

let kernel: Kernel | null | undefined;

function load(): Kernel | null {
  if (kernel !== undefined) return kernel;
  try {
    if (!wasm) throw new Error('no WebAssembly');
    // ~1 kB: compiled synchronously once, at the first frame (or the worker's warm-up).
    kernel = new wasm.Instance(new wasm.Module(Buffer.from(REDUCE_SIMD_WASM, 'base64'))).exports as Kernel;
  } catch {
    kernel = null;
  }
  return kernel;
}

const PAGE = 65536;
const SLACK = 16; // the kernel reads and writes up to 15 bytes past a row
const align = (x: number): number => (x + 15) & ~15;

/** The kernel's memory grown to `bytes`, or null when it cannot grow (the JS loops then run). */
function ensure(k: Kernel, bytes: number): ArrayBuffer | null {
  const have = k.memory.buffer.byteLength;
  try {
    if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / PAGE));
  } catch {
    return null;
  }
  return k.memory.buffer;
}

function verticalCovered(v: Taps, outH: number): boolean {
  for (let oy = 0; oy < outH; oy++) if (v.count[oy] !== 3 && v.count[oy] !== 4) return false;
  return true;
}

/** Copies the frame into the kernel's memory at 0 and runs the vertical pass into rows at `dst`. */
function vertical(k: Kernel, s: Uint8Array, offset: number, rowLen: number, height: number, v: Taps, outH: number, dst: number): void {
  new Uint8Array(k.memory.buffer, 0, rowLen * height).set(s.subarray(offset, offset + rowLen * height));
  const { n, src, w, count } = v;
  for (let oy = 0, t = 0; oy < outH; oy++, t += n) {
    const d = dst + oy * rowLen;
    if (count[oy] === 3) k.row3(src[t]! * rowLen, src[t + 1]! * rowLen, src[t + 2]! * rowLen, w[t]!, w[t + 1]!, w[t + 2]!, d, rowLen);
    else k.row4(src[t]! * rowLen, src[t + 1]! * rowLen, src[t + 2]! * rowLen, src[t + 3]! * rowLen, w[t]!, w[t + 1]!, w[t + 2]!, w[t + 3]!, d, rowLen);
  }
}

/**
 * All outH rows of the vertical pass over `height` rows of rowLen bytes at s[offset…], or null when
 * the kernel is unavailable or a row has a tap count it does not cover (3 and 4 are the usual shrinks).
 * The result is a view into the kernel's memory, valid until the next call.
 */
export function verticalPassSimd(s: Uint8Array, offset: number, rowLen: number, height: number, v: Taps, outH: number): Uint8Array | null {
  const k = load();
  if (!k || !verticalCovered(v, outH)) return null;
  const dst = rowLen * height + SLACK;
  const mem = ensure(k, dst + rowLen * outH + SLACK);
  if (!mem) return null;
  vertical(k, s, offset, rowLen, height, v, outH, dst);
  return new Uint8Array(mem, dst, rowLen * outH);
}

/**
 * The horizontal taps as the kernel's 16-byte records (i32 byte offset of the first of 4 neighbouring
 * pixels, i32 unused, 4 × i16 weights), or null when an output's taps span more than 4 pixels. Clamped
 * edge taps repeat a pixel: their weights are added, which gives the same integer sum.
 */
const recordCache = new WeakMap<Taps, Int32Array | null>();
function records(h: Taps, outW: number): Int32Array | null {
  const cached = recordCache.get(h);
  if (cached !== undefined && (cached === null || cached.length === outW * 4)) return cached;
  let rec: Int32Array | null = new Int32Array(outW * 4);
  for (let o = 0; o < outW && rec; o++) {
    const t = o * h.n;
    let p0 = Infinity;
    let p1 = -Infinity;
    for (let i = 0; i < h.count[o]!; i++) {
      p0 = Math.min(p0, h.src[t + i]!);
      p1 = Math.max(p1, h.src[t + i]!);
    }
    if (!(p1 - p0 <= 3)) {
      rec = null;
      break;
    }
    const w = [0, 0, 0, 0];
    for (let i = 0; i < h.count[o]!; i++) w[h.src[t + i]! - p0]! += h.w[t + i]!;
    rec[o * 4] = p0 * 3;
    rec[o * 4 + 2] = w[0]! | (w[1]! << 16);
    rec[o * 4 + 3] = w[2]! | (w[3]! << 16);
  }
  recordCache.set(h, rec);
  return rec;
}

/**
 * An RGB frame resized with taps v (rows) and h (columns) to outW × outH and written through `luts`
 * into the planar tensor at (x0, y0) of dstW × dstH, like reduce.ts's reduce8ToTensor. False when the
 * kernel does not cover these taps (nothing written).
 */
export function reduceToTensorSimd(
  s: Uint8Array, offset: number, width: number, height: number, v: Taps, h: Taps, outW: number, outH: number,
  luts: readonly [Float32Array, Float32Array, Float32Array], tensor: Float32Array, dstW: number, dstH: number, x0: number, y0: number,
): boolean {
  const k = load();
  if (!k || !verticalCovered(v, outH)) return false;
  const rec = records(h, outW);
  if (!rec) return false;
  const rowLen = width * 3;
  const rows = rowLen * height + SLACK;
  const recAt = align(rows + rowLen * outH + SLACK);
  const lutAt = recAt + rec.byteLength;
  const outAt = lutAt + 3 * 256 * 4;
  const planeBytes = outW * outH * 4;
  const mem = ensure(k, outAt + 3 * planeBytes);
  if (!mem) return false;
  vertical(k, s, offset, rowLen, height, v, outH, rows);
  new Int32Array(mem, recAt, rec.length).set(rec);
  const lut = new Float32Array(mem, lutAt, 3 * 256);
  luts.forEach((l, c) => lut.set(l, c * 256));
  k.hrows(rows, rowLen, outH, recAt, outW, lutAt, outAt, planeBytes);
  const out = new Float32Array(mem, outAt, 3 * outW * outH);
  const plane = dstW * dstH;
  for (let c = 0; c < 3; c++) {
    const from = c * outW * outH;
    const to = c * plane + y0 * dstW + x0;
    if (outW === dstW) tensor.set(out.subarray(from, from + outW * outH), to);
    else for (let oy = 0; oy < outH; oy++) tensor.set(out.subarray(from + oy * outW, from + (oy + 1) * outW), to + oy * dstW);
  }
  return true;
}
