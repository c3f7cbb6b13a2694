// Fuzzing what the central clearance service sends back (src/main/sync, src/shared/sync-api.ts):
// raw HTTP answers from a socket server (garbage, wrong lengths, cut-off bodies, mutated contract
// JSON, error bodies), signed delta pages with any part tampered, and pages of arbitrary items
// applied to a real station database. Properties: the client resolves only with a schema-valid
// answer and otherwise rejects with a SYNC_* StationError; no page whose signed content was changed
// is accepted; a page is applied whole or not at all (cursor and every table unchanged on failure).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCentralClient, type CentralApi } from '../../src/main/sync/client.ts';
import { createDeltaApplier } from '../../src/main/sync/delta-apply.ts';
import { applyDeltaPage, readCursor, verifyDeltaPage } from '../../src/main/sync/inbound.ts';
import { signCanonical } from '../../src/main/sync/keys.ts';
import { AedStore } from '../../src/main/aed/store.ts';
import { openDatabase, type Db } from '../../src/main/storage/db.ts';
import { canonicalJson } from '../../src/shared/canonical-json.ts';
import { DELTA_KINDS, DeltaResponseSchema, PushResponseSchema, RegisterResponseSchema, type DeltaBatch, type DeltaItem, type DeltaResponse } from '../../src/shared/sync-api.ts';
import { isStationError } from '../../src/shared/errors.ts';
import { tempDir } from '../helpers/tmp.ts';
import { bytes, fuzzTarget, fuzzTimeout, mutateJson, mutations, stationErrorOr, stationErrorOrAsync } from './harness.ts';

const fuzz = fuzzTarget('sync (HTTP answers, signed delta pages, page application)');
const central = generateKeyPairSync('ed25519');
const AT = '2026-03-01T10:00:00.000Z';

const isoTime = fc.date({ min: new Date('2020-01-01'), max: new Date('2035-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
const itemArb = (seq: number): fc.Arbitrary<DeltaItem> =>
  fc.record({
    seq: fc.constant(seq),
    kind: fc.constantFrom(...DELTA_KINDS),
    op: fc.constantFrom('upsert' as const, 'delete' as const),
    key: fc.string({ minLength: 1, maxLength: 30 }),
    data: fc.jsonValue({ maxDepth: 3 }),
    issuedAt: isoTime,
  });
const batchArb = (from: number): fc.Arbitrary<DeltaBatch> =>
  fc.integer({ min: 0, max: 4 }).chain((n) =>
    fc.tuple(fc.tuple(...Array.from({ length: n }, (_, i) => itemArb(from + i + 1))), fc.boolean(), isoTime).map(([items, more, issuedAt]) => ({ stationId: 'st-1', fromCursor: from, toCursor: from + n, more, issuedAt, items: items as DeltaItem[] })),
  );
const signed = (b: DeltaBatch): DeltaResponse => ({ batch: b, signature: signCanonical(central.privateKey, b) });

// ---- a raw socket "central service" that answers whatever the current case says ----

let server: Server;
let api: CentralApi;
let answer: (sock: Socket) => void = (s) => s.destroy();

beforeAll(async () => {
  server = createServer((sock) => {
    let seen = '';
    sock.on('error', () => undefined);
    sock.on('data', (d) => {
      if (seen.includes('\r\n\r\n')) return;
      seen += d.toString('latin1');
      if (seen.includes('\r\n\r\n')) answer(sock);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  api = createCentralClient({ url: `http://127.0.0.1:${port}`, token: 't', timeoutMs: 1000 });
});

afterAll(async () => {
  api?.close();
  await new Promise<void>((r) => server.close(() => r()));
});

type Reply = { status: string; headers: string[]; body: Buffer; cut: number | undefined; raw: Buffer | undefined };

function validBody(call: 'pull' | 'push' | 'register' | 'health', batch: DeltaBatch): unknown {
  if (call === 'pull') return signed(batch);
  if (call === 'push') return { results: [{ idemKey: 'k-1', status: 'stored' }] };
  if (call === 'register') return { stationId: 'st-1', keyId: 'abc', status: 'registered' };
  return { status: 'ok' };
}

describe('the central client', () => {
  it(
    'resolves only with a contract-valid answer; anything else is a SYNC_* StationError, never a hang',
    async () => {
      const call = fc.constantFrom('pull' as const, 'push' as const, 'register' as const, 'health' as const);
      const reply = (c: 'pull' | 'push' | 'register' | 'health') =>
        fc.record({
          status: fc.constantFrom('200 OK', '201 Created', '204 No Content', '400 Bad Request', '409 Conflict', '500 Oops', '999 X', 'abc'),
          body: fc.oneof(
            batchArb(0).map((b) => Buffer.from(JSON.stringify(validBody(c, b)))),
            fc.tuple(batchArb(0), mutations).map(([b, m]) => Buffer.from(JSON.stringify(mutateJson(validBody(c, b), m)))),
            fc.constantFrom('{"error":{"code":"X","message":"m"}}', '{"error":null}', 'null', '', '[]', '{"results":[]}').map((s) => Buffer.from(s)),
            bytes(120).map((b) => Buffer.from(b)),
          ),
          length: fc.constantFrom('exact', 'short', 'long', 'none', 'chunked', 'bogus'),
          cut: fc.option(fc.nat(), { nil: undefined }),
          raw: fc.option(bytes(80).map((b) => Buffer.from(b)), { nil: undefined, freq: 8 }),
        });
      await fuzz.checkAsync(
        'client: raw HTTP answers',
        fc.asyncProperty(
          call.chain((c) => fc.tuple(fc.constant(c), reply(c))),
          async ([c, rep]) => {
            const headers = ['Connection: close', 'Content-Type: application/json'];
            if (rep.length === 'exact') headers.push(`Content-Length: ${rep.body.length}`);
            if (rep.length === 'short') headers.push(`Content-Length: ${Math.max(0, rep.body.length - 3)}`);
            if (rep.length === 'long') headers.push(`Content-Length: ${rep.body.length + 5}`);
            if (rep.length === 'bogus') headers.push('Content-Length: abc');
            let body = rep.body;
            if (rep.length === 'chunked') {
              headers.push('Transfer-Encoding: chunked');
              body = Buffer.concat([Buffer.from(`${rep.body.length.toString(16)}\r\n`), rep.body, Buffer.from('\r\n0\r\n\r\n')]);
            }
            let wire = rep.raw ?? Buffer.concat([Buffer.from(`HTTP/1.1 ${rep.status}\r\n${headers.join('\r\n')}\r\n\r\n`), body]);
            if (rep.cut !== undefined) wire = wire.subarray(0, rep.cut % (wire.length + 1));
            const r: Reply = { status: rep.status, headers, body, cut: rep.cut, raw: rep.raw };
            answer = (sock) => sock.end(wire);
            const t0 = Date.now();
            const run = (): Promise<unknown> =>
              c === 'pull'
                ? api.pull('st-1', 0, 10)
                : c === 'push'
                  ? api.push({ stationId: 'st-1', items: [{ idemKey: 'k-1', kind: 'verdict', createdAt: AT, historical: false, payload: {}, signature: 'AA==' }] })
                  : c === 'register'
                    ? api.register({ stationId: 'st-1', publicKey: '-----BEGIN PUBLIC KEY-----' })
                    : api.health();
            const out = await stationErrorOrAsync(run, 'SYNC_');
            expect(Date.now() - t0).toBeLessThan(3000);
            if (!isStationError(out)) {
              const schema = c === 'pull' ? DeltaResponseSchema : c === 'push' ? PushResponseSchema : c === 'register' ? RegisterResponseSchema : undefined;
              if (schema) expect(schema.safeParse(out).success, JSON.stringify(r.status)).toBe(true);
            }
          },
        ),
        { fraction: 0.3 },
      );
    },
    fuzzTimeout(15, 0.3),
  );
});

describe('delta pages', () => {
  it(
    'a page whose signed content or signature was changed is never accepted; the checks throw only SYNC_* errors',
    () => {
      fuzz.check(
        'verifyDeltaPage: tampered signed pages',
        fc.property(batchArb(3), mutations, fc.constantFrom('batch', 'signature', 'both', 'none'), fc.constantFrom(3, 0, 4), fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 80 }).map((x) => Buffer.from(x).toString('base64')), fc.string({ maxLength: 90 })), (b, muts, what, cursor, otherSig) => {
          const original = signed(b);
          const wire: unknown = {
            batch: what === 'batch' || what === 'both' ? mutateJson(original.batch, muts) : original.batch,
            signature: what === 'signature' || what === 'both' ? otherSig : original.signature,
          };
          // As the client does: the contract first, then the signature and cursor checks.
          const parsed = DeltaResponseSchema.safeParse(JSON.parse(JSON.stringify(wire)));
          if (!parsed.success) return;
          const r = stationErrorOr(() => verifyDeltaPage(parsed.data, central.publicKey, 'st-1', cursor), 'SYNC_');
          if (!isStationError(r)) {
            expect(canonicalJson(r)).toBe(canonicalJson(b));
            expect(cursor).toBe(3);
          }
        }),
      );
    },
    fuzzTimeout(3),
  );

  function tableCounts(db: Db): Record<string, number> {
    const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
    return Object.fromEntries(names.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
  }

  it(
    'a page of arbitrary items is applied whole with its cursor, or not at all',
    () => {
      const { db } = openDatabase(join(tempDir(), 'station.db'));
      const applier = createDeltaApplier(new AedStore(db, randomBytes(32)));
      const aedRecord = fc.record({
        type: fc.constantFrom('CEB621', 'CEB311', 'CEB411', 'CEB511', 'CEB622', 'CONTROL', 'X'),
        record: fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.record({ logisticsNo: fc.constantFrom('SF1', 'SF2'), logisticsCode: fc.constant('4401980003'), kind: fc.constantFrom('HOLD', 'RELEASE', 'INSPECT', 'NOPE'), issuedAt: isoTime, guid: fc.uuid() }),
        ),
      });
      const page = (from: number) =>
        fc.integer({ min: 0, max: 4 }).chain((n) =>
          fc
            .tuple(
              fc.tuple(
                ...Array.from({ length: n }, (_, i) =>
                  fc.oneof(
                    itemArb(from + i + 1),
                    fc.tuple(itemArb(from + i + 1), aedRecord).map(([it, d]) => ({ ...it, kind: 'aed' as const, op: 'upsert' as const, data: d })),
                    fc.tuple(itemArb(from + i + 1), aedRecord).map(([it, d]) => ({ ...it, kind: 'control' as const, op: 'upsert' as const, data: d.record })),
                    fc.tuple(itemArb(from + i + 1), fc.constantFrom('v1', 'v2')).map(([it, k]) => ({ ...it, kind: 'rule_pack' as const, key: k, data: { v: it.seq % 2 } })),
                  ),
                ),
              ),
              fc.integer({ min: 0, max: 2 }),
            )
            .map(([items, extra]) => ({ stationId: 'st-1', fromCursor: from, toCursor: from + n + extra, more: false, issuedAt: AT, items: items as DeltaItem[] })),
        );
      try {
        fuzz.check(
          'applyDeltaPage: all or nothing on a real database',
          fc.property(page(0), (p0) => {
            // Pages are generated from cursor 0 and moved to wherever the database stands now.
            const from = readCursor(db);
            const p: DeltaBatch = { ...p0, fromCursor: from, toCursor: p0.toCursor + from, items: p0.items.map((it) => ({ ...it, seq: it.seq + from })) };
            const before = tableCounts(db);
            const r = stationErrorOr(() => applyDeltaPage(db, p, applier, AT));
            if (isStationError(r)) {
              expect(readCursor(db)).toBe(from);
              expect(tableCounts(db)).toEqual(before);
            } else {
              expect(r).toBe(p.items.length);
              expect(readCursor(db)).toBe(p.toCursor);
            }
          }),
          { fraction: 0.3 },
        );
      } finally {
        db.close();
      }
    },
    fuzzTimeout(20, 0.3),
  );
});
