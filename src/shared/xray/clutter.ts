// Clutter: what fills a parcel around the objects of interest and makes real scans hard — folded
// clothes, paper, cables and chargers, packaging, and small metal things that look a little like
// threats (cutlery, keys, pens, hangers). None of it is labelled; some of it is declared.
import type { MaterialName } from './materials.ts';
import { fitted, part, type Model, type Part } from './parts.ts';
import type { Rng } from './rng.ts';
import { capsule, ellipse, polygon, rect, ring, texture, tube } from './shapes.ts';

/** Clutter kinds that appear on a declaration (and their declaration category). */
export type ClutterKind =
  | 'clothes'
  | 'books'
  | 'cable'
  | 'charger'
  | 'foam'
  | 'toy'
  | 'cutlery'
  | 'keys'
  | 'coins'
  | 'pen'
  | 'hanger'
  | 'hardware'
  | 'snack'
  | 'glasses'
  | 'belt'
  | 'umbrella'
  | 'headphones'
  | 'appliance'
  | 'wallet'
  | 'pouch'
  | 'tools';

export interface ClutterModel extends Model {
  readonly kind: ClutterKind;
}

function cm(kind: ClutterKind, parts: Part[], _w: number, _h: number, kg: number): ClutterModel {
  return { kind, ...fitted(parts, kg) };
}

/** An irregular closed outline (cloth, bags, food): an ellipse perturbed by a few low harmonics. */
export function blob(rng: Rng, w: number, h: number, wobble = 0.18, n = 20): [number, number][] {
  const harmonics = [2, 3, 4, 5].map((k) => [k, rng.range(-wobble, wobble) / (k * 0.6), rng.range(0, Math.PI * 2)] as const);
  const squareness = rng.range(0.3, 0.8);
  const pts: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = (i / n) * Math.PI * 2;
    let r = 1;
    for (const [k, amp, ph] of harmonics) r += amp * Math.sin(k * a + ph);
    // Folded garments are roughly rectangular: push the ellipse towards a rounded rectangle.
    const c = Math.cos(a);
    const sn = Math.sin(a);
    const sq = (v: number): number => Math.sign(v) * Math.pow(Math.abs(v), 1 - squareness * 0.7);
    pts.push([(sq(c) * r * w) / 2, (sq(sn) * r * h) / 2]);
  }
  return pts;
}

function clothes(rng: Rng): ClutterModel {
  const w = rng.range(160, 360);
  const h = rng.range(120, 280);
  const layers = rng.int(2, 8);
  const density = rng.range(0.12, 0.3);
  const parts: Part[] = [];
  const b = [-w / 2, -h / 2, w / 2, h / 2] as const;
  const outline = blob(rng, w, h, rng.range(0.06, 0.22));
  parts.push(part(polygon(outline, layers * rng.range(3, 6), { bevel: rng.range(8, 30) }), 'textile', 0, 0, 0, { density, texture: texture(rng, b, rng.range(10, 30), rng.range(0.3, 0.6)) }));
  // Folds and wrinkles: soft ridges of extra fabric (single strokes: chained strokes would double up
  // where they join).
  for (let i = 0; i < rng.int(1, 6); i++) {
    const a = rng.range(0, Math.PI);
    const len = rng.range(0.25, 0.8) * Math.max(w, h);
    const x = rng.range(-w / 3, w / 3);
    const y = rng.range(-h / 3, h / 3);
    const dx = (Math.cos(a) * len) / 2;
    const dy = (Math.sin(a) * len) / 2;
    parts.push(part(capsule(x - dx, y - dy, x + dx, y + dy, rng.range(5, 16)), 'textile', 0, 0, 0, { density: density * rng.range(0.3, 0.9) }));
  }
  // Buttons, snaps, a zipper with its slider.
  if (rng.chance(0.45)) for (let i = 0; i < rng.int(3, 7); i++) parts.push(part(ellipse(5, 5, 3), rng.chance(0.7) ? 'plastic' : 'brass', rng.range(-w / 3, w / 3), -h / 2 + 20 + i * 25));
  if (rng.chance(0.35)) {
    const x = rng.range(-w / 3, w / 3);
    const len = h * rng.range(0.4, 0.9);
    const a = rng.gauss(0, 0.3);
    parts.push(part(rect(4.5, len, 2.5), rng.chance(0.7) ? 'brass' : 'plastic', x, 0, a, { texture: texture(rng, [-3, -h, 3, h], 2, 0.6) }));
    parts.push(part(rect(9, 15, 3.5), 'zinc', x, -len * 0.3, a));
  }
  if (rng.chance(0.2)) parts.push(part(rect(18, 10, 2, { radius: 2 }), 'aluminium', rng.range(-w / 3, w / 3), rng.range(-h / 3, h / 3)));
  return cm('clothes', parts, w, h, rng.range(0.2, 0.8));
}

function books(rng: Rng): ClutterModel {
  const w = rng.range(140, 300);
  const h = rng.range(100, 220);
  const t = rng.range(5, 40);
  const parts: Part[] = [part(rect(w, h, t, { radius: 2 }), 'paper', 0, 0, 0, { density: rng.range(0.6, 0.95), texture: texture(rng, [-w / 2, -h / 2, w / 2, h / 2], 40, 0.04) })];
  if (rng.chance(0.3)) for (let i = 0; i < 2; i++) parts.push(part(rect(1, 12, 0.6), 'steel', -w / 2 + 6, -h / 4 + i * (h / 2)));
  return cm('books', parts, w, h, w * h * t * 0.8e-6);
}

function cablePath(rng: Rng, steps: number, step: number): [number, number][] {
  const pts: [number, number][] = [[0, 0]];
  let a = rng.range(0, Math.PI * 2);
  let x = 0;
  let y = 0;
  for (let i = 0; i < steps; i++) {
    a += rng.gauss(0, 0.6);
    x += Math.cos(a) * step;
    y += Math.sin(a) * step;
    pts.push([x, y]);
  }
  return pts;
}

function cableParts(pts: readonly [number, number][], sheath: number, cores: number): Part[] {
  const parts: Part[] = [];
  for (let i = 1; i < pts.length; i++) {
    const [x1, y1] = pts[i - 1]!;
    const [x2, y2] = pts[i]!;
    parts.push(part(capsule(x1, y1, x2, y2, sheath), 'plastic'));
    for (let c = 0; c < cores; c++) parts.push(part(capsule(x1, y1 + (c - (cores - 1) / 2) * 0.9, x2, y2 + (c - (cores - 1) / 2) * 0.9, 0.45), 'copper'));
  }
  return parts;
}

function centre(pts: [number, number][]): { pts: [number, number][]; w: number; h: number } {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  return { pts: pts.map(([x, y]) => [x - cx, y - cy]), w: Math.max(...xs) - Math.min(...xs) + 8, h: Math.max(...ys) - Math.min(...ys) + 8 };
}

function cable(rng: Rng): ClutterModel {
  const c = centre(cablePath(rng, rng.int(6, 18), rng.range(10, 22)));
  const parts = cableParts(c.pts, rng.range(1.5, 3), rng.int(1, 2));
  // Plug ends.
  const [ex, ey] = c.pts[c.pts.length - 1]!;
  parts.push(part(rect(14, 8, 6), 'steel', ex, ey));
  parts.push(part(rect(24, 12, 10, { radius: 3 }), 'plastic', c.pts[0]![0], c.pts[0]![1]));
  return cm('cable', parts, c.w, c.h, 0.05);
}

function charger(rng: Rng): ClutterModel {
  // A wall charger or adapter: plastic box, transformer (copper + ferrite), PCB, prongs.
  const w = rng.range(35, 80);
  const h = rng.range(35, 60);
  const parts: Part[] = [part(rect(w, h, rng.range(20, 30), { radius: 5, profile: 'cylX' }), 'plastic'), part(rect(w * 0.8, h * 0.7, 1.6), 'pcb')];
  parts.push(part(rect(w * 0.3, h * 0.35, 12, { radius: 2 }), 'copper', rng.range(-w / 5, w / 5), 0, 0, { density: 4 }));
  parts.push(part(rect(w * 0.2, h * 0.3, 8), 'ceramic', w / 4, h / 5, 0, { density: 4.5 }));
  if (rng.chance(0.6)) for (const s of [-1, 1]) parts.push(part(rect(18, 3, 6), 'brass', -w / 2 - 9, s * 8));
  return cm('charger', parts, w + 18, h, 0.1);
}

function foam(rng: Rng): ClutterModel {
  const w = rng.range(150, 380);
  const h = rng.range(100, 280);
  const parts: Part[] = [];
  if (rng.chance(0.5)) {
    parts.push(part(polygon(blob(rng, w, h, 0.08), rng.range(30, 80), { bevel: 10 }), 'foam', 0, 0, 0, { texture: texture(rng, [-w / 2, -h / 2, w / 2, h / 2], 25, 0.3) }));
  } else {
    // Bubble wrap: film rings.
    parts.push(part(rect(w, h, 0.2), 'plastic'));
    for (let y = -h / 2 + 6; y < h / 2 - 6; y += 12) for (let x = -w / 2 + 6; x < w / 2 - 6; x += 12) parts.push(part(ring(5, 4.2, 3), 'plastic', x + (Math.round(y) % 24 === 0 ? 6 : 0), y));
  }
  return cm('foam', parts, w, h, 0.02);
}

function toy(rng: Rng): ClutterModel {
  const n = rng.int(5, 9);
  const r = rng.range(30, 90);
  const pts: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = (i / n) * Math.PI * 2;
    const rr = r * rng.range(0.55, 1);
    pts.push([Math.cos(a) * rr, Math.sin(a) * rr]);
  }
  const parts: Part[] = [part(polygon(pts, rng.range(15, 60), { bevel: 10 }), 'plastic', 0, 0, 0, { density: rng.range(0.3, 1.1) })];
  if (rng.chance(0.35)) {
    // Toy electronics: an AA cell, a small PCB, a motor.
    parts.push(part(tube(50, 7, 0.3), 'steel', 0, rng.range(-r / 3, r / 3)));
    parts.push(part(rect(20, 15, 1.6), 'pcb', rng.range(-r / 3, r / 3), r / 3));
  }
  return cm('toy', parts, r * 2, r * 2, 0.15);
}

function cutlery(rng: Rng): ClutterModel {
  const L = rng.range(130, 210);
  const spoon = rng.chance(0.5);
  const t = rng.range(1.2, 2.5);
  const parts: Part[] = [part(polygon([[-L / 2, -4], [L * 0.15, -3], [L * 0.15, 3], [-L / 2, 4]], t), 'steel')];
  if (spoon) parts.push(part(ellipse(L * 0.18, L * 0.09, t * 1.6, 'dome'), 'steel', L * 0.3, 0));
  else for (let i = 0; i < 4; i++) parts.push(part(rect(L * 0.32, 2.5, t), 'steel', L * 0.31, -6 + i * 4));
  if (rng.chance(0.3)) parts.push(part(rect(L * 0.55, 10, 12, { radius: 4, profile: 'cylX' }), 'plastic', -L * 0.2, 0));
  return cm('cutlery', parts, L, 20, 0.05);
}

function keys(rng: Rng): ClutterModel {
  const parts: Part[] = [part(ring(14, 12, 2.5), 'steel')];
  for (let i = 0; i < rng.int(1, 5); i++) {
    const a = rng.range(0, Math.PI * 2);
    const len = rng.range(40, 60);
    const cx = Math.cos(a) * (14 + len / 2);
    const cy = Math.sin(a) * (14 + len / 2);
    parts.push(part(polygon([[-len / 2, -11], [-len / 2 + 22, -11], [-len / 2 + 22, -4], [len / 2, -4], [len / 2, 3], [-len / 2 + 22, 4], [-len / 2 + 22, 11], [-len / 2, 11]], 2.2), rng.chance(0.6) ? 'brass' : 'steel', cx, cy, a));
  }
  return cm('keys', parts, 140, 140, 0.05);
}

function coins(rng: Rng): ClutterModel {
  const parts: Part[] = [];
  for (let i = 0; i < rng.int(2, 8); i++) {
    const r = rng.range(9, 14);
    parts.push(part(ellipse(r, r, rng.range(1.6, 2.4)), rng.pick(['brass', 'copper', 'steel', 'aluminium'] as const), rng.range(-25, 25), rng.range(-25, 25)));
  }
  return cm('coins', parts, 80, 80, 0.03);
}

function pen(rng: Rng): ClutterModel {
  const L = rng.range(120, 150);
  const parts: Part[] = [part(tube(L, 5, 1.2, { cornerRadius: 3 }), rng.chance(0.8) ? 'plastic' : 'aluminium'), part(capsule(-L * 0.4, 0, L * 0.4, 0, 1.2), 'plastic')];
  parts.push(part(rect(8, 4, 4, { profile: 'cylX' }), 'brass', L / 2 - 3, 0));
  if (rng.chance(0.6)) parts.push(part(rect(25, 3.5, 1.8), 'steel', L * 0.25, 0, 0, { texture: texture(rng, [-13, -2, 13, 2], 1.5, 0.7) }));
  if (rng.chance(0.6)) parts.push(part(rect(L * 0.35, 2, 1), 'steel', -L * 0.28, -5));
  return cm('pen', parts, L, 12, 0.01);
}

function hanger(rng: Rng): ClutterModel {
  const w = rng.range(300, 420);
  const h = w * 0.45;
  const metal = rng.chance(0.5);
  const mat: MaterialName = metal ? 'steel' : 'plastic';
  const r = metal ? 1.2 : 4;
  const pts: [number, number][] = [
    [-w / 2, h / 2],
    [0, -h / 4],
    [w / 2, h / 2],
  ];
  const parts: Part[] = [part(capsule(pts[0]![0], pts[0]![1], pts[1]![0], pts[1]![1], r), mat), part(capsule(pts[1]![0], pts[1]![1], pts[2]![0], pts[2]![1], r), mat), part(capsule(-w / 2, h / 2, w / 2, h / 2, r), mat)];
  parts.push(part(capsule(0, -h / 4, 0, -h / 2, 1.3), 'steel'));
  return cm('hanger', parts, w, h, 0.05);
}

function hardware(rng: Rng): ClutterModel {
  // Small metal bits that fill real scans with blue specks: screws, clips, rings, batteries' cousins.
  const parts: Part[] = [];
  const spread = rng.range(30, 120);
  for (let i = 0; i < rng.int(1, 6); i++) {
    const x = rng.range(-spread, spread);
    const y = rng.range(-spread, spread);
    const a = rng.range(0, Math.PI);
    switch (rng.int(0, 4)) {
      case 0:
        parts.push(part(rect(rng.range(8, 40), rng.range(2, 5), rng.range(2, 5), { profile: 'cylX' }), 'steel', x, y, a));
        break;
      case 1:
        parts.push(part(ring(rng.range(4, 12), rng.range(2, 10) * 0.5, rng.range(1, 3)), 'steel', x, y));
        break;
      case 2:
        parts.push(part(capsule(-15, 0, 15, 0, 0.6), 'steel', x, y, a));
        parts.push(part(capsule(-15, 4, 12, 4, 0.6), 'steel', x, y, a));
        break;
      case 3:
        parts.push(part(rect(rng.range(10, 30), rng.range(10, 30), rng.range(0.5, 2), { radius: 2 }), rng.pick(['aluminium', 'steel', 'brass'] as const), x, y, a));
        break;
      default:
        parts.push(part(ellipse(rng.range(3, 8), rng.range(3, 8), rng.range(2, 6), 'dome'), rng.pick(['zinc', 'glass', 'steel'] as const), x, y));
    }
  }
  return cm('hardware', parts, spread * 2 + 30, spread * 2 + 30, 0.02);
}

function snack(rng: Rng): ClutterModel {
  const w = rng.range(80, 220);
  const h = rng.range(60, 160);
  const parts: Part[] = [part(polygon(blob(rng, w, h, 0.12), rng.range(10, 45), { bevel: Math.min(w, h) * 0.3 }), 'food', 0, 0, 0, { density: rng.range(0.2, 0.7), texture: texture(rng, [-w / 2, -h / 2, w / 2, h / 2], rng.range(5, 15), 0.4) })];
  if (rng.chance(0.5)) parts.push(part(rect(w, h, 0.02), 'aluminium'));
  return cm('snack', parts, w, h, 0.2);
}

function glasses(rng: Rng): ClutterModel {
  const metal = rng.chance(0.5);
  const mat: MaterialName = metal ? 'steel' : 'plastic';
  const parts: Part[] = [];
  for (const s of [-1, 1]) {
    parts.push(part(ring(24, metal ? 22.5 : 20, metal ? 2 : 5), mat, s * 30, 0, 0, { sy: 0.75 }));
    parts.push(part(ellipse(22, 17, 3), 'plastic', s * 30, 0));
    parts.push(part(capsule(s * 54, -6, s * 60, rng.range(80, 130), metal ? 1 : 2), mat));
  }
  parts.push(part(capsule(-8, -8, 8, -8, 1.5), mat));
  return cm('glasses', parts, 130, 140, 0.03);
}

function belt(rng: Rng): ClutterModel {
  // A rolled-up or loosely laid leather belt: a strap and its buckle.
  const L = rng.range(250, 500);
  const parts: Part[] = [part(rect(L, 34, 4, { radius: 3 }), 'leather', 0, 0, 0, { density: 0.8, texture: texture(rng, [-L / 2, -17, L / 2, 17], 20, 0.15) })];
  parts.push(part(ring(26, 20, 5), 'zinc', L / 2 + 18, 0, 0, { sy: 0.8 }));
  parts.push(part(rect(4, 36, 4), 'steel', L / 2 + 18, 0));
  for (let i = 0; i < 5; i++) parts.push(part(ellipse(2.5, 2.5, 4), 'leather', L / 2 - 40 - i * 25, 0, 0, { density: 0.1 }));
  return cm('belt', parts, L + 50, 50, 0.15);
}

function umbrella(rng: Rng): ClutterModel {
  // Folded umbrella: steel shaft and ribs along it (long thin metal lines: a classic knife look-alike).
  const L = rng.range(220, 330);
  const parts: Part[] = [part(capsule(-L / 2, 0, L / 2, 0, 3.5), 'steel', 0, 0, 0, { density: 3 })];
  const ribs = rng.int(6, 8);
  for (let i = 0; i < ribs; i++) parts.push(part(capsule(-L * 0.4, rng.range(-3, 3), L * 0.45, rng.range(-14, 14), 0.9), 'steel'));
  parts.push(part(polygon(blob(rng, L * 0.9, 40, 0.1), 6, { bevel: 8 }), 'textile', 0, 0, 0, { density: 0.6 }));
  parts.push(part(rect(60, 30, 28, { radius: 12, profile: 'cylX' }), 'plastic', -L / 2 - 25, 0));
  return cm('umbrella', parts, L + 60, 40, 0.3);
}

function headphones(rng: Rng): ClutterModel {
  const r = rng.range(60, 85);
  const parts: Part[] = [];
  for (let i = 0; i < 9; i++) {
    const a0 = Math.PI * (1 + i / 9);
    const a1 = Math.PI * (1 + (i + 1) / 9);
    parts.push(part(capsule(Math.cos(a0) * r, Math.sin(a0) * r, Math.cos(a1) * r, Math.sin(a1) * r, 6), 'plastic'));
    parts.push(part(capsule(Math.cos(a0) * r, Math.sin(a0) * r, Math.cos(a1) * r, Math.sin(a1) * r, 1), 'steel'));
  }
  for (const s of [-1, 1]) {
    parts.push(part(ellipse(32, 40, 30, 'dome'), 'plastic', s * r, 10, 0, { density: 0.5 }));
    parts.push(part(ellipse(12, 12, 6), 'steel', s * r, 10, 0, { density: 7.5 }));
    parts.push(part(rect(14, 10, 2), 'pcb', s * r, 30));
  }
  return cm('headphones', parts, r * 2 + 70, r + 60, 0.25);
}

function appliance(rng: Rng): ClutterModel {
  // Hair dryer, shaver or kitchen gadget: plastic body around a motor (copper windings, steel core).
  const L = rng.range(120, 260);
  const w = rng.range(45, 90);
  const parts: Part[] = [part(rect(L, w, w * 0.8, { radius: w / 3, profile: 'cylX' }), 'plastic', 0, 0, 0, { density: 0.35 })];
  const mx = rng.range(-L / 4, L / 4);
  parts.push(part(rect(35, 30, 30, { radius: 6, profile: 'cylX' }), 'copper', mx, 0, 0, { density: 3.5 }));
  parts.push(part(rect(20, 16, 30, { profile: 'cylX' }), 'steel', mx, 0, 0, { density: 4 }));
  if (rng.chance(0.5)) parts.push(part(capsule(-L / 2, 0, L / 2, 0, 10), 'steel', 0, 0, 0, { density: 0.4 }));
  parts.push(part(rect(30, 20, 1.6), 'pcb', mx - 40, 0));
  return cm('appliance', parts, L, w, 0.5);
}

function wallet(rng: Rng): ClutterModel {
  const w = rng.range(95, 120);
  const h = rng.range(75, 95);
  const parts: Part[] = [part(rect(w, h, rng.range(6, 12), { radius: 6 }), 'leather')];
  for (let i = 0; i < rng.int(2, 6); i++) parts.push(part(rect(85, 54, 0.8, { radius: 3 }), 'plastic', rng.range(-4, 4), rng.range(-6, 6), rng.range(-0.05, 0.05), { density: 1.3 }));
  if (rng.chance(0.5)) parts.push(part(rect(12, 10, 0.3), 'copper', rng.range(-20, 20), rng.range(-10, 10)));
  for (let i = 0; i < rng.int(0, 4); i++) parts.push(part(ellipse(11, 11, 2), rng.pick(['brass', 'steel', 'copper'] as const), rng.range(-30, 30), rng.range(-25, 25)));
  return cm('wallet', parts, w, h, 0.15);
}

function pouch(rng: Rng): ClutterModel {
  // A toiletry pouch: fabric bag with a metal zipper, holding small bottles and a razor.
  const w = rng.range(150, 240);
  const h = rng.range(90, 150);
  const parts: Part[] = [part(polygon(blob(rng, w, h, 0.1), 4, { bevel: 10 }), 'textile', 0, 0, 0, { density: 0.5 })];
  parts.push(part(rect(w * 0.9, 4, 2.5), 'brass', 0, -h / 2 + 6, 0, { texture: texture(rng, [-w, -3, w, 3], 2, 0.6) }));
  for (let i = 0; i < rng.int(1, 4); i++) {
    const r = rng.range(10, 18);
    parts.push(part(rect(rng.range(50, 100), r * 2, r * 2, { radius: r * 0.8, profile: 'cylX' }), 'water', rng.range(-w / 4, w / 4), rng.range(-h / 4, h / 4), rng.range(0, Math.PI), { density: 0.9 }));
  }
  if (rng.chance(0.5)) parts.push(part(rect(40, 12, 3), 'steel', rng.range(-w / 4, w / 4), rng.range(-h / 4, h / 4), rng.range(0, Math.PI)));
  return cm('pouch', parts, w, h, 0.4);
}

function tools(rng: Rng): ClutterModel {
  // Hand tools: steel look-alikes of the threat classes (a screwdriver reads like a knife, pliers like scissors).
  const parts: Part[] = [];
  const kind = rng.int(0, 2);
  if (kind === 0) {
    const L = rng.range(90, 200);
    parts.push(part(rect(L * 0.55, rng.range(24, 34), rng.range(24, 34), { radius: 10, profile: 'cylX' }), 'plastic', -L * 0.22, 0));
    parts.push(part(capsule(-L * 0.3, 0, L / 2, 0, rng.range(2.5, 4)), 'steel'));
    parts.push(part(polygon([[L / 2, -3], [L / 2 + 8, -1], [L / 2 + 8, 1], [L / 2, 3]], 3), 'steel'));
  } else if (kind === 1) {
    const L = rng.range(140, 250);
    const jaw = rng.range(22, 36);
    parts.push(part(rect(L, jaw * 0.5, 6, { radius: 4 }), 'steel'));
    for (const s of [-1, 1]) parts.push(part(polygon([[0, 0], [jaw, s * jaw * 0.7], [jaw * 1.2, s * jaw * 0.3], [jaw * 0.5, 0]], 7), 'steel', L / 2, 0));
    parts.push(part(ring(jaw * 0.4, jaw * 0.25, 6), 'steel', -L / 2, 0));
  } else {
    const L = rng.range(120, 200);
    const open = rng.range(0.05, 0.3);
    for (const s of [-1, 1]) {
      parts.push(part(polygon([[-L / 2, -6], [0, -4], [0, 4], [-L / 2, 6]], 14), rng.chance(0.7) ? 'rubber' : 'plastic', 0, 0, s * open));
      parts.push(part(rect(L * 0.6, 5, 5), 'steel', -L * 0.15, 0, s * open));
      parts.push(part(polygon([[0, -6], [L * 0.3, -2], [L * 0.3, 2], [0, 6]], 7), 'steel', 0, 0, -s * open * 0.3));
    }
    parts.push(part(ellipse(5, 5, 12), 'steel'));
  }
  return cm('tools', parts, 0, 0, 0.2);
}

const BUILDERS: readonly (readonly [(rng: Rng) => ClutterModel, number])[] = [
  [clothes, 10],
  [books, 4],
  [cable, 4],
  [charger, 2],
  [foam, 2],
  [toy, 3],
  [cutlery, 1.5],
  [keys, 1],
  [coins, 1],
  [pen, 2],
  [hanger, 0.4],
  [hardware, 2],
  [snack, 3],
  [glasses, 1],
  [belt, 0.3],
  [umbrella, 0.6],
  [headphones, 1],
  [appliance, 1],
  [wallet, 1],
  [pouch, 1.2],
  [tools, 1.2],
];

export function clutterItem(rng: Rng): ClutterModel {
  return rng.weighted(BUILDERS)(rng);
}

/** Packaging of the parcel itself. */
export type Packaging = 'carton' | 'polybag' | 'padded' | 'none';

/**
 * A carton seen from above: top and bottom panels add a uniform layer, and the four walls run along
 * the beam, so they show as dark lines at the outline — the typical box outline of parcel scans.
 */
export function carton(rng: Rng, w: number, h: number, depth: number): Part[] {
  const wall = rng.range(3, 6);
  const d = rng.range(0.45, 0.7);
  const parts: Part[] = [part(rect(w, h, wall * 2.2, { radius: 2 }), 'cardboard', 0, 0, 0, { density: d, texture: texture(rng, [-w / 2, -h / 2, w / 2, h / 2], 30, 0.08) })];
  for (const s of [-1, 1]) {
    parts.push(part(rect(w, wall, depth), 'cardboard', 0, (s * (h - wall)) / 2, 0, { density: d }));
    parts.push(part(rect(wall, h - wall * 2, depth), 'cardboard', (s * (w - wall)) / 2, 0, 0, { density: d }));
  }
  // Flaps overlap in the middle of the top; tape runs along the seam.
  parts.push(part(rect(w, h * rng.range(0.2, 0.5), wall, { radius: 1 }), 'cardboard', 0, 0, 0, { density: d }));
  if (rng.chance(0.7)) parts.push(part(rect(w + 40, rng.range(40, 60), 0.15), 'plastic', 0, 0));
  if (rng.chance(0.15)) for (let i = 0; i < rng.int(2, 6); i++) parts.push(part(rect(1, 14, 0.8), 'steel', rng.range(-w / 2, w / 2), (rng.chance(0.5) ? -1 : 1) * (h / 2 - 4)));
  return parts;
}

export function polybag(rng: Rng, w: number, h: number): Part[] {
  const n = 18;
  const pts: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const a = (i / n) * Math.PI * 2;
    const k = Math.pow(Math.abs(Math.cos(a)), 0.3) * Math.sign(Math.cos(a));
    const l = Math.pow(Math.abs(Math.sin(a)), 0.3) * Math.sign(Math.sin(a));
    pts.push([(k * w) / 2 + rng.range(-8, 8), (l * h) / 2 + rng.range(-8, 8)]);
  }
  return [part(polygon(pts, rng.range(0.6, 1.5), { bevel: 6 }), 'plastic', 0, 0, 0, { texture: texture(rng, [-w / 2, -h / 2, w / 2, h / 2], 20, 0.5) })];
}

export function padded(rng: Rng, w: number, h: number): Part[] {
  return [part(rect(w, h, rng.range(4, 8), { radius: 4 }), 'paper', 0, 0, 0, { density: 0.5 }), part(rect(w - 10, h - 10, 5), 'foam', 0, 0, 0, { texture: texture(rng, [-w / 2, -h / 2, w / 2, h / 2], 6, 0.5) })];
}
