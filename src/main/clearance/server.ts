// The reference central clearance service (docs/sync-api.yaml): registers station keys, holds
// every outbox item exactly once, serves signed deltas by cursor, and misbehaves on request
// (delays, 5xx, dropped connections, truncated or garbled answers) so the station's sync can be
// tested against the faults real links produce.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import {
  DELTA_KINDS,
  FaultRatesSchema,
  PushRequestSchema,
  RegisterRequestSchema,
  OutboundItemSchema,
  type FaultRates,
  type ItemResult,
} from '../../shared/sync-api.ts';
import { dataPaths } from '../paths.ts';
import type { Db } from '../storage/db.ts';
import { loadOrCreateKeyPair, signCanonical, type StationKey } from '../sync/keys.ts';
import { openClearanceDb } from './db.ts';
import { FaultInjector, type Fault } from './faults.ts';
import { ClearanceError, ClearanceStore, type NewDelta } from './store.ts';

export interface ClearanceServerOptions {
  dataDir: string;
  host?: string;
  /** 0 = any free port. */
  port?: number;
  /** Accepted bearer tokens; empty or absent: no authentication (demonstration only). */
  tokens?: readonly string[];
  /** Token for /v1/admin/*; absent: the station tokens (or none) apply. */
  adminToken?: string | undefined;
  faults?: Partial<FaultRates>;
  /** HTTPS; with `ca`, clients must present a certificate it signed (mutual TLS). PEM text or paths. */
  tls?: { cert: string; key: string; ca?: string | undefined } | undefined;
  /**
   * synchronous=NORMAL instead of FULL: survives a process crash but not a power cut. Only for tests
   * that exercise the protocol on slow disks, where every fsync would dominate the run.
   */
  relaxedDurability?: boolean;
  /** Test hook, awaited after a batch is stored and before it is answered. */
  afterStore?: (stationId: string, results: readonly ItemResult[]) => void | Promise<void>;
}

export interface ClearanceServer {
  url: string;
  db: Db;
  store: ClearanceStore;
  key: StationKey;
  setFaults(rates: Partial<FaultRates>): FaultRates;
  faultStats(): Record<Exclude<Fault, 'none'>, number> & { requests: number };
  addDeltas(deltas: readonly NewDelta[]): number[];
  close(): Promise<void>;
}

export const CENTRAL_KEY_FILE = 'central-ed25519.pem';
export const CENTRAL_PUB_FILE = 'central-ed25519.pub.pem';

const MAX_REQUEST = 32 * 1024 * 1024;

const NewDeltaSchema = z.strictObject({
  kind: z.enum(DELTA_KINDS),
  op: z.enum(['upsert', 'delete']),
  key: z.string().min(1).max(200),
  data: z.json(),
  stationId: z.string().optional(),
  issuedAt: z.iso.datetime({ offset: true }).optional(),
});
const AdminDeltasSchema = z.strictObject({ items: z.array(NewDeltaSchema).min(1).max(10_000) });
const PutItemSchema = z.strictObject({ stationId: z.string(), item: OutboundItemSchema });

type Reply = { status: number; body: unknown };

function pemOf(v: string): string {
  return v.includes('-----BEGIN') ? v : readFileSync(v, 'utf8');
}

function sha(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ClearanceError(400, 'BAD_REQUEST', `${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'invalid'}`);
  }
  return r.data as z.output<S>;
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_REQUEST) throw new ClearanceError(413, 'TOO_LARGE', `request body over ${MAX_REQUEST} bytes`);
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ClearanceError(400, 'BAD_JSON', 'request body is not JSON');
  }
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } as const;

export async function startClearanceServer(opts: ClearanceServerOptions): Promise<ClearanceServer> {
  const db = openClearanceDb(join(opts.dataDir, 'clearance.db'));
  if (opts.relaxedDurability) db.pragma('synchronous = NORMAL');
  const store = new ClearanceStore(db);
  const key = loadOrCreateKeyPair(dataPaths(opts.dataDir).keys, CENTRAL_KEY_FILE, CENTRAL_PUB_FILE);
  const tokens = (opts.tokens ?? []).map(sha);
  const adminTokens = opts.adminToken ? [sha(opts.adminToken)] : tokens;
  const faults = new FaultInjector(opts.faults, Date.now());

  const authorised = (req: IncomingMessage, allowed: Buffer[]): boolean => {
    if (allowed.length === 0) return true;
    const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!m) return false;
    const h = sha(m[1]!);
    return allowed.some((t) => timingSafeEqual(t, h));
  };

  const setFaults = (r: Partial<FaultRates>): FaultRates => faults.set(r);

  async function route(req: IncomingMessage, url: URL): Promise<Reply> {
    const at = new Date().toISOString();
    const p = url.pathname;
    if (req.method === 'GET' && p === '/health') {
      return { status: 200, body: { status: 'ok', service: 'clearance', keyId: key.keyId, ...store.counts(), faults: faults.rates } };
    }
    if (!p.startsWith('/v1/')) throw new ClearanceError(404, 'NOT_FOUND', `no route ${req.method} ${p}`);
    if (p.startsWith('/v1/admin/')) {
      if (!authorised(req, adminTokens)) throw new ClearanceError(401, 'UNAUTHORIZED', 'admin token required');
      if (req.method === 'POST' && p === '/v1/admin/deltas') {
        const body = parse(AdminDeltasSchema, await readBody(req));
        return { status: 200, body: { seqs: store.appendDeltas(body.items, at) } };
      }
      if (req.method === 'POST' && p === '/v1/admin/faults') return { status: 200, body: { faults: setFaults(parse(FaultRatesSchema, await readBody(req))) } };
      if (req.method === 'GET' && p === '/v1/admin/faults') return { status: 200, body: { faults: faults.rates, injected: faults.counters, requests: faults.requests } };
      throw new ClearanceError(404, 'NOT_FOUND', `no route ${req.method} ${p}`);
    }
    if (!authorised(req, tokens)) throw new ClearanceError(401, 'UNAUTHORIZED', 'missing or unknown bearer token');
    if (req.method === 'GET' && p === '/v1/public-key') return { status: 200, body: { publicKey: key.publicKeyPem, keyId: key.keyId } };
    if (req.method === 'POST' && p === '/v1/stations/register') {
      const body = parse(RegisterRequestSchema, await readBody(req));
      return { status: 200, body: store.register(body.stationId, body.publicKey, at) };
    }
    if (req.method === 'POST' && p === '/v1/items') {
      const body = parse(PushRequestSchema, await readBody(req));
      const results = store.storeItems(body.stationId, body.items, at);
      await opts.afterStore?.(body.stationId, results);
      return { status: 200, body: { results } };
    }
    const single = /^\/v1\/items\/([^/]+)$/.exec(p);
    if (req.method === 'PUT' && single) {
      const body = parse(PutItemSchema, await readBody(req));
      if (body.item.idemKey !== decodeURIComponent(single[1]!)) throw new ClearanceError(400, 'BAD_REQUEST', 'item.idemKey differs from the path');
      const [r] = store.storeItems(body.stationId, [body.item], at);
      await opts.afterStore?.(body.stationId, [r!]);
      const status = { stored: 201, duplicate: 200, conflict: 409, rejected: 422 }[r!.status];
      return { status, body: r };
    }
    if (req.method === 'GET' && p === '/v1/deltas') {
      const stationId = url.searchParams.get('station') ?? '';
      const cursor = Number(url.searchParams.get('cursor') ?? '0');
      const limit = Math.min(5000, Math.max(1, Number(url.searchParams.get('limit') ?? '500')));
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(stationId)) throw new ClearanceError(400, 'BAD_REQUEST', 'station must be a station id');
      if (!Number.isInteger(cursor) || cursor < 0 || !Number.isInteger(limit)) throw new ClearanceError(400, 'BAD_REQUEST', 'cursor and limit must be whole numbers');
      const batch = store.deltaPage(stationId, cursor, limit, at);
      return { status: 200, body: { batch, signature: signCanonical(key.privateKey, batch) } };
    }
    throw new ClearanceError(404, 'NOT_FOUND', `no route ${req.method} ${p}`);
  }

  function send(res: ServerResponse, status: number, bytes: Buffer): void {
    res.writeHead(status, { ...JSON_HEADERS, 'content-length': bytes.length });
    res.end(bytes);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://clearance.local');
    const fault = await faults.enter(req, url.pathname.startsWith('/v1/') && !url.pathname.startsWith('/v1/admin/'));
    if (fault === undefined) return;
    if (fault === 'error5xx') {
      req.resume();
      return send(res, 503, Buffer.from(JSON.stringify({ error: { code: 'INJECTED_FAULT', message: 'injected 503' } })));
    }
    let reply: Reply;
    try {
      reply = await route(req, url);
    } catch (e) {
      req.resume();
      reply =
        e instanceof ClearanceError
          ? { status: e.status, body: { error: { code: e.code, message: e.message } } }
          : { status: 500, body: { error: { code: 'INTERNAL', message: (e as Error).message } } };
    }
    faults.answer(fault, req, res, reply.status, JSON_HEADERS, Buffer.from(JSON.stringify(reply.body)));
  }

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, Buffer.from(JSON.stringify({ error: { code: 'INTERNAL', message: (e as Error).message } })));
      else res.destroy();
    });
  };
  const server = opts.tls
    ? https.createServer({ cert: pemOf(opts.tls.cert), key: pemOf(opts.tls.key), ...(opts.tls.ca ? { ca: pemOf(opts.tls.ca), requestCert: true, rejectUnauthorized: true } : {}) }, listener)
    : http.createServer(listener);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    db.close();
    throw e;
  }
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closed = false;
  return {
    url: `${opts.tls ? 'https' : 'http'}://${host}:${addr.port}/`,
    db,
    store,
    key,
    setFaults,
    faultStats: () => faults.stats(),
    addDeltas: (d) => store.appendDeltas(d, new Date().toISOString()),
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      db.close();
    },
  };
}
