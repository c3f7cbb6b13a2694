// From measured transmissions to what an operator sees. Dual-energy scanners colour each pixel by the
// ratio of the low- to the high-energy log attenuation (an effective-Z estimate): organic orange,
// mixed / light inorganic green, inorganic and metal blue; brightness falls with attenuation, and a
// pixel the beam barely penetrates is shown black ("impenetrable"). Single-energy machines show
// greyscale. Colours are looked up in a per-scanner table, which is also what makes rendering fast.
import type { ColourProfile } from './artefacts.ts';

const A_MAX = 7;
const A_BINS = 560;
const R_MIN = 0.9;
const R_MAX = 5.5;
const R_BINS = 128;

/** Ratio anchors (mu_low/mu_high of the log attenuations) and their colours before tinting. */
const ANCHORS: readonly (readonly [number, number, number, number, number])[] = [
  // [ratio, r, g, b, tint group]
  [1.0, 255, 165, 45, 0],
  [1.4, 250, 148, 30, 0],
  [1.62, 175, 170, 50, 1],
  [1.85, 80, 168, 72, 1],
  [2.35, 40, 140, 170, 2],
  [2.9, 38, 92, 205, 3],
  [5.5, 30, 70, 200, 3],
];

function paletteAt(ratio: number, tint: readonly [number, number, number][]): [number, number, number] {
  let i = 0;
  while (i < ANCHORS.length - 2 && ratio > ANCHORS[i + 1]![0]) i++;
  const a = ANCHORS[i]!;
  const b = ANCHORS[i + 1]!;
  const t = Math.max(0, Math.min(1, (ratio - a[0]) / (b[0] - a[0])));
  const ta = tint[a[4]] ?? [0, 0, 0];
  const tb = tint[b[4]] ?? [0, 0, 0];
  return [a[1] + ta[0] + (b[1] + tb[0] - a[1] - ta[0]) * t, a[2] + ta[1] + (b[2] + tb[1] - a[2] - ta[1]) * t, a[3] + ta[2] + (b[3] + tb[2] - a[3] - ta[2]) * t];
}

/** RGB for a pixel with high-channel log attenuation `a` and low/high ratio `ratio`. */
export function colourOf(a: number, ratio: number, p: ColourProfile): [number, number, number] {
  if (a <= p.floor) return [255, 255, 255];
  const s = 1 - Math.exp(-(a - p.floor) / p.saturateAt);
  let v = Math.pow(Math.exp(-p.darken * Math.max(0, a - p.knee)), p.gamma);
  // Fade to black towards the impenetrable level.
  v *= Math.max(0, Math.min(1, (p.opaqueAt - a) / 0.6));
  // Where the beam is weak the ratio is unreliable; scanners show thin material as organic.
  const r = a < 0.03 ? 1.2 : ratio * p.ratioScale;
  const [pr, pg, pb] = paletteAt(r, p.tint);
  const mix = (c: number): number => Math.max(0, Math.min(255, Math.round(255 * (1 - s) + s * c * v)));
  return [mix(pr), mix(pg), mix(pb)];
}

// -ln(t) for 16-bit quantised transmissions, shared by every table.
let lnTable: Float32Array | undefined;
function negLog(): Float32Array {
  if (!lnTable) {
    lnTable = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) lnTable[i] = -Math.log(Math.max(i, 0.5) / 65535);
  }
  return lnTable;
}

export class ColourTable {
  private readonly lut: Uint8Array;

  constructor(p: ColourProfile) {
    // colourOf() factored: saturation and lightness depend on attenuation only, hue on the ratio only.
    this.lut = new Uint8Array(A_BINS * R_BINS * 3);
    const sat = new Float32Array(A_BINS);
    const val = new Float32Array(A_BINS);
    for (let ai = 0; ai < A_BINS; ai++) {
      const a = ((ai + 0.5) * A_MAX) / A_BINS;
      sat[ai] = a <= p.floor ? 0 : 1 - Math.exp(-(a - p.floor) / p.saturateAt);
      val[ai] = Math.pow(Math.exp(-p.darken * Math.max(0, a - p.knee)), p.gamma) * Math.max(0, Math.min(1, (p.opaqueAt - a) / 0.6));
    }
    const pal = new Float32Array(R_BINS * 3);
    const organic = paletteAt(1.2, p.tint);
    for (let ri = 0; ri < R_BINS; ri++) {
      const r = R_MIN + ((ri + 0.5) * (R_MAX - R_MIN)) / R_BINS;
      pal.set(paletteAt(r * p.ratioScale, p.tint), ri * 3);
    }
    for (let ai = 0; ai < A_BINS; ai++) {
      const s = sat[ai]!;
      const v = val[ai]!;
      const thin = ((ai + 0.5) * A_MAX) / A_BINS < 0.03;
      for (let ri = 0; ri < R_BINS; ri++) {
        const o = (ai * R_BINS + ri) * 3;
        for (let c = 0; c < 3; c++) {
          const pc = thin ? organic[c]! : pal[ri * 3 + c]!;
          this.lut[o + c] = Math.max(0, Math.min(255, Math.round(255 * (1 - s) + s * pc * v)));
        }
      }
    }
  }

  /** Colour an image from measured transmissions (0..1, noisy). */
  colourise(tHigh: Float32Array, tLow: Float32Array): Uint8Array {
    const n = tHigh.length;
    const out = new Uint8Array(n * 3);
    const lut = this.lut;
    const ln = negLog();
    const aScale = A_BINS / A_MAX;
    const rScale = R_BINS / (R_MAX - R_MIN);
    for (let i = 0; i < n; i++) {
      const th = tHigh[i]!;
      const o = i * 3;
      if (th >= 0.999) {
        out[o] = 255;
        out[o + 1] = 255;
        out[o + 2] = 255;
        continue;
      }
      const aH = ln[th > 0 ? (th * 65535 + 0.5) | 0 : 0]!;
      const tl = tLow[i]!;
      const aL = ln[tl > 0 ? (tl < 1 ? (tl * 65535 + 0.5) | 0 : 65535) : 0]!;
      let ai = (aH * aScale) | 0;
      if (ai >= A_BINS) ai = A_BINS - 1;
      let ri = ((aL / (aH > 1e-3 ? aH : 1e-3) - R_MIN) * rScale) | 0;
      if (ri < 0) ri = 0;
      else if (ri >= R_BINS) ri = R_BINS - 1;
      const l = (ai * R_BINS + ri) * 3;
      out[o] = lut[l]!;
      out[o + 1] = lut[l + 1]!;
      out[o + 2] = lut[l + 2]!;
    }
    return out;
  }
}

/** Single-energy greyscale (one byte per pixel): white background, darker with attenuation. */
export function greyscale(tHigh: Float32Array, p: ColourProfile): Uint8Array {
  const out = new Uint8Array(tHigh.length);
  const k = p.darken + 0.25;
  for (let i = 0; i < tHigh.length; i++) {
    const th = Math.max(1e-4, Math.min(1, tHigh[i]!));
    out[i] = Math.round(255 * Math.pow(th, k * p.gamma));
  }
  return out;
}

/** 16-bit raw channel (0..65535 = transmission 0..1), as scanners export for analysis. */
export function raw16(t: Float32Array): Uint16Array {
  const out = new Uint16Array(t.length);
  for (let i = 0; i < t.length; i++) out[i] = Math.round(Math.max(0, Math.min(1, t[i]!)) * 65535);
  return out;
}
