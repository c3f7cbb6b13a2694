// Pure line framing shared by every line-oriented device protocol (barcode, scale, scanner status,
// conveyor serial). No timers and no I/O: the caller passes the clock, so captures with timing replay
// exactly and the inter-byte timeout is testable. The buffer is bounded; an over-long line is
// discarded up to its terminator and reported once.

export type Suffix = 'CR' | 'LF' | 'CRLF' | 'NONE';

export interface FramerOptions {
  suffix: Suffix;
  /** With suffix NONE a line ends after this much silence; with a suffix it flushes a dangling partial line (0: never). */
  interByteTimeoutMs: number;
  maxLineBytes: number;
}

export type Frame = { kind: 'line'; bytes: Uint8Array } | { kind: 'overflow'; discarded: number };

const CR = 0x0d;
const LF = 0x0a;

export class LineFramer {
  private readonly opts: FramerOptions;
  private readonly buf: Uint8Array;
  private len = 0;
  /** Bytes dropped from the current over-long line; >0 means "discarding until the next terminator". */
  private discarding = 0;
  private lastByteAt = 0;

  constructor(opts: FramerOptions) {
    if (!Number.isInteger(opts.maxLineBytes) || opts.maxLineBytes < 1) throw new RangeError('maxLineBytes must be a positive integer');
    if (opts.suffix === 'NONE' && !(opts.interByteTimeoutMs > 0)) throw new RangeError('suffix NONE needs interByteTimeoutMs > 0');
    this.opts = opts;
    this.buf = new Uint8Array(opts.maxLineBytes);
  }

  /** Feeds bytes received at `now`; returns the frames they complete. */
  push(chunk: Uint8Array, now: number): Frame[] {
    const out: Frame[] = [];
    // A gap longer than the timeout ends the previous line before these bytes are looked at.
    out.push(...this.idle(now));
    const term = this.opts.suffix === 'CR' ? CR : LF;
    for (const b of chunk) {
      if (this.opts.suffix !== 'NONE' && b === term) {
        this.endLine(out);
        continue;
      }
      // CR before LF (CRLF / LF) and LF after CR (CR mode) are line-ending noise, never content.
      if (this.opts.suffix !== 'NONE' && (b === CR || b === LF)) continue;
      if (this.discarding > 0) {
        this.discarding++;
        continue;
      }
      if (this.len >= this.buf.length) {
        this.discarding = this.len + 1;
        this.len = 0;
        continue;
      }
      this.buf[this.len++] = b;
    }
    if (chunk.length > 0) this.lastByteAt = now;
    return out;
  }

  /** Call when no bytes arrived for a while: ends a line after the inter-byte timeout. */
  idle(now: number): Frame[] {
    const t = this.opts.interByteTimeoutMs;
    if (t <= 0 || (this.len === 0 && this.discarding === 0)) return [];
    if (now - this.lastByteAt < t) return [];
    const out: Frame[] = [];
    this.endLine(out);
    return out;
  }

  /** When the next idle() could end a line (for the driver's timer), or undefined. */
  pendingDeadline(): number | undefined {
    if (this.opts.interByteTimeoutMs <= 0 || (this.len === 0 && this.discarding === 0)) return undefined;
    return this.lastByteAt + this.opts.interByteTimeoutMs;
  }

  /** Bytes currently held (bounded by maxLineBytes). */
  get buffered(): number {
    return this.len;
  }

  private endLine(out: Frame[]): void {
    if (this.discarding > 0) {
      out.push({ kind: 'overflow', discarded: this.discarding });
      this.discarding = 0;
      this.len = 0;
      return;
    }
    if (this.len === 0) return;
    out.push({ kind: 'line', bytes: this.buf.slice(0, this.len) });
    this.len = 0;
  }
}

export function toHex(bytes: Uint8Array, max = 256): string {
  let s = '';
  const n = Math.min(bytes.length, max);
  for (let i = 0; i < n; i++) s += bytes[i]!.toString(16).padStart(2, '0');
  return bytes.length > max ? `${s}…` : s;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) throw new Error(`not hex: ${hex.slice(0, 20)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Latin-1 decoding: one char per byte, never throws (line protocols here are ASCII). */
export function ascii(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
