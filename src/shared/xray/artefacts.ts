// What a real line-scan detector does to the ideal projection: the detector's point-spread blur,
// photon (Poisson) and electronic noise — worse in the low channel, which sees fewer photons through
// the filter —, per-detector-element gain mismatch (streaks along the belt, i.e. image rows), source
// flicker over time (bands across the belt, i.e. image columns) and the odd dead or hot element.
import type { Rng } from './rng.ts';

/** One scanner's imaging characteristics; drawn per image so the model sees many "machines". */
export interface ScannerProfile {
  /** Detector blur, Gaussian sigma in pixels. */
  blur: number;
  /** Photon counts per pixel for an unattenuated beam (sets the quantum noise). */
  photonsHigh: number;
  photonsLow: number;
  /** Electronic noise, as a fraction of full scale. */
  electronic: number;
  /** Per-row (detector element) gain spread and per-column (source) flicker. */
  rowGain: number;
  columnGain: number;
  /** Display edge enhancement (unsharp mask amount, 0 = off), which many consoles apply. */
  sharpen: number;
  /** Dead (0) or unstable rows; [row, gain]. */
  badRows: [number, number][];
  /** Colour mapping variation (see render.ts). */
  colour: ColourProfile;
}

export interface ColourProfile {
  /** Multiplier on the measured low/high log ratio (calibration differences between machines). */
  ratioScale: number;
  /** Attenuation (high channel, natural log) at which colour reaches ~63 % saturation. */
  saturateAt: number;
  /** Darkening rate with attenuation, past `knee` (thin and medium material keeps its full colour). */
  darken: number;
  knee: number;
  /** High-channel attenuation above which a pixel shows as impenetrable (black). */
  opaqueAt: number;
  /** Attenuation shown as white (background suppression, a little above the noise). */
  floor: number;
  /** Small hue shifts of the organic / mixed / metal anchors, RGB offsets. */
  tint: [number, number, number][];
  gamma: number;
}

export function drawProfile(rng: Rng, height: number): ScannerProfile {
  const badRows: [number, number][] = [];
  if (rng.chance(0.2)) for (let i = 0; i < rng.int(1, 2); i++) badRows.push([rng.int(0, height - 1), rng.chance(0.5) ? rng.range(0.0, 0.3) : rng.range(0.85, 1.15)]);
  return {
    blur: rng.range(0.45, 1.0),
    photonsHigh: rng.range(4000, 12000),
    photonsLow: rng.range(2000, 6000),
    electronic: rng.range(0.001, 0.004),
    rowGain: rng.range(0.001, 0.008),
    columnGain: rng.range(0.0, 0.0025),
    badRows,
    sharpen: rng.chance(0.5) ? 0 : rng.range(0.3, 1.2),
    colour: {
      ratioScale: rng.range(0.93, 1.07),
      saturateAt: rng.range(0.12, 0.26),
      darken: rng.range(0.5, 0.75),
      knee: rng.range(0.2, 0.5),
      floor: rng.range(0.025, 0.045),
      opaqueAt: rng.range(3.6, 4.8),
      tint: [0, 1, 2, 3].map(() => [rng.range(-18, 18), rng.range(-18, 18), rng.range(-18, 18)] as [number, number, number]),
      gamma: rng.range(0.85, 1.15),
    },
  };
}

// 64K standard normals, built once from a fixed seed: drawing noise per pixel is then one table lookup.
let normals: Float32Array | undefined;
function normalTable(): Float32Array {
  if (!normals) {
    const t = new Float32Array(65536);
    // A fixed generator so the table is the same for every caller; `rng` only indexes it.
    let s = 0x2545f491;
    const u = (): number => {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      return ((s >>> 0) + 0.5) / 4294967296;
    };
    for (let i = 0; i < t.length; i += 2) {
      const r = Math.sqrt(-2 * Math.log(u()));
      const a = 2 * Math.PI * u();
      t[i] = r * Math.cos(a);
      t[i + 1] = r * Math.sin(a);
    }
    normals = t;
  }
  return normals;
}

/** Separable 5-tap Gaussian blur in place (both passes walk rows, which keeps them cache-friendly). */
export function blur(img: Float32Array, width: number, height: number, sigma: number): void {
  if (sigma < 0.3) return;
  const w1 = Math.exp(-1 / (2 * sigma * sigma));
  const w2 = Math.exp(-4 / (2 * sigma * sigma));
  const sum = 1 + 2 * w1 + 2 * w2;
  const k0 = 1 / sum;
  const k1 = w1 / sum;
  const k2 = w2 / sum;
  const row = new Float32Array(width);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const xm1 = x > 0 ? x - 1 : 0;
      const xm2 = x > 1 ? x - 2 : 0;
      const xp1 = x < width - 1 ? x + 1 : width - 1;
      const xp2 = x < width - 2 ? x + 2 : width - 1;
      row[x] = k0 * img[o + x]! + k1 * (img[o + xm1]! + img[o + xp1]!) + k2 * (img[o + xm2]! + img[o + xp2]!);
    }
    img.set(row, o);
  }
  const src = img.slice();
  for (let y = 0; y < height; y++) {
    const o = y * width;
    const om1 = (y > 0 ? y - 1 : 0) * width;
    const om2 = (y > 1 ? y - 2 : 0) * width;
    const op1 = (y < height - 1 ? y + 1 : height - 1) * width;
    const op2 = (y < height - 2 ? y + 2 : height - 1) * width;
    for (let x = 0; x < width; x++) img[o + x] = k0 * src[o + x]! + k1 * (src[om1 + x]! + src[op1 + x]!) + k2 * (src[om2 + x]! + src[op2 + x]!);
  }
}

// exp(-a) by table: 1/1024 steps are far below the detector noise and save a transcendental per pixel.
const EXP_STEPS = 1024;
const EXP_MAX = 24;
let expTable: Float32Array | undefined;
function expNeg(): Float32Array {
  if (!expTable) {
    expTable = new Float32Array(EXP_MAX * EXP_STEPS + 1);
    for (let i = 0; i < expTable.length; i++) expTable[i] = Math.exp(-i / EXP_STEPS);
  }
  return expTable;
}

/**
 * Turn ideal line integrals into measured transmissions (0..1) for one channel: Beer–Lambert, blur,
 * quantum + electronic noise, row and column gains. `rowGains`/`colGains` are shared by both channels
 * (same detector element, same source pulse).
 */
export function measure(attenuation: Float32Array, width: number, height: number, photons: number, profile: ScannerProfile, rowGains: Float32Array, colGains: Float32Array, rng: Rng): Float32Array {
  const n = width * height;
  const t = new Float32Array(n);
  const ex = expNeg();
  const last = ex.length - 1;
  for (let i = 0; i < n; i++) {
    const k = (attenuation[i]! * EXP_STEPS + 0.5) | 0;
    t[i] = ex[k < last ? k : last]!;
  }
  blur(t, width, height, profile.blur);
  const table = normalTable();
  const e2 = profile.electronic * profile.electronic;
  const inv = 1 / photons;
  for (let y = 0; y < height; y++) {
    const rg = rowGains[y]!;
    const o = y * width;
    for (let x = 0; x < width; x++) {
      const i = o + x;
      const v = t[i]!;
      const noisy = v + Math.sqrt(v * inv + e2) * table[rng.nextU32() & 0xffff]!;
      t[i] = noisy * rg * colGains[x]!;
    }
  }
  if (profile.sharpen > 0) {
    const soft = t.slice();
    blur(soft, width, height, 1.2);
    const k = profile.sharpen;
    for (let i = 0; i < n; i++) t[i] = t[i]! + k * (t[i]! - soft[i]!);
  }
  return t;
}

export function gains(rng: Rng, profile: ScannerProfile, width: number, height: number): { rows: Float32Array; cols: Float32Array } {
  const rows = new Float32Array(height);
  for (let y = 0; y < height; y++) rows[y] = 1 + rng.gauss(0, profile.rowGain);
  for (const [row, g] of profile.badRows) rows[row] = g;
  const cols = new Float32Array(width);
  // Source flicker is slow: a smoothed random walk.
  let drift = 0;
  for (let x = 0; x < width; x++) {
    drift = drift * 0.9 + rng.gauss(0, profile.columnGain);
    cols[x] = 1 + drift;
  }
  return { rows, cols };
}
