// HTTP(S) + JSON client for the central clearance service (docs/sync-api.yaml). Bearer token,
// optional mutual TLS, one deadline per request. Anything short of a complete, well-formed,
// schema-valid answer is an error, never a success: a truncated or garbled body must not ack items.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { z } from 'zod';
import { ErrorCodes, StationError } from '../../shared/errors.ts';
import {
  DeltaResponseSchema,
  PushResponseSchema,
  RegisterResponseSchema,
  type DeltaResponse,
  type PushRequest,
  type PushResponse,
  type RegisterRequest,
  type RegisterResponse,
} from '../../shared/sync-api.ts';

export interface ClientOptions {
  url: string;
  token?: string | undefined;
  timeoutMs: number;
  /** PEM text or file paths. */
  clientCert?: string | undefined;
  clientKey?: string | undefined;
  caCert?: string | undefined;
}

export interface CentralApi {
  /** Cheap reachability check (GET /health), used before replaying a backlog. */
  health(): Promise<{ status: string }>;
  register(req: RegisterRequest): Promise<RegisterResponse>;
  push(req: PushRequest): Promise<PushResponse>;
  pull(stationId: string, cursor: number, limit: number): Promise<DeltaResponse>;
  close(): void;
}

const HealthSchema = z.looseObject({ status: z.string() });

const MAX_BODY = 64 * 1024 * 1024;

function pem(value: string | undefined, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (e) {
    // Not PEM, so taken as a path; but it may be key material pasted without its header: name it
    // only when it looks like a path (docs/security.md: secrets never reach a message).
    const shown = value.length <= 256 && !/[\r\n]/.test(value) && /[/\\]/.test(value) ? value : '(the configured value; not shown)';
    throw new StationError(ErrorCodes.SYNC_CONFIG, `central.${what}: neither PEM text nor a readable file: cannot read ${shown}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {});
  }
}

export function createCentralClient(opts: ClientOptions): CentralApi {
  let base: URL;
  try {
    base = new URL(opts.url.endsWith('/') ? opts.url : `${opts.url}/`);
  } catch {
    throw new StationError(ErrorCodes.SYNC_CONFIG, `central.url "${opts.url.replace(/\/\/[^@/]*@/, '//***@')}" is not a URL`, {});
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new StationError(ErrorCodes.SYNC_CONFIG, `central.url must be http(s), got ${base.protocol}`, {});
  const tls = base.protocol === 'https:';
  if (!tls && (opts.clientCert || opts.clientKey)) throw new StationError(ErrorCodes.SYNC_CONFIG, 'central.clientCert/clientKey need an https:// central.url', {});
  if (Boolean(opts.clientCert) !== Boolean(opts.clientKey)) throw new StationError(ErrorCodes.SYNC_CONFIG, 'central.clientCert and central.clientKey go together', {});
  const agent = tls
    ? new https.Agent({ keepAlive: true, maxSockets: 2, cert: pem(opts.clientCert, 'clientCert'), key: pem(opts.clientKey, 'clientKey'), ca: pem(opts.caCert, 'caCert') })
    : new http.Agent({ keepAlive: true, maxSockets: 2 });

  async function call<S extends z.ZodType>(method: 'GET' | 'POST', path: string, body: unknown, schema: S): Promise<z.output<S>> {
    const url = new URL(path, base);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const { status, text } = await exchange(url, method, headers, payload);
    const where = `${method} ${url.pathname}`;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new StationError(ErrorCodes.SYNC_PROTOCOL, `${where}: answer (HTTP ${status}, ${text.length} chars) is not JSON`, { status });
    }
    if (status < 200 || status > 299) {
      const err = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
      const code = typeof err?.code === 'string' ? err.code : undefined;
      const message = typeof err?.message === 'string' ? err.message : text.slice(0, 200);
      throw new StationError(ErrorCodes.SYNC_HTTP_STATUS, `${where}: HTTP ${status}${code ? ` ${code}` : ''}: ${message}`, { status, remoteCode: code });
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new StationError(ErrorCodes.SYNC_PROTOCOL, `${where}: answer does not match the contract at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`, { status });
    }
    return result.data as z.output<S>;
  }

  function exchange(url: URL, method: string, headers: Record<string, string>, payload: Buffer | undefined): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const transport = tls ? https : http;
      const fail = (e: unknown, what = 'request failed') => {
        if (e instanceof StationError) return reject(e);
        reject(new StationError(ErrorCodes.SYNC_TRANSPORT, `${method} ${url.pathname}: ${what}: ${(e as Error).message}`, { url: url.origin }, { cause: e }));
      };
      const req = transport.request(url, { method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_BODY) req.destroy(new StationError(ErrorCodes.SYNC_PROTOCOL, `${method} ${url.pathname}: answer larger than ${MAX_BODY} bytes`, {}));
          else chunks.push(c);
        });
        res.on('error', (e) => fail(e, 'answer cut off'));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const declared = res.headers['content-length'];
          // `complete` is false when the connection closed before the whole message arrived.
          if (!res.complete || (declared !== undefined && Number(declared) !== buf.length)) {
            return reject(new StationError(ErrorCodes.SYNC_PROTOCOL, `${method} ${url.pathname}: answer truncated (${buf.length} of ${declared ?? '?'} bytes)`, { status: res.statusCode }));
          }
          resolve({ status: res.statusCode ?? 0, text: buf.toString('utf8') });
        });
      });
      const timer = setTimeout(() => req.destroy(new Error(`no complete answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
      req.on('close', () => clearTimeout(timer));
      req.on('error', (e) => fail(e));
      req.end(payload);
    });
  }

  return {
    health: () => call('GET', 'health', undefined, HealthSchema),
    register: (r) => call('POST', 'v1/stations/register', r, RegisterResponseSchema),
    push: (r) => call('POST', 'v1/items', r, PushResponseSchema),
    pull: (stationId, cursor, limit) =>
      call('GET', `v1/deltas?station=${encodeURIComponent(stationId)}&cursor=${cursor}&limit=${limit}`, undefined, DeltaResponseSchema),
    close: () => agent.destroy(),
  };
}
