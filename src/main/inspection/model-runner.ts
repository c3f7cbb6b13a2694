// The inference worker's insides: one onnxruntime-node session behind a message port.
// Protocol (see supervisor.ts): start → ready|failed; run (a tensor) → result|run-error; inspect (the
// encoded image) → inspected|run-error. `inspect` decodes, letterboxes and decodes the output here, off
// the station's event loop: its continuations would otherwise queue behind SQLite commits and MQTT.
import type { MessagePort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { Detection } from '../../shared/domain/detection.ts';
import { isStationError } from '../../shared/errors.ts';
import { decodeYolo } from './decode-yolo.ts';
import { letterboxTensor, type InputSpec } from './preprocess.ts';
import { releaseBuffer } from './release-buffer.ts';
import { warmupFrame, warmupPng, warmupSize } from './warmup-images.ts';

export interface WorkerInit {
  model: Uint8Array;
  inputWidth: number;
  inputHeight: number;
  intraOpThreads: number;
  /** What `inspect` needs besides the session: preprocessing and output decoding (absent: `run` only). */
  inspect?: { input: InputSpec; labels: string[]; thresholds: number[]; nmsIou: number };
}

export interface Inspected {
  detections: Detection[];
  inferenceMs: number;
  preprocessMs: number;
  imageWidth: number;
  imageHeight: number;
}

export type WorkerRequest = { type: 'run'; id: number; tensor: Float32Array } | { type: 'inspect'; id: number; image: Uint8Array };
export type WorkerReply =
  | { type: 'ready'; outputDims: number[]; loadMs: number; warmupMs: number }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; data: Float32Array; dims: number[]; inferenceMs: number }
  /** `inspect`: the image is decoded and the model starts now (the supervisor's timeout starts here). */
  | { type: 'inferring'; id: number }
  | ({ type: 'inspected'; id: number } & Inspected)
  /** `code`/`context`: a StationError about the image itself (corrupt, too large…), passed on as it is. */
  | { type: 'run-error'; id: number; message: string; code?: string; context?: Record<string, unknown> };

export interface ModelRunner {
  outputDims: number[];
  loadMs: number;
  warmupMs: number;
  run(tensor: Float32Array): Promise<{ data: Float32Array; dims: number[]; inferenceMs: number }>;
}

export async function createModelRunner(init: WorkerInit): Promise<ModelRunner> {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(init.model, {
    intraOpNumThreads: init.intraOpThreads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
  });
  const loadMs = performance.now() - t0;
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  const run = async (tensor: Float32Array) => {
    const t = performance.now();
    const out = await session.run({ [inputName]: new ort.Tensor('float32', tensor, [1, 3, init.inputHeight, init.inputWidth]) });
    const inferenceMs = performance.now() - t;
    const o = out[outputName]!;
    return { data: o.data as Float32Array, dims: [...o.dims], inferenceMs };
  };
  // Warm-up: the first run allocates arenas and picks kernels; do it before the first parcel arrives.
  const w0 = performance.now();
  const first = await run(new Float32Array(3 * init.inputWidth * init.inputHeight));
  return { outputDims: first.dims, loadMs, warmupMs: performance.now() - w0, run };
}

/**
 * Input tensors for reuse (1.2 MB each at 320²): a fresh one per image was a steady stream of large
 * allocations for the worker's GC. Taken for the whole run, since inspects may overlap.
 */
const spareTensors: Float32Array[] = [];

/** Encoded image → detections in source pixels, with `runner.run` for the model itself; `inferring` is called between the two. */
export async function inspectImage(runner: Pick<ModelRunner, 'run'>, init: WorkerInit, image: Uint8Array, inferring: () => void = () => {}): Promise<Inspected> {
  const spec = init.inspect;
  if (!spec) throw new Error('this worker was started without preprocessing settings');
  const t0 = performance.now();
  const lb = await letterboxTensor(image, { ...spec.input, width: init.inputWidth, height: init.inputHeight }, spareTensors.pop());
  const tensor = lb.tensor;
  const preprocessMs = performance.now() - t0;
  inferring();
  let r: Awaited<ReturnType<ModelRunner['run']>>;
  try {
    r = await runner.run(tensor);
  } finally {
    if (spareTensors.length < 4) spareTensors.push(tensor);
  }
  const detections = decodeYolo(r.data, r.dims, { labels: spec.labels, thresholds: spec.thresholds, nmsIou: spec.nmsIou, geometry: lb.geometry });
  return { detections, inferenceMs: r.inferenceMs, preprocessMs, imageWidth: lb.geometry.srcWidth, imageHeight: lb.geometry.srcHeight };
}

function runError(id: number, e: unknown): WorkerReply {
  if (isStationError(e)) return { type: 'run-error', id, message: e.message, code: e.code, context: { ...e.context } };
  return { type: 'run-error', id, message: e instanceof Error ? e.message : String(e) };
}

export function serve(port: MessagePort, runner: Pick<ModelRunner, 'run'>, init?: WorkerInit): void {
  port.on('message', (msg: WorkerRequest) => {
    if (msg.type === 'run') {
      runner.run(msg.tensor).then(
        (r) => port.postMessage({ type: 'result', id: msg.id, ...r } satisfies WorkerReply, [r.data.buffer as ArrayBuffer]),
        (e: unknown) => port.postMessage(runError(msg.id, e)),
      );
    } else if (msg.type === 'inspect') {
      const inferring = () => port.postMessage({ type: 'inferring', id: msg.id } satisfies WorkerReply);
      (init ? inspectImage(runner, init, msg.image, inferring) : Promise.reject(new Error('inspect needs the worker init')))
        .then(
          (r) => port.postMessage({ type: 'inspected', id: msg.id, ...r } satisfies WorkerReply),
          (e: unknown) => port.postMessage(runError(msg.id, e)),
        )
        // The image was transferred here and is read no more: its memory goes now, not at the next GC.
        .finally(() => releaseBuffer(msg.image));
    }
  });
}

/** PNG and raw-frame rounds of the whole inspect path at start (see warmup-images.ts); returns their ms per round. */
export async function warmUpInspect(runner: Pick<ModelRunner, 'run'>, init: WorkerInit, rounds = { png: 6, frame: 2 }): Promise<number[]> {
  if (!init.inspect) return [];
  const { width, height } = warmupSize(init.inputWidth, init.inputHeight);
  const images: Uint8Array[] = [...Array<Uint8Array>(rounds.png).fill(warmupPng(width, height)), ...Array<Uint8Array>(rounds.frame).fill(warmupFrame(width, height))];
  const ms: number[] = [];
  for (const image of images) {
    const t = performance.now();
    await inspectImage(runner, init, image);
    ms.push(performance.now() - t);
  }
  return ms;
}

export async function main(port: MessagePort, init: WorkerInit): Promise<void> {
  try {
    const runner = await createModelRunner(init);
    const w0 = performance.now();
    // Best effort: a model whose output does not decode is refused by the caller with the reason.
    await warmUpInspect(runner, init).catch(() => []);
    const warmupMs = runner.warmupMs + (performance.now() - w0);
    serve(port, runner, init);
    port.postMessage({ type: 'ready', outputDims: runner.outputDims, loadMs: runner.loadMs, warmupMs } satisfies WorkerReply);
  } catch (e) {
    port.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
  }
}
