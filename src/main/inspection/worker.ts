// Inference worker thread entry: holds one onnxruntime-node session so a slow or stuck inference never
// blocks the station's event loop, and a wedged native call can be ended by terminating the thread.
import { parentPort, workerData } from 'node:worker_threads';
import { main, type WorkerInit } from './model-runner.ts';

if (parentPort) void main(parentPort, (workerData as { init: WorkerInit }).init);
