// The console over WebSocket: /api/ws on the station's HTTP server. Each connection has its own
// session (log in or resume a token first); requests are {id, channel, payload} frames answered by
// {id, result}; logged-in connections also receive {event} frames.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { RequestFrameSchema, type ConsoleEvent } from '../../shared/api.ts';
import type { ConsoleCore, ConsoleSession } from './core.ts';
import { hostAllowed, originAllowed, type OriginPolicy } from './origin.ts';
import { acceptWebSocket, type WsConnection } from './websocket.ts';

export const WS_PATH = '/api/ws';

export function attachWebSocket(server: Server, core: ConsoleCore, policy: () => OriginPolicy): { close(): void; connections(): number } {
  const conns = new Set<{ conn: WsConnection; session: ConsoleSession }>();
  const unsubscribe = core.subscribe((e: ConsoleEvent) => {
    const text = JSON.stringify({ event: e });
    for (const c of conns) if (c.session.user) c.conn.send(text);
  });

  const onUpgrade = (req: IncomingMessage, socket: Duplex) => {
    if (req.url?.split('?')[0] !== WS_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    if (!hostAllowed(req.headers.host, policy()) || !originAllowed(req.headers.origin, req.headers.host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    const entry: { conn: WsConnection; session: ConsoleSession } = { conn: undefined as unknown as WsConnection, session: {} };
    const conn = acceptWebSocket(req, socket, (c) => ({
      onText: (text) => void answer(c, entry.session, text),
      onClose: () => conns.delete(entry),
    }));
    if (!conn) return;
    entry.conn = conn;
    conns.add(entry);
  };

  const answer = async (conn: WsConnection, session: ConsoleSession, text: string) => {
    let frame;
    try {
      frame = RequestFrameSchema.safeParse(JSON.parse(text));
    } catch {
      frame = undefined;
    }
    if (!frame?.success) {
      conn.close(1007, 'request frames are JSON {id, channel, payload}');
      return;
    }
    const result = await core.handle(session, frame.data.channel, frame.data.payload);
    conn.send(JSON.stringify({ id: frame.data.id, result }));
  };

  server.on('upgrade', onUpgrade);
  return {
    connections: () => conns.size,
    close() {
      server.off('upgrade', onUpgrade);
      unsubscribe();
      for (const c of conns) c.conn.close(1001, 'station stopping');
      conns.clear();
    },
  };
}
