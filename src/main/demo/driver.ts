// The demonstration line: plays parcels through the simulated devices the way a real line does —
// the barcode reader and scale before the tunnel, then the scanner's photo-eye PIN/POUT and the
// image with the same sequence number — using the real protocols over real transports (TCP byte
// streams and the MQTT broker). Each parcel's declaration is imported before the parcel arrives.
import { setTimeout as sleep } from 'node:timers/promises';
import type { StationMqtt } from '../../devices/mqtt/client.ts';
import { formatContinuous } from '../../devices/sim/scale-sim.ts';
import type { SimEndpoint } from '../../devices/sim/endpoint.ts';
import { formatSeq } from '../../devices/scanner/status-parser.ts';
import { demoParcel, renameParcel, stampFrame, stampPng, withRawFrame, type DemoParcel } from './parcels.ts';

export interface DemoDriverOptions {
  seed: number;
  /** Parcels per second. */
  rate: number;
  /** Stop after this many parcels (default: run until stopped). */
  count?: number;
  /**
   * Number of this run's first parcel (default 1): its waybill and tunnel sequence. A station that
   * restarts on the same data continues the numbering, so its parcels are not duplicates (D09) of
   * the last run's. Everything else (`count`, `prepare(n)`) counts this run's parcels from 1.
   */
  first?: number;
  /** Distinct renders to cycle through (rendering costs ~0.1 s of CPU); default: every parcel is new. */
  poolSize?: number;
  /** Reused renders get a per-parcel PNG text chunk, so every parcel's image is a distinct file. */
  uniqueImages?: boolean;
  /** How long before tunnel entry the barcode is read and the parcel weighed. */
  leadMs: number;
  /** Tunnel entry → exit. */
  transitMs: number;
  barcode?: SimEndpoint;
  scale?: SimEndpoint;
  status: SimEndpoint;
  mqtt: StationMqtt;
  imageMode: 'json' | 'binary';
  /** What the scanner sends: the PNG (default) or the raw frame as binary netpbm (`pnm`, no decode at the station). */
  frame?: 'png' | 'pnm';
  /** Send barcode reads over MQTT tagged with the tunnel sequence instead of over `barcode`. */
  barcodeOverMqtt?: boolean;
  /** Imports declarations; called ahead of the parcels that need them. */
  declare(parcels: DemoParcel[]): void;
  say?(line: string): void;
  onParcel?(p: { seq: number; waybill: string; mismatch: string; imageAt: number }): void;
}

const LOOKAHEAD = 10;

export class DemoLineDriver {
  private readonly o: DemoDriverOptions;
  // Promises, not parcels: concurrent look-ahead calls must share one render per slot, not start their own.
  private readonly pool: Promise<DemoParcel>[] = [];
  private readonly ready = new Map<number, DemoParcel>();
  private next = 1;
  private declaredUpTo = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Cuts short the plays still before the tunnel when the driver stops. */
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  sent = 0;

  constructor(o: DemoDriverOptions) {
    this.o = o;
  }

  /** The waybill of this run's i-th parcel. */
  waybill(i: number): string {
    return `XS${String(this.o.seed % 1_000_000).padStart(6, '0')}${String(this.number(i)).padStart(7, '0')}`;
  }

  private number(i: number): number {
    return (this.o.first ?? 1) - 1 + i;
  }

  /** Renders and declares parcels 1..n ahead of time (the bench declares all before starting). */
  async prepare(n: number): Promise<void> {
    const batch: DemoParcel[] = [];
    for (let i = this.declaredUpTo + 1; i <= n; i++) {
      const p = await this.parcel(i);
      this.ready.set(i, p);
      batch.push(p);
    }
    if (batch.length) this.o.declare(batch);
    this.declaredUpTo = Math.max(this.declaredUpTo, n);
  }

  async start(): Promise<void> {
    await this.prepare(Math.min(LOOKAHEAD, this.o.count ?? LOOKAHEAD));
    this.status('READY\r\n');
    const period = Math.max(1, Math.round(1000 / this.o.rate));
    // Parcels are due on an absolute schedule: a timer that fires late (a busy event loop) plays the
    // parcels it owes at once, so the offered rate is the requested one, not the timer's.
    // Monotonic: a wall-clock step must not make the line play an hour of parcels at once, or none.
    const t0 = performance.now();
    const first = this.next;
    this.timer = setInterval(() => {
      const due = first + Math.floor(((performance.now() - t0) * this.o.rate) / 1000);
      while (this.next <= due) {
        if (this.o.count !== undefined && this.next > this.o.count) return this.finish();
        this.launch(this.next++);
      }
    }, Math.min(period, 20));
  }

  private launch(n: number): void {
    const run = this.play(n).catch((e: Error) => {
      if (!this.stopped) this.o.say?.(`demo parcel ${n} failed: ${e.message}`);
    });
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    const ahead = Math.min(n + LOOKAHEAD, this.o.count ?? Infinity);
    if (ahead > this.declaredUpTo) void this.prepare(ahead).catch((e: Error) => this.o.say?.(`demo declarations failed: ${e.message}`));
  }

  /** Resolves when every parcel started so far has been played to its image. */
  async drain(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    clearInterval(this.timer);
  }

  private finish(): void {
    clearInterval(this.timer);
  }

  private async parcel(i: number): Promise<DemoParcel> {
    const size = this.o.poolSize;
    // The raw frame is made once per render, with it: the bench runs the driver in the station's process.
    const render = (n: number) => (this.o.frame === 'pnm' ? demoParcel(this.o.seed, n).then(withRawFrame) : demoParcel(this.o.seed, n));
    if (size === undefined) return render(this.number(i));
    const k = (i - 1) % size;
    this.pool[k] ??= render(k + 1);
    const p = renameParcel(await this.pool[k], this.waybill(i));
    if (!this.o.uniqueImages) return p;
    return p.frame ? { ...p, frame: stampFrame(p.frame, 'waybill', p.waybill) } : { ...p, png: stampPng(p.png, 'waybill', p.waybill) };
  }

  private status(line: string): void {
    this.o.status.write(line);
  }

  private async play(i: number): Promise<void> {
    const p = this.ready.get(i) ?? (await this.parcel(i));
    this.ready.delete(i);
    const seq = this.number(i);
    if (this.o.barcodeOverMqtt) {
      await this.o.mqtt.publish('barcodeScan', { code: p.waybill, symbology: ']C1', at: Date.now(), seq });
    } else {
      this.o.barcode?.write(`]C1${p.waybill}\r\n`);
    }
    if (this.o.scale) {
      // A continuous-output indicator: settling, stable at the parcel's weight, then empty again.
      const kg = p.weightKg;
      this.o.scale.write(formatContinuous(kg * 0.6, false, false) + formatContinuous(kg * 1.02, false, false));
      for (let i = 0; i < 4; i++) this.o.scale.write(formatContinuous(kg, true, false));
      setTimeout(() => this.o.scale?.write(formatContinuous(0, true, false).repeat(3)), Math.min(this.o.leadMs, 500)).unref();
    }
    // Stopping cuts a parcel short only before the tunnel; one inside it is played to its image, so a
    // stop does not leave the line a parcel seen only in part.
    await sleep(this.o.leadMs, undefined, { signal: this.abort.signal });
    this.status(`PIN ${formatSeq(seq)}\r\n`);
    await sleep(this.o.transitMs);
    this.status(`POUT ${formatSeq(seq)}\r\n`);
    const at = Date.now();
    const image = p.frame ?? p.png;
    if (this.o.imageMode === 'json') {
      await this.o.mqtt.publishRaw(this.o.mqtt.topic('imageJson'), JSON.stringify({ seq, at, image: image.toString('base64') }), { qos: 1, retain: false });
    } else {
      const id = `d${seq}`;
      await this.o.mqtt.publishRaw(this.o.mqtt.topic('imageMeta'), JSON.stringify({ id, seq, at, dualEnergy: false }), { qos: 1, retain: false });
      await this.o.mqtt.publishRaw(`${this.o.mqtt.topic('imageMeta').replace(/meta$/, 'bin')}/${id}`, image, { qos: 1, retain: false });
    }
    this.sent++;
    this.o.onParcel?.({ seq, waybill: p.waybill, mismatch: p.mismatch, imageAt: at });
  }
}

