import { ErrorCodes, StationError } from '../../../shared/errors.ts';
import { defaultWorkers, runSynth } from '../../synth/run.ts';
import type { SynthMode } from '../../synth/parcel.ts';
import { writeJson, writeLine, type Command } from '../command.ts';

function usageError(message: string): StationError {
  return new StationError(ErrorCodes.CLI_USAGE, message);
}

function intFlag(v: unknown, name: string, min: number, max: number, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw usageError(`--${name} must be a whole number from ${min} to ${max} (got ${String(v)})`);
  return n;
}

function rateFlag(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 1) throw usageError(`--${name} must be a number from 0 to 1 (got ${String(v)})`);
  return n;
}

export function parseSize(v: unknown): [number, number] {
  if (v === undefined) return [640, 480];
  const m = typeof v === 'string' ? /^(\d+)x(\d+)$/i.exec(v.trim()) : null;
  const w = m ? Number(m[1]) : NaN;
  const h = m ? Number(m[2]) : NaN;
  if (!m || w < 64 || h < 64 || w > 4096 || h > 4096) throw usageError(`--size must be WxH with each side 64..4096, e.g. 640x480 (got ${String(v)})`);
  return [w, h];
}

export function parseSplit(v: unknown): [number, number, number] {
  if (v === undefined) return [0.9, 0.1, 0];
  const parts = typeof v === 'string' ? v.split(',').map((s) => Number(s.trim())) : [];
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !Number.isFinite(p) || p < 0)) throw usageError(`--split must be TRAIN,VAL[,TEST] fractions, e.g. 0.9,0.1,0 (got ${String(v)})`);
  const [a = 0, b = 0, c = 0] = parts;
  const sum = a + b + c;
  if (Math.abs(sum - 1) > 1e-6) throw usageError(`--split fractions must add up to 1 (got ${sum})`);
  return [a, b, c];
}

export const synthCommand: Command = {
  name: 'synth',
  summary: 'generate synthetic dual-energy X-ray parcel images, YOLO labels and CEB declarations',
  usage: '--count N --seed S --out DIR [--size WxH] [--mode colour|grey|dual] [--split 0.9,0.1,0] [--mismatch-rate 0.2] [--grey-rate 0.1] [--empty-rate 0.12] [--workers N] [--json]',
  details:
    'Writes an Ultralytics-style dataset: DIR/images/<split>/<id>.png, DIR/labels/<split>/<id>.txt\n' +
    '(class cx cy w h, normalised), DIR/classes.txt, DIR/data.yaml, and per parcel DIR/truth/<id>.json and\n' +
    'DIR/declarations/<id>/CEB311|411|511|621|622.xml. The parcel id is the waybill logisticsNo (barcode).\n' +
    'The same --seed and options always give the same images, labels and declarations.\n' +
    '--mode colour: pseudo-colour (with --grey-rate single-energy greyscale images mixed in); grey: all\n' +
    'greyscale; dual: colour plus the raw 16-bit high/low channels in DIR/raw/. See models/xray-det/DATA.md.',
  options: {
    count: { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    size: { type: 'string' },
    mode: { type: 'string' },
    split: { type: 'string' },
    'mismatch-rate': { type: 'string' },
    'grey-rate': { type: 'string' },
    'empty-rate': { type: 'string' },
    workers: { type: 'string' },
  },
  async run(ctx) {
    const v = ctx.values;
    if (typeof v.out !== 'string' || v.out.trim() === '') throw usageError('--out DIR is required');
    const count = intFlag(v.count, 'count', 1, 10_000_000);
    const seed = intFlag(v.seed, 'seed', 0, 2 ** 31 - 1, 0);
    const [width, height] = parseSize(v.size);
    const mode = (v.mode ?? 'colour') as SynthMode;
    if (!['colour', 'grey', 'dual'].includes(mode)) throw usageError(`--mode must be colour, grey or dual (got ${String(v.mode)})`);
    const summary = await runSynth({
      count,
      seed,
      out: v.out,
      width,
      height,
      mode,
      split: parseSplit(v.split),
      mismatchRate: rateFlag(v['mismatch-rate'], 'mismatch-rate', 0.2),
      greyRate: mode === 'colour' ? rateFlag(v['grey-rate'], 'grey-rate', 0.1) : 0,
      emptyRate: rateFlag(v['empty-rate'], 'empty-rate', 0.12),
      workers: intFlag(v.workers, 'workers', 0, 64, defaultWorkers()),
      onProgress: (p) => {
        ctx.stderr.write(`synth: ${p.done}/${p.count} images, ${p.imagesPerSecond.toFixed(1)} images/s, ETA ${Math.ceil(p.etaSeconds)} s\n`);
      },
    });
    if (ctx.json) writeJson(ctx, summary);
    else {
      writeLine(ctx.stdout, `wrote ${summary.count} parcels to ${summary.out} (${summary.generator})`);
      writeLine(ctx.stdout, `splits: train ${summary.splits.train}, val ${summary.splits.val}, test ${summary.splits.test}; ${summary.objects} labelled objects, ${summary.empty} parcels without objects of interest`);
      writeLine(ctx.stdout, `mismatches: ${Object.entries(summary.mismatches).map(([k, n]) => `${k} ${n}`).join(', ')}`);
      writeLine(ctx.stdout, `${summary.imagesPerSecond} images/s on ${summary.workers} worker(s), ${summary.seconds} s`);
    }
    return 0;
  },
};
