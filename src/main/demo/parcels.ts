// Parcels for the demonstration line and the bench: a synthetic X-ray image and the matching CEB
// declaration (inventory, order, payment, waybill, customs receipt), from the same generator that
// makes the training data. Rendering costs ~0.1 s of CPU, so callers keep a pool and reuse images
// under new waybill numbers (renameParcel) when they need more parcels than renders.
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { encodeNetpbm } from '../../shared/netpbm.ts';
import { encodeParcel } from '../synth/encode.ts';
import { synthParcel } from '../synth/parcel.ts';

export interface DemoParcel {
  waybill: string;
  png: Buffer;
  /** The same picture as a raw P6 frame, when the line sends raw frames (`frame: 'pnm'`). */
  frame?: Buffer;
  width: number;
  height: number;
  /** What the parcel physically weighs (the declaration's grossWeight is near it). */
  weightKg: number;
  /** CEB XML messages by file name (CEB311.xml …). */
  ceb: Record<string, string>;
  /** The mismatch the generator planted for the rules engine ("none", "undeclared", …). */
  mismatch: string;
  objects: string[];
}

export async function demoParcel(seed: number, index: number, width = 640, height = 480): Promise<DemoParcel> {
  const p = synthParcel(index, { seed, width, height, mode: 'colour', split: [1, 0, 0], mismatchRate: 0.2, greyRate: 0.1, emptyRate: 0.12 });
  const e = await encodeParcel(p);
  return {
    waybill: p.id,
    png: Buffer.from(e.png),
    width: p.width,
    height: p.height,
    weightKg: p.truth.weightKg,
    ceb: e.ceb,
    mismatch: p.truth.mismatch.type,
    objects: p.truth.objects.map((o) => o.label),
  };
}

const GUID = /[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/g;

function derivedGuid(guid: string, salt: string): string {
  const h = createHash('sha1').update(guid).update(salt).digest('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The same parcel under another waybill number: every reference to the old id (logisticsNo, and the
 * order number derived from it) and every message guid is rewritten consistently, so the three lists
 * still agree and the customs receipt still points at its own inventory.
 */
export function renameParcel(p: DemoParcel, waybill: string): DemoParcel {
  if (waybill.length !== p.waybill.length || !waybill.startsWith('XS')) throw new Error(`demo waybill must look like ${p.waybill}`);
  const from = p.waybill.slice(2);
  const to = waybill.slice(2);
  const ceb = Object.fromEntries(Object.entries(p.ceb).map(([k, v]) => [k, v.split(from).join(to).replace(GUID, (g) => derivedGuid(g, waybill))]));
  return { ...p, waybill, ceb };
}

/**
 * The same render as a distinct file: a tEXt chunk after IHDR carrying the waybill. Real scans are
 * all different; a bench that reuses renders but must exercise the image store (retention) uses this.
 */
export function stampPng(png: Buffer, key: string, value: string): Buffer {
  const data = Buffer.from(`${key}\0${value}`, 'latin1');
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk, png.subarray(ihdrEnd)]);
}

/** The parcel's picture as the raw frame a scanner can send uncompressed (binary netpbm P6). */
export async function withRawFrame(p: DemoParcel): Promise<DemoParcel> {
  const { data, info } = await sharp(p.png).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { ...p, frame: Buffer.from(encodeNetpbm(info.width, info.height, 3, 255, data)) };
}

/** stampPng for a netpbm frame: a header comment after the magic ("P6\n# waybill XS…\n640 480…"). */
export function stampFrame(frame: Buffer, key: string, value: string): Buffer {
  return Buffer.concat([frame.subarray(0, 2), Buffer.from(`\n# ${key} ${value.replace(/[\r\n]/g, ' ')}`, 'latin1'), frame.subarray(2)]);
}
