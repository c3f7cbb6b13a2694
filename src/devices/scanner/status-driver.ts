// Scanner status channel (serial or TCP): tunnel photo-eye events with sequence numbers, ready and
// fault. Sequence gaps are logged (a lost PIN/POUT means the image ↔ parcel match needs care).
import type { ScannerStatus, TunnelEvent } from '../../shared/devices.ts';
import { SafeEmitter } from '../events.ts';
import type { Frame } from '../framing.ts';
import { LineDevice } from '../line-device.ts';
import type { Logger } from '../log.ts';
import type { TransportFactory } from '../transport/types.ts';
import { parseStatusLine } from './status-parser.ts';

export class ScannerStatusDriver extends LineDevice {
  readonly events: SafeEmitter<{ event: TunnelEvent | ScannerStatus }>;
  private lastIn: number | undefined;

  constructor(id: string, factory: TransportFactory | undefined, log: Logger, now?: () => number) {
    super(id, 'scanner', factory, { suffix: 'LF', interByteTimeoutMs: 0, maxLineBytes: 256 }, log, now);
    this.events = new SafeEmitter(log);
  }

  protected onFrame(frame: Frame, at: number): void {
    if (frame.kind === 'overflow') return this.log.warn('scanner status line too long', { deviceId: this.id });
    const r = parseStatusLine(frame.bytes);
    switch (r.kind) {
      case 'tunnel':
        if (r.dir === 'in') {
          if (this.lastIn !== undefined && r.seq !== (this.lastIn + 1) % 1_000_000) this.log.warn('tunnel sequence gap', { deviceId: this.id, after: this.lastIn, got: r.seq });
          this.lastIn = r.seq;
        }
        this.events.emit('event', { type: 'scanner.tunnel', deviceId: this.id, kind: r.dir, seq: r.seq, at });
        return;
      case 'ready':
        this.events.emit('event', { type: 'scanner.status', deviceId: this.id, state: 'ready', at });
        return;
      case 'fault':
        this.events.emit('event', { type: 'scanner.status', deviceId: this.id, state: 'fault', faultCode: r.code, message: r.message, at });
        return;
      case 'ignored':
        this.log.warn('scanner status line ignored', { deviceId: this.id, reason: r.reason });
    }
  }
}
