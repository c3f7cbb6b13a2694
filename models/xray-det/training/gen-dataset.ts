// Generate a YOLO-format training set straight from the synthetic X-ray generator (the same library
// `station synth` uses, without the declarations), in the layout train.py reads.
//   node_modules/.bin/node models/xray-det/training/gen-dataset.ts --out DIR --split train --seed 1 --count 4000 [--shard 0/2]
// Parcel i of split s uses generator seed hash32(seed, splitIndex, i), so shards and reruns reproduce it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { DETECTION_LABELS } from '../../../src/shared/domain/detection.ts';
import { hash32, renderParcel } from '../../../src/shared/xray/index.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    split: { type: 'string', default: 'train' },
    seed: { type: 'string', default: '1' },
    count: { type: 'string', default: '100' },
    from: { type: 'string', default: '0' },
    shard: { type: 'string', default: '0/1' },
    'grey-rate': { type: 'string', default: '0.1' },
  },
});
if (!values.out) throw new Error('usage: gen-dataset.ts --out DIR [--split train] [--seed 1] [--count 100] [--from 0] [--shard i/n]');
const out = values.out;
const split = values.split!;
const seed = Number(values.seed);
const count = Number(values.count);
const [shard, shards] = values.shard!.split('/').map(Number) as [number, number];
const splitIndex = ['train', 'val', 'test'].indexOf(split);
mkdirSync(join(out, 'images', split), { recursive: true });
mkdirSync(join(out, 'labels', split), { recursive: true });
writeFileSync(join(out, 'classes.txt'), `${DETECTION_LABELS.join('\n')}\n`);
writeFileSync(
  join(out, 'data.yaml'),
  `path: ${out}\ntrain: images/train\nval: images/val\nnames:\n${DETECTION_LABELS.map((l, i) => `  ${i}: ${l}`).join('\n')}\n`,
);
writeFileSync(join(out, 'dataset.json'), JSON.stringify({ generator: 'src/shared/xray renderParcel', seed, greyRate: Number(values['grey-rate']) }));
const started = Date.now();
for (let i = Number(values.from) + shard; i < count; i += shards) {
  const p = renderParcel(hash32(seed, splitIndex, i), { greyRate: Number(values['grey-rate']) });
  const name = `${split}-${seed}-${String(i).padStart(6, '0')}`;
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
