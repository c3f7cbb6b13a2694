// Beer–Lambert, material separation and the pseudo-colour: the properties real dual-energy images have.
import { describe, expect, it } from 'vitest';
import type { ColourProfile, ScannerProfile } from '../../../src/shared/xray/artefacts.ts';
import { gains, measure } from '../../../src/shared/xray/artefacts.ts';
import { MATERIALS, linearAttenuation, transmission, type MaterialName } from '../../../src/shared/xray/materials.ts';
import { ColourTable, colourOf } from '../../../src/shared/xray/render.ts';
import { Rng } from '../../../src/shared/xray/rng.ts';
import { AttenuationMap, drawShape, pose, rect } from '../../../src/shared/xray/shapes.ts';

const NEUTRAL: ColourProfile = { ratioScale: 1, saturateAt: 0.18, darken: 0.6, knee: 0.35, floor: 0.03, opaqueAt: 4.2, tint: [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]], gamma: 1 };
const QUIET: ScannerProfile = { blur: 0, photonsHigh: 1e9, photonsLow: 1e9, electronic: 0, rowGain: 0, columnGain: 0, badRows: [], sharpen: 0, colour: NEUTRAL };

function hue([r, g, b]: readonly number[]): number {
  const max = Math.max(r!, g!, b!);
  const min = Math.min(r!, g!, b!);
  if (max === min) return 0;
  let h: number;
  if (max === r) h = ((g! - b!) / (max - min)) % 6;
  else if (max === g) h = (b! - r!) / (max - min) + 2;
  else h = (r! - g!) / (max - min) + 4;
  return (h * 60 + 360) % 360;
}

/** Render a 40 × 40 mm block of `mat`, `mm` thick, and return the colour at its centre. */
function blockColour(mat: MaterialName, mm: number): [number, number, number] {
  const map = new AttenuationMap(64, 64);
  drawShape(map, rect(40, 40, mm), pose(32, 32), { mu: linearAttenuation(mat) });
  const rng = new Rng(1);
  const g = gains(rng, QUIET, 64, 64);
  const th = measure(map.high, 64, 64, QUIET.photonsHigh, QUIET, g.rows, g.cols, rng);
  const tl = measure(map.low, 64, 64, QUIET.photonsLow, QUIET, g.rows, g.cols, rng);
  const rgb = new ColourTable(NEUTRAL).colourise(th, tl);
  const i = (32 * 64 + 32) * 3;
  return [rgb[i]!, rgb[i + 1]!, rgb[i + 2]!];
}

describe('Beer–Lambert attenuation', () => {
  it('transmits less through more material, at both energies, for every material', () => {
    for (const name of Object.keys(MATERIALS) as MaterialName[]) {
      for (const e of ['low', 'high'] as const) {
        let prev = 1;
        for (const mm of [0.5, 1, 2, 5, 10, 30]) {
          const t = transmission(name, mm, e);
          expect(t).toBeLessThan(prev);
          expect(t).toBeGreaterThan(0);
          prev = t;
        }
      }
    }
  });

  it('attenuates the low energy more than the high, and more so for higher Z', () => {
    const ratio = (m: MaterialName): number => MATERIALS[m].muLow / MATERIALS[m].muHigh;
    expect(ratio('water')).toBeGreaterThan(1);
    expect(ratio('water')).toBeLessThan(ratio('aluminium'));
    expect(ratio('aluminium')).toBeLessThan(ratio('steel'));
    expect(ratio('steel')).toBeLessThan(ratio('tin'));
  });

  it('adds attenuation of overlapping parts in the map (line integrals sum)', () => {
    const map = new AttenuationMap(32, 32);
    const mu = linearAttenuation('water');
    drawShape(map, rect(20, 20, 10), pose(16, 16), { mu });
    const once = map.high[16 * 32 + 16]!;
    drawShape(map, rect(20, 20, 10), pose(16, 16), { mu });
    expect(map.high[16 * 32 + 16]!).toBeCloseTo(once * 2, 5);
    expect(once).toBeCloseTo(mu.high * 10, 5);
  });
});

describe('pseudo-colour rendering', () => {
  it('shows a thick organic block orange and a steel plate blue', () => {
    const organic = blockColour('water', 60);
    const steel = blockColour('steel', 3);
    const ho = hue(organic);
    const hs = hue(steel);
    expect(ho).toBeGreaterThan(15);
    expect(ho).toBeLessThan(50);
    expect(organic[0]).toBeGreaterThan(organic[2]);
    expect(hs).toBeGreaterThan(195);
    expect(hs).toBeLessThan(250);
    expect(steel[2]).toBeGreaterThan(steel[0]);
  });

  it('shows light metals and glass green, between organic and steel', () => {
    const al = blockColour('aluminium', 8);
    const h = hue(al);
    expect(h).toBeGreaterThan(70);
    expect(h).toBeLessThan(170);
  });

  it('darkens with thickness and saturates metal to black', () => {
    const lum = (c: readonly number[]): number => c[0]! + c[1]! + c[2]!;
    const thin = blockColour('steel', 1);
    const mid = blockColour('steel', 5);
    const thick = blockColour('steel', 30);
    expect(lum(thin)).toBeGreaterThan(lum(mid));
    expect(lum(mid)).toBeGreaterThan(lum(thick));
    expect(lum(thick)).toBeLessThan(30);
  });

  it('leaves the empty belt white', () => {
    expect(colourOf(0, 1.2, NEUTRAL)).toEqual([255, 255, 255]);
    const [r, g, b] = blockColour('foam', 0.1);
    expect(r + g + b).toBeGreaterThan(750);
  });
});
