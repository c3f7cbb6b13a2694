// The conveyor serial line protocol (docs/serial-protocols.md). ASCII lines ending CRLF.
// Station → conveyor:  REL 000123 | HLD 000123 | HB 000045
// Conveyor → station:  ACK REL 000123 | NAK HLD 000123 reason | HB 000045 [FS]
// FS in the conveyor's heartbeat means it is in fail-safe: diverting (holding) every parcel.
import { ascii } from '../framing.ts';
import type { ConveyorCommandName } from '../../shared/devices.ts';

const PAD = (n: number): string => String(n % 1_000_000).padStart(6, '0');

export function formatCommand(command: ConveyorCommandName, parcelId: number): string {
  return `${command === 'RELEASE' ? 'REL' : 'HLD'} ${PAD(parcelId)}\r\n`;
}

export function formatHeartbeat(seq: number, failsafe = false): string {
  return `HB ${PAD(seq)}${failsafe ? ' FS' : ''}\r\n`;
}

export function formatAck(command: ConveyorCommandName, parcelId: number, ok = true, reason = ''): string {
  return `${ok ? 'ACK' : 'NAK'} ${command === 'RELEASE' ? 'REL' : 'HLD'} ${PAD(parcelId)}${!ok && reason ? ` ${reason}` : ''}\r\n`;
}

export type ConveyorLine =
  | { kind: 'ack'; command: ConveyorCommandName; parcelId: number; ok: boolean; reason?: string }
  | { kind: 'command'; command: ConveyorCommandName; parcelId: number }
  | { kind: 'heartbeat'; seq: number; failsafe: boolean }
  | { kind: 'ignored'; reason: string };

export function parseConveyorLine(bytes: Uint8Array): ConveyorLine {
  const s = ascii(bytes).trim();
  let m = /^(ACK|NAK) (REL|HLD) (\d{1,6})(?: ([\x20-\x7e]{1,80}))?$/.exec(s);
  if (m) {
    const r: ConveyorLine = { kind: 'ack', ok: m[1] === 'ACK', command: m[2] === 'REL' ? 'RELEASE' : 'HOLD', parcelId: Number(m[3]) };
    if (m[4]) r.reason = m[4];
    return r;
  }
  m = /^(REL|HLD) (\d{1,6})$/.exec(s);
  if (m) return { kind: 'command', command: m[1] === 'REL' ? 'RELEASE' : 'HOLD', parcelId: Number(m[2]) };
  m = /^HB (\d{1,6})( FS)?$/.exec(s);
  if (m) return { kind: 'heartbeat', seq: Number(m[1]), failsafe: m[2] !== undefined };
  return { kind: 'ignored', reason: `unknown conveyor line "${s.slice(0, 40).replace(/[^\x20-\x7e]/g, '?')}"` };
}
