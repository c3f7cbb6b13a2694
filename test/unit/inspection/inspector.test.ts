// openInspector end to end on the tiny fixture model: real onnxruntime in a real worker thread.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { openInspector, type StationInspector } from '../../../src/main/inspection/index.ts';
import { tempDir } from '../../helpers/tmp.ts';

const TINY = fileURLToPath(new URL('../../fixtures/models/tiny-yolov8/', import.meta.url));
const SHIPPED = fileURLToPath(new URL('../../../models/xray-det/', import.meta.url));
const CHAOS = new URL('../../fixtures/models/chaos-worker.ts', import.meta.url);
const open: StationInspector[] = [];
afterEach(async () => {
  while (open.length) await open.pop()!.close();
});

function modelDir(manifest?: Record<string, unknown>, modelBytes?: Buffer): string {
  const dir = tempDir('station-model-');
  if (modelBytes) writeFileSync(join(dir, 'model.onnx'), modelBytes);
  else copyFileSync(join(TINY, 'model.onnx'), join(dir, 'model.onnx'));
  if (manifest) writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

const tinySha = createHash('sha256').update(readFileSync(join(TINY, 'model.onnx'))).digest('hex');
const image = () => sharp({ create: { width: 128, height: 64, channels: 3, background: '#ffffff' } }).png().toBuffer();

async function track(p: Promise<StationInspector>): Promise<StationInspector> {
  const i = await p;
  open.push(i);
  return i;
}

describe('openInspector with the tiny YOLOv8-layout fixture', () => {
  it('decodes the known candidates to boxes in original pixels', async () => {
    const insp = await track(openInspector({ modelDir: modelDir({ name: 'tiny', version: '1', labels: ['knife', 'gun'], input: { width: 64, height: 64 }, sha256: tinySha }) }));
    expect(insp.model).toBe('tiny@1');
    const out = await insp.inspect(await image());
    expect(out).toMatchObject({ model: 'tiny@1', imageWidth: 128, imageHeight: 64 });
    expect(out.detections).toEqual([
      { label: 'knife', score: expect.closeTo(0.9, 5), box: [44, 22, 84, 42] },
      { label: 'gun', score: expect.closeTo(0.7, 5), box: [44, 22, 84, 42] },
    ]);
    expect(out.inferenceMs).toBeGreaterThan(0);
  });

  it('runs a bare Ultralytics export with per-class thresholds from config', async () => {
    const insp = await track(openInspector({ modelDir: TINY, classThresholds: { gun: 0.15, knife: 0.95 } }));
    expect(insp.model).toBe('tiny-yolov8@0.0.1');
    const out = await insp.inspect(await image());
    expect(out.detections.map((d) => d.label)).toEqual(['gun', 'gun']);
  });

  it('refuses a model whose sha256 disagrees with its manifest', async () => {
    await expect(openInspector({ modelDir: modelDir({ labels: ['knife', 'gun'], sha256: 'f'.repeat(64) }) })).rejects.toMatchObject({ code: 'INSPECT_MODEL_HASH_MISMATCH' });
  });

  it('refuses a file that onnxruntime cannot load', async () => {
    await expect(openInspector({ modelDir: modelDir({ labels: ['knife', 'gun'] }, Buffer.from('not an onnx model at all')) })).rejects.toMatchObject({
      code: 'INSPECT_MODEL_INVALID',
      message: expect.stringMatching(/failed to load/),
    });
  });

  it('refuses a manifest whose labels do not fit the model output', async () => {
    await expect(openInspector({ modelDir: modelDir({ labels: ['knife', 'gun', 'can'], input: { width: 64, height: 64 } }) })).rejects.toMatchObject({
      code: 'INSPECT_MODEL_INVALID',
      message: expect.stringMatching(/\[1, 6, 4\] is not YOLOv8 layout \[1, 7, N\] for 3 labels/),
    });
  });

  it('turns a bad image into a coded rejection and keeps working', async () => {
    const insp = await track(openInspector({ modelDir: TINY }));
    await expect(insp.inspect(new Uint8Array(0))).rejects.toMatchObject({ code: 'INSPECT_IMAGE_EMPTY' });
    expect((await insp.inspect(await image())).detections).toHaveLength(2);
  });
});

describe('the supervised worker', () => {
  it('times out a stuck inference, refuses calls fast while restarting, then works again', async () => {
    const marker = join(tempDir(), 'marker');
    const insp = await track(openInspector({ modelDir: TINY, timeoutMs: 400, worker: { workerUrl: CHAOS, workerData: { chaos: 'hang', marker } } }));
    const img = await image();
    await expect(insp.inspect(img)).rejects.toMatchObject({ code: 'INSPECT_TIMEOUT', message: expect.stringMatching(/longer than 400 ms/) });
    // Set aside, not terminated: terminating inside a native run aborts the process (see supervisor.ts).
    expect(insp.supervisor.setAsideCount).toBe(1);
    const t = performance.now();
    await expect(insp.inspect(img)).rejects.toMatchObject({ code: 'INSPECT_UNAVAILABLE' });
    expect(performance.now() - t).toBeLessThan(100);
    await insp.supervisor.whenReady();
    expect(insp.supervisor.generation).toBe(2);
    expect((await insp.inspect(img)).detections).toHaveLength(2);
  });

  it('closing while a replacement worker is still loading the model waits for it to report in (terminating it there aborts the process)', async () => {
    // The shipped model takes a few hundred ms to load and warm up; 1 ms is a limit no run meets.
    const events: string[] = [];
    const insp = await openInspector({ modelDir: SHIPPED, timeoutMs: 1, onEvent: (e) => events.push(e.type) });
    await expect(insp.inspect(await image())).rejects.toMatchObject({ code: 'INSPECT_TIMEOUT' });
    await new Promise((r) => setTimeout(r, 50)); // the replacement is spawned on the next timer tick
    expect(events).toEqual(['ready', 'timeout']); // and is starting now
    await insp.close();
    expect(events).toEqual(['ready', 'timeout', 'ready']);
  });

  it('restarts a crashed worker and the next call works', async () => {
    const marker = join(tempDir(), 'marker');
    const events: string[] = [];
    const insp = await track(openInspector({ modelDir: TINY, onEvent: (e) => events.push(e.type), worker: { workerUrl: CHAOS, workerData: { chaos: 'crash', marker } } }));
    const img = await image();
    await expect(insp.inspect(img)).rejects.toMatchObject({ code: 'INSPECT_UNAVAILABLE', message: expect.stringMatching(/crashed/) });
    await insp.supervisor.whenReady();
    expect((await insp.inspect(img)).detections).toHaveLength(2);
    expect(events).toEqual(['ready', 'crashed', 'ready']);
  });

  it('spreads images over a pool of workers, and a worker that is down leaves the others serving', async () => {
    const insp = await track(openInspector({ modelDir: TINY, workers: 2 }));
    expect(insp.supervisors).toHaveLength(2);
    const img = await image();
    const both = [insp.inspect(img), insp.inspect(img)];
    expect(insp.supervisors.map((s) => s.inFlight)).toEqual([1, 1]);
    for (const out of await Promise.all(both)) expect(out.detections).toHaveLength(2);
    await insp.supervisors[0]!.close();
    const out = await insp.inspect(img);
    expect(out.detections).toHaveLength(2);
    expect(out.preprocessMs).toBeGreaterThan(0);
  });

  it('does not time out (and so never terminates) a worker while it is still decoding a large image', async () => {
    // Terminating a worker in the middle of a sharp decode aborts the whole process (Napi::Error):
    // the timeout covers the model, not the decode. 3000×3000 of noise (28 MB that do not compress)
    // takes 65-75 ms to decode on a fast PC, far more on CI; a flat grey 6000×6000 took only 24 ms there.
    const noise = { type: 'gaussian' as const, mean: 128, sigma: 40 };
    const big = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: '#808080', noise } }).png({ compressionLevel: 1 }).toBuffer();
    const insp = await track(openInspector({ modelDir: TINY, timeoutMs: 25 }));
    const out = await insp.inspect(big);
    expect(out.preprocessMs, 'the decode must outlast the timeout for this test to mean anything').toBeGreaterThan(25);
    expect(out).toMatchObject({ imageWidth: 3000, imageHeight: 3000 });
    expect(insp.supervisor.generation).toBe(1);
  });

  it('sets aside a worker stuck in a decode, starts a fresh one, and ends the stuck one once it answers', async () => {
    const marker = join(tempDir(), 'marker');
    const release = join(tempDir(), 'release');
    const events: string[] = [];
    const insp = await track(
      openInspector({ modelDir: TINY, decodeTimeoutMs: 300, onEvent: (e) => events.push(e.type), worker: { workerUrl: CHAOS, workerData: { chaos: 'stuck-decode', marker, release } } }),
    );
    const img = await image();
    const t = performance.now();
    await expect(insp.inspect(img)).rejects.toMatchObject({ code: 'INSPECT_TIMEOUT', message: expect.stringMatching(/decode took longer than 300 ms/) });
    expect(performance.now() - t).toBeLessThan(1200);
    expect(insp.supervisor.setAsideCount).toBe(1);
    await insp.supervisor.whenReady();
    expect(insp.supervisor.generation).toBe(2);
    expect((await insp.inspect(img)).detections).toHaveLength(2);
    expect(insp.supervisor.setAsideCount).toBe(1);
    // The stuck one finishes its image once released; its answer is dropped and the worker terminated.
    writeFileSync(release, 'go');
    for (let i = 0; i < 50 && insp.supervisor.setAsideCount > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(insp.supervisor.setAsideCount).toBe(0);
    expect(events).toEqual(['ready', 'decode-stuck', 'ready']);
  });

  /** Three images, each getting its worker set aside (a stuck-decode chaos worker); a replacement is awaited after the first two. */
  async function stickThreeWorkers(insp: Awaited<ReturnType<typeof openInspector>>, img: Uint8Array): Promise<void> {
    for (let i = 0; i < 3; i++) {
      await expect(insp.inspect(img)).rejects.toMatchObject({ code: 'INSPECT_TIMEOUT' });
      if (i < 2) await insp.supervisor.whenReady();
    }
  }

  it('stops replacing workers once too many are stuck decoding, and refuses every call with the reason', async () => {
    const marker = join(tempDir(), 'marker');
    const release = join(tempDir(), 'release');
    const insp = await track(openInspector({ modelDir: TINY, decodeTimeoutMs: 150, worker: { workerUrl: CHAOS, workerData: { chaos: 'stuck-decode-always', marker, release } } }));
    const img = await image();
    await stickThreeWorkers(insp, img);
    expect(insp.supervisor.setAsideCount).toBe(3);
    await expect(insp.inspect(img)).rejects.toMatchObject({ code: 'INSPECT_UNAVAILABLE', message: expect.stringMatching(/3 inference workers are stuck in an image decode or a model run/) });
    expect(insp.supervisor.generation).toBe(3);
    writeFileSync(release, 'go');
  });

  it('comes back once a worker stuck past the limit answers after all', async () => {
    const marker = join(tempDir(), 'marker');
    const release = join(tempDir(), 'release');
    const insp = await track(openInspector({ modelDir: TINY, decodeTimeoutMs: 150, worker: { workerUrl: CHAOS, workerData: { chaos: 'stuck-decode-always', marker, release } } }));
    const img = await image();
    await stickThreeWorkers(insp, img);
    await expect(insp.inspect(img)).rejects.toMatchObject({ code: 'INSPECT_UNAVAILABLE', message: expect.stringMatching(/until one of them finishes/) });
    // The stuck workers finish their images once released: each terminated as it answers, and a fresh one started.
    writeFileSync(release, 'go');
    await insp.supervisor.whenReady();
    expect(insp.supervisor.generation).toBe(4);
    expect(insp.supervisor.setAsideCount).toBeLessThan(3);
  });

  it('rejects every call after close', async () => {
    const insp = await openInspector({ modelDir: TINY });
    await insp.close();
    await expect(insp.inspect(await image())).rejects.toMatchObject({ code: 'INSPECT_UNAVAILABLE' });
  });
});
