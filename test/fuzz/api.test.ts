// Fuzzing console API messages (src/shared/api.ts) the way the WebSocket server takes them
// (src/main/console/ws-server.ts: JSON text → RequestFrameSchema → ConsoleCore.handle) against a real
// station database. Properties: a request is always answered with a Result, never an exception; an
// unexpected exception inside a handler (CONSOLE_INTERNAL) never happens for any payload; ok answers
// satisfy the channel's response schema; nothing but the two auth channels answers before login.
// Also the Host / Origin checks every console request passes first (src/main/console/origin.ts).
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, CHANNELS, PUBLIC_CHANNELS, RequestFrameSchema, parseRequest, type Channel, type Result } from '../../src/shared/api.ts';
import { ConsoleCore, type ConsoleSession } from '../../src/main/console/core.ts';
import { addAccount, Sessions } from '../../src/main/console/accounts.ts';
import { ParcelViews } from '../../src/main/console/parcels.ts';
import { DeviceTracker } from '../../src/main/console/devices.ts';
import { hostAllowed, originAllowed } from '../../src/main/console/origin.ts';
import { openDatabase } from '../../src/main/storage/db.ts';
import { isIP } from 'node:net';
import { tempDir } from '../helpers/tmp.ts';
import { fuzzTarget, fuzzTimeout, mutateJson, mutations } from './harness.ts';

const fuzz = fuzzTarget('console API (request frames, channel payloads)');

const sha = fc.stringMatching(/^[0-9a-f]{64}$/);
const scanId = fc.string({ minLength: 1, maxLength: 64 });
const box = fc.tuple(fc.double({ noNaN: true }), fc.double({ noNaN: true }), fc.double({ noNaN: true }), fc.double({ noNaN: true }));
/** A plausible payload per channel (valid or near it); mutations take it from there. */
const PAYLOAD: Record<Channel, fc.Arbitrary<unknown>> = {
  'auth.login': fc.record({ username: fc.constantFrom('op1', 'nobody', 'admin', ''), password: fc.string({ maxLength: 20 }) }),
  'auth.resume': fc.record({ token: fc.string({ minLength: 14, maxLength: 40 }) }),
  'auth.logout': fc.constant({}),
  'line.snapshot': fc.constant({}),
  'line.decide': fc.record({ scanId, action: fc.constantFrom('RELEASE', 'HOLD', 'HOLD_LOCK'), reason: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }) }),
  'parcel.get': fc.record({ scanId }),
  'image.get': fc.record({ sha256: sha }),
  'history.search': fc.record({ waybill: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), from: fc.option(fc.string({ minLength: 1, maxLength: 30 }), { nil: undefined }), to: fc.option(fc.constantFrom('2026-01-01T00:00:00Z', 'x', '9999'), { nil: undefined }), action: fc.option(fc.constantFrom('RELEASE', 'HOLD'), { nil: undefined }), reason: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }), limit: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }), offset: fc.option(fc.nat(), { nil: undefined }) }),
  'history.export': fc.record({ waybill: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }), limit: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }) }),
  'stats.get': fc.record({ hours: fc.integer({ min: 1, max: 744 }) }),
  'devices.get': fc.constant({}),
  'labels.save': fc.record({ scanId, detectionIndex: fc.option(fc.nat(), { nil: null }), kind: fc.constantFrom('confirm', 'reject', 'add'), label: fc.string({ minLength: 1, maxLength: 40 }), box }),
  'labels.export': fc.constant({}),
};
const strip = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? 'null') as unknown;

const request = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...CHANNEL_NAMES).chain((c) => fc.tuple(fc.constant<string>(c), PAYLOAD[c].map(strip), fc.option(mutations, { nil: undefined }))) },
  { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.string({ maxLength: 50 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty')), fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined)) },
);

describe('console API requests', () => {
  const dir = tempDir();
  const { db } = openDatabase(join(dir, 'station.db'));
  addAccount(db, 'op1', 'operator', 'operator-pass-1', 'fuzz');
  const now = () => Date.parse('2026-11-27T08:00:00.000Z');
  const core = new ConsoleCore({
    db,
    line: { activeParcels: () => [], operator: () => ['parcel is not awaiting a decision'] },
    views: new ParcelViews(db, () => [], { get: () => undefined }),
    sessions: new Sessions(db, now),
    devices: new DeviceTracker(db, now),
    imagesDir: join(dir, 'images'),
    exportsDir: join(dir, 'exports'),
    stationId: 'fuzz-01',
    lineId: 'line-1',
    now,
  });
  afterAll(() => db.close());

  it(
    'every frame is answered with a Result (or the frame is refused), never an exception or an internal error',
    async () => {
      await fuzz.checkAsync(
        'ConsoleCore.handle: any frame, any role',
        fc.asyncProperty(
          request,
          fc.constantFrom<'anon' | 'operator' | 'supervisor' | 'admin'>('anon', 'operator', 'supervisor', 'admin'),
          fc.constantFrom('frame', 'text-junk', 'id-junk'),
          async ([channel, payload, muts], role, wrap) => {
            const body = muts ? mutateJson(payload, muts) : payload;
            const frameObj = wrap === 'id-junk' ? { id: -1, channel, payload: body } : { id: 7, channel, payload: body };
            const text = wrap === 'text-junk' ? `${JSON.stringify(frameObj)}}` : JSON.stringify(frameObj);
            // What ws-server.ts does with a text frame.
            let frame;
            try {
              frame = RequestFrameSchema.safeParse(JSON.parse(text));
            } catch {
              frame = undefined;
            }
            if (!frame?.success) return; // the connection is closed with 1007: refused, nothing handled
            const session: ConsoleSession = role === 'anon' ? {} : { user: { name: `fuzz-${role}`, role } };
            const r: Result<unknown> = await core.handle(session, frame.data.channel, frame.data.payload);
            expect(['ok', 'code'].some((k) => k in r)).toBe(true);
            if (r.ok) {
              expect(CHANNELS[frame.data.channel as Channel].res.safeParse(r.data).success).toBe(true);
              if (role === 'anon') expect(PUBLIC_CHANNELS.has(frame.data.channel as Channel)).toBe(true);
            } else {
              expect(r.code, r.message).not.toBe('CONSOLE_INTERNAL');
              expect(r.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
              expect(r.message.length).toBeGreaterThan(0);
              expect(r.message.length).toBeLessThan(2000);
            }
            expect(() => JSON.stringify({ id: frame.data.id, result: r })).not.toThrow();
          },
        ),
        { fraction: 0.5 },
      );
    },
    fuzzTimeout(20, 0.5),
  );

  it(
    'request validation is total: any payload on any channel gives ok or CONSOLE_BAD_REQUEST naming the channel',
    () => {
      fuzz.check(
        'parseRequest: any payload',
        fc.property(fc.constantFrom(...CHANNEL_NAMES), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constantFrom(...CHANNEL_NAMES).chain((c) => PAYLOAD[c].map(strip))), (channel, payload) => {
          const r = parseRequest(channel, payload);
          if (!r.ok) {
            expect(r.code).toBe('CONSOLE_BAD_REQUEST');
            expect(r.message.startsWith(`${channel}:`)).toBe(true);
          } else expect(parseRequest(channel, r.data).ok).toBe(true);
        }),
      );
    },
    fuzzTimeout(2),
  );
});

describe('console HTTP Host and Origin headers', () => {
  const label = fc.oneof(fc.constantFrom('127', '0', '1', '255', 'localhost', 'evil', 'com', 'attacker', '', '::1', 'xn--', '0x7f'), fc.stringMatching(/^[a-z0-9-]{1,6}$/));
  const hostHeader = fc.oneof(
    fc.tuple(fc.array(label, { minLength: 1, maxLength: 5 }), fc.option(fc.constantFrom(8080, 80, 443), { nil: undefined }), fc.boolean()).map(([ls, port, bracket]) => {
      const h = ls.join('.');
      return `${bracket ? `[${h}]` : h}${port !== undefined ? `:${port}` : ''}`;
    }),
    fc.string({ maxLength: 30 }),
  );

  it(
    'bound to loopback, only a loopback name or address is accepted as Host (no DNS-rebinding names like 127.evil.com)',
    () => {
      const loop = { bindHost: '127.0.0.1', port: 8080 };
      const lan = { bindHost: 'station-7.lan', port: 8080 };
      fuzz.check(
        'hostAllowed / originAllowed: any header',
        fc.property(hostHeader, fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), (h, origin) => {
          const host = h.trim().toLowerCase().replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
          if (hostAllowed(h, loop)) expect(host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.')), `Host ${JSON.stringify(h)} accepted on loopback`).toBe(true);
          if (hostAllowed(h, lan)) expect(isIP(host) !== 0 || host === 'station-7.lan', `Host ${JSON.stringify(h)} accepted on the LAN`).toBe(true);
          if (originAllowed(origin, h) && origin !== undefined) expect(origin.toLowerCase()).toBe(`http://${h.toLowerCase()}`);
        }),
        // Regression: "127.evil.com" passed the loopback check, so a page on a DNS name rebound to
        // 127.0.0.1 could talk to the console (Host and Origin both name that page).
        { examples: [['127.evil.com:8080', 'http://127.evil.com:8080']] },
      );
    },
    fuzzTimeout(1),
  );
});
