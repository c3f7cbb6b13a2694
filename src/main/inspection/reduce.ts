// Downscaling 8-bit frames in JS exactly as sharp does for resize(w, h, { fit: 'fill', kernel: 'linear' }):
// libvips' vips_reducev then vips_reduceh, each a triangle mask of 2·rint(shrink) + 1 points sampled at
// 1/64-pixel phases, weights truncated to 12-bit fixed point, (sum + 2048) >> 12 per pass. The masks are
// computed from libvips' formula, but a last-bit difference in a weight would change a grey level here
// and there, so each (input, output) length pair is first checked against sharp itself on noise
// (verifyAxis) and only then used: until then, and for any pair that fails, sharp resizes the frame as
// before. The model therefore sees the same pixels whichever path decoded the image.
// The exact-half case (640×480 into 320) has its own faster path in netpbm-letterbox.ts. Both passes run
// in WebAssembly SIMD where reduce-simd.ts covers the taps (the usual shrinks): the JS loops below are the
// reference and the fallback.
import sharp from 'sharp';
import { reduceToTensorSimd, verticalPassSimd } from './reduce-simd.ts';

/** Largest shrink factor per axis tried here (from 4 on, libvips box-shrinks by an integer first). */
export const MAX_SHRINK = 3.5;

const PHASES = 64; // libvips' VIPS_TRANSFORM_SCALE: mask phases per source pixel
const SHIFT = 12; // VIPS_INTERPOLATE_SHIFT: weights sum to ≤ 4096
const HALF = 1 << (SHIFT - 1);
// Noise lines per axis check: 192 samples per output. A weight off by one moves ~3 % of sums across a
// rounding step, so even a single wrong weight shows with > 99 % odds.
const PROBE_LINES = 64;

interface AxisTaps {
  /** Slots per output sample: the most non-zero weights any output has. */
  n: number;
  /** Non-zero weights of output o: the first count[o] of its n slots (most outputs need 3 of 5 points). */
  count: Int32Array;
  /** Source index for output o, slot i: src[o * n + i] (edges clamped, as libvips' copy-extend). */
  src: Int32Array;
  /** Fixed-point weight for the same slot (0 past count[o]). */
  w: Int32Array;
}

/** Checked pairs: the taps, or null where sharp disagreed or the formula does not apply. */
const checked = new Map<string, AxisTaps | null>();
const checking = new Map<string, Promise<AxisTaps | null>>();

/** The checked taps for this axis; undefined while not (yet) checked: start the check with verifyAxis. */
export function readyTaps(inLen: number, outLen: number): AxisTaps | null | undefined {
  return checked.get(`${inLen}>${outLen}`);
}

/** Checks the JS taps for one axis against sharp on noise, once per pair; resolves to the taps or null. */
export function verifyAxis(inLen: number, outLen: number): Promise<AxisTaps | null> {
  const key = `${inLen}>${outLen}`;
  const done = checked.get(key);
  if (done !== undefined) return Promise.resolve(done);
  let p = checking.get(key);
  if (!p) {
    p = probe(inLen, outLen).catch(() => null).then((taps) => {
      if (checked.size > 64) checked.clear(); // a handful of scanner/model sizes in practice
      checked.set(key, taps);
      checking.delete(key);
      return taps;
    });
    checking.set(key, p);
  }
  return p;
}

/** Both axes of a frame: whether the JS path may take it now (and starts the checks it still needs). */
export function reducible(width: number, height: number, outW: number, outH: number): boolean {
  const h = readyTaps(width, outW);
  const v = readyTaps(height, outH);
  if (h === undefined) void verifyAxis(width, outW);
  if (v === undefined) void verifyAxis(height, outH);
  return !!h && !!v;
}

async function probe(inLen: number, outLen: number): Promise<AxisTaps | null> {
  const taps = computeTaps(inLen, outLen);
  if (!taps) return null;
  // PROBE_LINES lines of RGB noise along the axis; the other axis is left alone (libvips skips a 1.0 shrink).
  const n = inLen * PROBE_LINES * 3;
  const noise = new Uint8Array(n);
  let s = (inLen * 7919 + outLen) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    noise[i] = s >>> 16;
  }
  // Horizontal layout: PROBE_LINES rows of inLen pixels. The vertical check uses the same bytes as inLen
  // rows of PROBE_LINES pixels; the JS side runs identity taps on the other axis.
  const identity = computeTaps(PROBE_LINES, PROBE_LINES)!;
  for (const vertical of [false, true]) {
    const [w, h, ow, oh] = vertical ? [PROBE_LINES, inLen, PROBE_LINES, outLen] : [inLen, PROBE_LINES, outLen, PROBE_LINES];
    const want = await sharp(noise, { raw: { width: w, height: h, channels: 3 } }).resize(ow, oh, { fit: 'fill', kernel: 'linear' }).raw().toBuffer();
    const got = new Uint8Array(ow * oh * 3);
    reduceWith(noise, 0, w, h, 3, vertical ? taps : identity, vertical ? identity : taps, ow, oh, got, ow, 0, 0);
    if (Buffer.compare(want, got) !== 0) return null;
  }
  return taps;
}

function computeTaps(inLen: number, outLen: number): AxisTaps | null {
  if (!(outLen >= 1 && outLen <= inLen && inLen / outLen < MAX_SHRINK)) return null;
  // libvips is handed 1 / (outLen / inLen), not inLen / outLen: the two differ in the last bit for some
  // sizes (800 → 416), which moves positions that sit on a phase boundary.
  const shrink = 1 / (outLen / inLen);
  const points = 2 * Math.round(shrink) + 1;
  const offset = (1 + (outLen * shrink - inLen)) / 2 - 1;
  const embed = Math.ceil(points / 2) - 1;
  const masks: number[][] = [];
  for (let t = 0; t <= PHASES; t++) masks.push(triangle(shrink, points, Math.fround(t / PHASES)));
  const n = Math.max(...masks.map((m) => m.filter((k) => k !== 0).length));
  const count = new Int32Array(outLen);
  const src = new Int32Array(outLen * n);
  const w = new Int32Array(outLen * n);
  for (let o = 0; o < outLen; o++) {
    const y = (o + 0.5) * shrink - 0.5 - offset;
    const fine = y * PHASES * 2;
    const nearest = Math.round(fine);
    if (Math.abs(fine - nearest) < 1e-6 && nearest % 2 !== 0) return null;
    const phase = ((Math.trunc(fine) & (PHASES * 2 - 1)) + 1) >> 1;
    const mask = masks[phase]!;
    const first = Math.trunc(y) - embed;
    let c = 0;
    for (let i = 0; i < points; i++) {
      if (mask[i] === 0) continue;
      src[o * n + c] = Math.min(inLen - 1, Math.max(0, first + i));
      w[o * n + c] = mask[i]!;
      c++;
    }
    count[o] = c;
  }
  return { n, count, src, w };
}

/** libvips' calculate_coefficients_triangle, normalised, then truncated to fixed point like matrixi. */
function triangle(shrink: number, points: number, x: number): number[] {
  const half = x + points / 2 - 1;
  const c: number[] = [];
  let sum = 0;
  for (let i = 0; i < points; i++) {
    const l = Math.max(0, 1 - Math.abs((i - half) / shrink));
    c.push(l);
    sum += l;
  }
  return c.map((l) => Math.trunc((l / sum) * (1 << SHIFT)));
}

/**
 * Reduces an 8-bit frame (`channels` interleaved samples per pixel, rows of width·channels bytes from
 * `offset`) to outW × outH and writes it as RGB into `rgb` at pixel (x0, y0) of a dstW-wide image;
 * grey is replicated into the three channels. Vertical pass first, as libvips runs them.
 */
export function reduce8(
  s: Uint8Array, offset: number, width: number, height: number, channels: 1 | 3,
  outW: number, outH: number, rgb: Uint8Array, dstW: number, x0: number, y0: number,
): void {
  const v = readyTaps(height, outH);
  const h = readyTaps(width, outW);
  if (!v || !h) throw new Error(`reduce8: ${width}×${height} → ${outW}×${outH} is not checked against sharp (ask reducible() first)`);
  reduceWith(s, offset, width, height, channels, v, h, outW, outH, rgb, dstW, x0, y0);
}

/** Three 256-entry tables: the normalised float each 8-bit level of channel c becomes in the tensor. */
export type ChannelLuts = readonly [Float32Array, Float32Array, Float32Array];

/**
 * reduce8 straight into a planar (NCHW, batch 1) float tensor of dstW × dstH, through `luts`: the same
 * 8-bit levels as reduce8, without the interleaved RGB image and the second pass over it that toTensor
 * makes (a 442 kB buffer per 384² frame). Only the image area is written.
 */
export function reduce8ToTensor(
  s: Uint8Array, offset: number, width: number, height: number, channels: 1 | 3,
  outW: number, outH: number, tensor: Float32Array, dstW: number, dstH: number, x0: number, y0: number, luts: ChannelLuts,
): void {
  const v = readyTaps(height, outH);
  const h = readyTaps(width, outW);
  if (!v || !h) throw new Error(`reduce8ToTensor: ${width}×${height} → ${outW}×${outH} is not checked against sharp (ask reducible() first)`);
  if (channels === 3 && reduceToTensorSimd(s, offset, width, height, v, h, outW, outH, luts, tensor, dstW, dstH, x0, y0)) return;
  const rowLen = width * channels;
  const rows = verticalPassSimd(s, offset, rowLen, height, v, outH);
  let row: Uint8Array = new Uint8Array(rows ? 0 : rowLen);
  const acc = new Int32Array(rows ? 0 : rowLen);
  const line = new Uint8Array(outW * 3);
  const plane = dstW * dstH;
  const [L0, L1, L2] = luts;
  const { w: hw, src: hs } = h;
  for (let oy = 0; oy < outH; oy++) {
    if (rows) row = rows.subarray(oy * rowLen, (oy + 1) * rowLen);
    else verticalRow(s, offset, rowLen, v, oy, row, acc);
    const q = (oy + y0) * dstW + x0;
    if (channels === 3 && h.n === 4) {
      // The usual shrinks (1.25–2.5): at most 4 weights (unused slots weigh 0 on a valid index), unrolled
      // and written straight into the planes; ~0.2 ms a frame less than going through horizontalRow.
      for (let ox = 0, u = 0; ox < outW; ox++, u += 4) {
        const ka = hw[u]!, kb = hw[u + 1]!, kc = hw[u + 2]!, kd = hw[u + 3]!;
        const pa = hs[u]! * 3, pb = hs[u + 1]! * 3, pc = hs[u + 2]! * 3, pd = hs[u + 3]! * 3;
        tensor[q + ox] = L0[(HALF + ka * row[pa]! + kb * row[pb]! + kc * row[pc]! + kd * row[pd]!) >> SHIFT]!;
        tensor[plane + q + ox] = L1[(HALF + ka * row[pa + 1]! + kb * row[pb + 1]! + kc * row[pc + 1]! + kd * row[pd + 1]!) >> SHIFT]!;
        tensor[2 * plane + q + ox] = L2[(HALF + ka * row[pa + 2]! + kb * row[pb + 2]! + kc * row[pc + 2]! + kd * row[pd + 2]!) >> SHIFT]!;
      }
      continue;
    }
    horizontalRow(row, channels, h, outW, line, 0);
    for (let ox = 0, p = 0; ox < outW; ox++, p += 3) {
      tensor[q + ox] = L0[line[p]!]!;
      tensor[plane + q + ox] = L1[line[p + 1]!]!;
      tensor[2 * plane + q + ox] = L2[line[p + 2]!]!;
    }
  }
}

function reduceWith(
  s: Uint8Array, offset: number, width: number, height: number, channels: 1 | 3, v: AxisTaps, h: AxisTaps,
  outW: number, outH: number, rgb: Uint8Array, dstW: number, x0: number, y0: number,
): void {
  const rowLen = width * channels;
  const rows = verticalPassSimd(s, offset, rowLen, height, v, outH);
  let row: Uint8Array = new Uint8Array(rows ? 0 : rowLen);
  const acc = new Int32Array(rows ? 0 : rowLen);
  for (let oy = 0; oy < outH; oy++) {
    if (rows) row = rows.subarray(oy * rowLen, (oy + 1) * rowLen);
    else verticalRow(s, offset, rowLen, v, oy, row, acc);
    horizontalRow(row, channels, h, outW, rgb, ((oy + y0) * dstW + x0) * 3);
  }
}

/** Output row oy of the vertical pass into `row`. Weights are non-negative and sum to ≤ 4096, so every result is within 0..255. */
function verticalRow(s: Uint8Array, offset: number, rowLen: number, v: AxisTaps, oy: number, row: Uint8Array, acc: Int32Array): void {
  const { n: vn, w: vw, src: vs } = v;
  const t = oy * vn;
  const c = v.count[oy]!;
  // Fused for the usual 3 or 4 weights.
  const b0 = offset + vs[t]! * rowLen, k0 = vw[t]!;
  const b1 = offset + vs[t + 1]! * rowLen, k1 = vw[t + 1]!;
  if (c === 3) {
    const b2 = offset + vs[t + 2]! * rowLen, k2 = vw[t + 2]!;
    for (let j = 0; j < rowLen; j++) row[j] = (HALF + k0 * s[b0 + j]! + k1 * s[b1 + j]! + k2 * s[b2 + j]!) >> SHIFT;
  } else if (c === 4) {
    const b2 = offset + vs[t + 2]! * rowLen, k2 = vw[t + 2]!;
    const b3 = offset + vs[t + 3]! * rowLen, k3 = vw[t + 3]!;
    for (let j = 0; j < rowLen; j++) row[j] = (HALF + k0 * s[b0 + j]! + k1 * s[b1 + j]! + k2 * s[b2 + j]! + k3 * s[b3 + j]!) >> SHIFT;
  } else {
    acc.fill(HALF);
    for (let i = 0; i < c; i++) {
      const k = vw[t + i]!;
      const base = offset + vs[t + i]! * rowLen;
      for (let j = 0; j < rowLen; j++) acc[j]! += k * s[base + j]!;
    }
    for (let j = 0; j < rowLen; j++) row[j] = acc[j]! >> SHIFT;
  }
}

/** The horizontal pass of one row into interleaved RGB at out[q…]; grey is replicated into the three channels. */
function horizontalRow(row: Uint8Array, channels: 1 | 3, h: AxisTaps, outW: number, out: Uint8Array, q: number): void {
  const { n: hn, w: hw, src: hs, count: hc } = h;
  if (channels === 3) {
    for (let ox = 0, u = 0; ox < outW; ox++, q += 3, u += hn) {
      let r = HALF, g = HALF, b = HALF;
      for (let i = 0, e = hc[ox]!; i < e; i++) {
        const k = hw[u + i]!;
        const p = hs[u + i]! * 3;
        r += k * row[p]!;
        g += k * row[p + 1]!;
        b += k * row[p + 2]!;
      }
      out[q] = r >> SHIFT;
      out[q + 1] = g >> SHIFT;
      out[q + 2] = b >> SHIFT;
    }
  } else {
    for (let ox = 0, u = 0; ox < outW; ox++, q += 3, u += hn) {
      let a = HALF;
      for (let i = 0, e = hc[ox]!; i < e; i++) a += hw[u + i]! * row[hs[u + i]!]!;
      out[q] = a >> SHIFT;
      out[q + 1] = out[q]!;
      out[q + 2] = out[q]!;
    }
  }
}
