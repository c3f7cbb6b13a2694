import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeNetpbm, MAX_HEADER_BYTES, parseNetpbmHeader } from '../../../src/shared/netpbm.ts';

const B = (s: string, payload = 0): Buffer => Buffer.concat([Buffer.from(s, 'latin1'), Buffer.alloc(payload)]);
const ok = (s: string, payload: number) => parseNetpbmHeader(B(s, payload));
const bad = (buf: Uint8Array, code: string, message: RegExp) => expect(() => parseNetpbmHeader(buf)).toThrow(expect.objectContaining({ name: 'StationError', code, message: expect.stringMatching(message) }));

describe('netpbm header', () => {
  it('reads P6 and P5, 8- and 16-bit', () => {
    expect(ok('P6\n640 480\n255\n', 640 * 480 * 3)).toEqual({ width: 640, height: 480, channels: 3, maxval: 255, bytesPerSample: 1, offset: 15, payloadBytes: 921600 });
    expect(ok('P5 2 3 65535\n', 12)).toEqual({ width: 2, height: 3, channels: 1, maxval: 65535, bytesPerSample: 2, offset: 13, payloadBytes: 12 });
    expect(ok('P5 1 1 256 ', 2).bytesPerSample).toBe(2);
  });
  it('takes comments and any whitespace between fields, exactly one byte after maxval', () => {
    expect(ok('P6 # made by scanner\r\n#another\n\t640\r\n# mid\n480 # x\n255\n', 921600).width).toBe(640);
    expect(ok('P5#c\n1 1 255\n', 1).height).toBe(1);
    expect(ok('P5 1 1 255\r', 1).offset).toBe(11);
    // The first pixel may itself be a whitespace or '#' byte.
    expect(ok('P5 1 1 255\n\n', 0).offset).toBe(11);
    expect(parseNetpbmHeader(B('P5 1 1 255\n#')).offset).toBe(11);
    expect(ok('P5 1 1 255\n', 10).payloadBytes).toBe(1);
  });
  it('refuses what is not a binary netpbm frame, naming what it found', () => {
    bad(new Uint8Array(0), 'INSPECT_IMAGE_EMPTY', /empty/);
    bad(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'INSPECT_IMAGE_UNSUPPORTED', /magic "\\x89P"/);
    bad(B('P3 1 1 255\n1 2 3'), 'INSPECT_IMAGE_UNSUPPORTED', /P5 or P6/);
    bad(B('P7\nWIDTH 1\n'), 'INSPECT_IMAGE_UNSUPPORTED', /P5 or P6/);
  });
  it('refuses broken headers and short pixel data as corrupt', () => {
    bad(B('P6640 480 255\n'), 'INSPECT_IMAGE_CORRUPT', /expected whitespace before width/);
    bad(B('P6\n640 48'), 'INSPECT_IMAGE_CORRUPT', /truncated while reading the byte after height/);
    bad(B('P6\n640 480\n'), 'INSPECT_IMAGE_CORRUPT', /truncated while reading maxval/);
    bad(B('P6\n# never ends'), 'INSPECT_IMAGE_CORRUPT', /truncated while reading width/);
    bad(B('P6 1 1 255#x\n', 3), 'INSPECT_IMAGE_CORRUPT', /single whitespace byte/);
    bad(B('P6 64x 480 255\n'), 'INSPECT_IMAGE_CORRUPT', /width followed by 0x78/);
    bad(B('P6 -1 480 255\n'), 'INSPECT_IMAGE_CORRUPT', /expected a decimal width/);
    bad(B('P6 0 480 255\n'), 'INSPECT_IMAGE_CORRUPT', /0×480/);
    bad(B('P5 1 1 0\n', 1), 'INSPECT_IMAGE_CORRUPT', /maxval 0/);
    bad(B('P5 1 1 65536\n', 2), 'INSPECT_IMAGE_CORRUPT', /maxval 65536/);
    bad(B('P6 640 480 255\n', 921599), 'INSPECT_IMAGE_CORRUPT', /921599 of 921600 bytes/);
    bad(B('P5 2 2 1023\n', 7), 'INSPECT_IMAGE_CORRUPT', /7 of 8 bytes for 2×2×1×2/);
    bad(B('P6 ' + '#'.repeat(MAX_HEADER_BYTES) + '\n1 1 255\n', 3), 'INSPECT_IMAGE_CORRUPT', /header longer than 4096/);
  });
  it('refuses absurd sizes from the header alone', () => {
    bad(B('P6 100000 100000 255\n'), 'INSPECT_IMAGE_TOO_LARGE', /over the 64000000 pixel limit/);
    bad(B('P6 99999999999999999999 1 255\n'), 'INSPECT_IMAGE_TOO_LARGE', /more than 9 digits/);
    expect(() => parseNetpbmHeader(B('P5 10 10 255\n', 100), 99)).toThrow(/over the 99 pixel limit/);
  });
  it('mutated and cut headers either parse to a frame whose pixels are all there or throw a StationError', () => {
    const base = B('P6 # c\n64 48\n255\n', 64 * 48 * 3);
    fc.assert(
      fc.property(fc.array(fc.record({ at: fc.nat(24), byte: fc.integer({ min: 0, max: 255 }) }), { maxLength: 4 }), fc.option(fc.nat(40)), (edits, cut) => {
        const b = Buffer.from(base.subarray(0, cut ?? base.length));
        for (const e of edits) if (b.length) b[e.at % b.length] = e.byte;
        try {
          const h = parseNetpbmHeader(b);
          expect(b.length - h.offset).toBeGreaterThanOrEqual(h.payloadBytes);
        } catch (e) {
          expect((e as Error).name).toBe('StationError');
        }
      }),
      { numRuns: 3000, seed: 11 },
    );
  });
});

describe('encodeNetpbm', () => {
  it('round-trips 8-bit colour and 16-bit grey (big-endian on the wire)', () => {
    const rgb = Uint8Array.from({ length: 4 * 3 * 3 }, (_, i) => i * 7);
    const p6 = encodeNetpbm(4, 3, 3, 255, rgb);
    const h6 = parseNetpbmHeader(p6);
    expect(h6).toMatchObject({ width: 4, height: 3, channels: 3, bytesPerSample: 1 });
    expect([...p6.subarray(h6.offset)]).toEqual([...rgb]);
    const grey = Uint16Array.from([0, 1, 256, 65535, 4096, 1234]);
    const p5 = encodeNetpbm(3, 2, 1, 65535, grey);
    const h5 = parseNetpbmHeader(p5);
    expect(h5).toMatchObject({ width: 3, height: 2, channels: 1, bytesPerSample: 2, maxval: 65535 });
    expect(Buffer.from(p5).readUInt16BE(h5.offset + 4)).toBe(256);
    expect(Buffer.from(p5).readUInt16BE(h5.offset + 6)).toBe(65535);
  });
  it('refuses a sample count that does not match the size', () => {
    expect(() => encodeNetpbm(2, 2, 3, 255, new Uint8Array(11))).toThrow(/11 samples for 2×2×3/);
  });
});
