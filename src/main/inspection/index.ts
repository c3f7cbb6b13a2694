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
  /** Inference workers, each its own session; an image goes to the next idle one, in arrival order (default 1). */
  workers?: number;
  /** A decode stuck this long sets its worker aside (supervisor.ts; default DEFAULT_DECODE_TIMEOUT_MS). */
  decodeTimeoutMs?: number;
  /** Worker restarts, timeouts and stuck decodes, for alarms. */
  onEvent?: SupervisorOptions['onEvent'];
  /** Test seam: a substitute worker script and its extra workerData. */
  worker?: Pick<SupervisorOptions, 'workerUrl' | 'workerData' | 'backoffMs'>;
}

export interface StationInspector extends Inspector {
  readonly spec: ModelSpec;
  /** The first worker's supervisor (all of them: `supervisors`). */
  readonly supervisor: WorkerSupervisor;
  readonly supervisors: readonly WorkerSupervisor[];
}

interface PoolMember<R> {
  isReady: boolean;
  inFlight: number;
  inspect(image: Uint8Array): Promise<R>;
}

/**
 * One queue in front of the workers: an image goes to a worker only when that worker is idle. Posting
 * it to the least busy worker at once made it wait behind that worker's run even when the other one
 * finished first (at 25 parcels/s on two cores a run takes 20–70 ms, so the wrong guess cost tens of ms
 * at the p99). With no worker ready at all (all restarting), an image goes straight to the first
 * worker, which refuses it at once: the parcel is held rather than kept waiting.
 */
export function workerQueue<R>(pool: readonly PoolMember<R>[]): (image: Uint8Array) => Promise<R> {
  const waiting: { image: Uint8Array; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  const pump = (): void => {
    while (waiting.length > 0) {
      const worker = pool.find((w) => w.isReady && w.inFlight === 0) ?? (pool.some((w) => w.isReady) ? undefined : pool[0]!);
      if (!worker) return; // all busy: the next run to finish pumps again
      const job = waiting.shift()!;
      // inspect() posts synchronously, so inFlight is already counted when the loop looks again.
      worker.inspect(job.image).then(job.resolve, job.reject).finally(pump);
    }
  };
  return (image) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ image, resolve, reject });
      pump();
    });
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
        ...(opts.decodeTimeoutMs !== undefined ? { decodeTimeoutMs: opts.decodeTimeoutMs } : {}),
        ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
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
  const next = workerQueue(pool);
  return {
    model: name,
    spec,
    supervisor,
    supervisors: pool,
    async inspect(image: Uint8Array): Promise<InspectionOutput> {
      // Decoded, letterboxed and inferred in the worker, off this event loop. None ready (all
      // restarting): the first one's inspect() rejects with INSPECT_UNAVAILABLE → HOLD.
      const t0 = performance.now();
      const r = await next(image);
      const waitMs = Math.max(0, performance.now() - t0 - r.preprocessMs - r.inferenceMs);
      return { model: name, ...r, waitMs };
    },
    close: closeAll,
  };
}
