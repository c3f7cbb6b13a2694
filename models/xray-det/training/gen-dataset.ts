// Generate a YOLO-format training set straight from the synthetic X-ray generator (the same library
// `station synth` uses, without the declarations), in the layout train.py reads.
//   node_modules/.bin/node models/xray-det/training/gen-dataset.ts --out DIR --split train --seed 1 --count 4000 [--shard 0/2]
// Parcel i of split s uses generator seed hash32(seed, splitIndex, i), so shards and reruns reproduce it.
// --cache IMGSZ writes no PNGs: each parcel goes through the station's letterbox (from a lossless PNG, the
// exact inference path) into parts DIR/cache/<split>-<imgsz>.s<shard>-<k>.u8/.json of --chunk images, which
// train.py reads (and, with --grow, picks up while they are still being written). --seconds stops a shard
// after that long (a time-boxed run on a lent machine).
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { DETECTION_LABELS } from '../../../src/shared/domain/detection.ts';
import { hash32, renderParcel } from '../../../src/shared/xray/index.ts';
import { letterbox } from '../../../src/main/inspection/preprocess.ts';
import { toInputBox } from '../../../src/main/inspection/letterbox.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    split: { type: 'string', default: 'train' },
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '100' },
    from: { type: 'string', default: '0' },
    shard: { type: 'string', default: '0/1' },
    'grey-rate': { type: 'string', default: '0.1' },
    cache: { type: 'string' },
    chunk: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '0' },
  },
});
if (!values.out) throw new Error('usage: gen-dataset.ts --out DIR [--split train] [--seed 1] [--count 100] [--from 0] [--shard i/n]');
const out = values.out;
const split = values.split!;
const seed = Number(values.seed);
const count = Number(values.count);
const [shard, shards] = values.shard!.split('/').map(Number) as [number, number];
const splitIndex = ['train', 'val', 'test'].indexOf(split);
const imgsz = values.cache ? Number(values.cache) : 0;
const chunk = Number(values.chunk);
const deadline = Number(values.seconds) > 0 ? Date.now() + Number(values.seconds) * 1000 : Infinity;
mkdirSync(join(out, imgsz ? 'cache' : 'images', imgsz ? '' : split), { recursive: true });
if (!imgsz) mkdirSync(join(out, 'labels', split), { recursive: true });
writeFileSync(join(out, 'classes.txt'), `${DETECTION_LABELS.join('\n')}\n`);
writeFileSync(
  join(out, 'data.yaml'),
  `path: ${out}\ntrain: images/train\nval: images/val\nnames:\n${DETECTION_LABELS.map((l, i) => `  ${i}: ${l}`).join('\n')}\n`,
);
writeFileSync(join(out, 'dataset.json'), JSON.stringify({ generator: 'src/shared/xray renderParcel', seed, greyRate: Number(values['grey-rate']) }));
const started = Date.now();
const PAD = 114;
let part: { rgb: Buffer[]; images: { file: string; width: number; height: number; boxes: number[][] }[] } = { rgb: [], images: [] };
let parts = 0;
function flushPart(): void {
  if (!part.images.length) return;
  const base = join(out, 'cache', `${split}-${imgsz}.s${String(shard).padStart(2, '0')}-${String(parts++).padStart(4, '0')}`);
  writeFileSync(`${base}.u8`, Buffer.concat(part.rgb));
  // the .json last (tmp + rename): a reader treats a part as complete once its .json exists
  writeFileSync(`${base}.json.tmp`, JSON.stringify({ imgsz, pad: PAD, count: part.images.length, images: part.images }));
  renameSync(`${base}.json.tmp`, `${base}.json`);
  part = { rgb: [], images: [] };
}
for (let i = Number(values.from) + shard; i < count && Date.now() < deadline; i += shards) {
  const p = renderParcel(hash32(seed, splitIndex, i), { greyRate: Number(values['grey-rate']) });
  const name = `${split}-${seed}-${String(i).padStart(6, '0')}`;
  if (imgsz) {
    const png = await sharp(p.colour, { raw: { width: p.width, height: p.height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
    const { rgb, geometry } = await letterbox(png, imgsz, imgsz, PAD);
    const boxes = p.objects.map((o) => [DETECTION_LABELS.indexOf(o.label), ...toInputBox(o.box, geometry).map((v) => Math.round(v * 100) / 100)]);
    part.rgb.push(rgb);
    part.images.push({ file: name, width: p.width, height: p.height, boxes });
    if (part.images.length >= chunk) flushPart();
    if (i % 200 === shard) process.stderr.write(`${split} shard ${shard}: ${i}/${count} ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    continue;
  }
  await sharp(p.colour, { raw: { width: p.width, height: p.height, channels: 3 } })
    .png({ compressionLevel: 1 })
    .toFile(join(out, 'images', split, `${name}.png`));
  const lines = p.objects.map((o) => {
    const [x1, y1, x2, y2] = o.box;
    const c = DETECTION_LABELS.indexOf(o.label);
    return `${c} ${((x1 + x2) / 2 / p.width).toFixed(6)} ${((y1 + y2) / 2 / p.height).toFixed(6)} ${((x2 - x1) / p.width).toFixed(6)} ${((y2 - y1) / p.height).toFixed(6)}`;
  });
  writeFileSync(join(out, 'labels', split, `${name}.txt`), lines.length ? `${lines.join('\n')}\n` : '');
  if (i % 200 === shard) process.stderr.write(`${split} shard ${shard}: ${i}/${count} ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
}
flushPart();
