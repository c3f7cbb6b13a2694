// The training data tools: `gen-dataset.ts --cache` (what gpu-run.sh trains on) must give exactly the
// pixels and boxes of the PNG path (`gen-dataset.ts` + `cache-dataset.ts`), which is the inference path.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NODE = process.execPath;
const TRAINING = join(ROOT, 'models/xray-det/training');

interface CacheMeta {
  images: { file: string; width: number; height: number; boxes: number[][] }[];
}

describe('training data', () => {
  it('gen-dataset --cache writes the same letterboxed pixels and boxes as PNGs + cache-dataset, in parts', async () => {
    const png = tempDir();
    const parts = tempDir();
    const common = ['--split', 'val', '--seed', '9', '--count', '5'];
    await run(NODE, [join(TRAINING, 'gen-dataset.ts'), '--out', png, ...common]);
    await run(NODE, [join(TRAINING, 'cache-dataset.ts'), '--data', png, '--split', 'val', '--imgsz', '160']);
    await run(NODE, [join(TRAINING, 'gen-dataset.ts'), '--out', parts, ...common, '--cache', '160', '--chunk', '2']);

    const names = readdirSync(join(parts, 'cache')).sort();
    // 5 images in chunks of 2 → 3 parts, each a .u8 and its .json, nothing left as .tmp
    expect(names).toEqual(['0000', '0001', '0002'].flatMap((k) => [`val-160.s00-${k}.json`, `val-160.s00-${k}.u8`]));
    const jsons = names.filter((n) => n.endsWith('.json'));
    const partPixels = Buffer.concat(jsons.map((n) => readFileSync(join(parts, 'cache', n.replace(/\.json$/, '.u8')))));
    const partMeta = jsons.flatMap((n) => (JSON.parse(readFileSync(join(parts, 'cache', n), 'utf8')) as CacheMeta).images);

    const whole = readFileSync(join(png, 'cache', 'val-160.u8'));
    const wholeMeta = (JSON.parse(readFileSync(join(png, 'cache', 'val-160.json'), 'utf8')) as CacheMeta).images;
    expect(partPixels.length).toBe(5 * 160 * 160 * 3);
    expect(partPixels.equals(whole)).toBe(true);
    expect(partMeta.map((m) => [m.width, m.height])).toEqual(wholeMeta.map((m) => [m.width, m.height]));
    // boxes: the PNG path goes through 6-decimal normalised YOLO labels, so allow that rounding
    for (const [i, m] of partMeta.entries()) {
      const w = wholeMeta[i]!.boxes;
      expect(m.boxes.length).toBe(w.length);
      expect(m.boxes.length).toBeGreaterThan(0);
      for (const [j, b] of m.boxes.entries()) {
        expect(b[0]).toBe(w[j]![0]);
        for (let k = 1; k < 5; k++) expect(Math.abs(b[k]! - w[j]![k]!)).toBeLessThanOrEqual(0.02);
      }
    }
  }, 60_000);
});
