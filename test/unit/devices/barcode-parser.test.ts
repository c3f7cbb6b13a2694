import { describe, expect, it } from 'vitest';
import { interpretBarcodeLine, type BarcodeLineOptions } from '../../../src/devices/barcode/parser.ts';
import { DuplicateFilter } from '../../../src/devices/barcode/dedupe.ts';
import { waybillValidator } from '../../../src/devices/barcode/validate.ts';
import { LineFramer } from '../../../src/devices/framing.ts';
import { lines, loadCapture, replay } from './capture.ts';

const OPTS: BarcodeLineOptions = { prefix: '', noReadStrings: ['NOREAD', 'NR'], codeSeparator: ',' };
const enc = (s: string) => new TextEncoder().encode(s);

function summarise(bytes: Uint8Array, o = OPTS): string {
  const r = interpretBarcodeLine(bytes, o);
  if (r.kind === 'codes') return r.codes.map((c) => `${c.symbology ?? ''}${c.code}`).join('+');
  return r.kind === 'garbage' ? `garbage(${r.reason})` : 'noread';
}

describe('barcode line interpretation against recorded captures', () => {
  it('CRLF serial capture: AIM ids, NOREAD, multi-code, STX/ETX and garbage', () => {
    const got = lines(replay(loadCapture('barcode-serial-crlf.jsonl'), { suffix: 'CRLF', interByteTimeoutMs: 0, maxLineBytes: 512 })).map((b) => summarise(b));
    expect(got).toEqual([
      ']C1SIM0000000001',
      'noread',
      ']E04006381333931',
      ']d2SIM0000000002+]Q1SIM0000000003',
      'garbage(non-printable byte 0x00)',
      'SIM0000000004',
      'SIM0000000004',
      'SIM0000000004',
    ]);
  });

  it('TCP capture without terminator: lines end after the inter-byte timeout', () => {
    const r = replay(loadCapture('barcode-tcp-noterm.jsonl'), { suffix: 'NONE', interByteTimeoutMs: 50, maxLineBytes: 512 });
    expect(lines(r).map((b) => summarise(b))).toEqual(['SIM0000000011', 'SIM0000000012', 'noread']);
    expect(r.map((x) => x.t)).toEqual([200, 400, 10_400]);
  });

  it('over-long line is discarded whole and reported once, then framing recovers', () => {
    const r = replay(loadCapture('barcode-overlong.jsonl'), { suffix: 'CRLF', interByteTimeoutMs: 0, maxLineBytes: 64 });
    expect(r.map((x) => x.frame.kind)).toEqual(['overflow', 'line']);
    expect(r[0]!.frame).toEqual({ kind: 'overflow', discarded: 600 });
    expect(summarise(lines(r)[0]!)).toBe('SIM0000000021');
  });

  it('strips a configured prefix before or after the AIM identifier', () => {
    const o = { ...OPTS, prefix: 'BC:' };
    expect(summarise(enc('BC:]C1SIM0000000001'), o)).toBe(']C1SIM0000000001');
    expect(summarise(enc(']C1BC:SIM0000000001'), o)).toBe(']C1SIM0000000001');
    expect(summarise(enc('BC:NOREAD'), o)).toBe('noread');
    expect(summarise(enc('NR,NR'), o)).toBe('noread');
    expect(summarise(enc('   '), o)).toMatch(/^garbage/);
  });

  it('frames CR-only and LF-only readers, tolerating the other line-end byte', () => {
    const cr = new LineFramer({ suffix: 'CR', interByteTimeoutMs: 0, maxLineBytes: 64 });
    expect(cr.push(enc('A1\rB2\r\nC3\r'), 0).map((f) => (f.kind === 'line' ? new TextDecoder().decode(f.bytes) : '!'))).toEqual(['A1', 'B2', 'C3']);
    const lf = new LineFramer({ suffix: 'LF', interByteTimeoutMs: 0, maxLineBytes: 64 });
    expect(lf.push(enc('A1\nB2\r\n'), 0).map((f) => (f.kind === 'line' ? new TextDecoder().decode(f.bytes) : '!'))).toEqual(['A1', 'B2']);
  });

  it('rejects impossible framer options eagerly', () => {
    expect(() => new LineFramer({ suffix: 'NONE', interByteTimeoutMs: 0, maxLineBytes: 64 })).toThrow(/interByteTimeoutMs/);
    expect(() => new LineFramer({ suffix: 'CR', interByteTimeoutMs: 0, maxLineBytes: 0 })).toThrow(/maxLineBytes/);
  });
});

describe('duplicate window', () => {
  it('drops the same code inside the window and accepts it after', () => {
    const d = new DuplicateFilter(2000);
    expect([d.accept('A', 0), d.accept('A', 1999), d.accept('B', 2500), d.accept('A', 2000), d.accept('A', 3000)]).toEqual([true, false, true, true, false]);
  });

  it('stays bounded when flooded with distinct codes', () => {
    const d = new DuplicateFilter(60_000, 100);
    for (let i = 0; i < 10_000; i++) d.accept(`C${i}`, i);
    expect(d.accept('C0', 10_001)).toBe(true); // long evicted
    expect(d.accept('C9999', 10_001)).toBe(false);
  });

  it('window 0 disables de-duplication', () => {
    const d = new DuplicateFilter(0);
    expect([d.accept('A', 0), d.accept('A', 0)]).toEqual([true, true]);
  });
});

describe('waybill validation', () => {
  it('anchors the configured pattern and names a broken one', () => {
    const v = waybillValidator('[A-Z0-9]{8,40}');
    expect([v('SIM0000000001'), v('sim0000000001'), v('xxSIM0000000001 '), v('SHORT')]).toEqual([true, false, false, false]);
    expect(() => waybillValidator('([')).toThrow(/waybillPattern is not a valid regular expression/);
  });
});
