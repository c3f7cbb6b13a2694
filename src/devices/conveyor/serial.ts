// Conveyor over the serial (or TCP) line protocol of ./protocol.ts: commands REL/HLD with ACK/NAK,
// heartbeats both ways. Writes go through a one-at-a-time queue; acks are awaited concurrently so a
// slow ack for one parcel does not delay the command for the next. A conveyor that stops beating
// ends the session, so the supervisor reports it and reconnects.
import { StationError } from '../../shared/errors.ts';
import { DeviceErrorCodes, type ConveyorAck, type ConveyorCommand } from '../../shared/devices.ts';
import { SafeEmitter } from '../events.ts';
import type { Frame } from '../framing.ts';
import { LineDevice } from '../line-device.ts';
import type { Logger } from '../log.ts';
import type { TransportFactory } from '../transport/types.ts';
import { SerialQueue } from '../waiter.ts';
import { AckTracker, type ConveyorEvents, type ConveyorLink, type ConveyorTiming } from './acks.ts';
import { HeartbeatMonitor } from './heartbeat.ts';
import { formatCommand, formatHeartbeat, parseConveyorLine } from './protocol.ts';

export class SerialConveyor extends LineDevice implements ConveyorLink {
  readonly events: SafeEmitter<ConveyorEvents>;
  private readonly timing: ConveyorTiming;
  private readonly acks: AckTracker;
  private readonly queue = new SerialQueue();
  private hbTimer: NodeJS.Timeout | undefined;
  private hbSeq = 0;
  private monitor: HeartbeatMonitor | undefined;
  private sessionClose: (() => void) | undefined;

  constructor(id: string, factory: TransportFactory, timing: ConveyorTiming, log: Logger, now?: () => number) {
    super(id, 'conveyor', factory, { suffix: 'CRLF', interByteTimeoutMs: 0, maxLineBytes: 128 }, log, now);
    this.timing = timing;
    this.events = new SafeEmitter(log);
    this.acks = new AckTracker(id, timing.ackTimeoutMs);
  }

  override async connect(): ReturnType<LineDevice['connect']> {
    const s = await super.connect();
    this.sessionClose = s.close;
    return s;
  }

  send(cmd: ConveyorCommand): Promise<ConveyorAck> {
    if (!this.connected) return Promise.reject(new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: not connected`, { deviceId: this.id, ...cmd }));
    const ack = this.acks.expect(cmd);
    this.queue.run(() => this.write(formatCommand(cmd.command, cmd.parcelId))).catch((e: unknown) => this.acks.failAll(e as Error));
    return ack;
  }

  protected override onOpen(): void {
    this.monitor = new HeartbeatMonitor(this.timing.heartbeatMs, this.timing.heartbeatMissLimit, performance.now());
    this.hbTimer = setInterval(() => this.tick(), this.timing.heartbeatMs);
    this.tick();
  }

  protected override onClose(why: Error | undefined): void {
    clearInterval(this.hbTimer);
    this.acks.failAll(why ?? new StationError(DeviceErrorCodes.DEVICE_DISCONNECTED, `${this.id}: closed`));
  }

  private tick(): void {
    const now = this.now();
    if (this.monitor?.lost(performance.now())) {
      const missed = this.monitor.missed(performance.now());
      this.log.warn('conveyor heartbeat lost', { deviceId: this.id, missed });
      this.events.emit('heartbeatLost', { deviceId: this.id, missed, at: now });
      this.sessionClose?.();
      return;
    }
    this.queue.run(() => this.write(formatHeartbeat(this.hbSeq++))).catch(() => undefined);
  }

  protected onFrame(frame: Frame, at: number): void {
    if (frame.kind === 'overflow') return;
    const r = parseConveyorLine(frame.bytes);
    if (r.kind === 'ack') {
      const a: ConveyorAck = { type: 'conveyor.ack', deviceId: this.id, parcelId: r.parcelId, command: r.command, ok: r.ok, at };
      if (!this.acks.offer(a)) this.log.warn('unexpected conveyor ack', { deviceId: this.id, parcelId: r.parcelId });
      this.events.emit('event', a);
    } else if (r.kind === 'heartbeat') {
      this.monitor?.beat(performance.now());
      this.events.emit('heartbeat', { deviceId: this.id, seq: r.seq, failsafe: r.failsafe, at });
    } else if (r.kind === 'ignored') {
      this.log.warn('conveyor line ignored', { deviceId: this.id, reason: r.reason });
    }
  }
}
