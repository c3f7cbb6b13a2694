// Barcode reader simulator: emits one result line per parcel at `rate` per second, in the real
// framing (suffix, optional AIM identifier and prefix), with scripted faults: no-reads, garbage
// bytes and duplicate re-reads. Cable pulls are scheduled by sim/line.ts for every endpoint.
import type { StationMqtt } from '../mqtt/client.ts';
import type { SimEndpoint } from './endpoint.ts';
import { mulberry32, syntheticWaybill } from './rng.ts';

export interface BarcodeSimOptions {
  rate: number;
  noreadRate: number;
  garbageRate: number;
  duplicateRate: number;
  suffix: 'CR' | 'LF' | 'CRLF';
  aim: boolean;
  prefix: string;
  count: number;
  seed: number;
  startAt: number;
}

export const BARCODE_SIM_DEFAULTS: BarcodeSimOptions = {
  rate: 1,
  noreadRate: 0,
  garbageRate: 0,
  duplicateRate: 0,
  suffix: 'CRLF',
  aim: true,
  prefix: '',
  count: Infinity,
  seed: 1,
  startAt: 1,
};

const SUFFIX = { CR: '\r', LF: '\n', CRLF: '\r\n' } as const;

/** Pure: the bytes a reader sends for parcel n under the options (and the rng's draw). */
export function barcodeOutput(n: number, o: BarcodeSimOptions, rnd: () => number): { kind: 'code' | 'noread' | 'garbage'; bytes: Buffer; code?: string } {
  const r = rnd();
  if (r < o.noreadRate) return { kind: 'noread', bytes: Buffer.from(`${o.prefix}NOREAD${SUFFIX[o.suffix]}`) };
  if (r < o.noreadRate + o.garbageRate) {
    const junk = Buffer.alloc(4 + Math.floor(rnd() * 12));
    for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(rnd() * 256);
    return { kind: 'garbage', bytes: Buffer.concat([junk, Buffer.from(SUFFIX[o.suffix])]) };
  }
  const code = syntheticWaybill(n);
  return { kind: 'code', code, bytes: Buffer.from(`${o.aim ? ']C1' : ''}${o.prefix}${code}${SUFFIX[o.suffix]}`) };
}

export class BarcodeSim {
  private readonly o: BarcodeSimOptions;
  private readonly rnd: () => number;
  private timer: NodeJS.Timeout | undefined;
  private n: number;
  private sent = 0;
  private readonly out: { endpoint?: SimEndpoint; mqtt?: StationMqtt };
  private readonly say: (line: string) => void;

  constructor(out: { endpoint?: SimEndpoint; mqtt?: StationMqtt }, o: Partial<BarcodeSimOptions>, say: (line: string) => void = () => {}) {
    this.o = { ...BARCODE_SIM_DEFAULTS, ...o };
    this.rnd = mulberry32(this.o.seed);
    this.n = this.o.startAt;
    this.out = out;
    this.say = say;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), Math.max(1, Math.round(1000 / this.o.rate)));
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Sends the next parcel's result now (also used by tests and benchmarks). */
  tick(): void {
    if (this.sent >= this.o.count) return this.stop();
    const out = barcodeOutput(this.n++, this.o, this.rnd);
    this.sent++;
    if (this.out.endpoint) {
      this.out.endpoint.write(out.bytes);
      if (out.kind === 'code' && this.rnd() < this.o.duplicateRate) this.out.endpoint.write(out.bytes);
    }
    if (this.out.mqtt && out.kind !== 'garbage') {
      const payload = out.kind === 'noread' ? { noread: true } : { code: out.code, symbology: ']C1', at: Date.now() };
      this.out.mqtt.publish('barcodeScan', payload).catch((e: Error) => this.say(`publish failed: ${e.message}`));
    }
    this.say(out.kind === 'code' ? `read ${out.code}` : out.kind);
  }
}
