// A console client for integration tests: Node's own WebSocket speaking the request/response
// frames of src/shared/api.ts, collecting pushed events.
import type { ConsoleEvent, Result } from '../../../src/shared/api.ts';

export interface WsClient {
  request(channel: string, payload?: unknown): Promise<Result<unknown>>;
  events: ConsoleEvent[];
  closed: Promise<{ code: number }>;
  raw: WebSocket;
  close(): void;
}

export async function wsClient(url: string): Promise<WsClient> {
  const ws = new WebSocket(url.replace(/^http/, 'ws') + 'api/ws');
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const events: ConsoleEvent[] = [];
  let nextId = 1;
  const closed = new Promise<{ code: number }>((r) => ws.addEventListener('close', (e) => r({ code: e.code })));
  ws.addEventListener('message', (m) => {
    const f = JSON.parse(String(m.data)) as { id?: number; result?: Result<unknown>; event?: ConsoleEvent };
    if (f.event) events.push(f.event);
    else if (f.id !== undefined) pending.get(f.id)?.(f.result!);
  });
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve());
    ws.addEventListener('error', () => reject(new Error(`WebSocket to ${url} failed`)));
  });
  return {
    events,
    closed,
    raw: ws,
    close: () => ws.close(),
    request(channel, payload = {}) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, channel, payload }));
      });
    },
  };
}
