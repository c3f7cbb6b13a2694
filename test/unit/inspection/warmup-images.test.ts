// The worker's warm-up must run the paths parcels take: a PNG the JS decoder accepts (rows of all five
// filter types, decoded as sharp decodes it) and a raw frame, both letterboxing by an exact half.
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { isExactHalf } from '../../../src/main/inspection/netpbm-letterbox.ts';
import { pngFrame } from '../../../src/main/inspection/png-frame.ts';
import { MAX_INPUT_PIXELS } from '../../../src/main/inspection/preprocess.ts';
import { createModelRunner, warmUpInspect, type WorkerInit } from '../../../src/main/inspection/model-runner.ts';
import { warmupFrame, warmupPng, warmupSize } from '../../../src/main/inspection/warmup-images.ts';
import { parseNetpbmHeader } from '../../../src/shared/netpbm.ts';

const TINY = fileURLToPath(new URL('../../fixtures/models/tiny-yolov8/', import.meta.url));

describe('warm-up images', () => {
  it('are a PNG the JS path takes, with the pixels sharp decodes, and a raw frame, at an exact half of the input', async () => {
    const { width, height } = warmupSize(320, 320);
    expect({ width, height }).toEqual({ width: 640, height: 480 });
    expect(isExactHalf({ width, height }, 320, 320)).toBe(true);
    const png = warmupPng(width, height);
    const filters = new Set<number>();
    const frame = pngFrame(png, 320, 320, MAX_INPUT_PIXELS);
    expect(frame).toBeDefined();
    const fromSharp = await sharp(png).raw().toBuffer();
    expect(Buffer.from(frame!.bytes).equals(fromSharp)).toBe(true);
    // Every row's filter byte, from the inflated stream: all five types occur.
    const idatAt = png.indexOf('IDAT');
    const raw = inflateSync(png.subarray(idatAt + 4, idatAt + 4 + png.readUInt32BE(idatAt - 4)));
    for (let y = 0; y < height; y++) filters.add(raw[y * (width * 3 + 1)]!);
    expect([...filters].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(parseNetpbmHeader(warmupFrame(width, height))).toMatchObject({ width, height, channels: 3, maxval: 255 });
  });

  it('run through the whole inspect path of a model, one round per image', async () => {
    const init: WorkerInit = {
      model: readFileSync(join(TINY, 'model.onnx')),
      inputWidth: 64,
      inputHeight: 64,
      intraOpThreads: 1,
      inspect: { input: { width: 64, height: 64, pad: 114, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] }, labels: ['knife', 'gun'], thresholds: [0.5, 0.5], nmsIou: 0.5 },
    };
    const runner = await createModelRunner(init);
    const ms = await warmUpInspect(runner, init, { png: 3, frame: 2 });
    expect(ms).toHaveLength(5);
    for (const m of ms) expect(m).toBeGreaterThan(0);
    const { inspect: _, ...runOnly } = init;
    expect(await warmUpInspect(runner, runOnly)).toEqual([]);
  });
});
