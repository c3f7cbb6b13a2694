// What the station needs to know about a model, from our manifest.json, a minimal manifest, or (no
// manifest at all) the metadata an Ultralytics YOLOv8/v11 ONNX export carries.
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { ErrorCodes, StationError, errorMessage } from '../../shared/errors.ts';
import { parseImgsz, parseUltralyticsNames, readOnnxMetadata } from './onnx-metadata.ts';
import type { InputSpec } from './preprocess.ts';

const triple = z.tuple([z.number(), z.number(), z.number()]);

/** Our manifest. Everything but the labels has a default, so `{"labels": [...]}` is a valid minimal manifest. */
export const ManifestSchema = z.object({
  name: z.string().min(1).optional(),
  version: z.string().min(1).default('0'),
  labels: z.array(z.string().min(1)).min(1),
  input: z
    .object({
      width: z.number().int().positive().max(4096).default(640),
      height: z.number().int().positive().max(4096).default(640),
      channels: z.literal(3).default(3),
      layout: z.literal('NCHW').default('NCHW'),
      colorOrder: z.literal('RGB').default('RGB'),
      normalization: z.object({ scale: z.number().positive().default(1 / 255), mean: triple.default([0, 0, 0]), std: triple.default([1, 1, 1]) }).prefault({}),
      letterboxPad: z.number().int().min(0).max(255).default(114),
    })
    .prefault({}),
  output: z.object({ layout: z.literal('yolov8').default('yolov8'), boxFormat: z.literal('cxcywh').default('cxcywh') }).loose().prefault({}),
  thresholds: z.object({ default: z.number().min(0).max(1).default(0.25), perClass: z.record(z.string(), z.number().min(0).max(1)).default({}) }).prefault({}),
  nmsIou: z.number().gt(0).max(1).default(0.5),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  file: z.string().default('model.onnx'),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export interface ModelSpec {
  name: string;
  version: string;
  labels: string[];
  input: InputSpec;
  thresholds: { default: number; perClass: Record<string, number> };
  nmsIou: number;
  /** Absent for a bare Ultralytics export; present means it must match. */
  sha256: string | undefined;
  modelPath: string;
  source: 'manifest' | 'onnx-metadata';
}

function fromManifest(m: Manifest, dir: string, source: ModelSpec['source']): ModelSpec {
  const n = m.input.normalization;
  return {
    name: m.name ?? basename(resolve(dir)),
    version: m.version,
    labels: m.labels,
    input: { width: m.input.width, height: m.input.height, pad: m.input.letterboxPad, scale: n.scale, mean: n.mean, std: n.std },
    thresholds: m.thresholds,
    nmsIou: m.nmsIou,
    sha256: m.sha256,
    modelPath: join(dir, m.file),
    source,
  };
}

export function loadModelSpec(dir: string): ModelSpec {
  const manifestPath = join(dir, 'manifest.json');
  if (existsSync(manifestPath)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
    } catch (e) {
      throw new StationError(ErrorCodes.INSPECT_MODEL_INVALID, `model manifest ${manifestPath} is not readable JSON: ${errorMessage(e)}`, { file: manifestPath });
    }
    const parsed = ManifestSchema.safeParse(raw);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new StationError(ErrorCodes.INSPECT_MODEL_INVALID, `model manifest ${manifestPath} is invalid at ${first?.path.join('.') || '(root)'}: ${first?.message}`, { file: manifestPath });
    }
    return fromManifest(parsed.data, dir, 'manifest');
  }
  const modelPath = join(dir, 'model.onnx');
  if (!existsSync(modelPath)) {
    throw new StationError(ErrorCodes.INSPECT_MODEL_MISSING, `no model in ${dir}: expected manifest.json and model.onnx (or an Ultralytics export named model.onnx)`, { dir });
  }
  // No manifest: an Ultralytics export describes itself in its ONNX metadata.
  let meta: Record<string, string>;
  try {
    meta = readOnnxMetadata(readFileSync(modelPath));
  } catch (e) {
    throw new StationError(ErrorCodes.INSPECT_MODEL_INVALID, `${modelPath} is not an ONNX model: ${errorMessage(e)}`, { file: modelPath });
  }
  if (!meta.names) {
    throw new StationError(ErrorCodes.INSPECT_MODEL_INVALID, `${modelPath} has no manifest.json and no Ultralytics "names" metadata; add a manifest.json with at least {"labels": [...]}`, { file: modelPath });
  }
  try {
    const [height, width] = meta.imgsz ? parseImgsz(meta.imgsz) : [640, 640];
    const m = ManifestSchema.parse({ name: basename(resolve(dir)), version: meta.version ?? '0', labels: parseUltralyticsNames(meta.names), input: { width, height } });
    return fromManifest(m, dir, 'onnx-metadata');
  } catch (e) {
    throw new StationError(ErrorCodes.INSPECT_MODEL_INVALID, `${modelPath}: unreadable Ultralytics metadata: ${errorMessage(e)}`, { file: modelPath });
  }
}

/** Per-class score thresholds in label order: config overrides manifest overrides the manifest default. */
export function classThresholds(spec: ModelSpec, overrides: Record<string, number> = {}): Float32Array {
  return Float32Array.from(spec.labels, (l) => overrides[l] ?? spec.thresholds.perClass[l] ?? spec.thresholds.default);
}
