// The scanner status line protocol (docs/serial-protocols.md), one ASCII line per event:
//   PIN 000123      parcel entered the tunnel (photo-eye), sequence number 0–999999
//   POUT 000123     parcel left the tunnel; its image carries the same sequence number
//   READY           scanner ready (sent on connect and after a fault clears)
//   FAULT E12 text  scanner fault with a code and free text
import { ascii } from '../framing.ts';

export type StatusLine =
  | { kind: 'tunnel'; dir: 'in' | 'out'; seq: number }
  | { kind: 'ready' }
  | { kind: 'fault'; code: string; message: string }
  | { kind: 'ignored'; reason: string };

export function parseStatusLine(bytes: Uint8Array): StatusLine {
  const s = ascii(bytes).trim();
  let m = /^(PIN|POUT) (\d{1,6})$/.exec(s);
  if (m) return { kind: 'tunnel', dir: m[1] === 'PIN' ? 'in' : 'out', seq: Number(m[2]) };
  if (s === 'READY') return { kind: 'ready' };
  m = /^FAULT ([A-Z0-9]{1,8})(?: ([\x20-\x7e]{0,120}))?$/.exec(s);
  if (m) return { kind: 'fault', code: m[1]!, message: m[2] ?? '' };
  return { kind: 'ignored', reason: `unknown status line "${s.slice(0, 40).replace(/[^\x20-\x7e]/g, '?')}"` };
}

export function formatSeq(seq: number): string {
  return String(seq % 1_000_000).padStart(6, '0');
}
