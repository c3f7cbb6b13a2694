// One synthetic parcel as `station synth` writes it: pixels, YOLO label lines, ground truth and the
// CEB declaration. Pure (no I/O); each parcel depends only on (seed, index, options), so any number of
// workers produce byte-identical datasets.
import { DETECTION_LABELS, type DetectionLabel } from '../../shared/domain/detection.ts';
import { GENERATOR_VERSION, Rng, hash32, renderParcel, type Parcel } from '../../shared/xray/index.ts';
import { cebMessages, drawParties, type CebMessages } from './ceb.ts';
import { declare, type Mismatch } from './declaration.ts';

export type Split = 'train' | 'val' | 'test';
export type SynthMode = 'colour' | 'grey' | 'dual';

export interface SynthOptions {
  seed: number;
  width: number;
  height: number;
  mode: SynthMode;
  /** Fractions for train / val / test; they sum to 1. */
  split: [number, number, number];
  mismatchRate: number;
  /** Share of single-energy greyscale images in colour mode. */
  greyRate: number;
  emptyRate: number;
}

export interface TruthObject {
  label: DetectionLabel;
  box: [number, number, number, number];
  visible: number;
  prohibited: boolean;
}

export interface ParcelTruth {
  id: string;
  generator: string;
  seed: number;
  index: number;
  split: Split;
  image: string;
  width: number;
  height: number;
  rendering: Parcel['rendering'];
  difficulty: Parcel['difficulty'];
  packaging: Parcel['packaging'];
  clutter: string[];
  objects: TruthObject[];
  /** Placed but not labelled: almost entirely behind opaque material. */
  unlabelled: DetectionLabel[];
  /** Physical count per label, labelled or not. */
  contents: Record<string, number>;
  declaration: { gnum: number; covers: string; gcode: string; gname: string; qty: number; unit: string; price: number }[];
  mismatch: Mismatch;
  weightKg: number;
}

export interface SynthParcel {
  id: string;
  split: Split;
  /** RGB (3 channels) or grey (1 channel), 8-bit. */
  pixels: Uint8Array;
  channels: 1 | 3;
  width: number;
  height: number;
  /** Raw 16-bit channels for --mode dual. */
  high?: Uint16Array;
  low?: Uint16Array;
  labels: string;
  truth: ParcelTruth;
  ceb: CebMessages;
}

const PROHIBITED: ReadonlySet<DetectionLabel> = new Set(['gun', 'knife']);

export function parcelId(seed: number, index: number): string {
  return `XS${String(seed % 1_000_000).padStart(6, '0')}${String(index).padStart(7, '0')}`;
}

export function splitOf(seed: number, index: number, split: readonly [number, number, number]): Split {
  const u = hash32(seed, index, 0x5eed) / 4294967296;
  if (u < split[0]) return 'train';
  if (u < split[0] + split[1]) return 'val';
  return 'test';
}

/** YOLO label lines: `class cx cy w h`, normalised to 0..1. */
export function yoloLines(objects: readonly { label: DetectionLabel; box: readonly number[] }[], width: number, height: number): string {
  return objects
    .map(({ label, box }) => {
      const [x1, y1, x2, y2] = box as [number, number, number, number];
      const f = (v: number): string => Math.min(1, Math.max(0, v)).toFixed(6);
      return `${DETECTION_LABELS.indexOf(label)} ${f((x1 + x2) / 2 / width)} ${f((y1 + y2) / 2 / height)} ${f((x2 - x1) / width)} ${f((y2 - y1) / height)}`;
    })
    .join('\n');
}

export function synthParcel(index: number, o: SynthOptions): SynthParcel {
  const pseed = hash32(o.seed, index);
  const p = renderParcel(pseed, { width: o.width, height: o.height, greyRate: o.mode === 'grey' ? 1 : o.greyRate, emptyRate: o.emptyRate, raw: o.mode === 'dual' });
  const id = parcelId(o.seed, index);
  const split = splitOf(o.seed, index, o.split);
  const docRng = new Rng(hash32(pseed, 0xdec1));
  const physical = [...p.objects.map((x) => x.label), ...p.unlabelled];
  const decl = declare(docRng, physical, p.clutter, o.mismatchRate);
  const contents: Record<string, number> = {};
  for (const l of physical) contents[l] = (contents[l] ?? 0) + 1;
  const grossWeight = Math.max(0.1, Math.round((p.weightKg + docRng.range(-0.02, 0.05)) * 100) / 100);
  const day = new Date(Date.UTC(2026, 2, 1) + (index % 50_000) * 60_000 + (o.seed % 97) * 86_400_000);
  const time = day.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const ceb = cebMessages(docRng, decl, drawParties(docRng), {
    logisticsNo: id,
    orderNo: `ORD${id.slice(2)}`,
    time,
    grossWeight,
    netWeight: Math.max(0.05, Math.round(grossWeight * 0.85 * 100) / 100),
    buyerNo: hash32(pseed, 7) % 100_000,
  });
  const grey = o.mode === 'grey';
  let pixels = p.colour;
  if (grey) {
    pixels = new Uint8Array(p.width * p.height);
    for (let i = 0; i < pixels.length; i++) pixels[i] = p.colour[i * 3]!;
  }
  const truth: ParcelTruth = {
    id,
    generator: GENERATOR_VERSION,
    seed: o.seed,
    index,
    split,
    image: `images/${split}/${id}.png`,
    width: p.width,
    height: p.height,
    rendering: p.rendering,
    difficulty: p.difficulty,
    packaging: p.packaging,
    clutter: p.clutter,
    objects: p.objects.map((x) => ({ label: x.label, box: x.box, visible: x.visible, prohibited: PROHIBITED.has(x.label) })),
    unlabelled: p.unlabelled,
    contents,
    declaration: decl.lines.map((l) => ({ gnum: l.gnum, covers: l.covers, gcode: l.goods.gcode, gname: l.goods.gname, qty: l.qty, unit: l.goods.unit, price: l.price })),
    mismatch: decl.mismatch,
    weightKg: p.weightKg,
  };
  return {
    id,
    split,
    pixels,
    channels: grey ? 1 : 3,
    width: p.width,
    height: p.height,
    ...(p.high && p.low ? { high: p.high, low: p.low } : {}),
    labels: yoloLines(p.objects, p.width, p.height),
    truth,
    ceb,
  };
}
