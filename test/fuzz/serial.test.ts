// Fuzzing the serial/TCP line protocols: framing, barcode, scanner status, scale (continuous and
// MT-SICS), conveyor lines, acknowledgement matching and the Modbus acknowledgement registers.
// test/unit/devices/fuzz.test.ts already checks "no throw on random bytes" and chunking invariance;
// here the properties are about recovery: valid lines buried in garbage, split anywhere, still come
// out exactly, and every failure of a conveyor command is a coded StationError.
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LineFramer, type Frame, type Suffix } from '../../src/devices/framing.ts';
import { interpretBarcodeLine } from '../../src/devices/barcode/parser.ts';
import { BarcodeDriver } from '../../src/devices/barcode/driver.ts';
import { parseStatusLine, formatSeq } from '../../src/devices/scanner/status-parser.ts';
import { parseContinuousLine } from '../../src/devices/scale/continuous-parser.ts';
import { formatMtSicsWeight, parseMtSicsLine } from '../../src/devices/scale/mtsics-parser.ts';
import { formatAck, formatCommand, formatHeartbeat, parseConveyorLine } from '../../src/devices/conveyor/protocol.ts';
import { AckTracker } from '../../src/devices/conveyor/acks.ts';
import { ModbusConveyor, ACK_HOLD, ACK_REFUSED, ACK_RELEASE } from '../../src/devices/conveyor/modbus.ts';
import { silentLogger } from '../../src/devices/log.ts';
import { namedFactory } from '../../src/devices/transport/types.ts';
import type { BarcodeEvent, ConveyorAck, ConveyorCommandName } from '../../src/shared/devices.ts';
import { isStationError, StationError } from '../../src/shared/errors.ts';
import { byte, bytes, chunk, chunkSizes, enc, fuzzTarget, fuzzTimeout, isSubsequence, stationErrorOrAsync, timed } from './harness.ts';

const fuzz = fuzzTarget('serial (framing, barcode, scanner status, scale, conveyor)');
const T = fuzzTimeout(3);

const CR = 0x0d;
const LF = 0x0a;
/** Line content: any byte except the two terminators. */
const contentByte = byte.filter((b) => b !== CR && b !== LF);
const content = (maxLength: number) => fc.array(contentByte, { maxLength }).map((a) => Uint8Array.from(a));

function terminator(suffix: Exclude<Suffix, 'NONE'>, variant: boolean): number[] {
  // Each mode also tolerates the other line-ending character as noise next to its own.
  if (suffix === 'CR') return variant ? [CR, LF] : [CR];
  if (suffix === 'LF') return variant ? [CR, LF] : [LF];
  return variant ? [LF] : [CR, LF];
}

function concat(parts: (Uint8Array | number[])[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) out.push(...p);
  return Uint8Array.from(out);
}

/** Frames a stream delivered in arbitrary chunks, then flushes. */
function frameAll(stream: Uint8Array, sizes: number[], suffix: Suffix, max: number): Frame[] {
  const f = new LineFramer({ suffix, interByteTimeoutMs: 0, maxLineBytes: max });
  return chunk(stream, sizes).flatMap((c) => f.push(c, 0));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('line framing', () => {
  it(
    'with a suffix: every terminated line comes out exactly, an over-long one as one overflow of its length, however it is chunked',
    () => {
      fuzz.check(
        'framer: terminated lines recovered exactly',
        fc.property(
          fc.constantFrom<Exclude<Suffix, 'NONE'>>('CR', 'LF', 'CRLF'),
          fc.integer({ min: 1, max: 64 }),
          fc.array(fc.tuple(content(90), fc.boolean()), { maxLength: 20 }),
          chunkSizes,
          (suffix, max, lines, sizes) => {
            const stream = concat(lines.flatMap(([c, v]) => [c, terminator(suffix, v)]));
            const got = frameAll(stream, sizes, suffix, max);
            const want: Frame[] = lines
              .filter(([c]) => c.length > 0)
              .map(([c]) => (c.length <= max ? { kind: 'line', bytes: c } : { kind: 'overflow', discarded: c.length }));
            expect(got).toEqual(want);
          },
        ),
      );
    },
    T,
  );

  it(
    'without a suffix: silence ends a line, and lines split into chunks with short gaps stay whole',
    () => {
      fuzz.check(
        'framer: NONE suffix, inter-byte timeout',
        fc.property(
          fc.integer({ min: 1, max: 64 }),
          fc.integer({ min: 5, max: 100 }),
          fc.array(fc.tuple(fc.array(byte, { minLength: 1, maxLength: 90 }).map((a) => Uint8Array.from(a)), chunkSizes), { maxLength: 12 }),
          (max, timeout, lines) => {
            const f = new LineFramer({ suffix: 'NONE', interByteTimeoutMs: timeout, maxLineBytes: max });
            let now = 0;
            const got: Frame[] = [];
            for (const [line, sizes] of lines) {
              now += timeout; // a full timeout of silence before each line
              for (const c of chunk(line, sizes)) {
                got.push(...f.push(c, now));
                now += timeout - 1; // gaps inside a line stay under the timeout
              }
              expect(f.buffered).toBeLessThanOrEqual(max);
            }
            got.push(...f.idle(now + timeout));
            const want = lines.map(([l]) => (l.length <= max ? { kind: 'line', bytes: l } : { kind: 'overflow', discarded: l.length }));
            expect(got).toEqual(want);
          },
        ),
      );
    },
    T,
  );
});

// ---- a valid line among garbage lines, through framer and parser ----

type Case<R> = { line: string; want: R };

function recovered<R>(name: string, valid: fc.Arbitrary<Case<R>>, parse: (b: Uint8Array) => R, suffix: Exclude<Suffix, 'NONE'>, max: number): void {
  fuzz.check(
    name,
    fc.property(fc.array(fc.oneof(valid, content(max + 20).map((g) => ({ garbage: g }))), { maxLength: 16 }), fc.boolean(), chunkSizes, (items, variant, sizes) => {
      const stream = concat(items.flatMap((it) => ['garbage' in it ? it.garbage : enc(it.line), terminator(suffix, variant)]));
      const results = frameAll(stream, sizes, suffix, max).flatMap((fr) => (fr.kind === 'line' ? [timed(2000, () => parse(fr.bytes))] : []));
      const wanted = items.flatMap((it) => ('garbage' in it ? [] : [it.want]));
      expect(isSubsequence(wanted, results), `${JSON.stringify(wanted)} in ${JSON.stringify(results)}`).toBe(true);
      for (const r of results) expect(() => JSON.stringify(r)).not.toThrow();
    }),
  );
}

const seq = fc.integer({ min: 0, max: 999_999 });
const pad = (s: string) => fc.constantFrom('', ' ', '  ', '\t').map((p) => `${p}${s}${p}`);

describe('scanner status lines', () => {
  const valid: fc.Arbitrary<Case<ReturnType<typeof parseStatusLine>>> = fc.oneof(
    fc.tuple(fc.constantFrom('PIN', 'POUT'), seq).map(([k, n]) => ({ line: `${k} ${formatSeq(n)}`, want: { kind: 'tunnel' as const, dir: k === 'PIN' ? ('in' as const) : ('out' as const), seq: n } })),
    fc.constant({ line: 'READY', want: { kind: 'ready' as const } }),
    fc.tuple(fc.stringMatching(/^[A-Z0-9]{1,8}$/), fc.stringMatching(/^[\x20-\x7e]{0,100}$/)).map(([code, msg]) => ({
      line: `FAULT ${code} ${msg}`,
      want: { kind: 'fault' as const, code, message: msg.trimEnd() },
    })),
  );
  it('are recovered from a stream of garbage lines', () => recovered('status: PIN/POUT/READY/FAULT among garbage', valid.chain((c) => pad(c.line).map((line) => ({ ...c, line }))), parseStatusLine, 'LF', 256), T);

  it('parse into bounded, printable results for any line', () => {
    fuzz.check(
      'status: any line → bounded result',
      fc.property(bytes(400), (l) => {
        const r = timed(2000, () => parseStatusLine(l));
        if (r.kind === 'tunnel') expect(r.seq).toBeLessThanOrEqual(999_999);
        if (r.kind === 'ignored') expect(r.reason).toMatch(/^[\x20-\x7e]{0,80}$/);
        if (r.kind === 'fault') expect(r.message.length).toBeLessThanOrEqual(120);
      }),
    );
  }, T);
});

describe('scale lines', () => {
  const grams = fc.integer({ min: -99_999, max: 9_999_999 });
  const continuous: fc.Arbitrary<Case<ReturnType<typeof parseContinuousLine>>> = fc
    .tuple(fc.constantFrom('ST', 'US'), fc.constantFrom('GS', 'NT'), grams)
    .map(([h1, h2, g]) => {
      const kg = g / 1000;
      const num = Math.abs(kg).toFixed(3).padStart(8, '0');
      return { line: `${h1},${h2},${kg < 0 ? '-' : '+'}${num}kg`, want: { kind: 'weight' as const, kg, stable: h1 === 'ST', net: h2 === 'NT' } };
    });
  it('continuous weight lines are recovered from garbage with their exact weight', () => recovered('scale continuous: weights among garbage', continuous, parseContinuousLine, 'CRLF', 128), T);

  const mtsics: fc.Arbitrary<Case<ReturnType<typeof parseMtSicsLine>>> = fc.oneof(
    fc.tuple(grams, fc.boolean()).map(([g, stable]) => ({ line: formatMtSicsWeight(g / 1000, stable), want: { kind: 'weight' as const, kg: g / 1000, stable } })),
    fc.constantFrom(
      { line: 'S I', want: { kind: 'busy' as const } },
      { line: 'S +', want: { kind: 'overload' as const } },
      { line: 'S -', want: { kind: 'underload' as const } },
      { line: 'ES', want: { kind: 'error' as const, code: 'ES' as const } },
      { line: 'EL', want: { kind: 'error' as const, code: 'EL' as const } },
    ),
  );
  it('MT-SICS replies are recovered from garbage', () => recovered('scale MT-SICS: replies among garbage', mtsics, parseMtSicsLine, 'CRLF', 128), T);

  it('never report a non-finite or absurd weight from a line that fits the driver buffer', () => {
    const near = fc
      .tuple(fc.constantFrom('ST,GS,', 'US,NT,', 'OL,GS,', 'QT,TR,', 'S S ', 'S D ', 'S S -'), fc.stringMatching(/^[+\- 0-9.]{0,110}$/), fc.constantFrom('kg', 'g', 't', 'lb', 'oz', 'KG', 'furlong', ''))
      .map(([h, n, u]) => enc(`${h}${n}${u}`));
    fuzz.check(
      'scale: any line → finite weight',
      fc.property(fc.oneof(near, bytes(128)), (l) => {
        for (const r of [parseContinuousLine(l), parseMtSicsLine(l)]) if (r.kind === 'weight') expect(Number.isFinite(r.kg)).toBe(true);
      }),
    );
  }, T);
});

describe('conveyor lines', () => {
  const cmd = fc.constantFrom<ConveyorCommandName>('RELEASE', 'HOLD');
  const reason = fc.stringMatching(/^[\x21-\x7e][\x20-\x7e]{0,60}[\x21-\x7e]$/);
  const valid: fc.Arbitrary<Case<ReturnType<typeof parseConveyorLine>>> = fc.oneof(
    fc.tuple(cmd, seq, fc.boolean(), fc.option(reason, { nil: undefined })).map(([c, id, ok, why]) => ({
      line: formatAck(c, id, ok, why ?? '').trimEnd(),
      want: { kind: 'ack' as const, ok, command: c, parcelId: id, ...(!ok && why ? { reason: why } : {}) },
    })),
    fc.tuple(cmd, seq).map(([c, id]) => ({ line: formatCommand(c, id).trimEnd(), want: { kind: 'command' as const, command: c, parcelId: id } })),
    fc.tuple(seq, fc.boolean()).map(([n, fs]) => ({ line: formatHeartbeat(n, fs).trimEnd(), want: { kind: 'heartbeat' as const, seq: n, failsafe: fs } })),
  );
  it('acks, commands and heartbeats are recovered from garbage', () => recovered('conveyor: ACK/NAK/HB among garbage', valid, parseConveyorLine, 'CRLF', 128), T);
});

describe('the barcode driver over a byte stream', () => {
  const code = fc.stringMatching(/^[A-Z]{2}[0-9]{10,13}$/);
  const wrapped = fc.record({
    code,
    stx: fc.boolean(),
    prefix: fc.boolean(),
    aim: fc.option(fc.constantFrom(']C1', ']E0', ']Q1', ']d2'), { nil: undefined }),
  });

  it(
    'emits every valid waybill read buried among garbage, noise bytes and over-long lines, whatever the chunking',
    async () => {
      await fuzz.checkAsync(
        'barcode driver: reads among garbage',
        fc.asyncProperty(
          fc.array(fc.oneof(wrapped, content(120).map((g) => ({ garbage: g }))), { maxLength: 14 }),
          fc.constantFrom<Exclude<Suffix, 'NONE'>>('CR', 'LF', 'CRLF'),
          chunkSizes,
          async (items, suffix, sizes) => {
            // Distinct codes only: a repeated code inside the duplicate window is dropped on purpose.
            const seen = new Set<string>();
            const parts = items.filter((it) => 'garbage' in it || (!seen.has(it.code) && seen.add(it.code)));
            const stream = new PassThrough();
            const d = new BarcodeDriver(
              'bc',
              namedFactory('fuzz', async () => stream),
              { suffix, prefix: 'P:', interByteTimeoutMs: 0, waybillPattern: '[A-Z]{2}[0-9]{10,13}', noReadStrings: ['NOREAD'], duplicateWindowMs: 1000, maxLineBytes: 64, codeSeparator: ';' },
              silentLogger,
              () => 0,
            );
            const events: BarcodeEvent[] = [];
            d.events.on('event', (e) => {
              events.push(e);
            });
            const session = await d.connect();
            const bytesOut = concat(
              parts.flatMap((it) => [
                'garbage' in it ? it.garbage : enc(`${it.stx ? '\x02' : ''}${it.prefix ? 'P:' : ''}${it.aim ?? ''}${it.code}${it.stx ? '\x03' : ''}`),
                terminator(suffix, false),
              ]),
            );
            for (const c of chunk(bytesOut, sizes)) stream.emit('data', Buffer.from(c));
            session.close();
            const reads = events.filter((e) => e.type === 'barcode.read');
            const want = parts.flatMap((it) => ('garbage' in it ? [] : [it.code]));
            expect(isSubsequence(want, reads.map((r) => r.code))).toBe(true);
            for (const r of reads) {
              expect(r.code).toMatch(/^[\x20-\x7e]+$/);
              expect(r.validWaybill).toBe(/^[A-Z]{2}[0-9]{10,13}$/.test(r.code));
            }
            for (const it of parts) if (!('garbage' in it)) expect(reads.find((r) => r.code === it.code)?.validWaybill).toBe(true);
          },
        ),
      );
    },
    T,
  );

  it('interprets any line as codes, a no-read or garbage, with printable non-empty codes', () => {
    fuzz.check(
      'barcode parser: any line, any options',
      fc.property(bytes(300), fc.string({ maxLength: 4 }), fc.constantFrom('', ',', ';', '|', ' '), (l, prefix, sep) => {
        const r = timed(2000, () => interpretBarcodeLine(l, { prefix, noReadStrings: ['NOREAD', 'ERROR'], codeSeparator: sep }));
        if (r.kind === 'codes') {
          expect(r.codes.length).toBeGreaterThan(0);
          for (const c of r.codes) {
            expect(c.code).toMatch(/^[\x20-\x7e]+$/);
            expect(c.code).toBe(c.code.trim());
          }
        }
      }),
    );
  }, T);
});

describe('conveyor acknowledgements', () => {
  const ackArb = fc.record({ parcelId: fc.integer({ min: 0, max: 5 }), command: fc.constantFrom<ConveyorCommandName>('RELEASE', 'HOLD'), ok: fc.boolean() });

  it(
    'a command resolves only on its own positive ack; a NAK, a timeout or a closed link is a coded StationError',
    async () => {
      await fuzz.checkAsync(
        'ack tracker: any ack sequence',
        fc.asyncProperty(
          fc.uniqueArray(fc.record({ parcelId: fc.integer({ min: 0, max: 5 }), command: fc.constantFrom<ConveyorCommandName>('RELEASE', 'HOLD') }), { selector: (c) => `${c.parcelId}${c.command}`, maxLength: 4 }),
          fc.array(ackArb, { maxLength: 10 }),
          fc.boolean(),
          async (cmds, acks, closeEarly) => {
            vi.useFakeTimers();
            const t = new AckTracker('cv', 500);
            const waits = cmds.map((c, i) => stationErrorOrAsync(() => t.expect({ ...c, seq: i })));
            const offered: ConveyorAck[] = acks.map((a) => ({ type: 'conveyor.ack', deviceId: 'cv', at: 0, ...a }));
            for (const a of offered) t.offer(a);
            if (closeEarly) t.failAll(new StationError('DEVICE_DISCONNECTED', 'cv: closed'));
            vi.advanceTimersByTime(1000);
            const results = await Promise.all(waits);
            vi.useRealTimers();
            cmds.forEach((c, i) => {
              const first = offered.find((a) => a.parcelId === c.parcelId && a.command === c.command);
              const r = results[i]!;
              if (first?.ok) expect(r).toMatchObject({ parcelId: c.parcelId, command: c.command, ok: true });
              else if (first) expect(isStationError(r, 'DEVICE_NAK')).toBe(true);
              else expect(isStationError(r) && (r.code === 'DEVICE_ACK_TIMEOUT' || (closeEarly && r.code === 'DEVICE_DISCONNECTED'))).toBe(true);
            });
          },
        ),
      );
    },
    T,
  );

  it(
    'Modbus: whatever the PLC registers say or the link throws, a command is acknowledged only by its own parcel id and result, else a StationError',
    async () => {
      const reg = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 1, 2, 0x8001, 0x8002));
      const reply = fc.oneof(
        { weight: 4, arbitrary: fc.tuple(reg, reg, reg).map((data) => ({ data })) },
        { weight: 1, arbitrary: fc.constantFrom({ error: 'Timed out', modbusCode: undefined }, { error: 'Illegal data address', modbusCode: 2 }, { error: 'Port Not Open', modbusCode: undefined }) },
      );
      await fuzz.checkAsync(
        'modbus: ack registers and link errors',
        fc.asyncProperty(fc.integer({ min: 0, max: 0x2ffff }), fc.constantFrom<ConveyorCommandName>('RELEASE', 'HOLD'), fc.array(reply, { maxLength: 6 }), fc.boolean(), async (parcelId, command, replies, writeFails) => {
          let clock = 0;
          const conv = new ModbusConveyor(
            'plc',
            { kind: 'modbus-tcp', host: '127.0.0.1', port: 502 },
            { unitId: 1, releaseCoil: 0, holdCoil: 1, parcelIdRegister: 0, ackRegister: 10, heartbeatRegister: 20, conveyorHeartbeatRegister: 21 },
            { ackTimeoutMs: 20, heartbeatMs: 1000, heartbeatMissLimit: 3, pollMs: 0 },
            silentLogger,
            () => (clock += 3),
          );
          let i = 0;
          const fail = (r: { error: string; modbusCode: number | undefined }) => Object.assign(new Error(r.error), r.modbusCode === undefined ? {} : { modbusCode: r.modbusCode });
          const client = {
            writeRegisters: async () => {
              if (writeFails) throw fail({ error: 'Port Not Open', modbusCode: undefined });
            },
            writeCoil: async () => undefined,
            readHoldingRegisters: async () => {
              const r = replies[i++] ?? { data: [0, 0, 0] };
              if ('error' in r) throw fail(r);
              return r;
            },
          };
          (conv as unknown as { client: unknown }).client = client;
          const r = await stationErrorOrAsync(() => conv.send({ parcelId, command, seq: 1 }), 'DEVICE_');
          if (!isStationError(r)) {
            const want = command === 'RELEASE' ? ACK_RELEASE : ACK_HOLD;
            const matched = replies.slice(0, i).some((x) => 'data' in x && x.data[0]! * 0x10000 + x.data[1]! === parcelId && (x.data[2]! & 0x7fff) === want && (x.data[2]! & ACK_REFUSED) === 0);
            expect(matched).toBe(true);
            expect(r).toMatchObject({ parcelId, command, ok: true });
          }
        }),
        {
          fraction: 0.3,
          // Regressions: a dead link on the write, and a Modbus exception response while polling for the
          // ack, used to reject with modbus-serial's own Error instead of a StationError.
          examples: [
            [0, 'RELEASE', [], true],
            [1, 'HOLD', [{ error: 'Illegal data address', modbusCode: 2 }], false],
            [7, 'RELEASE', [{ data: [0, 7, ACK_RELEASE] }], false],
          ],
        },
      );
    },
    fuzzTimeout(10, 0.3),
  );
});
