import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classThresholds, loadModelSpec } from '../../../src/main/inspection/manifest.ts';
import { parseImgsz, parseUltralyticsNames, readOnnxMetadata } from '../../../src/main/inspection/onnx-metadata.ts';
import { readVerifiedModel } from '../../../src/main/inspection/verify-model.ts';
import { tempDir } from '../../helpers/tmp.ts';

const TINY = fileURLToPath(new URL('../../fixtures/models/tiny-yolov8/', import.meta.url));

function modelDir(manifest?: unknown): string {
  const dir = tempDir('station-model-');
  copyFileSync(join(TINY, 'model.onnx'), join(dir, 'model.onnx'));
  if (manifest !== undefined) writeFileSync(join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  return dir;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('ONNX metadata (Ultralytics exports)', () => {
  it('reads the metadata_props of the fixture model', () => {
    expect(readOnnxMetadata(readFileSync(join(TINY, 'model.onnx')))).toEqual({ task: 'detect', stride: '32', imgsz: '[64, 64]', names: "{0: 'knife', 1: 'gun'}", version: '0.0.1' });
  });
  it.each([
    ["{0: 'person', 1: 'bicycle', 2: \"o'clock\"}", ['person', 'bicycle', "o'clock"]],
    ["{0: 'a b', 1: 'c'}", ['a b', 'c']],
  ])('parses names %s', (text, names) => expect(parseUltralyticsNames(text)).toEqual(names));
  it('refuses names with a gap', () => expect(() => parseUltralyticsNames("{0: 'a', 2: 'c'}")).toThrow(/cannot read class names/));
  it.each([
    ['[640, 640]', [640, 640]],
    ['[384, 640]', [384, 640]],
    ['416', [416, 416]],
  ])('parses imgsz %s', (text, hw) => expect(parseImgsz(text)).toEqual(hw));
  it('fails cleanly on bytes that are not protobuf', () => expect(() => readOnnxMetadata(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(/past the end|truncated/));
});

describe('loadModelSpec', () => {
  it('understands a bare Ultralytics export from its metadata', () => {
    const spec = loadModelSpec(TINY);
    expect(spec).toMatchObject({ name: 'tiny-yolov8', version: '0.0.1', labels: ['knife', 'gun'], source: 'onnx-metadata', sha256: undefined });
    expect(spec.input).toMatchObject({ width: 64, height: 64, pad: 114, scale: 1 / 255 });
  });
  it('fills a minimal manifest with defaults', () => {
    const spec = loadModelSpec(modelDir({ labels: ['knife', 'gun'], input: { width: 64, height: 64 } }));
    expect(spec).toMatchObject({ version: '0', nmsIou: 0.5, thresholds: { default: 0.25, perClass: {} }, source: 'manifest' });
  });
  it('names the field of an invalid manifest', () => {
    const dir = modelDir({ labels: [], input: { width: 64 } });
    expect(() => loadModelSpec(dir)).toThrow(expect.objectContaining({ code: 'INSPECT_MODEL_INVALID', message: expect.stringMatching(/manifest.json is invalid at labels/) }));
  });
  it('refuses a manifest that is not JSON', () => {
    expect(() => loadModelSpec(modelDir('{labels'))).toThrow(expect.objectContaining({ code: 'INSPECT_MODEL_INVALID', message: expect.stringMatching(/not readable JSON/) }));
  });
  it('reports a folder with no model', () => {
    expect(() => loadModelSpec(tempDir())).toThrow(expect.objectContaining({ code: 'INSPECT_MODEL_MISSING' }));
  });
  it('takes thresholds from config over manifest over default', () => {
    const spec = loadModelSpec(modelDir({ labels: ['knife', 'gun', 'can'], thresholds: { default: 0.3, perClass: { gun: 0.2, can: 0.6 } } }));
    expect([...classThresholds(spec, { can: 0.4 })].map((v) => Math.round(v * 100) / 100)).toEqual([0.3, 0.2, 0.4]);
  });
});

describe('readVerifiedModel', () => {
  it('accepts a model whose sha256 matches its manifest', () => {
    const dir = modelDir();
    const spec = loadModelSpec(modelDir({ labels: ['knife', 'gun'], sha256: sha(join(dir, 'model.onnx')) }));
    expect(readVerifiedModel(spec).byteLength).toBe(readFileSync(join(TINY, 'model.onnx')).length);
  });
  it('refuses a model whose sha256 disagrees, naming both hashes', () => {
    const spec = loadModelSpec(modelDir({ labels: ['knife', 'gun'], sha256: '0'.repeat(64) }));
    expect(() => readVerifiedModel(spec)).toThrow(expect.objectContaining({ code: 'INSPECT_MODEL_HASH_MISMATCH', message: expect.stringMatching(/has sha256 [0-9a-f]{64} but its manifest says 0{64}/) }));
  });
  it('reports a manifest whose model file is missing', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ labels: ['knife'], file: 'gone.onnx' }));
    expect(() => readVerifiedModel(loadModelSpec(dir))).toThrow(expect.objectContaining({ code: 'INSPECT_MODEL_MISSING', message: expect.stringMatching(/gone.onnx does not exist/) }));
  });
});
