// Scale driver. Two protocols:
// - continuous: the indicator streams "ST,GS,+0001.234kg" lines; every line becomes a reading.
// - mt-sics: request/response; `weigh()` sends "S" (stable weight) through the one-at-a-time queue
//   and waits for the reply; an optional poller sends "SI" so the live weight is visible.
// A reading is reported stable only when the scale says so and the last N readings agree.
import { StationError } from '../../shared/errors.ts';
import { DeviceErrorCodes, type ScaleFault, type WeightReading } from '../../shared/devices.ts';
import { SafeEmitter } from '../events.ts';
import type { Frame } from '../framing.ts';
import { LineDevice } from '../line-device.ts';
import type { Logger } from '../log.ts';
import type { TransportFactory } from '../transport/types.ts';
import { SerialQueue, Waiter } from '../waiter.ts';
import { parseContinuousLine } from './continuous-parser.ts';
import { parseMtSicsLine, type MtSicsResponse } from './mtsics-parser.ts';
import { StableDetector } from './stable.ts';

export interface ScaleOptions {
  protocol: 'continuous' | 'mt-sics';
  stableReadings: number;
  stableToleranceKg: number;
  /** mt-sics: poll "SI" this often (0 = only on weigh()). */
  pollMs: number;
  requestTimeoutMs: number;
}

export class ScaleDriver extends LineDevice {
  readonly events: SafeEmitter<{ event: WeightReading | ScaleFault }>;
  private readonly opts: ScaleOptions;
  private readonly stable: StableDetector;
  private readonly queue = new SerialQueue();
  private readonly replies = new Waiter<MtSicsResponse>();
  private poller: NodeJS.Timeout | undefined;
  private latest: WeightReading | undefined;

  constructor(id: string, factory: TransportFactory | undefined, opts: ScaleOptions, log: Logger, now?: () => number) {
    super(id, 'scale', factory, { suffix: 'CRLF', interByteTimeoutMs: 0, maxLineBytes: 128 }, log, now);
    this.opts = opts;
    this.events = new SafeEmitter(log);
    this.stable = new StableDetector(opts.stableReadings, opts.stableToleranceKg);
  }

  /** The last reading seen, if any. */
  current(): WeightReading | undefined {
    return this.latest;
  }

  protected override onOpen(): void {
    this.stable.reset();
    if (this.opts.protocol === 'mt-sics' && this.opts.pollMs > 0) {
      this.poller = setInterval(() => {
        this.request('SI').catch(() => undefined); // failures show up as health, not as noise here
      }, this.opts.pollMs);
    }
  }

  protected override onClose(why: Error | undefined): void {
    clearInterval(this.poller);
    this.replies.rejectAll(why ?? new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: closed`));
  }

  protected onFrame(frame: Frame, at: number): void {
    if (frame.kind === 'overflow') return this.log.warn('scale line too long', { deviceId: this.id, discarded: frame.discarded });
    if (this.opts.protocol === 'continuous') {
      const r = parseContinuousLine(frame.bytes);
      if (r.kind === 'weight') this.reading(r.kg, r.stable, at);
      else if (r.kind === 'overload') this.fault('overload', at);
      return;
    }
    const r = parseMtSicsLine(frame.bytes);
    if (r.kind === 'weight') this.reading(r.kg, r.stable, at);
    else if (r.kind === 'overload' || r.kind === 'underload') this.fault(r.kind, at);
    else if (r.kind === 'error') this.fault('error', at);
    this.replies.offer(r);
  }

  /** MT-SICS "S": the next stable weight, or a DEVICE_TIMEOUT / DEVICE_PROTOCOL error. */
  async weigh(): Promise<WeightReading> {
    if (this.opts.protocol !== 'mt-sics') {
      const w = this.latest;
      if (w?.stable) return w;
      throw new StationError(DeviceErrorCodes.DEVICE_TIMEOUT, `${this.id}: no stable weight yet`, { deviceId: this.id });
    }
    const r = await this.request('S');
    if (r.kind !== 'weight') throw new StationError(DeviceErrorCodes.DEVICE_PROTOCOL, `${this.id}: scale answered ${r.kind} to S`, { deviceId: this.id, reply: r });
    return { type: 'scale.weight', deviceId: this.id, kg: r.kg, stable: r.stable, at: this.now() };
  }

  private request(cmd: 'S' | 'SI'): Promise<MtSicsResponse> {
    return this.queue.run(async () => {
      const reply = this.replies.wait(
        (r) => r.kind !== 'other',
        this.opts.requestTimeoutMs,
        () => new StationError(DeviceErrorCodes.DEVICE_TIMEOUT, `${this.id}: no answer to ${cmd} within ${this.opts.requestTimeoutMs} ms`, { deviceId: this.id, command: cmd }),
      );
      await this.write(`${cmd}\r\n`).catch((e: unknown) => {
        this.replies.rejectAll(e as Error);
      });
      return reply;
    });
  }

  private reading(kg: number, flagged: boolean, at: number): void {
    const stable = this.stable.push(kg, flagged);
    this.latest = { type: 'scale.weight', deviceId: this.id, kg, stable, at };
    this.events.emit('event', this.latest);
  }

  private fault(reason: ScaleFault['reason'], at: number): void {
    this.stable.reset();
    this.events.emit('event', { type: 'scale.fault', deviceId: this.id, reason, at });
  }
}
