// X-ray image tools as pure pixel operations on RGBA buffers (no canvas, no WebGL), so they are
// unit-tested in Node and behave the same in the browser and the Electron shell.
//
// Colours follow the dual-energy convention: orange = organic (low Z), green = mixed, blue = inorganic
// and metal (high Z); near-white = empty belt. The material masks select by hue on that pseudo-colour.

export interface Pixels {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  data: Uint8ClampedArray;
}

export interface ImageOps {
  mode: 'colour' | 'grey';
  material: 'all' | 'organic' | 'inorganic';
  invert: boolean;
  edges: boolean;
  /** 1 = unchanged; >1 more contrast. */
  contrast: number;
  /** 1 = unchanged; >1 brightens dark regions. */
  gamma: number;
}

export const DEFAULT_OPS: ImageOps = { mode: 'colour', material: 'all', invert: false, edges: false, contrast: 1, gamma: 1 };

/** Hue in degrees 0..360, saturation 0..1 and value 0..1 of one RGB pixel. */
export function hsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  let h = 0;
  if (d > 0) {
    if (max === r) h = ((g - b) / d) % 6;
    else if (max === g) h = (b - r) / d + 2;
    else h = (r - g) / d + 4;
    h *= 60;
    if (h < 0) h += 360;
  }
  return [h, max === 0 ? 0 : d / max, max / 255];
}

/** Material class of a pseudo-colour pixel; undefined for empty belt or grey pixels with no material cue. */
export function materialOf(r: number, g: number, b: number): 'organic' | 'mixed' | 'inorganic' | undefined {
  const [h, s, v] = hsv(r, g, b);
  if (s < 0.18 || v > 0.97) return undefined;
  if (h < 70 || h >= 330) return 'organic';
  if (h < 160) return 'mixed';
  return 'inorganic';
}

const luminance = (r: number, g: number, b: number): number => 0.299 * r + 0.587 * g + 0.114 * b;

function toneCurve(contrast: number, gamma: number): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256);
  for (let i = 0; i < 256; i++) {
    const g = Math.pow(i / 255, 1 / gamma);
    lut[i] = Math.round(((g - 0.5) * contrast + 0.5) * 255);
  }
  return lut;
}

/** 3×3 sharpening (centre 5, cross −1): edges of dense objects stand out. */
function sharpen(src: Uint8ClampedArray, w: number, h: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) {
        const at = (xx: number, yy: number) => src[(Math.min(h - 1, Math.max(0, yy)) * w + Math.min(w - 1, Math.max(0, xx))) * 4 + c]!;
        out[i + c] = 5 * src[i + c]! - at(x - 1, y) - at(x + 1, y) - at(x, y - 1) - at(x, y + 1);
      }
      out[i + 3] = src[i + 3]!;
    }
  }
  return out;
}

/** Applies the tools in a fixed order: material mask → grey → tone curve → edges → invert. */
export function applyOps(src: Pixels, ops: ImageOps): Pixels {
  const { width: w, height: h } = src;
  let d: Uint8ClampedArray = new Uint8ClampedArray(src.data);
  const lut = ops.contrast !== 1 || ops.gamma !== 1 ? toneCurve(ops.contrast, ops.gamma) : undefined;
  for (let i = 0; i < d.length; i += 4) {
    let r = d[i]!;
    let g = d[i + 1]!;
    let b = d[i + 2]!;
    if (ops.material !== 'all') {
      const m = materialOf(r, g, b);
      // Mixed material belongs to both views; everything else outside the selection becomes empty belt.
      const keep = m === ops.material || m === 'mixed';
      if (!keep) r = g = b = 255;
    }
    if (ops.mode === 'grey') r = g = b = Math.round(luminance(r, g, b));
    if (lut) {
      r = lut[r]!;
      g = lut[g]!;
      b = lut[b]!;
    }
    d[i] = r;
    d[i + 1] = g;
    d[i + 2] = b;
  }
  if (ops.edges) d = sharpen(d, w, h);
  if (ops.invert) {
    for (let i = 0; i < d.length; i += 4) {
      d[i] = 255 - d[i]!;
      d[i + 1] = 255 - d[i + 1]!;
      d[i + 2] = 255 - d[i + 2]!;
    }
  }
  return { width: w, height: h, data: d };
}

/** True when the image carries no colour (a single-energy scan or one channel of a dual-energy one). */
export function isGreySource(p: Pixels): boolean {
  const step = Math.max(4, Math.floor(p.data.length / 4 / 5000) * 4);
  for (let i = 0; i < p.data.length; i += step) {
    if (Math.abs(p.data[i]! - p.data[i + 1]!) > 3 || Math.abs(p.data[i + 1]! - p.data[i + 2]!) > 3) return false;
  }
  return true;
}

/** Pseudo-colour for a grey scan by attenuation alone: light = organic orange, mid = green, dense = blue. */
export function colourise(p: Pixels): Pixels {
  const d = new Uint8ClampedArray(p.data);
  for (let i = 0; i < d.length; i += 4) {
    const v = d[i]! / 255;
    if (v > 0.94) continue; // empty belt stays white
    const [r, g, b] = v > 0.6 ? [255, 150 + 90 * (v - 0.6), 40] : v > 0.3 ? [60, 120 + 200 * (v - 0.3), 60] : [30, 60, 90 + 400 * v];
    d[i] = r * (0.35 + 0.65 * v);
    d[i + 1] = g * (0.35 + 0.65 * v);
    d[i + 2] = b;
  }
  return { width: p.width, height: p.height, data: d };
}
