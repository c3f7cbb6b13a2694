// Pure interpretation of one framed barcode line: STX/ETX and configured prefix stripping,
// AIM symbology identifiers (]C1, ]E0, ]d2, ]Q1 …), NOREAD strings, garbage detection and
// several codes in one line (reader "multi-code" output with a separator).
import { ascii } from '../framing.ts';

export interface BarcodeLineOptions {
  prefix: string;
  noReadStrings: readonly string[];
  /** Separator between several codes read from one parcel in one line; '' for none. */
  codeSeparator: string;
}

export type BarcodeLine =
  | { kind: 'codes'; codes: { code: string; symbology?: string }[] }
  | { kind: 'noread' }
  | { kind: 'garbage'; reason: string };

const AIM = /^\][A-Za-z][0-9A-Za-z]/;
const STX = '\x02';
const ETX = '\x03';

function stripPrefix(s: string, prefix: string): string {
  return prefix !== '' && s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

function one(raw: string, opts: BarcodeLineOptions): { code: string; symbology?: string } | null {
  let s = stripPrefix(raw.trim(), opts.prefix);
  let symbology: string | undefined;
  const m = AIM.exec(s);
  if (m) {
    symbology = m[0];
    s = stripPrefix(s.slice(3), opts.prefix);
  }
  s = s.trim();
  if (s === '') return null;
  return symbology ? { code: s, symbology } : { code: s };
}

export function interpretBarcodeLine(bytes: Uint8Array, opts: BarcodeLineOptions): BarcodeLine {
  let s = ascii(bytes);
  // Some readers wrap each result in STX … ETX in addition to the suffix.
  if (s.startsWith(STX)) s = s.slice(1);
  if (s.endsWith(ETX)) s = s.slice(0, -1);
  const bad = /[^\x20-\x7e]/.exec(s);
  if (bad) return { kind: 'garbage', reason: `non-printable byte 0x${bad[0].charCodeAt(0).toString(16).padStart(2, '0')}` };
  const bare = stripPrefix(s.trim(), opts.prefix).trim();
  if (bare === '') return { kind: 'garbage', reason: 'empty after stripping' };
  if (opts.noReadStrings.includes(bare)) return { kind: 'noread' };
  const parts = opts.codeSeparator === '' ? [s] : s.split(opts.codeSeparator);
  const codes: { code: string; symbology?: string }[] = [];
  for (const p of parts) {
    const c = one(p, opts);
    if (c && !opts.noReadStrings.includes(c.code)) codes.push(c);
  }
  if (codes.length === 0) return parts.length > 1 ? { kind: 'noread' } : { kind: 'garbage', reason: 'no code in line' };
  return { kind: 'codes', codes };
}
