import { describe, expect, it } from 'vitest';
import { parseContinuousLine } from '../../../src/devices/scale/continuous-parser.ts';
import { formatMtSicsWeight, parseMtSicsLine } from '../../../src/devices/scale/mtsics-parser.ts';
import { StableDetector } from '../../../src/devices/scale/stable.ts';
import { formatSeq, parseStatusLine } from '../../../src/devices/scanner/status-parser.ts';
import { formatAck, formatCommand, formatHeartbeat, parseConveyorLine } from '../../../src/devices/conveyor/protocol.ts';
import { HeartbeatMonitor } from '../../../src/devices/conveyor/heartbeat.ts';
import { lines, loadCapture, replay } from './capture.ts';

const CRLF = { suffix: 'CRLF' as const, interByteTimeoutMs: 0, maxLineBytes: 256 };
const enc = (s: string) => new TextEncoder().encode(s);

describe('scale parsers against recorded captures', () => {
  it('continuous A&D-style lines', () => {
    const got = lines(replay(loadCapture('scale-continuous.jsonl'), CRLF)).map(parseContinuousLine);
    expect(got).toEqual([
      { kind: 'weight', kg: 1.41, stable: false, net: false },
      { kind: 'weight', kg: 1.19, stable: false, net: false },
      { kind: 'weight', kg: 1.236, stable: true, net: false },
      { kind: 'weight', kg: 1.234, stable: true, net: false },
      { kind: 'weight', kg: 1.234, stable: true, net: false },
      { kind: 'weight', kg: -0.002, stable: true, net: true },
      { kind: 'ignored', reason: 'counting mode' },
      { kind: 'overload' },
      { kind: 'weight', kg: 1.133981, stable: true, net: false },
    ]);
  });

  it('MT-SICS replies', () => {
    const got = lines(replay(loadCapture('scale-mtsics.jsonl'), CRLF)).map(parseMtSicsLine);
    expect(got).toEqual([
      { kind: 'weight', kg: 1.234, stable: true },
      { kind: 'weight', kg: 1.23, stable: false },
      { kind: 'busy' },
      { kind: 'overload' },
      { kind: 'underload' },
      { kind: 'error', code: 'ES' },
      { kind: 'weight', kg: 0.25, stable: true },
      { kind: 'error', code: 'ET' },
    ]);
    expect(parseMtSicsLine(enc(formatMtSicsWeight(12.5, true)))).toEqual({ kind: 'weight', kg: 12.5, stable: true });
    expect(parseMtSicsLine(enc('S S 1.0 furlong'))).toEqual({ kind: 'other', text: 'S S 1.0 furlong' });
  });

  it('stable detection needs the flag and N readings within tolerance', () => {
    const s = new StableDetector(3, 0.005);
    expect([s.push(1.2, true), s.push(1.234, true), s.push(1.236, true), s.push(1.235, true), s.push(1.3, false), s.push(1.3, true)]).toEqual([false, false, false, true, false, false]);
  });
});

describe('scanner status parser against a recorded capture', () => {
  it('ready, tunnel in/out with sequence numbers, fault', () => {
    const got = lines(replay(loadCapture('scanner-status.jsonl'), CRLF)).map(parseStatusLine);
    expect(got).toEqual([
      { kind: 'ready' },
      { kind: 'tunnel', dir: 'in', seq: 1 },
      { kind: 'tunnel', dir: 'out', seq: 1 },
      { kind: 'tunnel', dir: 'in', seq: 2 },
      { kind: 'tunnel', dir: 'out', seq: 2 },
      { kind: 'fault', code: 'E12', message: 'belt jam at tunnel exit' },
      { kind: 'ready' },
    ]);
    expect(parseStatusLine(enc('PIN 1234567')).kind).toBe('ignored');
    expect(formatSeq(1_000_123)).toBe('000123');
  });
});

describe('conveyor line protocol', () => {
  it('parses the controller capture and round-trips what the station writes', () => {
    const got = lines(replay(loadCapture('conveyor-serial.jsonl'), CRLF)).map(parseConveyorLine);
    expect(got).toEqual([
      { kind: 'heartbeat', seq: 0, failsafe: false },
      { kind: 'ack', ok: true, command: 'RELEASE', parcelId: 123 },
      { kind: 'ack', ok: true, command: 'HOLD', parcelId: 124 },
      { kind: 'heartbeat', seq: 1, failsafe: false },
      { kind: 'heartbeat', seq: 2, failsafe: true },
      { kind: 'ack', ok: false, command: 'RELEASE', parcelId: 125, reason: 'FAILSAFE' },
    ]);
    expect(formatCommand('RELEASE', 123)).toBe('REL 000123\r\n');
    expect(formatCommand('HOLD', 7)).toBe('HLD 000007\r\n');
    expect(parseConveyorLine(enc(formatCommand('HOLD', 7).trim()))).toEqual({ kind: 'command', command: 'HOLD', parcelId: 7 });
    expect(parseConveyorLine(enc(formatAck('HOLD', 9, false, 'JAM').trim()))).toEqual({ kind: 'ack', ok: false, command: 'HOLD', parcelId: 9, reason: 'JAM' });
    expect(formatHeartbeat(5, true)).toBe('HB 000005 FS\r\n');
  });

  it('heartbeat monitor declares the peer lost after missLimit whole intervals', () => {
    const m = new HeartbeatMonitor(1000, 3, 0);
    expect([m.lost(2999), m.lost(3000)]).toEqual([false, true]);
    m.beat(3500);
    expect([m.missed(4499), m.missed(5500), m.lost(6500)]).toEqual([0, 2, true]);
  });
});
