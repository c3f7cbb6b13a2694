// Barcode reader driver: serial or TCP bytes (through LineDevice), MQTT scans and keyboard-wedge
// lines relayed from the console all end up in the same pipeline:
// frame → interpret (prefix, AIM, NOREAD, garbage, multi-code) → duplicate window → waybill check → event.
import type { BarcodeEvent } from '../../shared/devices.ts';
import { SafeEmitter } from '../events.ts';
import { toHex, type Frame, type Suffix } from '../framing.ts';
import { LineDevice } from '../line-device.ts';
import type { Logger } from '../log.ts';
import type { TransportFactory } from '../transport/types.ts';
import { DuplicateFilter } from './dedupe.ts';
import { interpretBarcodeLine } from './parser.ts';
import { waybillValidator } from './validate.ts';

export interface BarcodeOptions {
  suffix: Suffix;
  prefix: string;
  interByteTimeoutMs: number;
  waybillPattern: string;
  noReadStrings: string[];
  duplicateWindowMs: number;
  maxLineBytes: number;
  codeSeparator: string;
}

export interface BarcodeDiagnostic {
  deviceId: string;
  kind: 'garbage' | 'overflow' | 'duplicate';
  detail: string;
  at: number;
}

export class BarcodeDriver extends LineDevice {
  readonly events: SafeEmitter<{ event: BarcodeEvent; diagnostic: BarcodeDiagnostic }>;
  private readonly opts: BarcodeOptions;
  private readonly dedupe: DuplicateFilter;
  private readonly valid: (code: string) => boolean;

  constructor(id: string, factory: TransportFactory | undefined, opts: BarcodeOptions, log: Logger, now?: () => number) {
    // With a suffix only the suffix ends a line; the inter-byte timeout frames readers that send none.
    super(id, 'barcode', factory, { suffix: opts.suffix, interByteTimeoutMs: opts.suffix === 'NONE' ? opts.interByteTimeoutMs : 0, maxLineBytes: opts.maxLineBytes }, log, now);
    this.opts = opts;
    this.events = new SafeEmitter(log);
    this.dedupe = new DuplicateFilter(opts.duplicateWindowMs);
    this.valid = waybillValidator(opts.waybillPattern);
  }

  protected onFrame(frame: Frame, at: number): void {
    if (frame.kind === 'overflow') {
      this.diag('overflow', `discarded ${frame.discarded} bytes of an over-long line`, at);
      return;
    }
    this.handleLine(frame.bytes, at);
  }

  /** A line typed by a keyboard-wedge scanner into the console (Enter already removed). */
  wedgeInput(text: string, at = this.now()): void {
    this.touch(at);
    this.handleLine(new TextEncoder().encode(text.slice(0, this.opts.maxLineBytes)), at);
  }

  /** A validated scan from the MQTT topic contract. */
  mqttScan(scan: ({ code: string; symbology?: string | undefined } | { noread: true }) & { seq?: number | undefined }, at = this.now()): void {
    this.touch(at);
    const seq = scan.seq !== undefined ? { seq: scan.seq } : {};
    if ('noread' in scan) {
      this.events.emit('event', { type: 'barcode.noread', deviceId: this.id, at, raw: '', ...seq });
      return;
    }
    this.emitCode(scan.code, scan.symbology, at, '', scan.seq);
  }

  private handleLine(bytes: Uint8Array, at: number): void {
    const raw = toHex(bytes, 128);
    const r = interpretBarcodeLine(bytes, this.opts);
    if (r.kind === 'garbage') return this.diag('garbage', `${r.reason} (raw ${raw})`, at);
    if (r.kind === 'noread') {
      this.events.emit('event', { type: 'barcode.noread', deviceId: this.id, at, raw });
      return;
    }
    for (const c of r.codes) this.emitCode(c.code, c.symbology, at, raw);
  }

  private emitCode(code: string, symbology: string | undefined, at: number, raw: string, seq?: number): void {
    if (!this.dedupe.accept(code, at)) return this.diag('duplicate', code, at);
    this.events.emit('event', {
      type: 'barcode.read',
      deviceId: this.id,
      code,
      ...(symbology ? { symbology } : {}),
      validWaybill: this.valid(code),
      at,
      raw,
      ...(seq !== undefined ? { seq } : {}),
    });
  }

  private diag(kind: BarcodeDiagnostic['kind'], detail: string, at: number): void {
    if (kind !== 'duplicate') this.log.warn(`barcode ${kind}`, { deviceId: this.id, detail });
    this.events.emit('diagnostic', { deviceId: this.id, kind, detail, at });
  }
}
