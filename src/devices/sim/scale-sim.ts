// Scale simulator. continuous: streams "ST,GS,+0001.234kg" lines at `rate`/s; each parcel settles
// over a few unstable readings. mt-sics: answers S / SI like a METTLER TOLEDO balance (S waits for
// stability, "S I" if it does not come within 1 s).
import { formatMtSicsWeight } from '../scale/mtsics-parser.ts';
import type { SimEndpoint } from './endpoint.ts';
import { mulberry32 } from './rng.ts';

export interface ScaleSimOptions {
  protocol: 'continuous' | 'mt-sics';
  /** continuous: lines per second. */
  rate: number;
  /** A new parcel every this many ms. */
  parcelEveryMs: number;
  settleMs: number;
  garbageRate: number;
  overloadKg: number;
  seed: number;
}

export const SCALE_SIM_DEFAULTS: ScaleSimOptions = { protocol: 'continuous', rate: 10, parcelEveryMs: 3000, settleMs: 400, garbageRate: 0, overloadKg: 60, seed: 1 };

export function formatContinuous(kg: number, stable: boolean, overload: boolean): string {
  if (overload) return 'OL,GS,+9999.999kg\r\n';
  const sign = kg < 0 ? '-' : '+';
  return `${stable ? 'ST' : 'US'},GS,${sign}${Math.abs(kg).toFixed(3).padStart(8, '0')}kg\r\n`;
}

export class ScaleSim {
  private readonly o: ScaleSimOptions;
  private readonly ep: SimEndpoint;
  private readonly rnd: () => number;
  private target = 0;
  private since = Date.now();
  private timers: NodeJS.Timeout[] = [];
  private rx = '';

  constructor(ep: SimEndpoint, o: Partial<ScaleSimOptions>) {
    this.o = { ...SCALE_SIM_DEFAULTS, ...o };
    this.ep = ep;
    this.rnd = mulberry32(this.o.seed);
  }

  /** Puts a parcel of `kg` on the scale now (tests drive this directly). */
  place(kg: number): void {
    this.target = kg;
    this.since = Date.now();
  }

  /** Current display: wobbles around the target until settled. */
  reading(now = Date.now()): { kg: number; stable: boolean } {
    const settled = now - this.since >= this.o.settleMs;
    const wobble = settled ? 0 : (this.rnd() - 0.5) * 0.2;
    return { kg: Math.round((this.target + wobble) * 1000) / 1000, stable: settled };
  }

  start(): void {
    this.timers.push(setInterval(() => this.place(Math.round((0.2 + this.rnd() * 5) * 1000) / 1000), this.o.parcelEveryMs));
    if (this.o.protocol === 'continuous') {
      this.timers.push(
        setInterval(() => {
          if (this.rnd() < this.o.garbageRate) return this.ep.write(Buffer.from([0xff, 0x00, 0x13, 0x0d, 0x0a]));
          const r = this.reading();
          this.ep.write(formatContinuous(r.kg, r.stable, r.kg > this.o.overloadKg));
        }, Math.max(1, Math.round(1000 / this.o.rate))),
      );
    } else {
      this.ep.onData((c) => this.onRequest(c));
    }
  }

  stop(): void {
    this.timers.forEach(clearInterval);
    this.timers = [];
  }

  private onRequest(c: Buffer): void {
    this.rx = (this.rx + c.toString('latin1')).slice(-256);
    let i: number;
    while ((i = this.rx.indexOf('\n')) >= 0) {
      const cmd = this.rx.slice(0, i).trim();
      this.rx = this.rx.slice(i + 1);
      this.answer(cmd);
    }
  }

  private answer(cmd: string): void {
    const r = this.reading();
    if (cmd === 'SI') {
      if (r.kg > this.o.overloadKg) return this.ep.write('S +\r\n');
      return this.ep.write(`${formatMtSicsWeight(r.kg, r.stable)}\r\n`);
    }
    if (cmd === 'S') {
      if (r.kg > this.o.overloadKg) return this.ep.write('S +\r\n');
      const wait = Math.max(0, this.o.settleMs - (Date.now() - this.since));
      if (wait > 1000) return this.ep.write('S I\r\n');
      setTimeout(() => this.ep.write(`${formatMtSicsWeight(this.reading().kg, true)}\r\n`), wait);
      return;
    }
    this.ep.write('ES\r\n');
  }
}
