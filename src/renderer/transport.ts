// How the console reaches the station core: Electron's preload bridge when present, otherwise a
// WebSocket to the server that served this page. Both speak the contract in src/shared/api.ts, and
// this side validates requests before sending and responses and events on arrival.
import { BRIDGE_FUNCTIONS, EventSchema, parseRequest, parseResponse, ServerFrameSchema, type ApiRequest, type ApiResponse, type Channel, type ConsoleEvent, type Result, type StationBridge } from '../shared/api.ts';

export interface Transport {
  request<C extends Channel>(channel: C, payload: ApiRequest<C>): Promise<Result<ApiResponse<C>>>;
  onEvent(fn: (e: ConsoleEvent) => void): () => void;
  onStatus(fn: (connected: boolean) => void): () => void;
}

declare global {
  interface Window {
    station?: StationBridge;
  }
}

function checked<C extends Channel>(channel: C, r: Result<unknown>): Result<ApiResponse<C>> {
  return r.ok ? parseResponse(channel, r.data) : r;
}

export class IpcTransport implements Transport {
  private readonly bridge: StationBridge;
  constructor(bridge: StationBridge) {
    this.bridge = bridge;
  }
  async request<C extends Channel>(channel: C, payload: ApiRequest<C>): Promise<Result<ApiResponse<C>>> {
    const req = parseRequest(channel, payload);
    if (!req.ok) return req;
    const fn = this.bridge[BRIDGE_FUNCTIONS[channel]] as (p: unknown) => Promise<Result<unknown>>;
    return checked(channel, await fn(req.data));
  }
  onEvent(fn: (e: ConsoleEvent) => void): () => void {
    return this.bridge.onEvent((e) => {
      const v = EventSchema.safeParse(e);
      if (v.success) fn(v.data);
    });
  }
  onStatus(fn: (connected: boolean) => void): () => void {
    fn(true);
    return () => {};
  }
}

/** Reconnects with back-off; re-sends nothing by itself (the app resumes its session on reconnect). */
export class WsTransport implements Transport {
  private ws: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { channel: Channel; resolve: (r: Result<unknown>) => void }>();
  private readonly events = new Set<(e: ConsoleEvent) => void>();
  private readonly status = new Set<(c: boolean) => void>();
  private readonly url: string;
  private delay = 250;
  private opening: Promise<void> | undefined;

  constructor(url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/ws`) {
    this.url = url;
  }

  private open(): Promise<void> {
    if (this.ws?.readyState === WebSocket.OPEN) return Promise.resolve();
    this.opening ??= new Promise<void>((resolve) => {
      const ws = new WebSocket(this.url);
      ws.onopen = () => {
        this.ws = ws;
        this.delay = 250;
        this.opening = undefined;
        for (const s of this.status) s(true);
        resolve();
      };
      ws.onmessage = (m) => this.receive(String(m.data));
      ws.onclose = () => {
        const wasOpen = this.ws === ws;
        this.ws = undefined;
        for (const [, p] of this.pending) p.resolve({ ok: false, code: 'CONSOLE_DISCONNECTED', message: 'connection to the station lost' });
        this.pending.clear();
        if (wasOpen) for (const s of this.status) s(false);
        this.opening = undefined;
        setTimeout(() => void this.open().then(resolve), this.delay);
        this.delay = Math.min(this.delay * 2, 5000);
      };
    });
    return this.opening;
  }

  private receive(text: string): void {
    let frame;
    try {
      frame = ServerFrameSchema.safeParse(JSON.parse(text));
    } catch {
      return;
    }
    if (!frame.success) return;
    const f = frame.data;
    if ('event' in f) {
      for (const fn of this.events) fn(f.event);
      return;
    }
    const p = this.pending.get(f.id);
    if (!p) return;
    this.pending.delete(f.id);
    p.resolve(f.result as Result<unknown>);
  }

  async request<C extends Channel>(channel: C, payload: ApiRequest<C>): Promise<Result<ApiResponse<C>>> {
    const req = parseRequest(channel, payload);
    if (!req.ok) return req;
    await this.open();
    const id = this.nextId++;
    const result = await new Promise<Result<unknown>>((resolve) => {
      this.pending.set(id, { channel, resolve });
      this.ws!.send(JSON.stringify({ id, channel, payload: req.data }));
    });
    return checked(channel, result);
  }

  onEvent(fn: (e: ConsoleEvent) => void): () => void {
    this.events.add(fn);
    void this.open();
    return () => this.events.delete(fn);
  }

  onStatus(fn: (connected: boolean) => void): () => void {
    this.status.add(fn);
    return () => this.status.delete(fn);
  }
}

export function defaultTransport(): Transport {
  return window.station ? new IpcTransport(window.station) : new WsTransport();
}
