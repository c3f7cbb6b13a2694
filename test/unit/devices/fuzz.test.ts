// Property tests: every parser takes arbitrary bytes in arbitrary chunks without throwing, hanging
// or growing its buffer past the bound, and framing does not depend on how bytes were chunked.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineFramer, type Frame, type FramerOptions } from '../../../src/devices/framing.ts';
import { interpretBarcodeLine } from '../../../src/devices/barcode/parser.ts';
import { parseContinuousLine } from '../../../src/devices/scale/continuous-parser.ts';
import { parseMtSicsLine } from '../../../src/devices/scale/mtsics-parser.ts';
import { parseStatusLine } from '../../../src/devices/scanner/status-parser.ts';
import { parseConveyorLine } from '../../../src/devices/conveyor/protocol.ts';
import { decodePayload, TOPICS, type TopicName } from '../../../src/shared/mqtt-topics.ts';
import { probeImage } from '../../../src/devices/scanner/image-decode.ts';
import { isStationError } from '../../../src/shared/errors.ts';

// Bytes biased towards the interesting ones: terminators, AIM "]", digits, letters, high bytes.
const byte = fc.oneof(fc.constantFrom(0x0d, 0x0a, 0x5d, 0x2c, 0x20, 0x02, 0x03), fc.integer({ min: 0x30, max: 0x5a }), fc.integer({ min: 0, max: 255 }));
const bytes = fc.array(byte, { maxLength: 2000 }).map((a) => Uint8Array.from(a));
const chunked = fc.tuple(bytes, fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 40 }));
const framerOpts = fc.record({
  suffix: fc.constantFrom('CR', 'LF', 'CRLF', 'NONE') as fc.Arbitrary<FramerOptions['suffix']>,
  interByteTimeoutMs: fc.integer({ min: 1, max: 100 }),
  maxLineBytes: fc.integer({ min: 1, max: 300 }),
});

function split(b: Uint8Array, sizes: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let i = 0;
  let k = 0;
  while (i < b.length) {
    const n = sizes[k++ % sizes.length]!;
    out.push(b.subarray(i, i + n));
    i += n;
  }
  return out;
}

const PARSERS = [
  (l: Uint8Array) => interpretBarcodeLine(l, { prefix: 'P:', noReadStrings: ['NOREAD'], codeSeparator: ',' }),
  parseContinuousLine,
  parseMtSicsLine,
  parseStatusLine,
  parseConveyorLine,
];

describe('parser fuzzing', () => {
  it('framer + every line parser: no throw, bounded buffer, bounded lines', () => {
    fc.assert(
      fc.property(chunked, framerOpts, ([b, sizes], o) => {
        const f = new LineFramer(o);
        let t = 0;
        const frames: Frame[] = [];
        for (const c of split(b, sizes)) {
          frames.push(...f.push(c, (t += 7)));
          expect(f.buffered).toBeLessThanOrEqual(o.maxLineBytes);
        }
        frames.push(...f.idle(t + 1000));
        for (const fr of frames) {
          if (fr.kind === 'overflow') continue;
          expect(fr.bytes.length).toBeLessThanOrEqual(o.maxLineBytes);
          for (const p of PARSERS) p(fr.bytes);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('suffix framing is independent of chunking', () => {
    fc.assert(
      fc.property(chunked, fc.constantFrom('CR', 'LF', 'CRLF') as fc.Arbitrary<'CR' | 'LF' | 'CRLF'>, ([b, sizes], suffix) => {
        const o = { suffix, interByteTimeoutMs: 0, maxLineBytes: 128 };
        const whole = new LineFramer(o).push(b, 0);
        const f = new LineFramer(o);
        const parts = split(b, sizes).flatMap((c) => f.push(c, 0));
        expect(parts).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('every line parser is total on arbitrary lines, including huge ones, and fast', () => {
    const big = new Uint8Array(1_000_000).fill(0x53); // 1 MB of "S": no regex blow-up
    const t0 = performance.now();
    for (const p of PARSERS) p(big);
    expect(performance.now() - t0).toBeLessThan(2000);
    fc.assert(
      fc.property(bytes, (l) => {
        for (const p of PARSERS) p(l);
      }),
      { numRuns: 1000 },
    );
  });

  it('MQTT payload validation never throws and respects each topic limit', () => {
    const names = Object.keys(TOPICS) as TopicName[];
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.oneof(bytes, fc.json().map((j) => new TextEncoder().encode(j))), (name, payload) => {
        const r = decodePayload(name, payload);
        if (payload.byteLength > TOPICS[name].maxBytes) expect(r.ok).toBe(false);
      }),
      { numRuns: 1000 },
    );
  });

  it('image probing refuses random and truncated bytes with a coded error', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    await fc.assert(
      fc.asyncProperty(fc.oneof(bytes, bytes.map((b) => Uint8Array.from([...png, ...b]))), async (b) => {
        const e = await probeImage(b, { maxImageBytes: 1 << 20, maxImagePixels: 1 << 20 }).then(
          () => null,
          (err: unknown) => err,
        );
        // Random bytes that happen to form a valid tiny image are fine; anything else is refused cleanly.
        if (e !== null) expect(isStationError(e, 'DEVICE_IMAGE_REJECTED')).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
