// The shared part of every line-oriented driver: open a stream through the transport factory,
// feed bytes through a bounded LineFramer (with an idle timer for the inter-byte timeout), hand
// each frame to the driver, and report the end of the connection to the supervisor.
import type { Duplex } from 'node:stream';
import { StationError } from '../shared/errors.ts';
import { DeviceErrorCodes, type DeviceKind } from '../shared/devices.ts';
import { LineFramer, type Frame, type FramerOptions } from './framing.ts';
import type { Logger } from './log.ts';
import type { Session, Supervised } from './supervisor.ts';
import type { TransportFactory } from './transport/types.ts';

export abstract class LineDevice implements Supervised {
  readonly id: string;
  readonly kind: DeviceKind;
  protected readonly log: Logger;
  private readonly factory: TransportFactory | undefined;
  private readonly framing: FramerOptions;
  private stream: Duplex | undefined;
  private seen: number | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  protected readonly now: () => number;

  constructor(id: string, kind: DeviceKind, factory: TransportFactory | undefined, framing: FramerOptions, log: Logger, now: () => number = Date.now) {
    this.id = id;
    this.kind = kind;
    this.factory = factory;
    this.framing = framing;
    this.log = log;
    this.now = now;
  }

  /** One frame (a line, or an overflow report) from the device. Must not throw; errors are logged. */
  protected abstract onFrame(frame: Frame, at: number): void;
  /** Called once the stream is open (e.g. to start pollers or heartbeats). */
  protected onOpen(): void {}
  /** Called when the stream ends (pending requests should fail now). */
  protected onClose(_why: Error | undefined): void {}

  lastSeen(): number | null {
    return this.seen;
  }

  present(): boolean | undefined {
    return this.factory?.present?.();
  }

  get connected(): boolean {
    return this.stream !== undefined;
  }

  async connect(): Promise<Session> {
    if (!this.factory) throw new StationError(DeviceErrorCodes.DEVICE_CONFIG, `${this.id}: no byte transport configured`, { deviceId: this.id });
    const stream = await this.factory();
    const framer = new LineFramer(this.framing);
    this.stream = stream;
    let settle!: (why: Error | undefined) => void;
    const closed = new Promise<Error | undefined>((r) => (settle = r));
    let ended = false;
    const finish = (why: Error | undefined): void => {
      if (ended) return;
      ended = true;
      clearTimeout(this.idleTimer);
      if (this.stream === stream) this.stream = undefined;
      stream.removeAllListeners('data');
      stream.destroy();
      try {
        this.onClose(why);
      } catch (e) {
        this.log.error('onClose failed', { deviceId: this.id, error: String(e) });
      }
      settle(why);
    };
    const deliver = (frames: Frame[], at: number): void => {
      for (const f of frames) {
        try {
          this.onFrame(f, at);
        } catch (e) {
          this.log.error('frame handler failed', { deviceId: this.id, error: String(e) });
        }
      }
    };
    const armIdle = (): void => {
      clearTimeout(this.idleTimer);
      const due = framer.pendingDeadline();
      if (due === undefined) return;
      this.idleTimer = setTimeout(() => {
        const at = this.now();
        deliver(framer.idle(at), at);
        armIdle();
      }, Math.max(1, due - this.now()));
    };
    stream.on('data', (chunk: Buffer) => {
      const at = this.now();
      this.seen = at;
      deliver(framer.push(chunk, at), at);
      armIdle();
    });
    stream.on('error', (e: Error) => finish(new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: ${e.message}`, { deviceId: this.id }, { cause: e })));
    stream.on('close', () => finish(new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: ${this.factory!.describe} closed`, { deviceId: this.id })));
    stream.on('end', () => finish(new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: ${this.factory!.describe} ended`, { deviceId: this.id })));
    try {
      this.onOpen();
    } catch (e) {
      this.log.error('onOpen failed', { deviceId: this.id, error: String(e) });
    }
    return { closed, close: () => finish(undefined) };
  }

  /** Writes bytes; fails with DEVICE_DISCONNECTED when no stream is open. */
  protected write(data: string | Uint8Array): Promise<void> {
    const s = this.stream;
    if (!s) return Promise.reject(new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: not connected`, { deviceId: this.id }));
    return new Promise((resolve, reject) =>
      s.write(data, (err) => (err ? reject(new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: write failed: ${err.message}`, { deviceId: this.id }, { cause: err })) : resolve())),
    );
  }

  /** Marks activity that did not come through the stream (e.g. MQTT or keyboard-wedge input). */
  protected touch(at: number): void {
    this.seen = at;
  }
}
