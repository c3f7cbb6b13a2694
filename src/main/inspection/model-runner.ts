// The inference worker's insides: one onnxruntime-node session behind a message port.
// Protocol (see supervisor.ts): start → ready|failed; run → result|run-error.
import type { MessagePort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

export interface WorkerInit {
  model: Uint8Array;
  inputWidth: number;
  inputHeight: number;
  intraOpThreads: number;
}

export type WorkerRequest = { type: 'run'; id: number; tensor: Float32Array };
export type WorkerReply =
  | { type: 'ready'; outputDims: number[]; loadMs: number; warmupMs: number }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; data: Float32Array; dims: number[]; inferenceMs: number }
  | { type: 'run-error'; id: number; message: string };

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

export function serve(port: MessagePort, runner: Pick<ModelRunner, 'run'>): void {
  port.on('message', (msg: WorkerRequest) => {
    if (msg.type !== 'run') return;
    runner.run(msg.tensor).then(
      (r) => port.postMessage({ type: 'result', id: msg.id, ...r } satisfies WorkerReply, [r.data.buffer as ArrayBuffer]),
      (e: unknown) => port.postMessage({ type: 'run-error', id: msg.id, message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply),
    );
  });
}

export async function main(port: MessagePort, init: WorkerInit): Promise<void> {
  try {
    const runner = await createModelRunner(init);
    serve(port, runner);
    port.postMessage({ type: 'ready', outputDims: runner.outputDims, loadMs: runner.loadMs, warmupMs: runner.warmupMs } satisfies WorkerReply);
  } catch (e) {
    port.postMessage({ type: 'failed', message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
  }
}
