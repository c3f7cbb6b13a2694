// Smart image inspection: openInspector() loads a verified model into a supervised worker and returns an
// Inspector that turns encoded image bytes into detections in original image pixels.
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InspectionOutput, Inspector, InspectorOptions } from '../../shared/domain/detection.ts';
import { ErrorCodes, StationError, errorMessage } from '../../shared/errors.ts';
import { decodeYolo, outputLayout } from './decode-yolo.ts';
import { classThresholds, loadModelSpec, type ModelSpec } from './manifest.ts';
import { letterbox, toTensor } from './preprocess.ts';
import { WorkerSupervisor, type SupervisorOptions } from './supervisor.ts';
import { readVerifiedModel } from './verify-model.ts';

/** The packaged desktop app ships models as extra resources beside app.asar (electron-builder.yml). */
export function shippedModelDir(resourcesPath = (process as { resourcesPath?: string }).resourcesPath): string {
  const packaged = resourcesPath ? join(resourcesPath, 'models', 'xray-det') : undefined;
  if (packaged && existsSync(join(packaged, 'manifest.json'))) return packaged + sep;
  return fileURLToPath(new URL('../../../models/xray-det/', import.meta.url));
}

export const SHIPPED_MODEL_DIR = shippedModelDir();
export const DEFAULT_TIMEOUT_MS = 2000;

export interface OpenOptions extends InspectorOptions {
  /** onnxruntime intra-op threads; 1 measured fastest for the shipped model on 2 shared cores. */
  intraOpThreads?: number;
  /** Test seam: a substitute worker script and its extra workerData. */
  worker?: Pick<SupervisorOptions, 'workerUrl' | 'workerData' | 'backoffMs' | 'onEvent'>;
}

export interface StationInspector extends Inspector {
  readonly spec: ModelSpec;
  readonly supervisor: WorkerSupervisor;
}

export async function openInspector(opts: OpenOptions = {}): Promise<StationInspector> {
  const dir = opts.modelDir ?? SHIPPED_MODEL_DIR;
  const spec = loadModelSpec(dir);
  const model = readVerifiedModel(spec);
  const thresholds = classThresholds(spec, opts.classThresholds);
  const supervisor = new WorkerSupervisor({
    init: { model, inputWidth: spec.input.width, inputHeight: spec.input.height, intraOpThreads: opts.intraOpThreads ?? 1 },
    timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...opts.worker,
  });
  await supervisor.start();
  try {
    outputLayout(supervisor.outputDims, spec.labels.length);
  } catch (e) {
    await supervisor.close();
    throw new StationError(ErrorCodes.INSPECT_MODEL_INVALID, `${spec.modelPath}: ${errorMessage(e)}`, { file: spec.modelPath });
  }
  const name = `${spec.name}@${spec.version}`;
  const { width, height, pad } = spec.input;
  return {
    model: name,
    spec,
    supervisor,
    async inspect(image: Uint8Array): Promise<InspectionOutput> {
      const lb = await letterbox(image, width, height, pad);
      const tensor = toTensor(lb.rgb, width, height, spec.input);
      const r = await supervisor.run(tensor);
      const detections = decodeYolo(r.data, r.dims, { labels: spec.labels, thresholds, nmsIou: spec.nmsIou, geometry: lb.geometry });
      return { model: name, detections, inferenceMs: r.inferenceMs, imageWidth: lb.geometry.srcWidth, imageHeight: lb.geometry.srcHeight };
    },
    close: () => supervisor.close(),
  };
}
