// Keeps one inference worker alive. A call past its deadline rejects with INSPECT_TIMEOUT. Its worker is
// never terminated while it is inside native code: terminating a worker during an onnxruntime run or a
// sharp decode aborts the whole process (Napi::Error thrown into a torn-down environment: "terminate
// called…", SIGABRT). It is set aside instead: left running, unreferenced, and terminated once it
// answers (its run over); a fresh worker takes its place, up to MAX_SET_ASIDE stuck at once. Past that
// every call is refused until one of them answers (each holds a model's memory). For `inspect` the
// model's deadline (timeoutMs) starts when the model does; the decode has its own, far above any real
// decode (decodeTimeoutMs), since a slow decode of a large image only makes that parcel late, which its
// own deadline turns into a HOLD. A crashed worker is restarted with exponential backoff. While no
// worker is ready every call rejects at once with INSPECT_UNAVAILABLE, so the station HOLDs the parcel
// instead of waiting on a dead model.
import { Worker } from 'node:worker_threads';
import { ErrorCodes, StationError, type ErrorCode } from '../../shared/errors.ts';
import type { Inspected, WorkerInit, WorkerReply, WorkerRequest } from './model-runner.ts';

// Set by the Electron bundle (src/main/electron/build.ts) to its own inference-worker.cjs: a bundled
// main process has no worker.ts beside it. Unbundled (Node running the sources) it is undefined.
declare const __STATION_WORKER_URL__: string | undefined;

function defaultWorkerUrl(): URL {
  return typeof __STATION_WORKER_URL__ === 'string' ? new URL(__STATION_WORKER_URL__) : new URL('./worker.ts', import.meta.url);
}

/** A decode past this is stuck, not slow: a 64-megapixel PNG (the input limit; 178 MB of noise) is decoded and letterboxed in ~1 s here. */
export const DEFAULT_DECODE_TIMEOUT_MS = 30_000;
/** How long close() waits for a starting worker to finish loading the model before terminating it. */
const START_WAIT_MS = 15_000;
/** Workers stuck (in a decode or a model run) kept aside at once; past this the supervisor stops replacing them. */
export const MAX_SET_ASIDE = 2;

export interface SupervisorOptions {
  init: WorkerInit;
  timeoutMs: number;
  /** How long an `inspect` may stay in its decode before the worker is set aside (default DEFAULT_DECODE_TIMEOUT_MS). */
  decodeTimeoutMs?: number;
  /** The worker script; tests substitute a misbehaving one. */
  workerUrl?: URL;
  /** Extra workerData for a substituted worker. */
  workerData?: Record<string, unknown>;
  backoffMs?: { first: number; max: number };
  onEvent?: (event: SupervisorEvent) => void;
}

export type SupervisorEvent =
  | { type: 'ready'; generation: number; loadMs: number; warmupMs: number }
  /** A model run ran past timeoutMs: its worker was set aside (`replaced`: a fresh one is starting). */
  | { type: 'timeout'; generation: number; timeoutMs: number; replaced: boolean }
  /** A decode ran past decodeTimeoutMs: the worker was set aside (`replaced`: a fresh one is starting). */
  | { type: 'decode-stuck'; generation: number; decodeTimeoutMs: number; replaced: boolean }
  | { type: 'crashed'; generation: number; reason: string; restartInMs: number };

type Answer = Extract<WorkerReply, { type: 'result' | 'inspected' }>;

interface Pending {
  resolve: (r: Answer) => void;
  reject: (e: StationError) => void;
  /** Armed when the model starts (at once for `run`, on `inferring` for `inspect`). */
  timer?: NodeJS.Timeout;
  /** `inspect` only: armed when posted, cleared on `inferring`. */
  decodeTimer?: NodeJS.Timeout;
}

/** Errors about the image itself keep their code across the thread boundary; anything else means the worker failed. */
const IMAGE_ERRORS = new Set<string>([ErrorCodes.INSPECT_IMAGE_EMPTY, ErrorCodes.INSPECT_IMAGE_UNSUPPORTED, ErrorCodes.INSPECT_IMAGE_CORRUPT, ErrorCodes.INSPECT_IMAGE_TOO_LARGE, ErrorCodes.INSPECT_IMAGE_UNREADABLE]);

export interface RunResult {
  data: Float32Array;
  dims: number[];
  inferenceMs: number;
}

export class WorkerSupervisor {
  private readonly opts: SupervisorOptions;
  private worker: Worker | undefined;
  private state: 'starting' | 'ready' | 'down' | 'closed' = 'down';
  private readonly pending = new Map<number, Pending>();
  /** Runs not yet settled, so close() can let them finish before terminating the worker. */
  private readonly runs = new Set<Promise<Answer>>();
  private nextId = 1;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Workers set aside in a stuck decode or run, still running. */
  private readonly setAside = new Set<Worker>();
  /** Why every call is refused for good, when that is not a plain close(). */
  private refusal: string | undefined;
  generation = 0;
  outputDims: number[] = [];

  constructor(opts: SupervisorOptions) {
    this.opts = opts;
  }

  get isReady(): boolean {
    return this.state === 'ready';
  }

  /** Workers set aside in a stuck decode or run and not yet finished. */
  get setAsideCount(): number {
    return this.setAside.size;
  }

  /** Runs posted and not yet answered (a pool sends the next image to the least busy worker). */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Starts the first worker; rejects with INSPECT_MODEL_INVALID if the model cannot be loaded. */
  async start(): Promise<void> {
    this.spawn();
    await this.whenReady();
  }

  /** Resolves when a worker is ready (after a restart, for instance). */
  whenReady(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(new StationError(ErrorCodes.INSPECT_UNAVAILABLE, 'inspector is closed'));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  /** The model on a prepared tensor (transferred: the caller's buffer is emptied). */
  async run(tensor: Float32Array): Promise<RunResult> {
    const r = await this.request((id) => ({ type: 'run', id, tensor }), [tensor.buffer as ArrayBuffer], true);
    if (r.type !== 'result') throw new StationError(ErrorCodes.INSPECT_UNAVAILABLE, `inference worker answered ${r.type} to run`);
    return { data: r.data, dims: r.dims, inferenceMs: r.inferenceMs };
  }

  /** Decode, letterbox, infer and decode the output in the worker (needs `init.inspect`); the image is copied. */
  async inspect(image: Uint8Array): Promise<Inspected> {
    // A copy with its own exact buffer: a Buffer may be a view into a pooled (untransferable) one.
    const own = new Uint8Array(image);
    const r = await this.request((id) => ({ type: 'inspect', id, image: own }), [own.buffer as ArrayBuffer], false);
    if (r.type !== 'inspected') throw new StationError(ErrorCodes.INSPECT_UNAVAILABLE, `inference worker answered ${r.type} to inspect`);
    const { type: _t, id: _i, ...out } = r;
    return out;
  }

  private request(msg: (id: number) => WorkerRequest, transfer: ArrayBuffer[], timeNow: boolean): Promise<Answer> {
    const worker = this.worker;
    if (this.state !== 'ready' || !worker) {
      const why = this.refusal ?? `inference worker is ${this.state === 'closed' ? 'closed' : 'restarting'}; hold the parcel`;
      return Promise.reject(new StationError(ErrorCodes.INSPECT_UNAVAILABLE, why, { state: this.state }));
    }
    const id = this.nextId++;
    const run = new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(timeNow ? { timer: this.timeoutFor(id) } : { decodeTimer: this.decodeTimeoutFor(id) }) });
      worker.postMessage(msg(id), transfer);
    });
    this.runs.add(run);
    const done = (): void => void this.runs.delete(run);
    run.then(done, done);
    return run;
  }

  private timeoutFor(id: number): NodeJS.Timeout {
    return setTimeout(() => this.onTimeout(id), this.opts.timeoutMs);
  }

  private decodeTimeoutFor(id: number): NodeJS.Timeout {
    return setTimeout(() => this.onDecodeStuck(id), this.opts.decodeTimeoutMs ?? DEFAULT_DECODE_TIMEOUT_MS);
  }

  async close(): Promise<void> {
    const wasUp = this.state === 'ready';
    const wasStarting = this.state === 'starting';
    this.state = 'closed';
    clearTimeout(this.restartTimer);
    // A worker still starting is inside onnxruntime (loading, warm-up runs): terminating it there
    // aborts the process too. Let it report in (ready or failed) or exit first, bounded.
    const starting = this.worker;
    if (wasStarting && starting) {
      let timer: NodeJS.Timeout | undefined;
      const reported = new Promise<void>((r) => {
        starting.on('message', (m: WorkerReply) => void ((m.type === 'ready' || m.type === 'failed') && r()));
        starting.once('exit', () => r());
      });
      await Promise.race([reported, new Promise<void>((r) => (timer = setTimeout(r, START_WAIT_MS)))]);
      clearTimeout(timer);
    }
    // Terminating the worker while onnxruntime is inside a run aborts the whole process (its native
    // completion throws Napi::Error into a torn-down environment: "terminate called…", exit 134 on
    // Ctrl-C). Let the runs in flight finish first, bounded by the per-call timeout.
    // A run still decoding (no timer yet) gets 10 s more: terminating during a decode aborts too.
    if (wasUp && this.runs.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const decoding = [...this.pending.values()].some((p) => p.timer === undefined);
      const waitMs = this.opts.timeoutMs + (decoding ? 10_000 : 0);
      await Promise.race([Promise.allSettled([...this.runs]), new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
    }
    // The same for workers set aside in a run: each is terminated when it answers (a worker stuck for
    // good stays unreferenced and does not keep the process alive).
    if (this.setAside.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const gone = [...this.setAside].map((s) => new Promise<void>((r) => s.once('exit', () => r())));
      await Promise.race([Promise.all(gone), new Promise<void>((r) => (timer = setTimeout(r, this.opts.timeoutMs)))]);
      clearTimeout(timer);
    }
    this.failAll(new StationError(ErrorCodes.INSPECT_UNAVAILABLE, 'inspector closed'));
    for (const w of this.readyWaiters.splice(0)) w.reject(new StationError(ErrorCodes.INSPECT_UNAVAILABLE, 'inspector closed'));
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private spawn(): void {
    const generation = ++this.generation;
    this.state = 'starting';
    const url = this.opts.workerUrl ?? defaultWorkerUrl();
    const worker = new Worker(url, { workerData: { init: this.opts.init, ...this.opts.workerData } });
    this.worker = worker;
    worker.on('message', (msg: WorkerReply) => {
      if (this.setAside.has(worker)) {
        // Its decode or run ended after all: outside native code it can be terminated safely.
        if (msg.type === 'inspected' || msg.type === 'result' || msg.type === 'run-error') {
          this.releaseSetAside(worker);
          void worker.terminate();
        }
        return;
      }
      if (this.worker !== worker) return;
      if (msg.type === 'ready') {
        this.opts.onEvent?.({ type: 'ready', generation, loadMs: msg.loadMs, warmupMs: msg.warmupMs });
        if (this.state === 'closed') return; // close() was waiting for this start to finish
        this.state = 'ready';
        this.outputDims = msg.outputDims;
        for (const w of this.readyWaiters.splice(0)) w.resolve();
      } else if (msg.type === 'failed') {
        // The model itself does not load: restarting will not help.
        const err = new StationError(ErrorCodes.INSPECT_MODEL_INVALID, `model failed to load in onnxruntime: ${msg.message}`);
        this.state = 'closed';
        this.worker = undefined;
        void worker.terminate();
        for (const w of this.readyWaiters.splice(0)) w.reject(err);
      } else {
        const p = this.pending.get(msg.id);
        if (!p) return;
        if (msg.type === 'inferring') {
          clearTimeout(p.decodeTimer);
          p.timer ??= this.timeoutFor(msg.id);
          return;
        }
        this.pending.delete(msg.id);
        clearTimeout(p.timer);
        clearTimeout(p.decodeTimer);
        if (msg.type === 'result' || msg.type === 'inspected') {
          this.failures = 0;
          p.resolve(msg);
        } else if (msg.code && IMAGE_ERRORS.has(msg.code)) {
          p.reject(new StationError(msg.code as ErrorCode, msg.message, msg.context ?? {}));
        } else {
          p.reject(new StationError(ErrorCodes.INSPECT_UNAVAILABLE, `inference failed: ${msg.message}`));
        }
      }
    });
    worker.on('error', (e) => this.onCrash(worker, e.message));
    worker.on('exit', (code) => {
      this.releaseSetAside(worker);
      this.onCrash(worker, `worker exited with code ${code}`);
    });
  }

  private onDecodeStuck(id: number): void {
    const p = this.pending.get(id);
    const w = this.worker;
    if (!p || !w) return;
    const decodeTimeoutMs = this.opts.decodeTimeoutMs ?? DEFAULT_DECODE_TIMEOUT_MS;
    this.pending.delete(id);
    p.reject(new StationError(ErrorCodes.INSPECT_TIMEOUT, `image decode took longer than ${decodeTimeoutMs} ms; that inference worker was set aside`, { decodeTimeoutMs }));
    const replaced = this.setAsideWorker(w, 'inference worker set aside in a stuck image decode');
    this.opts.onEvent?.({ type: 'decode-stuck', generation: this.generation, decodeTimeoutMs, replaced });
    if (replaced) this.spawn();
  }

  private onTimeout(id: number): void {
    const p = this.pending.get(id);
    const w = this.worker;
    if (!p || !w) return;
    const { timeoutMs } = this.opts;
    this.pending.delete(id);
    p.reject(new StationError(ErrorCodes.INSPECT_TIMEOUT, `inference took longer than ${timeoutMs} ms; that inference worker was set aside`, { timeoutMs }));
    const replaced = this.setAsideWorker(w, 'inference worker set aside after a timeout');
    this.opts.onEvent?.({ type: 'timeout', generation: this.generation, timeoutMs, replaced });
    // Backoff as after a crash: a model that times out on every run must not respawn once per parcel.
    if (replaced) this.restartLater();
  }

  /**
   * Takes the current worker out of service without terminating it (see the header): the calls it
   * holds fail, and it is terminated when it answers. False once too many are stuck at once: then
   * nothing replaces it and every call is refused until a restart.
   */
  private setAsideWorker(w: Worker, why: string): boolean {
    this.setAside.add(w);
    w.unref();
    this.worker = undefined;
    this.state = 'down';
    this.failAll(new StationError(ErrorCodes.INSPECT_UNAVAILABLE, why));
    if (this.setAside.size <= MAX_SET_ASIDE) return true;
    // Each stuck worker holds a model's memory; stop replacing them and hold every parcel instead.
    this.refusal = `${this.setAside.size} inference workers are stuck in an image decode or a model run; every parcel is held until one of them finishes or the station is restarted`;
    for (const r of this.readyWaiters.splice(0)) r.reject(new StationError(ErrorCodes.INSPECT_UNAVAILABLE, this.refusal));
    return false;
  }

  /** A set-aside worker is done (answered or exited): if that was all that kept calls refused, start a fresh one. */
  private releaseSetAside(worker: Worker): void {
    if (!this.setAside.delete(worker)) return;
    if (this.refusal !== undefined && this.state === 'down') {
      this.refusal = undefined;
      this.spawn();
    }
  }

  private onCrash(worker: Worker, reason: string): void {
    if (this.worker !== worker || this.state === 'closed') return;
    this.worker = undefined;
    const wasStarting = this.state === 'starting' && this.generation === 1;
    this.state = 'down';
    this.failAll(new StationError(ErrorCodes.INSPECT_UNAVAILABLE, `inference worker crashed: ${reason}`));
    if (wasStarting) {
      // Never came up once: report to start() rather than loop.
      this.state = 'closed';
      for (const w of this.readyWaiters.splice(0)) w.reject(new StationError(ErrorCodes.INSPECT_MODEL_INVALID, `inference worker failed to start: ${reason}`));
      return;
    }
    const delay = this.restartLater();
    this.opts.onEvent?.({ type: 'crashed', generation: this.generation, reason, restartInMs: delay });
  }

  /** Spawns a fresh worker after an exponential backoff over consecutive failures; returns the delay. */
  private restartLater(): number {
    const { first, max } = this.opts.backoffMs ?? { first: 50, max: 10_000 };
    const delay = this.failures === 0 ? 0 : Math.min(max, first * 2 ** (this.failures - 1));
    this.failures++;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.state !== 'closed') this.spawn();
    }, delay);
    this.restartTimer.unref();
    return delay;
  }

  private failAll(err: StationError): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      clearTimeout(p.decodeTimer);
      p.reject(err);
      this.pending.delete(id);
    }
  }
}
