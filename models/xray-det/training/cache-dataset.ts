// Letterbox a YOLO-format split into one raw uint8 file for train.py (Python has no image decoder here).
// Uses the station's own preprocessing so training sees exactly the pixels inference will see.
//   node_modules/.bin/node models/xray-det/training/cache-dataset.ts --data DIR --split train --imgsz 320
// Writes DIR/cache/<split>-<imgsz>.u8 (N × S × S × 3) and .json (per image: file, size, boxes in input pixels).
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { letterbox } from '../../../src/main/inspection/preprocess.ts';
import { toInputBox, type Box } from '../../../src/main/inspection/letterbox.ts';

const PAD = 114;
const { values } = parseArgs({ options: { data: { type: 'string' }, split: { type: 'string', default: 'train' }, imgsz: { type: 'string', default: '320' } } });
if (!values.data) throw new Error('usage: cache-dataset.ts --data DIR [--split train] [--imgsz 320]');
const dir = values.data;
const split = values.split!;
const size = Number(values.imgsz);
const imagesDir = join(dir, 'images', split);
const files = readdirSync(imagesDir)
  .filter((f) => /\.(png|jpe?g|tiff?|webp)$/i.test(f))
  .sort();
mkdirSync(join(dir, 'cache'), { recursive: true });
const base = join(dir, 'cache', `${split}-${size}`);
const out = createWriteStream(`${base}.u8.tmp`);
const meta: { file: string; width: number; height: number; boxes: number[][] }[] = [];
const started = Date.now();

function readLabels(file: string): number[][] {
  const p = join(dir, 'labels', split, `${basename(file, extname(file))}.txt`);
  if (!existsSync(p)) return [];
  return readFileSync(p, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(/\s+/).map(Number));
}

// Two decodes in flight keep both cores busy; results are written in file order.
const queue = files.map((f) => () => readFile(join(imagesDir, f)).then((b) => letterbox(b, size, size, PAD)));
const inflight: Promise<Awaited<ReturnType<typeof letterbox>>>[] = [];
let next = 0;
while (inflight.length < 2 && next < queue.length) inflight.push(queue[next++]!());
for (let i = 0; i < files.length; i++) {
  const { rgb, geometry } = await inflight.shift()!;
  if (next < queue.length) inflight.push(queue[next++]!());
  if (!out.write(rgb)) await new Promise<void>((r) => out.once('drain', () => r()));
  const boxes = readLabels(files[i]!).map(([c, cx, cy, w, h]) => {
    const W = geometry.srcWidth;
    const H = geometry.srcHeight;
    const src: Box = [(cx! - w! / 2) * W, (cy! - h! / 2) * H, (cx! + w! / 2) * W, (cy! + h! / 2) * H];
    return [c!, ...toInputBox(src, geometry).map((v) => Math.round(v * 100) / 100)];
  });
  meta.push({ file: files[i]!, width: geometry.srcWidth, height: geometry.srcHeight, boxes });
  if ((i + 1) % 500 === 0) process.stderr.write(`cache ${split}: ${i + 1}/${files.length} (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}
await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
writeFileSync(`${base}.json.tmp`, JSON.stringify({ imgsz: size, pad: PAD, count: meta.length, images: meta }));
renameSync(`${base}.u8.tmp`, `${base}.u8`);
renameSync(`${base}.json.tmp`, `${base}.json`);
process.stderr.write(`cache ${split}: ${meta.length} images → ${base}.u8 in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
