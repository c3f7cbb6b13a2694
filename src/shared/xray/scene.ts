// One parcel on the belt: packaging, clutter and 0..k objects of interest placed with the overlap
// mix of real scans (easy / hard / deliberately hidden), projected at a scanner's scale with belt-speed
// stretch and fan-beam magnification, measured with that scanner's noise and rendered. Label boxes
// come from each object's own rasterised mask after every transform, clipped to the image.
import { DETECTION_LABELS, type DetectionLabel } from '../domain/detection.ts';
import { drawProfile, gains, measure, type ScannerProfile } from './artefacts.ts';
import { CATALOGUE } from './catalogue.ts';
import { carton, clutterItem, padded, polybag, type ClutterKind, type Packaging } from './clutter.ts';
import { linearAttenuation } from './materials.ts';
import type { Model } from './parts.ts';
import { ColourTable, greyscale, raw16 } from './render.ts';
import { Rng } from './rng.ts';
import { AttenuationMap, compose, drawShape, pose, type Affine } from './shapes.ts';

export type Difficulty = 'easy' | 'hard' | 'hidden';
export type Rendering = 'colour' | 'grey';

export interface ParcelOptions {
  width?: number;
  height?: number;
  /** Probability that a parcel has no object of interest (clutter only). Default 0.12. */
  emptyRate?: number;
  /** Probability that the image is rendered as a single-energy greyscale scan. Default 0. */
  greyRate?: number;
  /** Draw only from these labels (default: all). */
  labels?: readonly DetectionLabel[];
  /** Exact objects to place (overrides the random choice; used by tests and the simulator). */
  objects?: readonly DetectionLabel[];
  /** Also return the raw 16-bit high/low channels and 16-bit greyscale. */
  raw?: boolean;
  /** false: no packaging and no clutter, objects alone on the belt (tests, catalogue sheets). */
  clutter?: boolean;
}

export interface ParcelObject {
  label: DetectionLabel;
  /** [x1, y1, x2, y2] in pixels, from the object's mask; x2/y2 exclusive. */
  box: [number, number, number, number];
  /** Fraction of the object's mask where the beam still gets through (not rendered black). */
  visible: number;
}

export interface Parcel {
  width: number;
  height: number;
  /** RGB, 3 bytes per pixel, row-major; a greyscale rendering is replicated into the three channels. */
  colour: Uint8Array;
  rendering: Rendering;
  grey?: Uint16Array;
  high?: Uint16Array;
  low?: Uint16Array;
  objects: ParcelObject[];
  /** Objects placed but too hidden (mostly behind something opaque) to be labelled. */
  unlabelled: DetectionLabel[];
  clutter: ClutterKind[];
  packaging: Packaging;
  difficulty: Difficulty;
  /** Gross mass of contents and packaging, kg. */
  weightKg: number;
  scanner: ScannerProfile;
}

const MIN_VISIBLE = 0.3;
const MIN_BOX = 4;

interface Placed {
  model: Model;
  at: Affine;
}

function pickLabels(rng: Rng, opts: ParcelOptions): DetectionLabel[] {
  if (opts.objects) return [...opts.objects];
  if (rng.chance(opts.emptyRate ?? 0.12)) return [];
  const pool = opts.labels && opts.labels.length > 0 ? opts.labels : DETECTION_LABELS;
  const n = rng.weighted([
    [1, 40],
    [2, 30],
    [3, 17],
    [4, 9],
    [5, 4],
  ] as const);
  const out: DetectionLabel[] = [];
  while (out.length < n) {
    const l = rng.pick(pool);
    out.push(l);
    // Shoes travel in pairs.
    if (l === 'shoes' && rng.chance(0.7)) out.push('shoes');
  }
  return out;
}

/** Image-space extent of a model under `at` (from its nominal w × h). */
function extent(m: Model, at: Affine): [number, number, number, number] {
  const hw = m.w / 2;
  const hh = m.h / 2;
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [x, y] of [
    [-hw, -hh],
    [hw, -hh],
    [-hw, hh],
    [hw, hh],
  ] as const) {
    const X = at.a * x + at.b * y + at.tx;
    const Y = at.c * x + at.d * y + at.ty;
    x0 = Math.min(x0, X);
    y0 = Math.min(y0, Y);
    x1 = Math.max(x1, X);
    y1 = Math.max(y1, Y);
  }
  return [x0, y0, x1, y1];
}

function overlapArea(a: readonly number[], b: readonly number[]): number {
  const w = Math.min(a[2]!, b[2]!) - Math.max(a[0]!, b[0]!);
  const h = Math.min(a[3]!, b[3]!) - Math.max(a[1]!, b[1]!);
  return w > 0 && h > 0 ? w * h : 0;
}

function drawModel(map: AttenuationMap, m: Model, at: Affine, mask?: Uint8Array, own?: Float32Array): void {
  for (const p of m.parts) {
    drawShape(map, p.shape, compose(at, p.at), {
      mu: linearAttenuation(p.mat, p.density),
      ...(p.texture ? { texture: p.texture } : {}),
      ...(mask ? { mask } : {}),
      ...(own ? { own } : {}),
    });
  }
}

// Per-object scratch buffers, reused across parcels of the same size (one thread renders one parcel at
// a time), so a busy parcel does not allocate megabytes for the garbage collector on every call.
const scratch = new Map<number, { masks: Uint8Array[]; owns: Float32Array[] }>();
function buffers(k: number, n: number): { mask: Uint8Array; own: Float32Array } {
  let pool = scratch.get(n);
  if (!pool) {
    scratch.clear();
    pool = { masks: [], owns: [] };
    scratch.set(n, pool);
  }
  while (pool.masks.length <= k) {
    pool.masks.push(new Uint8Array(n));
    pool.owns.push(new Float32Array(n));
  }
  const mask = pool.masks[k]!;
  const own = pool.owns[k]!;
  mask.fill(0);
  own.fill(0);
  return { mask, own };
}

/** Render one parcel; the same seed and options always give the same pixels and labels. */
export function renderParcel(seed: number, opts: ParcelOptions = {}): Parcel {
  const W = opts.width ?? 640;
  const H = opts.height ?? 480;
  const rng = new Rng(seed);
  const layoutRng = rng.fork(1);
  const objectRng = rng.fork(2);
  const noiseRng = rng.fork(3);

  // Scanner geometry: the image height spans the tunnel across the belt.
  // Log-uniform: small parcel tunnels (~400 mm) to large baggage tunnels (~850 mm) across the image height.
  const tunnelMm = 380 * Math.pow(850 / 380, layoutRng.next());
  const ppm = H / tunnelMm;
  const stretch = layoutRng.range(0.85, 1.18); // belt speed vs line rate
  const difficulty = layoutRng.weighted<Difficulty>([
    ['easy', 40],
    ['hard', 45],
    ['hidden', 15],
  ]);

  const labels = pickLabels(layoutRng, opts);
  const objects = labels.map((label) => ({ label, model: CATALOGUE[label](objectRng.fork(hash(label))) }));
  const nClutter = opts.clutter === false ? 0 : difficulty === 'easy' ? layoutRng.int(1, 3) : difficulty === 'hard' ? layoutRng.int(4, 10) : layoutRng.int(3, 8);
  const clutter = Array.from({ length: nClutter }, () => clutterItem(objectRng));

  // Parcel size: big enough for its largest item, within what fits the tunnel.
  const maxW = W / (ppm * stretch);
  const maxH = H / ppm;
  let needW = 160;
  let needH = 120;
  for (const o of [...objects.map((o) => o.model), ...clutter]) {
    const d = Math.max(o.w, o.h);
    needW = Math.max(needW, d * 0.9);
    needH = Math.max(needH, Math.min(o.w, o.h) * 1.1);
  }
  const pw = Math.min(maxW * 1.05, Math.max(needW, layoutRng.range(220, 620)));
  const ph = Math.min(maxH * 0.97, Math.max(needH, layoutRng.range(160, 460)));
  const depth = layoutRng.range(80, 300);
  const packaging: Packaging =
    opts.clutter === false
      ? 'none'
      : layoutRng.weighted<Packaging>([
          ['carton', 60],
          ['polybag', 25],
          ['padded', 7],
          ['none', 8],
        ]);
  const parcelRot = layoutRng.gauss(0, 0.08);
  const cx = W / 2 + layoutRng.gauss(0, W * 0.06);
  const cy = H / 2 + layoutRng.gauss(0, H * 0.05);
  // mm (parcel frame) → px.
  const toImage: Affine = compose({ a: ppm * stretch, b: 0, c: 0, d: ppm, tx: cx, ty: cy }, pose(0, 0, parcelRot));

  const map = new AttenuationMap(W, H);
  const packagingParts = packaging === 'carton' ? carton(layoutRng, pw, ph, depth) : packaging === 'polybag' ? polybag(layoutRng, pw, ph) : packaging === 'padded' ? padded(layoutRng, pw, ph) : [];
  drawModel(map, { parts: packagingParts, w: pw, h: ph, kg: 0 }, toImage);

  // The next or previous parcel on the belt sometimes reaches into the frame (short gaps between parcels).
  const main = extent({ parts: [], w: pw, h: ph, kg: 0 }, toImage);
  const side = layoutRng.chance(0.5) ? -1 : 1;
  const room = side < 0 ? main[0] : W - main[2];
  if (opts.clutter !== false && room > 40 && layoutRng.chance(0.2)) {
    const nw = layoutRng.range(200, 450);
    const nh = layoutRng.range(150, Math.min(450, maxH));
    const gap = layoutRng.range(8, Math.max(10, room - 25)) / (ppm * stretch);
    const nx = side < 0 ? main[0] / (ppm * stretch) - gap - nw / 2 : main[2] / (ppm * stretch) + gap + nw / 2;
    const neighbour: Affine = { a: ppm * stretch, b: 0, c: 0, d: ppm, tx: 0, ty: cy + layoutRng.gauss(0, H * 0.05) };
    const nAt = compose(neighbour, pose(nx, 0, layoutRng.gauss(0, 0.06)));
    drawModel(map, { parts: carton(layoutRng, nw, nh, layoutRng.range(80, 250)), w: nw, h: nh, kg: 0 }, nAt);
    for (let i = layoutRng.int(0, 3); i > 0; i--) {
      const c = clutterItem(objectRng);
      drawModel(map, c, compose(nAt, pose(layoutRng.range(-nw / 3, nw / 3), layoutRng.range(-nh / 3, nh / 3), layoutRng.range(0, Math.PI * 2))));
    }
  }

  // Place clutter anywhere in the parcel.
  const placed: Placed[] = [];
  const placeIn = (m: Model, near?: Placed): Affine => {
    const fan = layoutRng.range(0.94, 1.08);
    const rot = layoutRng.range(0, Math.PI * 2);
    const flip = layoutRng.chance(0.5) ? -1 : 1;
    let x: number;
    let y: number;
    if (near) {
      x = near.at.tx + layoutRng.gauss(0, near.model.w * 0.15);
      y = near.at.ty + layoutRng.gauss(0, near.model.h * 0.15);
    } else {
      const r = Math.max(m.w, m.h) / 2;
      x = layoutRng.range(-pw / 2 + Math.min(r, pw / 2), pw / 2 - Math.min(r, pw / 2));
      y = layoutRng.range(-ph / 2 + Math.min(r, ph / 2), ph / 2 - Math.min(r, ph / 2));
    }
    return compose(pose(x, y, rot), { a: 1, b: 0, c: 0, d: flip * fan, tx: 0, ty: 0 });
  };
  for (const c of clutter) {
    const at = placeIn(c);
    placed.push({ model: c, at });
    drawModel(map, c, compose(toImage, at));
  }

  // Objects of interest: kept fully inside the image; overlap avoided on easy parcels, sought on hidden ones.
  const boxes: [number, number, number, number][] = [];
  const masks: { label: DetectionLabel; mask: Uint8Array; own: Float32Array }[] = [];
  for (const o of objects) {
    let at = placeIn(o.model);
    const big = placed.filter((p) => Math.max(p.model.w, p.model.h) > 120);
    for (let attempt = 0; attempt < 12; attempt++) {
      const hideNear = difficulty === 'hidden' && big.length > 0 && attempt < 6 ? layoutRng.pick(big) : undefined;
      at = placeIn(o.model, hideNear);
      const e = extent(o.model, compose(toImage, at));
      const inside = e[0] >= 1 && e[1] >= 1 && e[2] <= W - 1 && e[3] <= H - 1;
      const area = (e[2] - e[0]) * (e[3] - e[1]);
      const crowded = difficulty === 'easy' && boxes.some((b) => overlapArea(b, e) > 0.15 * area);
      if (inside && !crowded) break;
      if (attempt === 11 && !inside) {
        // Pull it back inside the frame.
        const dx = e[0] < 1 ? 1 - e[0] : e[2] > W - 1 ? W - 1 - e[2] : 0;
        const dy = e[1] < 1 ? 1 - e[1] : e[3] > H - 1 ? H - 1 - e[3] : 0;
        // Image shift → parcel mm (undo scale and parcel rotation).
        const mx = (dx / (ppm * stretch)) * Math.cos(parcelRot) + (dy / ppm) * Math.sin(parcelRot);
        const my = -(dx / (ppm * stretch)) * Math.sin(parcelRot) + (dy / ppm) * Math.cos(parcelRot);
        at = { ...at, tx: at.tx + mx, ty: at.ty + my };
      }
    }
    const e = extent(o.model, compose(toImage, at));
    boxes.push(e);
    const { mask, own } = buffers(masks.length, W * H);
    drawModel(map, o.model, compose(toImage, at), mask, own);
    placed.push({ model: o.model, at });
    masks.push({ label: o.label, mask, own });
  }

  // Measure and render as this scanner would.
  const scanner = drawProfile(noiseRng, H);
  const g = gains(noiseRng, scanner, W, H);
  const tHigh = measure(map.high, W, H, scanner.photonsHigh, scanner, g.rows, g.cols, noiseRng);
  const tLow = measure(map.low, W, H, scanner.photonsLow, scanner, g.rows, g.cols, noiseRng);
  const rendering: Rendering = noiseRng.chance(opts.greyRate ?? 0) ? 'grey' : 'colour';
  let colour: Uint8Array;
  const greyBytes = rendering === 'grey' || opts.raw ? greyscale(tHigh, scanner.colour) : undefined;
  if (rendering === 'grey') {
    colour = new Uint8Array(W * H * 3);
    for (let i = 0; i < W * H; i++) colour[i * 3] = colour[i * 3 + 1] = colour[i * 3 + 2] = greyBytes![i]!;
  } else {
    colour = new ColourTable(scanner.colour).colourise(tHigh, tLow);
  }

  // Labels from masks; objects that are nearly all behind opaque material are not labelled. An object
  // that is itself opaque (a revolver's cylinder) still shows its silhouette, so only what lies on top
  // of it or under it counts.
  const opaqueAt = scanner.colour.opaqueAt;
  const out: ParcelObject[] = [];
  const unlabelled: DetectionLabel[] = [];
  for (const { label, mask, own } of masks) {
    let x0 = W;
    let y0 = H;
    let x1 = -1;
    let y1 = -1;
    let n = 0;
    let seen = 0;
    for (let y = 0; y < H; y++) {
      const o = y * W;
      for (let x = 0; x < W; x++) {
        if (mask[o + x] === 0) continue;
        n++;
        const th = tHigh[o + x]!;
        if (-Math.log(th > 1e-6 ? th : 1e-6) - own[o + x]! < opaqueAt) seen++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
    const visible = n > 0 ? seen / n : 0;
    if (n === 0 || visible < MIN_VISIBLE || x1 - x0 + 1 < MIN_BOX || y1 - y0 + 1 < MIN_BOX) {
      unlabelled.push(label);
      continue;
    }
    out.push({ label, box: [x0, y0, x1 + 1, y1 + 1], visible: Math.round(visible * 1000) / 1000 });
  }

  const weightKg = objects.reduce((s, o) => s + o.model.kg, 0) + clutter.reduce((s, c) => s + c.kg, 0) + (packaging === 'carton' ? (pw * ph * 2 + (pw + ph) * 2 * depth) * 0.55e-6 * 0.4 : 0.03);
  return {
    width: W,
    height: H,
    colour,
    rendering,
    ...(opts.raw ? { grey: u16FromU8(greyBytes!), high: raw16(tHigh), low: raw16(tLow) } : {}),
    objects: out,
    unlabelled,
    clutter: clutter.map((c) => c.kind),
    packaging,
    difficulty,
    weightKg: Math.round(weightKg * 1000) / 1000,
    scanner,
  };
}

function u16FromU8(a: Uint8Array): Uint16Array {
  const out = new Uint16Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * 257;
  return out;
}

function hash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h >>> 0;
}
