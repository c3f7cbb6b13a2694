// An HTTP proxy that sits between a station and the central service and breaks things on purpose:
// delays, 503s, connections dropped before or after the upstream handled the request (the second
// is the one that tests idempotency: stored centrally, answer lost), truncated and garbled answers.
// `rewrite` lets a test tamper with an answer body (e.g. a delta page) on its way to the station.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultRates } from '../../shared/sync-api.ts';
import { FaultInjector, type Fault } from './faults.ts';

export interface FaultProxyOptions {
  upstream: string;
  faults?: Partial<FaultRates>;
  /** Only paths starting with this prefix get faults (default /v1/). */
  faultPrefix?: string;
  rewrite?: (path: string, body: Buffer) => Buffer;
}

export interface FaultProxy {
  url: string;
  setFaults(r: Partial<FaultRates>): void;
  stats(): Record<Exclude<Fault, 'none'>, number> & { requests: number; total: number };
  close(): Promise<void>;
}

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(opts.upstream);
  const prefix = opts.faultPrefix ?? '/v1/';
  const faults = new FaultInjector(opts.faults, 1);
  const agent = new http.Agent({ keepAlive: true });

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
      const up = http.request(new URL(req.url ?? '/', upstream), { method: req.method, headers, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.complete ? resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }) : reject(new Error('upstream answer cut off'))));
        res.on('error', reject);
      });
      up.on('error', reject);
      up.end(body);
    });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
    const path = req.url ?? '/';
    const fault = await faults.enter(req, path.startsWith(prefix));
    if (fault === undefined) return;
    if (fault === 'error5xx') {
      const b = Buffer.from('{"error":{"code":"PROXY_FAULT","message":"injected 502"}}');
      res.writeHead(502, { 'content-type': 'application/json', 'content-length': b.length });
      return void res.end(b);
    }
    let up;
    try {
      up = await forward(req, Buffer.concat(chunks));
    } catch {
      return void req.socket.destroy();
    }
    const body = opts.rewrite ? opts.rewrite(path, up.body) : up.body;
    faults.answer(fault, req, res, up.status, { 'content-type': up.headers['content-type'] ?? 'application/json' }, body);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    setFaults(r) {
      faults.set(r);
    },
    stats() {
      const total = Object.values(faults.counters).reduce((a, b) => a + b, 0);
      return { ...faults.stats(), total };
    },
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
