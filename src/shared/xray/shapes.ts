// Rasterising parts into attenuation maps. A shape lives in its own millimetre coordinates and says,
// for a point, its signed distance (for anti-aliased edges) and the X-ray path length through it there
// (a cylinder seen from the side is thicker along its axis than at its rim, which is what gives real
// scans their shading). Parts are drawn through an affine map from millimetres to image pixels.
import type { Rng } from './rng.ts';

export type Bounds = readonly [minX: number, minY: number, maxX: number, maxY: number];

export interface Shape {
  readonly bounds: Bounds;
  /** Signed distance to the outline in mm, negative inside. */
  sd(x: number, y: number): number;
  /** Path length in mm through the shape at (x, y), given its signed distance `d` there (d < aa). */
  path(x: number, y: number, d: number): number;
}

/** How thickness varies across a shape: constant, a cylinder along x, a cylinder along y, or an ellipsoid dome. */
export type Profile = 'flat' | 'cylX' | 'cylY' | 'dome';

function profileFactor(profile: Profile, nx: number, ny: number): number {
  switch (profile) {
    case 'flat':
      return 1;
    case 'cylX': // axis along x: thickness follows y
      return Math.sqrt(Math.max(0, 1 - ny * ny));
    case 'cylY':
      return Math.sqrt(Math.max(0, 1 - nx * nx));
    case 'dome':
      return Math.sqrt(Math.max(0, 1 - nx * nx - ny * ny));
  }
}

/** Rounded rectangle centred at the origin. */
export function rect(w: number, h: number, thickness: number, opts: { radius?: number; profile?: Profile } = {}): Shape {
  const hx = w / 2;
  const hy = h / 2;
  const r = Math.min(opts.radius ?? 0, hx, hy);
  const profile = opts.profile ?? 'flat';
  return {
    bounds: [-hx, -hy, hx, hy],
    sd(x, y) {
      const qx = Math.abs(x) - hx + r;
      const qy = Math.abs(y) - hy + r;
      const ox = Math.max(qx, 0);
      const oy = Math.max(qy, 0);
      return Math.sqrt(ox * ox + oy * oy) + Math.min(Math.max(qx, qy), 0) - r;
    },
    path(x, y) {
      return thickness * profileFactor(profile, x / hx, y / hy);
    },
  };
}

/** Ellipse centred at the origin. */
export function ellipse(rx: number, ry: number, thickness: number, profile: Profile = 'flat'): Shape {
  const k = Math.min(rx, ry);
  return {
    bounds: [-rx, -ry, rx, ry],
    sd(x, y) {
      // Scaled distance: exact for circles, close enough for the mild ellipses we draw.
      const nx = x / rx;
      const ny = y / ry;
      return (Math.sqrt(nx * nx + ny * ny) - 1) * k;
    },
    path(x, y) {
      return thickness * profileFactor(profile, x / rx, y / ry);
    },
  };
}

/** Annulus (a can or jar seen end-on): constant height between the radii. */
export function ring(outer: number, inner: number, height: number): Shape {
  return {
    bounds: [-outer, -outer, outer, outer],
    sd(x, y) {
      const d = Math.sqrt(x * x + y * y);
      return Math.max(d - outer, inner - d);
    },
    path() {
      return height;
    },
  };
}

/**
 * Hollow cylinder seen from the side (a can, bottle or battery casing), axis along x: the beam crosses
 * the wall twice, and near the rim it runs along the wall, so the outline is darker than the middle.
 */
export function tube(length: number, radius: number, wall: number, opts: { cornerRadius?: number } = {}): Shape {
  const hx = length / 2;
  const r2 = radius * radius;
  const inner = Math.max(0, radius - wall);
  const i2 = inner * inner;
  const outline = rect(length, radius * 2, 0, { radius: opts.cornerRadius ?? 0 });
  return {
    bounds: [-hx, -radius, hx, radius],
    sd: outline.sd,
    path(x, y) {
      const y2 = y * y;
      const outerChord = Math.sqrt(Math.max(0, r2 - y2));
      const innerChord = Math.sqrt(Math.max(0, i2 - y2));
      // End caps: within `wall` of either end, the beam crosses a full disc of wall material.
      const cap = Math.abs(x) > hx - wall ? 2 * innerChord : 0;
      return 2 * (outerChord - innerChord) + cap;
    },
  };
}

/** Capsule (a wire, pin or rod) from (x1, y1) to (x2, y2); thickness follows a round cross-section. */
export function capsule(x1: number, y1: number, x2: number, y2: number, radius: number, round = true): Shape {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len2 = dx * dx + dy * dy || 1e-9;
  return {
    bounds: [Math.min(x1, x2) - radius, Math.min(y1, y2) - radius, Math.max(x1, x2) + radius, Math.max(y1, y2) + radius],
    sd(x, y) {
      const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / len2));
      const ex = x - x1 - t * dx;
      const ey = y - y1 - t * dy;
      return Math.sqrt(ex * ex + ey * ey) - radius;
    },
    path(x, y) {
      if (!round) return radius * 2;
      const t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / len2));
      const ex = x - x1 - t * dx;
      const ey = y - y1 - t * dy;
      return 2 * Math.sqrt(Math.max(0, radius * radius - ex * ex - ey * ey));
    },
  };
}

/** Simple polygon (any winding), constant thickness, optionally thinning towards the outline (a blade edge). */
export function polygon(points: readonly (readonly [number, number])[], thickness: number, opts: { bevel?: number } = {}): Shape {
  const n = points.length;
  const xs = new Float64Array(n);
  const ys = new Float64Array(n);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  points.forEach(([x, y], i) => {
    xs[i] = x;
    ys[i] = y;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  });
  const bevel = opts.bevel ?? 0;
  // Edge vectors and their inverse squared lengths, precomputed: sd() runs per pixel per edge.
  const exs = new Float64Array(n);
  const eys = new Float64Array(n);
  const inv = new Float64Array(n);
  for (let i = 0, j = n - 1; i < n; j = i++) {
    exs[i] = xs[i]! - xs[j]!;
    eys[i] = ys[i]! - ys[j]!;
    inv[i] = 1 / (exs[i]! * exs[i]! + eys[i]! * eys[i]! || 1e-9);
  }
  const exact = (px: number, py: number): number => {
    let d = Infinity;
    let inside = false;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const ax = xs[j]!;
      const ay = ys[j]!;
      const ex = exs[i]!;
      const ey = eys[i]!;
      const wx = px - ax;
      const wy = py - ay;
      let t = (wx * ex + wy * ey) * inv[i]!;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const qx = wx - t * ex;
      const qy = wy - t * ey;
      const dd = qx * qx + qy * qy;
      if (dd < d) d = dd;
      const by = ys[i]!;
      if (ay > py !== by > py && px < (ex * (py - ay)) / ey + ax) inside = !inside;
    }
    return inside ? -Math.sqrt(d) : Math.sqrt(d);
  };
  // Coarse distance grid (built on first use): sd is 1-Lipschitz, so a cell whose centre is deeper
  // inside than the bevel plus the cell radius is plain interior, and one far enough out is empty;
  // only cells near the outline need the exact per-edge distance.
  const cell = Math.max(1.5, Math.min(maxX - minX, maxY - minY) / 16);
  const gw = Math.ceil((maxX - minX) / cell) + 1;
  const gh = Math.ceil((maxY - minY) / cell) + 1;
  let grid: Float32Array | undefined;
  const reach = cell * 0.75;
  const sd = (px: number, py: number): number => {
    if (!grid) {
      grid = new Float32Array(gw * gh);
      for (let gy = 0; gy < gh; gy++) for (let gx = 0; gx < gw; gx++) grid[gy * gw + gx] = exact(minX + (gx + 0.5) * cell, minY + (gy + 0.5) * cell);
    }
    let gx = ((px - minX) / cell) | 0;
    let gy = ((py - minY) / cell) | 0;
    gx = gx < 0 ? 0 : gx >= gw ? gw - 1 : gx;
    gy = gy < 0 ? 0 : gy >= gh ? gh - 1 : gy;
    const d0 = grid[gy * gw + gx]!;
    // Points outside the grid's cells are at least as far from the centre as the clamp moved them.
    const ox = px - (minX + (gx + 0.5) * cell);
    const oy = py - (minY + (gy + 0.5) * cell);
    if (ox * ox + oy * oy <= reach * reach * 1.01) {
      if (d0 < -(bevel + reach + 2)) return d0;
      if (d0 > reach + 2) return d0;
    }
    return exact(px, py);
  };
  return {
    bounds: [minX, minY, maxX, maxY],
    sd,
    path(_x, _y, d) {
      if (bevel <= 0) return thickness;
      return thickness * Math.min(1, Math.max(0.15, -d / bevel));
    },
  };
}

/** Multiplicative value-noise texture over a shape (fabric folds, powder, food): 1 ± amp. */
export interface Texture {
  readonly cell: number;
  readonly amp: number;
  readonly ox: number;
  readonly oy: number;
  readonly gw: number;
  readonly gh: number;
  readonly grid: Float32Array;
}

export function texture(rng: Rng, bounds: Bounds, cell: number, amp: number): Texture {
  const gw = Math.max(2, Math.ceil((bounds[2] - bounds[0]) / cell) + 2);
  const gh = Math.max(2, Math.ceil((bounds[3] - bounds[1]) / cell) + 2);
  const grid = new Float32Array(gw * gh);
  for (let i = 0; i < grid.length; i++) grid[i] = rng.next() * 2 - 1;
  return { cell, amp, ox: bounds[0] - cell, oy: bounds[1] - cell, gw, gh, grid };
}

function sampleTexture(t: Texture, x: number, y: number): number {
  const fx = Math.min(t.gw - 1.001, Math.max(0, (x - t.ox) / t.cell));
  const fy = Math.min(t.gh - 1.001, Math.max(0, (y - t.oy) / t.cell));
  const ix = Math.floor(fx);
  const iy = Math.floor(fy);
  let ax = fx - ix;
  let ay = fy - iy;
  ax = ax * ax * (3 - 2 * ax);
  ay = ay * ay * (3 - 2 * ay);
  const g = t.grid;
  const i0 = iy * t.gw + ix;
  const v = (g[i0]! * (1 - ax) + g[i0 + 1]! * ax) * (1 - ay) + (g[i0 + t.gw]! * (1 - ax) + g[i0 + t.gw + 1]! * ax) * ay;
  return 1 + t.amp * v;
}

/** Affine map from millimetres to image pixels: X = a x + b y + tx, Y = c x + d y + ty. */
export interface Affine {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly tx: number;
  readonly ty: number;
}

export const IDENTITY: Affine = { a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0 };

/** Translate by (x, y) after rotating by `rot` radians and scaling by (sx, sy). */
export function pose(x: number, y: number, rot = 0, sx = 1, sy = 1): Affine {
  const cs = Math.cos(rot);
  const sn = Math.sin(rot);
  return { a: cs * sx, b: -sn * sy, c: sn * sx, d: cs * sy, tx: x, ty: y };
}

/** p ∘ q: apply q first, then p. */
export function compose(p: Affine, q: Affine): Affine {
  return {
    a: p.a * q.a + p.b * q.c,
    b: p.a * q.b + p.b * q.d,
    c: p.c * q.a + p.d * q.c,
    d: p.c * q.b + p.d * q.d,
    tx: p.a * q.tx + p.b * q.ty + p.tx,
    ty: p.c * q.tx + p.d * q.ty + p.ty,
  };
}

export function apply(p: Affine, x: number, y: number): [number, number] {
  return [p.a * x + p.b * y + p.tx, p.c * x + p.d * y + p.ty];
}

/** Line integrals of attenuation (sum of mu * t) at the two energies, per pixel. */
export class AttenuationMap {
  readonly width: number;
  readonly height: number;
  readonly low: Float32Array;
  readonly high: Float32Array;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.low = new Float32Array(width * height);
    this.high = new Float32Array(width * height);
  }
}

export interface DrawOptions {
  /** Linear attenuation in 1/mm at both energies (see materials.linearAttenuation). */
  mu: { low: number; high: number };
  texture?: Texture;
  /** Set to 1 where this part adds visible attenuation (coverage ≥ 0.5, mu_high·t ≥ maskThreshold). */
  mask?: Uint8Array;
  maskThreshold?: number;
  /** Accumulates this part's own high-energy attenuation (to tell self-opacity from occlusion). */
  own?: Float32Array;
}

/** Add one shape, placed by `xf` (mm → px), into the attenuation map. */
export function drawShape(map: AttenuationMap, shape: Shape, xf: Affine, opts: DrawOptions): void {
  const det = xf.a * xf.d - xf.b * xf.c;
  if (Math.abs(det) < 1e-12) return;
  // Inverse map px → mm.
  const ia = xf.d / det;
  const ib = -xf.b / det;
  const ic = -xf.c / det;
  const id = xf.a / det;
  const mmPerPx = 1 / Math.sqrt(Math.abs(det));
  const aa = mmPerPx * 0.75;
  const [bx0, by0, bx1, by1] = shape.bounds;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [lx, ly] of [
    [bx0 - aa, by0 - aa],
    [bx1 + aa, by0 - aa],
    [bx0 - aa, by1 + aa],
    [bx1 + aa, by1 + aa],
  ] as const) {
    const [X, Y] = apply(xf, lx, ly);
    minX = Math.min(minX, X);
    minY = Math.min(minY, Y);
    maxX = Math.max(maxX, X);
    maxY = Math.max(maxY, Y);
  }
  const x0 = Math.max(0, Math.floor(minX));
  const y0 = Math.max(0, Math.floor(minY));
  const x1 = Math.min(map.width - 1, Math.ceil(maxX));
  const y1 = Math.min(map.height - 1, Math.ceil(maxY));
  if (x0 > x1 || y0 > y1) return;
  const { low, high, width } = map;
  const muL = opts.mu.low;
  const muH = opts.mu.high;
  const tex = opts.texture;
  const mask = opts.mask;
  const own = opts.own;
  const maskThreshold = opts.maskThreshold ?? 0.015;
  const bx0a = bx0 - aa;
  const bx1a = bx1 + aa;
  const by0a = by0 - aa;
  const by1a = by1 + aa;
  for (let py = y0; py <= y1; py++) {
    const cy = py + 0.5 - xf.ty;
    for (let px = x0; px <= x1; px++) {
      const cx = px + 0.5 - xf.tx;
      const lx = ia * cx + ib * cy;
      const ly = ic * cx + id * cy;
      if (lx < bx0a || lx > bx1a || ly < by0a || ly > by1a) continue;
      const d = shape.sd(lx, ly);
      if (d >= aa) continue;
      const cov = d <= -aa ? 1 : (aa - d) / (2 * aa);
      let t = shape.path(lx, ly, d) * cov;
      if (t <= 0) continue;
      if (tex) t *= sampleTexture(tex, lx, ly);
      const i = py * width + px;
      low[i]! += muL * t;
      high[i]! += muH * t;
      if (mask && cov >= 0.5 && muH * t >= maskThreshold) mask[i] = 1;
      if (own) own[i]! += muH * t;
    }
  }
}
