// The WebAssembly SIMD vertical pass must give exactly the JS formula's bytes (reduce.test.ts checks the
// whole resize against sharp; this pins the kernel itself, its edges and its memory growth), and the
// committed module must be the one the .wat assembles to.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { reduceToTensorSimd, verticalPassSimd, type Taps } from '../../../src/main/inspection/reduce-simd.ts';
import { readyTaps, reduce8, verifyAxis } from '../../../src/main/inspection/reduce.ts';
import { releaseBuffer } from '../../../src/main/inspection/release-buffer.ts';
import { noise } from './images.ts';

/** Random taps of `counts` weights per output row: sources within 0..height-1, weights summing to ≤ 4096. */
function taps(height: number, counts: number[], seed: number): Taps {
  const n = Math.max(...counts);
  const r = noise(counts.length * n * 4, seed);
  const src = new Int32Array(counts.length * n);
  const w = new Int32Array(counts.length * n);
  counts.forEach((c, o) => {
    let left = 4096;
    for (let i = 0; i < c; i++) {
      src[o * n + i] = (r[o * n * 4 + i]! * 7 + r[o * n * 4 + n + i]!) % height;
      w[o * n + i] = i === c - 1 ? left : Math.min(left, (r[o * n * 4 + 2 * n + i]! * 13) % 2000);
      left -= w[o * n + i]!;
    }
  });
  return { n, count: Int32Array.from(counts), src, w };
}

function reference(s: Uint8Array, offset: number, rowLen: number, v: Taps, outH: number): Uint8Array {
  const out = new Uint8Array(rowLen * outH);
  for (let o = 0; o < outH; o++) {
    for (let j = 0; j < rowLen; j++) {
      let a = 2048;
      for (let i = 0; i < v.count[o]!; i++) a += v.w[o * v.n + i]! * s[offset + v.src[o * v.n + i]! * rowLen + j]!;
      out[o * rowLen + j] = a >> 12;
    }
  }
  return out;
}

describe('verticalPassSimd', () => {
  it('gives the JS formula byte for byte, for 3 and 4 weights, row lengths off the 16-byte step and an offset source', () => {
    for (const [rowLen, height, offset] of [[1920, 480, 0], [291, 61, 15], [7, 9, 3], [4000, 33, 1]] as const) {
      const counts = Array.from({ length: Math.ceil(height * 0.6) }, (_, o) => (o % 3 === 0 ? 4 : 3));
      const v = taps(height, counts, rowLen + height);
      // the last source row is always used once, so reads past the frame's end are exercised
      v.src[0] = height - 1;
      const s = noise(offset + rowLen * height, rowLen);
      const got = verticalPassSimd(s, offset, rowLen, height, v, counts.length);
      expect(got, 'SIMD kernel available on Node 24').not.toBeNull();
      expect(Buffer.compare(Buffer.from(got!), Buffer.from(reference(s, offset, rowLen, v, counts.length))), `${rowLen}×${height}`).toBe(0);
    }
  });

  it('declines (null) a row of another tap count, leaving it to the JS loop', () => {
    const v = taps(20, [3, 5, 4], 1);
    expect(verticalPassSimd(noise(64 * 20, 2), 0, 64, 20, v, 3)).toBeNull();
  });

  it('the committed module is what reduce-simd.wat assembles to', () => {
    const r = spawnSync(process.execPath, ['scripts/build-wasm.ts', '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('reduceToTensorSimd', () => {
  const luts = [0, 1, 2].map((c) => Float32Array.from({ length: 256 }, (_, i) => (i / 255 - 0.1 * c) / (0.9 - 0.1 * c))) as unknown as [Float32Array, Float32Array, Float32Array];

  it('writes the tensor reduce8 + the lookup tables give, landscape, portrait and small, leaving the padding alone', async () => {
    for (const [w, h, ow, oh, dw, dh, x0, y0] of [
      [640, 480, 384, 288, 384, 384, 0, 48], [480, 640, 288, 384, 384, 384, 48, 0], [99, 61, 60, 40, 64, 48, 3, 5], [800, 600, 416, 312, 416, 416, 0, 52],
    ] as const) {
      await Promise.all([verifyAxis(w, ow), verifyAxis(h, oh)]);
      const v = readyTaps(h, oh)!;
      const hz = readyTaps(w, ow)!;
      const src = noise(w * h * 3 + 7, w);
      const rgb = new Uint8Array(ow * oh * 3);
      reduce8(src, 7, w, h, 3, ow, oh, rgb, ow, 0, 0);
      const got = new Float32Array(3 * dw * dh).fill(-7);
      expect(reduceToTensorSimd(src, 7, w, h, v, hz, ow, oh, luts, got, dw, dh, x0, y0), `${w}×${h} covered`).toBe(true);
      let wrong = 0;
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < dh; y++) {
          for (let x = 0; x < dw; x++) {
            const inside = x >= x0 && x < x0 + ow && y >= y0 && y < y0 + oh;
            const want = inside ? luts[c]![rgb[((y - y0) * ow + (x - x0)) * 3 + c]!]! : -7;
            if (got[c * dw * dh + y * dw + x] !== want) wrong++;
          }
        }
      }
      expect(wrong, `${w}×${h} → ${ow}×${oh}`).toBe(0);
    }
  });

  it('declines taps wider than 4 pixels (a bigger shrink), writing nothing', async () => {
    await Promise.all([verifyAxis(1280, 384), verifyAxis(960, 288)]);
    const v = readyTaps(960, 288);
    const hz = readyTaps(1280, 384);
    expect(v && hz).toBeTruthy();
    const t = new Float32Array(3 * 384 * 384).fill(-7);
    expect(reduceToTensorSimd(noise(1280 * 960 * 3, 1), 0, 1280, 960, v!, hz!, 384, 288, luts, t, 384, 384, 0, 48)).toBe(false);
    expect(t.every((x) => x === -7)).toBe(true);
  });
});

describe('releaseBuffer', () => {
  it('frees a large buffer a view owns, and leaves pooled, partial and small ones alone', () => {
    const big = new Uint8Array(1 << 20);
    releaseBuffer(big);
    expect(big.buffer.detached).toBe(true);
    expect(big.length).toBe(0);

    const pooled = Buffer.from('a small pooled buffer'); // shares Node's 8 kB pool
    releaseBuffer(pooled);
    expect(pooled.buffer.detached).toBe(false);

    const whole = new Uint8Array(1 << 20);
    const part = whole.subarray(1000, 2000);
    releaseBuffer(part);
    expect(whole.buffer.detached).toBe(false);
    expect(whole.length).toBe(1 << 20);

    const shared = new Uint8Array(new SharedArrayBuffer(1 << 20));
    releaseBuffer(shared);
    expect(shared.length).toBe(1 << 20);

    releaseBuffer(big); // twice is harmless
  });
});
