// Fuzzing X-ray image decoding (src/devices/scanner/image-decode.ts): random bytes, valid PNG / JPEG /
// TIFF / netpbm (P5 16-bit, P6) files with flipped bytes, truncations and appended junk, and headers edited to claim huge
// dimensions (PNG IHDR with a correct CRC, JPEG SOF, TIFF ImageWidth/ImageLength). Every image is
// either accepted within the limits or refused with DEVICE_IMAGE_REJECTED; nothing else escapes and
// memory stays bounded. Also the watched export folder: nothing is lost or ingested twice.
// Decoding is slow, so the decode properties run FUZZ_RUNS × 0.5 cases each, the folder one × 0.3.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import fc from 'fast-check';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeNetpbm } from '../../src/shared/netpbm.ts';
import { decodeDualEnergy, decodeImage, probeImage, probePlane, type ImageLimits } from '../../src/devices/scanner/image-decode.ts';
import { FolderImageSource, ImageDecoder, imageGroup } from '../../src/devices/scanner/image-ingest.ts';
import { silentLogger } from '../../src/devices/log.ts';
import { isStationError } from '../../src/shared/errors.ts';
import { tempDir } from '../helpers/tmp.ts';
import { bytes, fuzzTarget, fuzzTimeout } from './harness.ts';

const fuzz = fuzzTarget('image decode (PNG, JPEG, TIFF, netpbm headers and bodies)');
const FRACTION = 0.5;
const LIMITS: ImageLimits = { maxImageBytes: 1 << 20, maxImagePixels: 1 << 20 };

const seeds: Record<string, Buffer> = {};

beforeAll(async () => {
  const grey = Buffer.alloc(24 * 16).map((_, i) => (i * 7) & 0xff);
  const g = () => sharp(grey, { raw: { width: 24, height: 16, channels: 1 } });
  seeds.png8 = await g().png().toBuffer();
  seeds.png16 = await g().toColourspace('grey16').png().toBuffer();
  seeds.jpeg = await g().jpeg({ quality: 80 }).toBuffer();
  seeds.tiff = await g().tiff().toBuffer();
  seeds.rgb = await sharp(Buffer.alloc(24 * 16 * 3, 90), { raw: { width: 24, height: 16, channels: 3 } }).png().toBuffer();
  seeds.pgm16 = Buffer.from(encodeNetpbm(24, 16, 1, 65535, Uint16Array.from(grey, (v) => v * 257)));
  seeds.ppm = Buffer.from(encodeNetpbm(24, 16, 3, 255, Buffer.alloc(24 * 16 * 3, 90)));
});

/** Overwrites the dimensions a header claims, keeping the file otherwise plausible. */
function claimSize(kind: string, b: Buffer, w: number, h: number): Buffer {
  if (kind === 'pgm16' || kind === 'ppm') {
    // A fresh header in front of the original pixels (so a huge claim also leaves the data short).
    const end = b.indexOf(kind === 'ppm' ? '255\n' : '65535\n') + (kind === 'ppm' ? 4 : 6);
    return Buffer.concat([Buffer.from(`P${kind === 'ppm' ? 6 : 5}\n${w} ${h}\n${kind === 'ppm' ? 255 : 65535}\n`), b.subarray(end)]);
  }
  const out = Buffer.from(b);
  if (kind.startsWith('png') || kind === 'rgb') {
    out.writeUInt32BE(w >>> 0, 16);
    out.writeUInt32BE(h >>> 0, 20);
    out.writeUInt32BE(crc32(out.subarray(12, 29)) >>> 0, 29); // IHDR CRC over type + data
  } else if (kind === 'jpeg') {
    // Walk the marker segments to the frame header (SOF0–SOF2): [FF Cn][len][precision][height][width].
    for (let i = 2; i + 9 < out.length && out[i] === 0xff; i += 2 + out.readUInt16BE(i + 2)) {
      if (out[i + 1]! >= 0xc0 && out[i + 1]! <= 0xc2) {
        out.writeUInt16BE(h & 0xffff, i + 5);
        out.writeUInt16BE(w & 0xffff, i + 7);
        break;
      }
    }
  } else if (kind === 'tiff') {
    const le = out[0] === 0x49;
    const r16 = (o: number) => (le ? out.readUInt16LE(o) : out.readUInt16BE(o));
    const ifd = le ? out.readUInt32LE(4) : out.readUInt32BE(4);
    if (ifd + 2 <= out.length) {
      const n = r16(ifd);
      for (let k = 0; k < n && ifd + 2 + k * 12 + 12 <= out.length; k++) {
        const e = ifd + 2 + k * 12;
        const tag = r16(e);
        if (tag !== 0x100 && tag !== 0x101) continue;
        const v = tag === 0x100 ? w : h;
        // Write as LONG (type 4) so values beyond 65535 fit.
        if (le) {
          out.writeUInt16LE(4, e + 2);
          out.writeUInt32LE(1, e + 4);
          out.writeUInt32LE(v >>> 0, e + 8);
        } else {
          out.writeUInt16BE(4, e + 2);
          out.writeUInt32BE(1, e + 4);
          out.writeUInt32BE(v >>> 0, e + 8);
        }
      }
    }
  }
  return out;
}

const dim = fc.oneof(fc.constantFrom(0, 1, 65535, 0x7fffffff, 0xffffffff, 100_000, 1 << 20), fc.integer({ min: 1, max: 5000 }));
const edit = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });
const imageArb = fc.oneof(
  bytes(300).map((b) => ({ label: 'random', make: () => Buffer.from(b) })),
  fc.tuple(fc.constantFrom('png8', 'png16', 'jpeg', 'tiff', 'rgb', 'pgm16', 'ppm'), dim, dim).map(([k, w, h]) => ({ label: `${k} claims ${w}×${h}`, make: () => claimSize(k, seeds[k]!, w, h) })),
  fc.tuple(fc.constantFrom('png8', 'png16', 'jpeg', 'tiff', 'rgb', 'pgm16', 'ppm'), fc.array(edit, { minLength: 1, maxLength: 6 }), fc.nat(), fc.boolean(), bytes(40)).map(([k, edits, cut, doCut, tail]) => ({
    label: `${k} mutated`,
    make: () => {
      let b = Buffer.from(seeds[k]!);
      for (const e of edits) b[e.at % b.length] = e.byte;
      if (doCut) b = b.subarray(0, cut % (b.length + 1));
      return Buffer.concat([b, Buffer.from(tail)]);
    },
  })),
);

async function outcome(p: Promise<{ width: number; height: number }>): Promise<'ok' | 'rejected'> {
  try {
    const r = await p;
    expect(r.width * r.height).toBeLessThanOrEqual(LIMITS.maxImagePixels);
    return 'ok';
  } catch (e) {
    if (!isStationError(e, 'DEVICE_IMAGE_REJECTED')) throw new Error(`rejected with ${e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e)} instead of DEVICE_IMAGE_REJECTED`, { cause: e });
    expect(e.message.length).toBeGreaterThan(0);
    return 'rejected';
  }
}

describe('image decoding', () => {
  it(
    'accepts within limits or refuses with DEVICE_IMAGE_REJECTED: header probe, header-only ingest and full decode agree',
    async () => {
      const rss0 = process.memoryUsage().rss;
      let peak = rss0;
      await fuzz.checkAsync(
        'probe / probePlane / decode: mutated and huge-header images',
        fc.asyncProperty(imageArb, async ({ label, make }) => {
          const b = make();
          const probed = await outcome(probeImage(b, LIMITS));
          const plane = await outcome(probePlane(b, LIMITS));
          const decoded = await outcome(decodeImage(b, LIMITS));
          expect(plane, label).toBe(probed);
          // A header that passes may still have a corrupt body, never the other way round.
          if (probed === 'rejected') expect(decoded, label).toBe('rejected');
          peak = Math.max(peak, process.memoryUsage().rss);
        }),
        { fraction: FRACTION },
      );
      // Bounded: nothing near what a 4-gigapixel header would cost if it were believed.
      expect(peak - rss0).toBeLessThan(512 * 1024 * 1024);
    },
    fuzzTimeout(40, FRACTION),
  );

  it(
    'a dual-energy pair is decoded only when both planes are good and the same size',
    async () => {
      await fuzz.checkAsync(
        'dual-energy pairs',
        fc.asyncProperty(imageArb, imageArb, async (hi, lo) => {
          const h = hi.make();
          const l = lo.make();
          const r = await outcome(decodeDualEnergy(h, l, LIMITS).then((p) => p.high));
          if (r === 'ok') {
            const [a, b] = await Promise.all([decodeImage(h, LIMITS), decodeImage(l, LIMITS)]);
            expect([a.width, a.height]).toEqual([b.width, b.height]);
          }
        }),
        { fraction: FRACTION },
      );
    },
    fuzzTimeout(60, FRACTION),
  );

  it(
    'a watched export folder loses nothing: every settled image file ends in done/ or rejected/ (with its reason), the rest stays put',
    async () => {
      const root = tempDir();
      const name = fc.tuple(
        fc.constantFrom('a', 'b', 'scan_01', 'x-1', '.hidden'),
        fc.constantFrom('', '_high', '_low', '_HIGH'),
        fc.constantFrom('.png', '.PNG', '.jpg', '.jpeg', '.tif', '.tiff', '.pgm', '.ppm', '.json', '.txt', '.png.part', '.tmp', ''),
      );
      const content = fc.oneof(
        fc.constantFrom('png8', 'png16', 'jpeg', 'tiff', 'rgb', 'pgm16', 'ppm').map((k) => () => seeds[k]!),
        imageArb.map((a) => a.make),
        fc.constantFrom('{"seq":7,"at":1700000000000}', 'null', '{', '[]', '{"seq":"x"}', '').map((t) => () => Buffer.from(t)),
      );
      await fuzz.checkAsync(
        'folder ingest: nothing lost, nothing ingested twice',
        fc.asyncProperty(fc.uniqueArray(fc.tuple(name, content), { selector: ([[b, e, x]]) => `${b}${e}${x}`, maxLength: 8 }), async (files) => {
          const dir = mkdtempSync(join(root, 'in-'));
          try {
          const names = files.map(([[b, e, x], make]) => {
            const n = `${b}${e}${x}`;
            writeFileSync(join(dir, n), make());
            return n;
          });
          let now = 1_000_000;
          const dec = new ImageDecoder('xray', LIMITS, silentLogger, { now: () => now });
          let accepted = 0;
          dec.events.on('image', () => {
            accepted++;
          });
          const src = new FolderImageSource(dir, dec, silentLogger, { settleMs: 100, pairWaitMs: 500, now: () => now });
          await src.start(false);
          // Several files of one group (a_high.png and a_high.tif) go one per poll, so poll until nothing moves.
          for (const dt of [0, 200, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]) {
            now += dt;
            await src.scan();
          }
          const left = new Set(readdirSync(dir));
          const done = new Set(readdirSync(join(dir, 'done')));
          const rejected = new Set(readdirSync(join(dir, 'rejected')));
          for (const n of names) {
            const where = [left.has(n), done.has(n), rejected.has(n)].filter(Boolean).length;
            expect(where, `${n} is in ${where} places`).toBe(1);
            const size = (files.find(([[b, e, x]]) => `${b}${e}${x}` === n)![1]() as Buffer).length;
            const g = imageGroup(n);
            // A `<base>.json` sidecar travels with its images; any other non-image name is never touched.
            if (g === undefined) {
              if (!n.endsWith('.json')) expect(left.has(n), `${n} should stay`).toBe(true);
            } else if (size === 0) expect(left.has(n), `${n} (empty) should stay`).toBe(true);
            else expect(left.has(n), `${n} was never ingested`).toBe(false);
            if (rejected.has(n) && g) {
              const reasons = [...rejected].filter((r) => r.endsWith('.reason.txt')).map((r) => imageGroup(r.slice(0, -'.reason.txt'.length))?.base);
              expect(reasons, `${n} rejected without a reason`).toContain(g.base);
            }
          }
          expect(accepted).toBeLessThanOrEqual(names.filter((n) => done.has(n) && imageGroup(n)).length);
          } finally {
            rmSync(dir, { recursive: true, force: true }); // one folder per case: do not leave thousands for the cleanup hook
          }
        }),
        { fraction: 0.3 },
      );
    },
    fuzzTimeout(30, 0.3),
  );

  it('the huge-header generator really produces headers that claim huge images, and they are refused by size', async () => {
    for (const k of ['png8', 'png16', 'jpeg', 'tiff', 'pgm16', 'ppm']) {
      const e = await probeImage(claimSize(k, seeds[k]!, 60000, 60000), LIMITS).catch((x: unknown) => x);
      expect(isStationError(e, 'DEVICE_IMAGE_REJECTED'), k).toBe(true);
      expect((e as Error).message, k).toContain('60000×60000');
    }
  });

  it('refuses an empty or oversized image before reading it', async () => {
    await expect(probeImage(new Uint8Array(0), LIMITS)).rejects.toMatchObject({ code: 'DEVICE_IMAGE_REJECTED' });
    await expect(probeImage(new Uint8Array(LIMITS.maxImageBytes + 1), LIMITS)).rejects.toMatchObject({ code: 'DEVICE_IMAGE_REJECTED', message: expect.stringContaining('byte limit') });
  });
});
