// The station's loopback HTTP server: GET /health now; the console and /metrics attach here later.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>;

export interface HttpServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Tries each handler in order; the first that returns true answered the request. */
export async function startHttp(host: string, port: number, handlers: Handler[]): Promise<HttpServer> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        for (const h of handlers) if (await h(req, res)) return;
        sendJson(res, 404, { error: 'not found' });
      } catch (e) {
        if (!res.headersSent) sendJson(res, 500, { error: (e as Error).message });
        else res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${shownHost}:${addr.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
