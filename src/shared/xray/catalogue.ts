// The object catalogue: one parametric builder per detection label. Each builds a plausible object
// from parts in real materials and real sizes (mm), with the shape variation and the views a scanner
// sees (lying flat, on edge, standing end-on). Builders only use the Rng they are given.
import type { DetectionLabel } from '../domain/detection.ts';
import type { MaterialName } from './materials.ts';
import { fitted, part, moved, type Model, type Part } from './parts.ts';
import type { Rng } from './rng.ts';
import { capsule, ellipse, polygon, pose, rect, ring, texture, tube } from './shapes.ts';

export type Builder = (rng: Rng) => Model;

/** Builders pass a nominal size for readability; the model is re-centred and measured from its parts. */
function model(parts: Part[], _w: number, _h: number, kg: number): Model {
  return fitted(parts, kg);
}

// ---------------------------------------------------------------- gun
function pistol(rng: Rng): Model {
  // Side view, muzzle towards +x, grip hanging towards +y and raked back towards -x.
  const L = rng.range(140, 210);
  const sh = rng.range(25, 35);
  const polymer = rng.chance(0.6);
  const parts: Part[] = [];
  const x0 = -L / 2;
  // Slide: two steel walls plus the barrel inside it, ejection port as a thinner window.
  parts.push(part(rect(L, sh, rng.range(7, 11), { radius: 3 }), 'steel', 0, 0));
  parts.push(part(tube(L * 0.95, rng.range(5.5, 7), rng.range(2.2, 3.2)), 'steel', 2, rng.range(-2, 2)));
  if (rng.chance(0.7)) parts.push(part(rect(L * 0.45, 6, 3, { profile: 'cylX' }), 'steel', L * 0.2, sh / 2 - 2));
  // Frame / dust cover under the slide.
  const frameMat: MaterialName = polymer ? 'plastic' : 'steel';
  const fh = 14;
  parts.push(part(rect(L * 0.82, fh, polymer ? 24 : 7, { radius: 4, profile: 'cylX' }), frameMat, L * 0.03, sh / 2 + fh / 2 - 1));
  // Grip: a parallelogram raked back.
  const gl = rng.range(88, 115);
  const gw = rng.range(40, 50);
  const rake = Math.tan(rng.range(0.22, 0.38));
  const gTop = sh / 2 + 2;
  const gx = x0 + 4;
  const gripPts: [number, number][] = [
    [gx, gTop],
    [gx + gw, gTop],
    [gx + gw - gl * rake, gTop + gl],
    [gx - gl * rake - 2, gTop + gl],
  ];
  parts.push(part(polygon(gripPts, polymer ? 30 : 8, { bevel: 6 }), polymer ? 'plastic' : 'steel'));
  if (!polymer) {
    const panel = gripPts.map(([x, y]) => [x + (x < gx + gw / 2 ? 4 : -4), y + (y > gTop + 1 ? -4 : 6)] as [number, number]);
    parts.push(part(polygon(panel, 14, { bevel: 5 }), rng.chance(0.5) ? 'wood' : 'plastic'));
  }
  // Magazine inside the grip, usually loaded: thin steel box and a column of cartridges.
  if (rng.chance(0.85)) {
    const mw = gw * 0.62;
    const mx = gx + gw * 0.2;
    const ml = gl * 1.02;
    const magPts: [number, number][] = [
      [mx, gTop + 4],
      [mx + mw, gTop + 4],
      [mx + mw - ml * rake, gTop + ml],
      [mx - ml * rake, gTop + ml],
    ];
    parts.push(part(polygon(magPts, 1.8), 'steel'));
    parts.push(part(rect(mw + 6, 5, 16), 'steel', mx + mw / 2 - ml * rake, gTop + ml + 1));
    if (rng.chance(0.8)) {
      const n = rng.int(4, 12);
      for (let i = 0; i < n; i++) {
        const y = gTop + 10 + i * 8.5;
        const cx = mx + mw / 2 - (y - gTop) * rake;
        parts.push(part(capsule(cx - mw * 0.32, y, cx + mw * 0.32, y - 1.5, 4.3), 'brass'));
      }
    }
  }
  // Trigger guard: a loop in front of the grip, and the trigger inside it.
  const gmat: MaterialName = polymer ? 'plastic' : 'steel';
  const gr = polymer ? 3.2 : 1.8;
  const tx0 = gx + gw - 2;
  const ty0 = sh / 2 + fh - 1;
  const tw = rng.range(30, 40);
  const th = rng.range(18, 24);
  parts.push(part(capsule(tx0, ty0 + th, tx0 + tw * 0.75, ty0 + th, gr), gmat));
  parts.push(part(capsule(tx0 + tw * 0.75, ty0 + th, tx0 + tw, ty0 + th * 0.4, gr), gmat));
  parts.push(part(capsule(tx0 + tw, ty0 + th * 0.4, tx0 + tw, ty0, gr), gmat));
  parts.push(part(capsule(tx0 + tw * 0.45, ty0, tx0 + tw * 0.38, ty0 + th * 0.7, 2.2), 'steel'));
  // Sights and hammer.
  parts.push(part(rect(5, 5, 10), 'steel', L / 2 - 6, -sh / 2 - 2));
  parts.push(part(rect(6, 4, 10), 'steel', x0 + 8, -sh / 2 - 1.5));
  if (!polymer && rng.chance(0.6)) parts.push(part(rect(10, 14, 8, { radius: 3 }), 'steel', x0 - 3, -2));
  // Centre the model on its extent.
  const bottom = gTop + gl;
  const left = Math.min(x0 - 4, gx - gl * rake - 4);
  const w = L / 2 - left;
  const h = bottom + sh / 2 + 4;
  return model(moved(parts, pose(-(left + L / 2) / 2, -(bottom - sh / 2) / 2)), w, h, 0.8);
}

function revolver(rng: Rng): Model {
  const bl = rng.range(60, 150);
  const parts: Part[] = [];
  parts.push(part(tube(bl, 8, 4), 'steel', bl / 2 + 22, -4));
  parts.push(part(rect(bl * 0.9, 6, 10), 'steel', bl / 2 + 20, 5));
  // Cylinder: steel drum with chambers (loaded with brass about half the time).
  parts.push(part(rect(40, 38, 30, { radius: 4, profile: 'cylX' }), 'steel', 0, 2));
  if (rng.chance(0.5)) for (let i = 0; i < 3; i++) parts.push(part(capsule(-18, -11 + i * 11, 18, -11 + i * 11, 4.5), 'brass'));
  parts.push(part(rect(30, 44, 12, { radius: 5 }), 'steel', -32, 0));
  const grip = polygon(
    [
      [-14, -10],
      [14, -10],
      [22, 80],
      [-6, 84],
    ],
    30,
  );
  parts.push(part(grip, rng.chance(0.5) ? 'wood' : 'rubber', -44, 26, 0.35));
  parts.push(part(capsule(-20, 24, 10, 30, 2.5), 'steel'));
  parts.push(part(capsule(-12, 20, -8, 34, 2), 'steel'));
  return model(parts, bl + 90, 120, 0.9);
}

const gun: Builder = (rng) => {
  const g = rng.chance(0.8) ? pistol(rng) : revolver(rng);
  // Seen from above (lying on its side is the common view); a few are seen from the top edge.
  if (rng.chance(0.12)) return model(moved(g.parts, pose(0, 0, 0, 1, rng.range(0.3, 0.45))), g.w, g.h * 0.4, g.kg);
  return g;
};

// ---------------------------------------------------------------- knife
function bladeOutline(rng: Rng, L: number, h: number, style: 'chef' | 'point' | 'dagger' | 'folder'): [number, number][] {
  const pts: [number, number][] = [];
  const n = 10;
  if (style === 'dagger') {
    for (let i = 0; i <= n; i++) pts.push([(L * i) / n, -h / 2 + (h / 2) * Math.pow(i / n, 1.6)]);
    for (let i = n; i >= 0; i--) pts.push([(L * i) / n, h / 2 - (h / 2) * Math.pow(i / n, 1.6)]);
    return pts;
  }
  const drop = style === 'chef' ? 0.1 : rng.range(0.2, 0.45);
  for (let i = 0; i <= n; i++) {
    const t = i / n;
    const y = t < 0.7 ? -h / 2 : -h / 2 + h * drop * Math.pow((t - 0.7) / 0.3, 2);
    pts.push([L * t, y]);
  }
  const belly = style === 'chef' ? 1.8 : 2.6;
  for (let i = n; i >= 0; i--) {
    const t = i / n;
    const tipY = -h / 2 + h * drop;
    const y = h / 2 - (h / 2 - tipY) * Math.pow(t, belly);
    pts.push([L * t, y]);
  }
  return pts;
}

const knife: Builder = (rng) => {
  const style = rng.weighted<'chef' | 'point' | 'dagger' | 'folder' | 'utility' | 'cleaver'>([
    ['chef', 3],
    ['point', 3],
    ['dagger', 1],
    ['folder', 2],
    ['utility', 1],
    ['cleaver', 0.7],
  ]);
  const parts: Part[] = [];
  if (style === 'cleaver') {
    // Wide rectangular blade, thicker steel, a hole near the spine.
    const L = rng.range(150, 210);
    const h = rng.range(70, 100);
    parts.push(part(polygon([[0, -h / 2], [L, -h / 2], [L + 4, h / 2], [0, h / 2 - 8]], rng.range(2.5, 4), { bevel: h * 0.2 }), 'steel'));
    if (rng.chance(0.6)) parts.push(part(ring(9, 6, 3), 'steel', L - 20, -h / 2 + 16));
    parts.push(part(rect(110, 24, 22, { radius: 8, profile: 'cylX' }), rng.pick(['wood', 'plastic'] as const), -55, h / 2 - 18));
    parts.push(part(rect(100, 16, 3), 'steel', -50, h / 2 - 18));
    return model(parts, L + 110, h, 0.4);
  }
  if (style === 'utility') {
    const L = rng.range(130, 170);
    parts.push(part(rect(L, 22, rng.chance(0.5) ? 12 : 4, { radius: 4, profile: 'cylX' }), rng.chance(0.5) ? 'plastic' : 'aluminium', 0, 0));
    parts.push(part(rect(L * 0.7, 18, 1.6), 'steel', -L * 0.1, 0));
    parts.push(part(polygon([[0, -9], [30, -9], [40, 6], [0, 9]], 0.8), 'steel', L / 2 - 4, 0));
    return model(parts, L + 40, 24, 0.1);
  }
  const L = style === 'folder' ? rng.range(60, 100) : rng.range(90, 240);
  const h = style === 'chef' ? rng.range(30, 52) : style === 'dagger' ? rng.range(22, 34) : rng.range(18, 32);
  const bladeT = rng.range(1.6, 3.2);
  const hl = style === 'folder' ? L * rng.range(1.05, 1.25) : rng.range(95, 130);
  const edgeOn = rng.chance(0.12);
  if (edgeOn) {
    parts.push(part(rect(L, bladeT, h * 0.85, { profile: 'cylY' }), 'steel', L / 2, 0));
    parts.push(part(rect(hl, 20, 22, { radius: 5, profile: 'cylX' }), 'plastic', -hl / 2, 0));
    parts.push(part(rect(hl * 0.9, bladeT, 14), 'steel', -hl / 2, 0));
    return model(parts, L + hl, 22, 0.15);
  }
  const open = style !== 'folder' || rng.chance(0.75);
  const blade = polygon(bladeOutline(rng, L, h, style), bladeT, { bevel: h * 0.25 });
  const handleMat: MaterialName = rng.pick(['plastic', 'wood', 'rubber'] as const);
  if (style === 'folder') {
    const hw = h * 0.95;
    parts.push(part(rect(hl, hw, 12, { radius: hw / 2.5, profile: 'cylX' }), handleMat, -hl / 2 + 6, 0));
    parts.push(part(rect(hl, hw * 0.9, 2.4, { radius: hw / 3 }), rng.chance(0.6) ? 'steel' : 'aluminium', -hl / 2 + 6, 0));
    parts.push(part(ellipse(5, 5, 12), 'steel', 0, 0));
    parts.push(part(rect(hl * 0.7, 7, 1.2), 'steel', -hl / 2, -hw / 2 + 2));
    if (open) parts.push(part(blade, 'steel', 0, 0));
    else parts.push(part(blade, 'steel', 4, 1, Math.PI));
    return model(parts, open ? L + hl : hl + 10, hw + 4, 0.12);
  }
  parts.push(part(blade, 'steel', 0, 0));
  const hh = Math.min(h * 0.8, rng.range(18, 26));
  parts.push(part(rect(hl, hh, rng.range(15, 22), { radius: hh / 2.5, profile: 'cylX' }), handleMat, -hl / 2, 0));
  if (rng.chance(0.65)) {
    // Full tang with rivets.
    parts.push(part(rect(hl * 0.95, hh * 0.7, bladeT), 'steel', -hl / 2, 0));
    const nr = rng.int(2, 3);
    for (let i = 0; i < nr; i++) parts.push(part(ellipse(2.8, 2.8, 18, 'cylX'), 'steel', -hl * (0.2 + (0.6 * i) / Math.max(1, nr - 1)), 0));
  } else {
    parts.push(part(rect(hl * 0.6, 5, bladeT), 'steel', -hl * 0.3, 0));
  }
  if (style === 'dagger' || rng.chance(0.25)) parts.push(part(rect(6, h * 1.6, 8, { radius: 2 }), 'steel', -2, 0));
  return model(parts, L + hl, Math.max(h, hh) + 4, 0.2);
};

// ---------------------------------------------------------------- scissors
const scissors: Builder = (rng) => {
  const L = rng.range(55, 120);
  const bw = rng.range(8, 14);
  const open = rng.chance(0.3) ? rng.range(0.05, 0.12) : rng.range(0.12, 0.7);
  const metalLoops = rng.chance(0.25);
  const t = rng.range(1.8, 3);
  const parts: Part[] = [];
  const loopR = rng.range(12, 18);
  for (const s of [-1, 1]) {
    const ang = (s * open) / 2;
    const blade = polygon(
      [
        [-12, -bw / 2],
        [L * 0.3, -bw / 2],
        [L, -1],
        [L, 1],
        [-12, bw / 2],
      ],
      t,
      { bevel: bw * 0.3 },
    );
    const half: Part[] = [part(blade, 'steel', 0, 0, 0, { sy: s })];
    half.push(part(rect(30, 7, metalLoops ? t : 2.5), 'steel', -22, s * 3));
    half.push(part(ring(loopR, loopR - rng.range(3.5, 5), metalLoops ? t * 1.3 : 9), metalLoops ? 'steel' : 'plastic', -34 - loopR * 0.8, s * (loopR * 0.6), 0, { sx: 1.25 }));
    if (!metalLoops) half.push(part(rect(28, 12, 9, { radius: 5 }), 'plastic', -30, s * 5));
    parts.push(...moved(half, pose(0, 0, -ang)));
  }
  parts.push(part(ellipse(3.5, 3.5, 7, 'flat'), 'steel', 0, 0));
  return model(parts, L + 40 + loopR * 2, bw + loopR * 2.4 + L * Math.sin(open), 0.08);
};

// ---------------------------------------------------------------- battery / power bank
function cell18650(lenMm: number, r: number): Part[] {
  return [part(tube(lenMm, r, 0.35), 'steel'), part(rect(lenMm - 3, r * 2 - 1.2, r * 2 - 1.2, { profile: 'cylX' }), 'electrode'), part(rect(2.5, r * 1.2, r * 2), 'steel', lenMm / 2 - 1.5, 0)];
}

const battery: Builder = (rng) => {
  const kind = rng.weighted<'bank-cyl' | 'bank-pouch' | 'cells'>([
    ['bank-cyl', 4],
    ['bank-pouch', 3],
    ['cells', 2],
  ]);
  const parts: Part[] = [];
  if (kind === 'cells') {
    const n = rng.int(1, 4);
    const aa = rng.chance(0.5);
    const len = aa ? 50 : 65;
    const r = aa ? 7 : 9;
    const gap = rng.chance(0.6) ? r * 2 + 0.5 : r * 2 + rng.range(2, 15);
    const endOn = rng.chance(0.15);
    for (let i = 0; i < n; i++) {
      const y = (i - (n - 1) / 2) * gap;
      if (endOn) {
        parts.push(part(ring(r, r - 0.5, len), 'steel', y, 0));
        parts.push(part(ellipse(r - 0.6, r - 0.6, len * 0.95), 'electrode', y, 0));
      } else {
        parts.push(...moved(cell18650(len, r), pose(0, y, 0)));
      }
    }
    return endOn ? model(parts, n * gap, r * 2, 0.05 * n) : model(parts, len, n * gap, 0.05 * n);
  }
  const w = rng.range(85, 150);
  const h = rng.range(58, 80);
  const caseMat: MaterialName = rng.chance(0.6) ? 'plastic' : 'aluminium';
  parts.push(part(rect(w, h, caseMat === 'plastic' ? 3 : 1.6, { radius: rng.range(4, 12) }), caseMat));
  parts.push(part(rect(w, h, 0, { radius: 6 }), caseMat));
  // Case walls seen along their height.
  for (const s of [-1, 1]) {
    parts.push(part(rect(w - 6, 1.5, 15), caseMat, 0, (s * (h - 1.5)) / 2));
    parts.push(part(rect(1.5, h - 6, 15), caseMat, (s * (w - 1.5)) / 2, 0));
  }
  if (kind === 'bank-cyl') {
    const n = Math.max(1, Math.min(4, Math.floor((h - 6) / 18.5)));
    const len = Math.min(65, w - 22);
    for (let i = 0; i < n; i++) parts.push(...moved(cell18650(len, 9), pose(-w / 2 + len / 2 + 4, (i - (n - 1) / 2) * 18.6, 0)));
  } else {
    parts.push(part(rect(w - 25, h - 8, rng.range(6, 12), { radius: 3 }), 'electrode', -8, 0, 0, { texture: texture(rng, [-w / 2, -h / 2, w / 2, h / 2], 6, 0.08) }));
  }
  // PCB with ports at one end.
  parts.push(part(rect(16, h - 10, 1.6), 'pcb', w / 2 - 11, 0));
  for (let i = 0; i < rng.int(1, 3); i++) parts.push(part(rect(7, 12, 7), 'steel', w / 2 - 5, -h / 4 + i * 14));
  for (let i = 0; i < 4; i++) parts.push(part(rect(rng.range(2, 5), rng.range(2, 5), 1.2), 'copper', w / 2 - 14 + rng.range(-3, 3), rng.range(-h / 3, h / 3)));
  const edgeOn = rng.chance(0.1);
  if (edgeOn) return model(moved(parts, pose(0, 0, 0, 1, 0.3)), w, h * 0.3, 0.25);
  return model(parts, w, h, 0.25);
};

// ---------------------------------------------------------------- phone
function phoneParts(rng: Rng, w: number, h: number, steelFrame: boolean): Part[] {
  const parts: Part[] = [];
  const r = rng.range(6, 12);
  parts.push(part(rect(w, h, rng.range(1.0, 1.6), { radius: r }), 'glass'));
  const fmat: MaterialName = steelFrame ? 'steel' : 'aluminium';
  const fd = rng.range(7, 8.5);
  for (const s of [-1, 1]) {
    parts.push(part(rect(w - r * 1.2, 1.8, fd), fmat, 0, (s * (h - 1.8)) / 2));
    parts.push(part(rect(1.8, h - r * 1.2, fd), fmat, (s * (w - 1.8)) / 2, 0));
  }
  // Battery in the lower part, logic board across the top.
  const bh = h * rng.range(0.42, 0.55);
  parts.push(part(rect(w * 0.8, bh, rng.range(3.8, 5), { radius: 2 }), 'electrode', 0, h * 0.5 - bh / 2 - h * 0.12));
  const pbY = -h / 2 + h * 0.18;
  parts.push(part(rect(w * 0.85, h * 0.26, 1.2), 'pcb', 0, pbY));
  for (let i = 0; i < rng.int(3, 6); i++) parts.push(part(rect(rng.range(6, 14), rng.range(6, 12), rng.range(0.6, 1.4)), rng.chance(0.5) ? 'copper' : 'steel', rng.range(-w * 0.3, w * 0.3), pbY + rng.range(-h * 0.08, h * 0.08)));
  // Camera modules, speaker magnet, screws.
  const nc = rng.int(1, 3);
  for (let i = 0; i < nc; i++) parts.push(part(ring(5.5, 3.5, 5), 'steel', -w / 2 + 14 + i * 12, -h / 2 + 13));
  parts.push(part(rect(14, 9, 2.5), 'steel', rng.range(-10, 10), h / 2 - 8));
  parts.push(part(rect(9, 3, 6), 'steel', 0, h / 2 - 2));
  // The organic display stack adds a faint uniform layer.
  parts.push(part(rect(w - 3, h - 3, 2.5, { radius: r }), 'plastic'));
  return parts;
}

const phone: Builder = (rng) => {
  const w = rng.range(66, 80);
  const h = rng.range(138, 168);
  const edgeOn = rng.chance(0.1);
  if (edgeOn) {
    const parts = [part(rect(h, 7.8, w * 0.5, { radius: 3 }), 'electrode'), part(rect(h, 1, w), 'glass', 0, -3.5), part(rect(h, 1, w), 'glass', 0, 3.5)];
    return model(parts, h, 8, 0.19);
  }
  const parts = phoneParts(rng, w, h, rng.chance(0.2));
  if (rng.chance(0.35)) parts.push(part(rect(w + 4, h + 4, rng.range(2, 3), { radius: 10 }), rng.chance(0.7) ? 'plastic' : 'rubber'));
  return model(parts, w + 4, h + 4, 0.19);
};

// ---------------------------------------------------------------- laptop / tablet
const laptop: Builder = (rng) => {
  const parts: Part[] = [];
  if (rng.chance(0.35)) {
    // Tablet.
    const w = rng.range(165, 250);
    const h = w * rng.range(0.66, 0.75);
    parts.push(...phoneParts(rng, h, w, false).slice(0, 5));
    const cells = rng.int(1, 2);
    for (let i = 0; i < cells; i++) parts.push(part(rect(h * 0.7, (w * 0.55) / cells - 3, rng.range(3, 4.2), { radius: 2 }), 'electrode', 0, (i - (cells - 1) / 2) * ((w * 0.55) / cells) + w * 0.05));
    parts.push(part(rect(h * 0.2, w * 0.3, 1.2), 'pcb', h * 0.32, -w * 0.25));
    for (let i = 0; i < 6; i++) parts.push(part(rect(rng.range(4, 10), rng.range(4, 10), 1), 'steel', h * 0.32 + rng.range(-12, 12), -w * 0.25 + rng.range(-30, 30)));
    parts.push(part(ring(5, 3, 5), 'steel', -h / 2 + 12, -w / 2 + 12));
    parts.push(part(rect(h - 2, w - 2, 2, { radius: 8 }), 'plastic'));
    if (rng.chance(0.1)) return model(moved(parts, pose(0, 0, 0, 1, 0.06)), h, w * 0.06, 0.5);
    return model(moved(parts, pose(0, 0, Math.PI / 2)), w, h, 0.5);
  }
  const w = rng.range(290, 360);
  const h = rng.range(195, 250);
  const metal = rng.chance(0.55);
  const shell: MaterialName = metal ? 'aluminium' : 'plastic';
  parts.push(part(rect(w, h, metal ? 2.4 : 4.5, { radius: 8 }), shell));
  for (const s of [-1, 1]) {
    parts.push(part(rect(w - 16, 2, 16), shell, 0, (s * (h - 2)) / 2));
    parts.push(part(rect(2, h - 16, 16), shell, (s * (w - 2)) / 2, 0));
  }
  // Screen: glass + backlight stack + metal back plate.
  parts.push(part(rect(w - 6, h - 6, 1.2, { radius: 6 }), 'glass'));
  parts.push(part(rect(w - 10, h - 10, 0.5), rng.chance(0.5) ? 'steel' : 'aluminium'));
  // Keyboard keys (thin plastic) on a steel plate.
  const kx = w * 0.8;
  const ky = h * 0.36;
  parts.push(part(rect(kx, ky, 0.4), 'steel', 0, -h * 0.12));
  const cols = 14;
  const rows = 5;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) parts.push(part(rect(kx / cols - 3, ky / rows - 3, 1.5, { radius: 1 }), 'plastic', -kx / 2 + (c + 0.5) * (kx / cols), -h * 0.12 - ky / 2 + (r + 0.5) * (ky / rows)));
  // Battery cells along the front edge.
  const cylCells = rng.chance(0.25);
  const nb = rng.int(3, 6);
  const bw = (w * 0.72) / nb;
  for (let i = 0; i < nb; i++) {
    const x = -w * 0.36 + (i + 0.5) * bw;
    if (cylCells) parts.push(...moved(cell18650(Math.min(65, h * 0.3), 9), pose(x, h * 0.3, Math.PI / 2)));
    else parts.push(part(rect(bw - 4, h * 0.3, rng.range(5, 6.5), { radius: 2 }), 'electrode', x, h * 0.3));
  }
  // Logic board with heat pipe, fan and ports near the hinge.
  const by = -h * 0.28;
  parts.push(part(rect(w * 0.45, h * 0.3, 1.4), 'pcb', w * 0.12, by));
  for (let i = 0; i < rng.int(5, 10); i++) parts.push(part(rect(rng.range(6, 20), rng.range(6, 20), rng.range(0.8, 2)), rng.chance(0.5) ? 'copper' : 'steel', w * 0.12 + rng.range(-w * 0.2, w * 0.2), by + rng.range(-h * 0.12, h * 0.12)));
  parts.push(part(capsule(-w * 0.05, by, w * 0.3, by - h * 0.05, 3.5), 'copper'));
  const fr = rng.range(22, 32);
  parts.push(part(ring(fr, fr - 3, 6), 'plastic', w * 0.36, by));
  parts.push(part(ellipse(8, 8, 6), 'steel', w * 0.36, by));
  for (let i = 0; i < rng.int(2, 4); i++) parts.push(part(rect(10, 8, 6), 'steel', -w / 2 + 6, -h * 0.3 + i * 16));
  // Hinges.
  parts.push(part(rect(30, 10, 8, { profile: 'cylY' }), 'steel', -w * 0.32, -h / 2 + 6));
  parts.push(part(rect(30, 10, 8, { profile: 'cylY' }), 'steel', w * 0.32, -h / 2 + 6));
  const texture0 = texture(rng, [-w / 2, -h / 2, w / 2, h / 2], 20, 0.1);
  parts.push(part(rect(w - 8, h - 8, 4, { radius: 6 }), 'plastic', 0, 0, 0, { texture: texture0 }));
  if (rng.chance(0.08)) return model(moved(parts, pose(0, 0, 0, 1, 0.08)), w, h * 0.08, 1.5);
  return model(parts, w, h, 1.5);
};

// ---------------------------------------------------------------- bottle
const bottle: Builder = (rng) => {
  const glass = rng.chance(0.4);
  const r = glass ? rng.range(30, 42) : rng.range(27, 42);
  const L = glass ? rng.range(180, 280) : rng.range(140, 260);
  const wall = glass ? rng.range(2.5, 4.5) : 0.4;
  const shellMat: MaterialName = glass ? 'glass' : 'pet';
  const fill = rng.range(0.35, 1);
  const liquidDensity = rng.range(0.92, 1.1);
  const neckL = glass ? L * 0.28 : L * 0.18;
  const neckR = glass ? rng.range(11, 15) : rng.range(12, 15);
  const parts: Part[] = [];
  if (rng.chance(0.15)) {
    // Standing: the beam runs down its length.
    parts.push(part(ring(r, r - wall, L), shellMat));
    parts.push(part(ellipse(r - wall, r - wall, L * fill * 0.85), 'water', 0, 0, 0, { density: liquidDensity }));
    parts.push(part(ring(neckR + 2, neckR - 1, 18), 'plastic'));
    return model(parts, r * 2, r * 2, 0.1 + L * r * r * 3.14e-6 * fill);
  }
  const bodyL = L - neckL;
  const bx = -L / 2 + bodyL / 2;
  parts.push(part(tube(bodyL, r, wall, { cornerRadius: glass ? 4 : 8 }), shellMat, bx, 0));
  // Liquid lies along the body up to its fill level; a full bottle's liquid reaches into the neck.
  const liq = bodyL * Math.min(1, fill * 1.05) - wall * 2;
  parts.push(part(rect(liq, (r - wall) * 2, (r - wall) * 2, { profile: 'cylX', radius: 6 }), 'water', -L / 2 + wall + liq / 2, 0, 0, { density: liquidDensity }));
  // Shoulder and neck.
  const shoulder = polygon(
    [
      [0, -r],
      [neckL * 0.45, -neckR],
      [neckL * 0.45, neckR],
      [0, r],
    ],
    glass ? wall * 5 : 2,
  );
  parts.push(part(shoulder, shellMat, bx + bodyL / 2, 0));
  parts.push(part(tube(neckL * 0.55, neckR, glass ? wall * 1.4 : 1.2), shellMat, bx + bodyL / 2 + neckL * 0.72, 0));
  if (fill > 0.95) parts.push(part(rect(neckL * 0.5, neckR * 1.6, neckR * 1.6, { profile: 'cylX' }), 'water', bx + bodyL / 2 + neckL * 0.3, 0));
  // Cap: plastic, or an aluminium screw cap on glass.
  const capMat: MaterialName = glass && rng.chance(0.5) ? 'aluminium' : 'plastic';
  parts.push(part(tube(16, neckR + 2, capMat === 'plastic' ? 2 : 0.5), capMat, L / 2 - 8, 0));
  return model(parts, L, r * 2, 0.1 + L * r * r * 3.14e-6 * fill);
};

// ---------------------------------------------------------------- aerosol
const aerosol: Builder = (rng) => {
  const r = rng.range(20, 33);
  const L = rng.range(110, 210);
  const tin = rng.chance(0.5);
  const mat: MaterialName = tin ? 'steel' : 'aluminium';
  const wall = tin ? rng.range(0.22, 0.3) : rng.range(0.35, 0.5);
  const parts: Part[] = [];
  if (rng.chance(0.12)) {
    parts.push(part(ring(r, r - wall, L), mat));
    parts.push(part(ring(r - 2, r - 5, 6), mat));
    parts.push(part(ellipse(r - 1, r - 1, L * 0.4), 'water', 0, 0, 0, { density: 0.9 }));
    parts.push(part(ring(7, 4, 10), 'steel'));
    return model(parts, r * 2, r * 2, 0.25);
  }
  parts.push(part(tube(L, r, wall, { cornerRadius: 4 }), mat));
  // Concave base and valve cup: extra metal across the ends.
  parts.push(part(ellipse(5, r - 1, wall * 2 * r * 0.5, 'cylY'), mat, -L / 2 + 5, 0));
  parts.push(part(polygon([[0, -r], [14, -9], [14, 9], [0, r]], 2 * r * wall * 0.3), mat, L / 2 - 2, 0));
  parts.push(part(rect(8, 16, 16, { profile: 'cylX' }), 'steel', L / 2 + 14, 0));
  const fill = rng.range(0.25, 0.85);
  parts.push(part(rect(L * fill, (r - 1) * 2, (r - 1) * 2, { profile: 'cylX' }), 'water', -L / 2 + (L * fill) / 2 + 2, 0, 0, { density: rng.range(0.75, 1.0) }));
  parts.push(part(capsule(-L / 2 + 5, 0, L / 2, 0, 1.6), 'plastic'));
  if (rng.chance(0.7)) parts.push(part(tube(rng.range(25, 45), r + 0.5, 1.5, { cornerRadius: 4 }), 'plastic', L / 2 + 18, 0));
  return model(parts, L + 40, r * 2, 0.25);
};

// ---------------------------------------------------------------- cosmetics
const cosmetic: Builder = (rng) => {
  const kind = rng.weighted<'jar' | 'tube' | 'perfume' | 'lipstick'>([
    ['jar', 3],
    ['tube', 3],
    ['perfume', 2],
    ['lipstick', 1],
  ]);
  const parts: Part[] = [];
  if (kind === 'jar') {
    const r = rng.range(24, 42);
    const hgt = rng.range(30, 60);
    const glass = rng.chance(0.5);
    const wall = glass ? rng.range(4, 8) : rng.range(2, 3.5);
    const mat: MaterialName = glass ? 'glass' : 'plastic';
    if (rng.chance(0.6)) {
      // Seen from the top, standing.
      parts.push(part(ring(r, r - wall, hgt), mat));
      parts.push(part(ellipse(r - wall, r - wall, hgt * rng.range(0.5, 0.85)), 'cream'));
      parts.push(part(ellipse(r + 1, r + 1, rng.range(3, 5)), rng.chance(0.3) ? 'aluminium' : 'plastic'));
      parts.push(part(ellipse(r - wall, r - wall, wall * 1.5), mat));
      return model(parts, r * 2 + 2, r * 2 + 2, 0.2);
    }
    parts.push(part(tube(hgt, r, wall, { cornerRadius: 3 }), mat, 0, 0, Math.PI / 2));
    parts.push(part(rect(hgt * 0.75, (r - wall) * 2, (r - wall) * 2, { profile: 'cylX' }), 'cream', 0, hgt * 0.1, Math.PI / 2));
    parts.push(part(rect(r * 2 + 2, 14, r * 2, { profile: 'cylX', radius: 3 }), 'plastic', 0, -hgt / 2 - 6));
    return model(parts, r * 2 + 2, hgt + 14, 0.2);
  }
  if (kind === 'tube') {
    const L = rng.range(90, 190);
    const wEnd = rng.range(35, 60);
    const wCap = rng.range(22, 34);
    const body = polygon(
      [
        [-L / 2, -wEnd / 2],
        [L / 2, -wCap / 2],
        [L / 2, wCap / 2],
        [-L / 2, wEnd / 2],
      ],
      rng.range(8, 18),
      { bevel: 8 },
    );
    parts.push(part(body, 'cream', 0, 0, 0, { density: rng.range(0.8, 1.05) }));
    parts.push(part(body, rng.chance(0.4) ? 'aluminium' : 'plastic', 0, 0, 0, { density: 0.3 }));
    parts.push(part(rect(6, wEnd, 2.5), rng.chance(0.5) ? 'aluminium' : 'plastic', -L / 2 + 3, 0));
    parts.push(part(rect(18, wCap * 0.8, wCap * 0.8, { profile: 'cylX', radius: 3 }), 'plastic', L / 2 + 8, 0));
    return model(parts, L + 18, wEnd, 0.12);
  }
  if (kind === 'lipstick') {
    const L = rng.range(70, 90);
    parts.push(part(tube(L, 10, 0.6, { cornerRadius: 2 }), rng.chance(0.5) ? 'aluminium' : 'brass'));
    parts.push(part(rect(L * 0.45, 14, 14, { profile: 'cylX' }), 'cream', L * 0.1, 0));
    parts.push(part(tube(L * 0.5, 8.5, 0.4), 'aluminium', L * 0.1, 0));
    return model(parts, L, 20, 0.03);
  }
  // Perfume: heavy glass, liquid, a metal pump and a cap.
  const w = rng.range(45, 80);
  const h = rng.range(55, 100);
  parts.push(part(rect(w, h, rng.range(25, 45), { radius: rng.range(3, 15), profile: 'cylY' }), 'glass', 0, 0, 0, { density: 1.2 }));
  parts.push(part(rect(w * 0.75, h * rng.range(0.4, 0.8), 25, { radius: 4, profile: 'cylY' }), 'water', 0, h * 0.1, 0, { density: 0.85 }));
  parts.push(part(capsule(0, -h * 0.45, 0, h * 0.4, 1.2), 'plastic'));
  parts.push(part(rect(14, 12, 14, { profile: 'cylY' }), 'steel', 0, -h / 2 - 4));
  parts.push(part(rect(w * 0.6, 30, 25, { radius: 5, profile: 'cylY' }), rng.chance(0.5) ? 'plastic' : 'zinc', 0, -h / 2 - 22, 0, { density: 2.5 }));
  return model(moved(parts, pose(0, 0, Math.PI / 2)), h + 40, w, 0.3);
};

// ---------------------------------------------------------------- pills
function blister(rng: Rng, w: number, h: number, capsules: boolean): Part[] {
  const parts: Part[] = [part(rect(w, h, 0.3, { radius: 2 }), 'plastic'), part(rect(w, h, 0.03), 'aluminium')];
  const cols = Math.max(2, Math.floor(w / rng.range(16, 24)));
  const rows = Math.max(1, Math.floor(h / rng.range(17, 26)));
  const pw = w / cols;
  const ph = h / rows;
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const x = -w / 2 + (c + 0.5) * pw;
      const y = -h / 2 + (r + 0.5) * ph;
      if (capsules) parts.push(part(capsule(-pw * 0.3, 0, pw * 0.3, 0, Math.min(4, ph * 0.22)), 'pills', x, y, 0, { density: 0.9 }));
      else parts.push(part(ellipse(Math.min(pw, ph) * 0.32, Math.min(pw, ph) * 0.32, rng.range(4, 6.5), 'dome'), 'pills', x, y));
      parts.push(part(ellipse(Math.min(pw, ph) * 0.38, Math.min(pw, ph) * 0.38, 0.6), 'plastic', x, y));
    }
  return parts;
}

const pills: Builder = (rng) => {
  const parts: Part[] = [];
  if (rng.chance(0.3)) {
    // Pill bottle, lying: a plastic cylinder full of overlapping tablets.
    const r = rng.range(18, 30);
    const L = rng.range(60, 110);
    parts.push(part(tube(L, r, 1.5, { cornerRadius: 4 }), 'plastic'));
    parts.push(part(tube(18, r + 1.5, 2.5), 'plastic', L / 2 + 8, 0));
    const n = rng.int(15, 45);
    const pr = rng.range(3.5, 6);
    for (let i = 0; i < n; i++) parts.push(part(ellipse(pr, pr * rng.range(0.45, 1), pr * 0.8, 'dome'), 'pills', rng.range(-L / 2 + pr, L / 2 - pr), rng.range(-r + pr, r - pr), rng.range(0, Math.PI)));
    return model(parts, L + 16, r * 2 + 3, 0.15);
  }
  const w = rng.range(85, 130);
  const h = rng.range(45, 72);
  const capsules = rng.chance(0.35);
  const stack = rng.int(2, 6);
  for (let i = 0; i < stack; i++) parts.push(...moved(blister(rng, w, h, capsules), pose(rng.range(-4, 4), rng.range(-4, 4), rng.range(-0.05, 0.05))));
  if (rng.chance(0.75)) {
    // In its cardboard box.
    parts.push(part(rect(w + 8, h + 8, 1.2), 'cardboard'));
    for (const s of [-1, 1]) parts.push(part(rect(w + 8, 1.2, 25), 'cardboard', 0, (s * (h + 7)) / 2));
  }
  return model(parts, w + 8, h + 8, 0.05);
};

// ---------------------------------------------------------------- shoes
function shoeOutline(L: number, W: number, rng: Rng): [number, number][] {
  const pts: [number, number][] = [];
  const n = 22;
  const waist = rng.range(0.62, 0.78);
  for (let i = 0; i < n; i++) {
    const a = (i / n) * Math.PI * 2;
    const x = (Math.cos(a) * L) / 2;
    const t = (x + L / 2) / L; // 0 heel .. 1 toe
    const width = (W / 2) * (t < 0.3 ? 0.78 + 0.1 * Math.sin((t / 0.3) * Math.PI) : t < 0.55 ? waist + (1 - waist) * ((t - 0.3) / 0.25) * 0.3 : 1 - 0.15 * Math.pow((t - 0.55) / 0.45, 3));
    pts.push([x, Math.sin(a) * width]);
  }
  return pts;
}

const shoes: Builder = (rng) => {
  const L = rng.range(230, 310);
  const W = L * rng.range(0.33, 0.4);
  const kind = rng.weighted<'sneaker' | 'leather' | 'boot' | 'heel'>([
    ['sneaker', 4],
    ['leather', 2],
    ['boot', 1],
    ['heel', 1],
  ]);
  const outline = shoeOutline(L, W, rng);
  const parts: Part[] = [];
  const soleT = kind === 'sneaker' ? rng.range(25, 40) : rng.range(10, 18);
  const soleDensity = kind === 'sneaker' ? rng.range(0.35, 0.7) : rng.range(0.9, 1.2);
  parts.push(part(polygon(outline, soleT, { bevel: 12 }), 'rubber', 0, 0, 0, { density: soleDensity, texture: texture(rng, [-L / 2, -W / 2, L / 2, W / 2], rng.range(6, 14), 0.18) }));
  // Upper: the beam crosses it twice near the outline (its walls), less over the middle.
  const upper = kind === 'boot' ? 9 : kind === 'leather' ? 5 : 4;
  parts.push(part(polygon(outline, upper, { bevel: 25 }), kind === 'sneaker' ? 'textile' : 'leather', 0, 0, 0, { density: kind === 'sneaker' ? 0.5 : 0.9 }));
  parts.push(part(polygon(outline.map(([x, y]) => [x * 0.98, y * 0.95] as [number, number]), 9, { bevel: 3 }), 'leather', 0, 0, 0, { density: 0.8 }));
  // Heel counter and toe cap stiffeners.
  parts.push(part(ellipse(L * 0.09, W * 0.26, 8, 'flat'), 'plastic', -L * 0.34, 0));
  if (kind === 'heel') parts.push(part(rect(28, W * 0.55, rng.range(50, 90), { radius: 6, profile: 'cylX' }), 'plastic', -L * 0.4, 0, 0, { density: 1.2 }));
  // Steel shank, eyelets, heel nails.
  if (kind !== 'sneaker' || rng.chance(0.15)) parts.push(part(rect(L * 0.3, 12, 1.4, { radius: 2 }), 'steel', -L * 0.12, 0));
  if (kind !== 'heel' && rng.chance(kind === 'sneaker' ? 0.5 : 0.8)) {
    const ne = rng.int(4, kind === 'boot' ? 9 : 6);
    for (let i = 0; i < ne; i++)
      for (const s of [-1, 1]) parts.push(part(ring(2.8, 1.6, 2.5), rng.chance(0.8) ? 'brass' : 'aluminium', L * 0.05 + i * 13 - ne * 6, s * W * 0.17));
  }
  if (kind === 'boot' && rng.chance(0.6)) parts.push(part(rect(L * 0.45, 4, 3), 'steel', -L * 0.15, W * 0.45, 0, { texture: texture(rng, [-L, -4, L, 4], 2, 0.5) }));
  if (kind === 'leather' || kind === 'heel') for (let i = 0; i < rng.int(3, 8); i++) parts.push(part(ellipse(1.2, 1.2, 8), 'steel', -L * 0.4 + rng.range(-15, 15), rng.range(-W * 0.25, W * 0.25)));
  return model(parts, L, W, 0.4);
};

// ---------------------------------------------------------------- can
const can: Builder = (rng) => {
  const formula = rng.chance(0.6);
  const r = formula ? rng.range(48, 65) : rng.range(32, 52);
  const L = formula ? rng.range(110, 180) : rng.range(50, 120);
  const wall = rng.range(0.2, 0.3);
  const mat: MaterialName = rng.chance(0.85) ? 'steel' : 'aluminium';
  const fill = formula ? rng.range(0.55, 0.95) : rng.range(0.85, 1);
  const contents: MaterialName = formula ? 'powder' : 'food';
  const parts: Part[] = [];
  if (rng.chance(0.35)) {
    // Standing: concentric rims around the contents.
    parts.push(part(ring(r, r - wall, L), mat));
    parts.push(part(ring(r + 1, r - 3, 6), mat));
    parts.push(part(ring(r - 6, r - 8, 3), mat));
    parts.push(part(ellipse(r - 1, r - 1, L * fill, 'flat'), contents, 0, 0, 0, { texture: texture(rng, [-r, -r, r, r], 10, 0.05) }));
    if (formula) parts.push(part(ellipse(r + 3, r + 3, 6), 'plastic'));
    return model(parts, r * 2 + 6, r * 2 + 6, formula ? 0.9 : 0.4);
  }
  parts.push(part(tube(L, r, wall), mat));
  // Rolled seams at both ends: a short band of wall seen edge-on, plus ribs.
  for (const s of [-1, 1]) parts.push(part(rect(4, r * 2 + 2, r * 0.22, { profile: 'cylX' }), mat, (s * (L - 4)) / 2, 0));
  const ribs = formula ? 0 : rng.int(0, 4);
  for (let i = 0; i < ribs; i++) parts.push(part(rect(2, r * 2, 1.2, { profile: 'cylX' }), mat, -L / 2 + ((i + 1) * L) / (ribs + 1), 0));
  parts.push(part(rect(L * fill - 2, (r - 1) * 2, (r - 1) * 2, { profile: 'cylX' }), contents, -L / 2 + (L * fill) / 2 + 1, 0, 0, { texture: texture(rng, [-L, -r, L, r], 12, 0.06) }));
  if (formula) {
    parts.push(part(tube(14, r + 3, 2), 'plastic', L / 2 + 5, 0));
    if (rng.chance(0.7)) parts.push(part(capsule(-L * 0.2, 0, L * 0.25, 0, 12), 'plastic', 0, rng.range(-r / 3, r / 3), 0, { density: 0.4 }));
  }
  return model(parts, L + (formula ? 20 : 4), r * 2 + 6, formula ? 0.9 : 0.4);
};

export const CATALOGUE: Record<DetectionLabel, Builder> = {
  gun,
  knife,
  scissors,
  battery,
  phone,
  laptop,
  bottle,
  aerosol,
  cosmetic,
  pills,
  shoes,
  can,
};
