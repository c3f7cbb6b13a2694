// Device events (typed by the drivers) → correlator events. Scale readings go through the weighing
// detector so each parcel gets one weight; scanner faults and health are passed to the caller.
// Drivers stamp wall-clock times; `lineTime` turns them into the line's monotonic clock (clock.ts).
import type { DeviceEvent } from '../../shared/devices.ts';
import type { CorrelatorEvent } from './correlator.ts';
import type { LineImage } from './runtime.ts';
import { DEFAULT_WEIGHING, weighing, type WeighingOptions, type WeighingState } from './weighing.ts';

export class DeviceFeed {
  private scale: WeighingState = { loadedKg: undefined };
  private readonly opts: WeighingOptions;
  private readonly lineTime: (wallMs: number) => number;

  constructor(opts: WeighingOptions = DEFAULT_WEIGHING, lineTime: (wallMs: number) => number = (ms) => ms) {
    this.opts = opts;
    this.lineTime = lineTime;
  }

  /** The correlator event for a device event, or undefined when it is not line evidence. */
  toLine(e: DeviceEvent): CorrelatorEvent<LineImage> | undefined {
    const t = this.lineTime;
    switch (e.type) {
      case 'barcode.read':
        return { type: 'read', code: e.code, valid: e.validWaybill, at: t(e.at), ...(e.seq !== undefined ? { seq: e.seq } : {}) };
      case 'barcode.noread':
        return { type: 'noread', at: t(e.at), ...(e.seq !== undefined ? { seq: e.seq } : {}) };
      case 'scanner.tunnel':
        return { type: 'tunnel', kind: e.kind, seq: e.seq, at: t(e.at) };
      case 'scanner.image':
        return {
          type: 'image',
          at: t(e.at),
          ...(e.seq !== undefined ? { seq: e.seq } : {}),
          image: { encoded: e.encoded, format: e.format, width: e.width, height: e.height, ...(e.receivedAt !== undefined ? { receivedAt: t(e.receivedAt) } : {}) },
        };
      case 'scale.weight': {
        const r = weighing(this.scale, e, this.opts);
        this.scale = r.state;
        return r.weighed !== undefined ? { type: 'weight', kg: r.weighed, stable: true, at: t(e.at) } : undefined;
      }
      default:
        return undefined;
    }
  }
}
