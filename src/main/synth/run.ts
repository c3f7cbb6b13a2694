// `station synth` without the command-line parsing: lays out an Ultralytics-style dataset folder,
// renders parcels on a pool of worker threads and writes images, labels, truth and declarations.
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DETECTION_LABELS } from '../../shared/domain/detection.ts';
import { StationError } from '../../shared/errors.ts';
import { GENERATOR_VERSION } from '../../shared/xray/index.ts';
import { encodeParcel, type EncodedParcel } from './encode.ts';
import { synthParcel, type Split, type SynthOptions } from './parcel.ts';

export interface RunOptions extends SynthOptions {
  count: number;
  out: string;
  /** Worker threads; 0 or 1 renders on the calling thread. */
  workers: number;
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  done: number;
  count: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

export interface SynthSummary {
  out: string;
  generator: string;
  count: number;
  seed: number;
  size: [number, number];
  mode: SynthOptions['mode'];
  splits: Record<Split, number>;
  objects: number;
  empty: number;
  mismatches: Record<string, number>;
  seconds: number;
  imagesPerSecond: number;
  workers: number;
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

function dataYaml(out: string, splits: Record<Split, number>): string {
  const lines = [`# Written by station synth (${GENERATOR_VERSION}); Ultralytics dataset layout.`, `path: ${JSON.stringify(out)}`, 'train: images/train', 'val: images/val'];
  if (splits.test > 0) lines.push('test: images/test');
  lines.push(`nc: ${DETECTION_LABELS.length}`, 'names:', ...DETECTION_LABELS.map((n, i) => `  ${i}: ${n}`));
  return `${lines.join('\n')}\n`;
}

async function writeParcel(out: string, e: EncodedParcel): Promise<void> {
  const decl = join(out, 'declarations', e.id);
  await mkdir(decl, { recursive: true });
  await Promise.all([
    writeFile(join(out, 'images', e.split, `${e.id}.png`), e.png),
    writeFile(join(out, 'labels', e.split, `${e.id}.txt`), e.labels.length > 0 ? `${e.labels}\n` : ''),
    writeFile(join(out, 'truth', `${e.id}.json`), e.truth),
    ...(e.high && e.low ? [writeFile(join(out, 'raw', `${e.id}_high.png`), e.high), writeFile(join(out, 'raw', `${e.id}_low.png`), e.low)] : []),
    ...Object.entries(e.ceb).map(([name, xml]) => writeFile(join(decl, name), xml)),
  ]);
}

/** Produce parcels 0..count-1 in any order, at most `inFlight` at a time per worker. */
async function produce(o: RunOptions, onResult: (e: EncodedParcel) => Promise<void>): Promise<number> {
  const synthOptions: SynthOptions = { seed: o.seed, width: o.width, height: o.height, mode: o.mode, split: o.split, mismatchRate: o.mismatchRate, greyRate: o.greyRate, emptyRate: o.emptyRate };
  const workers = o.count < 8 ? 1 : Math.max(1, o.workers);
  if (workers <= 1) {
    for (let i = 0; i < o.count; i++) await onResult(await encodeParcel(synthParcel(i, synthOptions)));
    return 1;
  }
  let next = 0;
  const pool = Array.from({ length: workers }, () => new Worker(new URL('./worker.ts', import.meta.url), { workerData: synthOptions }));
  try {
    await new Promise<void>((done, fail) => {
      let finished = 0;
      let failed = false;
      const feed = (w: Worker): void => {
        if (next < o.count) w.postMessage(next++);
      };
      for (const w of pool) {
        w.on('message', (m: { index: number; result?: EncodedParcel; error?: string }) => {
          if (failed) return;
          if (m.error !== undefined || !m.result) {
            failed = true;
            fail(new StationError('SYNTH_FAILED', `parcel ${m.index} failed: ${m.error ?? 'no result'}`, { index: m.index }));
            return;
          }
          feed(w);
          onResult(m.result).then(
            () => {
              if (++finished === o.count) done();
            },
            (e: unknown) => {
              failed = true;
              fail(e);
            },
          );
        });
        w.on('error', (e) => {
          failed = true;
          fail(new StationError('SYNTH_FAILED', `synth worker crashed: ${e.message}`, {}, { cause: e }));
        });
        // Two in flight per worker keeps it busy while the previous result is written.
        feed(w);
        feed(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return workers;
}

export async function runSynth(o: RunOptions): Promise<SynthSummary> {
  const out = resolve(o.out);
  const splitNames: Split[] = ['train', 'val', 'test'];
  try {
    for (const s of splitNames) {
      await mkdir(join(out, 'images', s), { recursive: true });
      await mkdir(join(out, 'labels', s), { recursive: true });
    }
    await mkdir(join(out, 'truth'), { recursive: true });
    await mkdir(join(out, 'declarations'), { recursive: true });
    if (o.mode === 'dual') await mkdir(join(out, 'raw'), { recursive: true });
    await writeFile(join(out, 'classes.txt'), `${DETECTION_LABELS.join('\n')}\n`);
  } catch (e) {
    throw new StationError('SYNTH_OUTPUT', `cannot write the dataset folder ${out}: ${(e as Error).message}`, { out }, { cause: e });
  }
  const splits: Record<Split, number> = { train: 0, val: 0, test: 0 };
  const mismatches: Record<string, number> = {};
  let objects = 0;
  let empty = 0;
  let done = 0;
  const t0 = performance.now();
  let lastReport = t0;
  const workers = await produce(o, async (e) => {
    await writeParcel(out, e);
    splits[e.split]++;
    mismatches[e.mismatch] = (mismatches[e.mismatch] ?? 0) + 1;
    objects += e.objects;
    if (e.objects === 0) empty++;
    done++;
    const now = performance.now();
    if (o.onProgress && (now - lastReport > 1000 || done === o.count)) {
      lastReport = now;
      const rate = done / ((now - t0) / 1000);
      o.onProgress({ done, count: o.count, imagesPerSecond: rate, etaSeconds: (o.count - done) / Math.max(rate, 1e-9) });
    }
  });
  const seconds = (performance.now() - t0) / 1000;
  await writeFile(join(out, 'data.yaml'), dataYaml(out, splits));
  const summary: SynthSummary = {
    out,
    generator: GENERATOR_VERSION,
    count: o.count,
    seed: o.seed,
    size: [o.width, o.height],
    mode: o.mode,
    splits,
    objects,
    empty,
    mismatches,
    seconds: Math.round(seconds * 100) / 100,
    imagesPerSecond: Math.round((o.count / Math.max(seconds, 1e-9)) * 10) / 10,
    workers,
  };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify({ ...summary, options: { split: o.split, mismatchRate: o.mismatchRate, greyRate: o.greyRate, emptyRate: o.emptyRate } }, null, 2)}\n`);
  return summary;
}
