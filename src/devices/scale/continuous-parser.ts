// Continuous-output scale lines in the A&D-style "header1,header2,data unit" format that many
// weighing indicators stream (e.g. A&D FX/EK series, and many OEM indicators copy it):
//   ST,GS,+0001.234kg   stable, gross          US,NT,-0000.010kg   unstable, net
//   OL,GS,+9999.999kg   overload (data is meaningless)
// Header1: ST stable, US unstable, OL overload, QT counting (not a weight). Header2: GS gross, NT net, TR tare.
import { ascii } from '../framing.ts';
import { toKg } from './units.ts';

export type ScaleLine =
  | { kind: 'weight'; kg: number; stable: boolean; net: boolean }
  | { kind: 'overload' }
  | { kind: 'ignored'; reason: string };

const LINE = /^(ST|US|OL|QT),(GS|NT|TR| {2}),\s*([+-])?\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]{1,3})$/;

export function parseContinuousLine(bytes: Uint8Array): ScaleLine {
  const s = ascii(bytes).trim();
  if (s.startsWith('OL,')) return { kind: 'overload' };
  const m = LINE.exec(s);
  if (!m) return { kind: 'ignored', reason: 'not an ST/US,GS/NT weight line' };
  const [, h1, h2, sign, num, unit] = m;
  if (h1 === 'QT') return { kind: 'ignored', reason: 'counting mode' };
  const kg = toKg(Number(num) * (sign === '-' ? -1 : 1), unit!);
  if (kg === undefined) return { kind: 'ignored', reason: `unknown unit ${unit}` };
  return { kind: 'weight', kg, stable: h1 === 'ST', net: h2 === 'NT' };
}
