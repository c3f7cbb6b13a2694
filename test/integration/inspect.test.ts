// `station inspect` and the shipped model, through the real CLI and real onnxruntime.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { iou } from '../../src/main/inspection/decode-yolo.ts';
import { openInspector, type StationInspector } from '../../src/main/inspection/index.ts';
import { DETECTION_LABELS } from '../../src/shared/domain/detection.ts';
import { hash32, renderParcel } from '../../src/shared/xray/index.ts';
import { station } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';
import { pngHeaderOnly } from '../unit/inspection/images.ts';

const TINY = fileURLToPath(new URL('../fixtures/models/tiny-yolov8/', import.meta.url));

async function whitePng(file: string, width: number, height: number): Promise<void> {
  await sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).png().toFile(file);
}

describe('station inspect', () => {
  it('prints one JSON line per image with boxes in original image pixels', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'batch'));
    await whitePng(join(dir, 'wide.png'), 128, 64);
    await whitePng(join(dir, 'batch', 'a.png'), 64, 128);
    await whitePng(join(dir, 'batch', 'b.png'), 64, 64);
    writeFileSync(join(dir, 'batch', 'notes.txt'), 'not an image, and not picked from the folder');
    const r = await station(['inspect', join(dir, 'wide.png'), join(dir, 'batch'), '--model', TINY, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.image)).toEqual([join(dir, 'wide.png'), join(dir, 'batch', 'a.png'), join(dir, 'batch', 'b.png')]);
    expect(lines[0]).toMatchObject({
      model: 'tiny-yolov8@0.0.1',
      detections: [
        { label: 'knife', score: 0.9, box: [44, 22, 84, 42] },
        { label: 'gun', score: 0.7, box: [44, 22, 84, 42] },
      ],
      inferenceMs: expect.any(Number),
    });
    // 64×128 portrait: scale 0.5, padded 16 px left and right.
    expect(lines[1].detections[0].box).toEqual([12, 54, 52, 74]);
    expect(lines[2].detections[0].box).toEqual([22, 27, 42, 37]);
  });

  it('reports each bad file with a code, carries on with the rest and exits 1', async () => {
    const dir = tempDir();
    await whitePng(join(dir, 'good.png'), 128, 64);
    writeFileSync(join(dir, 'empty.png'), '');
    writeFileSync(join(dir, 'huge.png'), pngHeaderOnly(30000, 30000));
    writeFileSync(join(dir, 'text.png'), 'hello');
    const files = ['empty.png', 'huge.png', 'text.png', 'missing.png', 'good.png'].map((f) => join(dir, f));
    const r = await station(['inspect', ...files, '--model', TINY, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/4 image\(s\) failed/);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.error?.code ?? 'ok')).toEqual(['INSPECT_IMAGE_EMPTY', 'INSPECT_IMAGE_TOO_LARGE', 'INSPECT_IMAGE_UNSUPPORTED', 'INSPECT_IMAGE_UNREADABLE', 'ok']);
    expect(lines[3].error.message).toContain('missing.png');
    expect(lines[4].detections).toHaveLength(2);
  });

  it('prints a readable list without --json', async () => {
    const dir = tempDir();
    await whitePng(join(dir, 'x.png'), 128, 64);
    const r = await station(['inspect', join(dir, 'x.png'), '--model', TINY]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/model tiny-yolov8@0\.0\.1/);
    expect(r.stdout).toMatch(/knife\s+0\.90\s+\[44, 22, 84, 42\]/);
  });

  it('refuses a model whose sha256 disagrees with its manifest, naming the file', async () => {
    const dir = tempDir();
    copyFileSync(join(TINY, 'model.onnx'), join(dir, 'model.onnx'));
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ labels: ['knife', 'gun'], sha256: 'a'.repeat(64) }));
    await whitePng(join(dir, 'x.png'), 64, 64);
    const r = await station(['inspect', join(dir, 'x.png'), '--model', dir, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr.trim())).toMatchObject({ error: { code: 'INSPECT_MODEL_HASH_MISMATCH', message: expect.stringContaining('model.onnx') } });
  });
});

describe('the shipped xray-det model', () => {
  let insp: StationInspector;
  beforeAll(async () => {
    insp = await openInspector();
  });
  afterAll(() => insp.close());

  it('loads with a verified hash and the station label set', () => {
    expect(insp.model).toMatch(/^xray-det@\d+\.\d+\.\d+$/);
    expect(insp.spec.labels).toEqual([...DETECTION_LABELS]);
    expect(insp.spec.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('finds objects planted in generated parcels it has never seen', async () => {
    let planted = 0;
    let found = 0;
    const missed: string[] = [];
    // Two parcels per label, seeds outside the training range (training uses hash32(1, split, i)).
    for (const [k, label] of DETECTION_LABELS.entries()) {
      for (const j of [0, 1]) {
        const p = renderParcel(hash32(9001, k, j), { objects: [label] });
        const png = await sharp(p.colour, { raw: { width: p.width, height: p.height, channels: 3 } }).png().toBuffer();
        const out = await insp.inspect(png);
        for (const o of p.objects) {
          planted++;
          const hit = out.detections.some((d) => d.label === o.label && iou(d.box, o.box) >= 0.5);
          if (hit) found++;
          else missed.push(o.label);
        }
      }
    }
    expect(planted).toBeGreaterThanOrEqual(20);
    if (process.env.PLANTED_REPORT) console.log(`planted: ${found}/${planted} found; missed: ${missed.join(', ')}`);
    expect(found / planted, `missed: ${missed.join(', ')}`).toBeGreaterThanOrEqual(RECALL_FLOOR);
  });
});

/**
 * xray-det@1.8.0 (1.7.0's weights at a 416 input) finds 21 of these 24 (0.875; a knife, a phone and a
 * cosmetic missed) at its manifest thresholds; 1.7.0 and 1.6.0 found 22 (a knife and a phone missed),
 * 1.5.0 and 1.4.0 23 (1.3.0 22, 1.2.0 20, 1.1.0 17, 1.0.0 15, an untrained network of the same shape 2).
 * One object either way on 24 is this check's noise: the 400-image test set is the measure of a
 * retrain (1.7.0 0.897 → 1.8.0 0.900). Inference is deterministic on CPU, so the floor sits just below
 * the shipped model and far above an untrained one: move it with every retrain (PLANTED_REPORT=1
 * prints the count).
 */
const RECALL_FLOOR = 0.87;
