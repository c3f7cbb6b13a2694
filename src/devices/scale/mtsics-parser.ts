// METTLER TOLEDO Standard Interface Command Set (MT-SICS) level 0 responses to S (stable weight)
// and SI (weight immediately):
//   "S S      1.234 kg"  stable           "S D      1.230 kg"  dynamic (unstable, SI only)
//   "S I"  command understood but not executable now (e.g. still unstable when S timed out)
//   "S +"  overload   "S -"  underload   "ES" syntax error   "ET" transmission error   "EL" logical error
import { ascii } from '../framing.ts';
import { toKg } from './units.ts';

export type MtSicsResponse =
  | { kind: 'weight'; kg: number; stable: boolean }
  | { kind: 'busy' }
  | { kind: 'overload' }
  | { kind: 'underload' }
  | { kind: 'error'; code: 'ES' | 'ET' | 'EL' }
  | { kind: 'other'; text: string };

const WEIGHT = /^S\s+([SD])\s+(-?\s*\d+(?:\.\d+)?)\s+([a-zA-Z]{1,3})$/;

export function parseMtSicsLine(bytes: Uint8Array): MtSicsResponse {
  const s = ascii(bytes).trim();
  if (s === 'ES' || s === 'ET' || s === 'EL') return { kind: 'error', code: s };
  if (s === 'S I') return { kind: 'busy' };
  if (s === 'S +') return { kind: 'overload' };
  if (s === 'S -') return { kind: 'underload' };
  const m = WEIGHT.exec(s);
  if (m) {
    const kg = toKg(Number(m[2]!.replace(/\s+/g, '')), m[3]!);
    if (kg !== undefined) return { kind: 'weight', kg, stable: m[1] === 'S' };
  }
  return { kind: 'other', text: s.slice(0, 80) };
}

/** The response line a balance sends for a weight (used by the simulator and captures). */
export function formatMtSicsWeight(kg: number, stable: boolean): string {
  return `S ${stable ? 'S' : 'D'} ${kg.toFixed(3).padStart(10)} kg`;
}
