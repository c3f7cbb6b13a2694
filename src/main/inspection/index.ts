// Smart image inspection: openInspector() loads a verified model into a supervised worker and returns an
// Inspector that turns encoded image bytes into detections in original image pixels.
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InspectionOutput, Inspector, InspectorOptions } from '../../shared/domain/detection.ts';
import { ErrorCodes, StationError, errorMessage } from '../../shared/errors.ts';
import { outputLayout } from './decode-yolo.ts';
import { classThresholds, loadModelSpec, type ModelSpec } from './manifest.ts';
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
  /** Inference workers, each its own session; an image goes to the least busy ready one (default 1). */
  workers?: number;
  /** Test seam: a substitute worker script and its extra workerData. */
  worker?: Pick<SupervisorOptions, 'workerUrl' | 'workerData' | 'backoffMs' | 'onEvent'>;
}

export interface StationInspector extends Inspector {
  readonly spec: ModelSpec;
  /** The first worker's supervisor (all of them: `supervisors`). */
  readonly supervisor: WorkerSupervisor;
  readonly supervisors: readonly WorkerSupervisor[];
}

/** The ready worker with the fewest runs in flight; undefined when none is ready. */
export function leastBusy<S extends { isReady: boolean; inFlight: number }>(pool: readonly S[]): S | undefined {
  let best: S | undefined;
  for (const s of pool) if (s.isReady && (!best || s.inFlight < best.inFlight)) best = s;
  return best;
}

export async function openInspector(opts: OpenOptions = {}): Promise<StationInspector> {
  const dir = opts.modelDir ?? SHIPPED_MODEL_DIR;
  const spec = loadModelSpec(dir);
  const model = readVerifiedModel(spec);
  const thresholds = classThresholds(spec, opts.classThresholds);
  const pool = Array.from(
    { length: Math.max(1, opts.workers ?? 1) },
    () =>
      new WorkerSupervisor({
        init: {
          model,
          inputWidth: spec.input.width,
          inputHeight: spec.input.height,
          intraOpThreads: opts.intraOpThreads ?? 1,
          inspect: { input: spec.input, labels: [...spec.labels], thresholds: [...thresholds], nmsIou: spec.nmsIou },
        },
        timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        ...opts.worker,
      }),
  );
  const closeAll = () => Promise.all(pool.map((s) => s.close())).then(() => undefined);
  const started = await Promise.allSettled(pool.map((s) => s.start()));
  const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await closeAll();
    throw failed.reason;
  }
  const supervisor = pool[0]!;
  try {
    outputLayout(supervisor.outputDims, spec.labels.length);
  } catch (e) {
    await closeAll();
    throw new StationError(ErrorCodes.INSPECT_MODEL_INVALID, `${spec.modelPath}: ${errorMessage(e)}`, { file: spec.modelPath });
  }
  const name = `${spec.name}@${spec.version}`;
  return {
    model: name,
    spec,
    supervisor,
    supervisors: pool,
    async inspect(image: Uint8Array): Promise<InspectionOutput> {
      // Decoded, letterboxed and inferred in the worker, off this event loop. None ready (all
      // restarting): the first one's inspect() rejects with INSPECT_UNAVAILABLE → HOLD.
      const t0 = performance.now();
      const r = await (leastBusy(pool) ?? supervisor).inspect(image);
      const waitMs = Math.max(0, performance.now() - t0 - r.preprocessMs - r.inferenceMs);
      return { model: name, ...r, waitMs };
    },
    close: closeAll,
  };
}
