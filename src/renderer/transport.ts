// How the console reaches the station core: Electron's preload bridge when present, otherwise a
// WebSocket to the server that served this page. Both speak the contract in src/shared/api.ts, and
// this side validates requests before sending and responses and events on arrival.
import { BRIDGE_FUNCTIONS, EventSchema, parseRequest, parseResponse, ServerFrameSchema, type ApiRequest, type ApiResponse, type Channel, type ConsoleEvent, type Result, type StationBridge } from '../shared/api.ts';

export interface Transport {
  request<C extends Channel>(channel: C, payload: ApiRequest<C>): Promise<Result<ApiResponse<C>>>;
  /** An X-ray image's bytes (rejects with a message when it cannot be had). */
  image(sha256: string): Promise<Blob>;
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

/** Follows the session from login/resume/logout answers: the image endpoint needs its token. */
class TokenKeeper {
  token: string | undefined;
  observe<C extends Channel>(channel: C, payload: ApiRequest<C>, r: Result<ApiResponse<C>>): void {
    if (channel === 'auth.login' && r.ok) this.token = (r.data as ApiResponse<'auth.login'>).token;
    else if (channel === 'auth.resume') this.token = r.ok ? (payload as ApiRequest<'auth.resume'>).token : undefined;
    else if (channel === 'auth.logout') this.token = undefined;
  }
}

/** Binary GET /api/images/<sha256> from the server that served this page (immutable, so cached). */
async function httpImage(sha256: string, token: string | undefined): Promise<Blob> {
  if (!token) throw new Error('log in first');
  const res = await fetch(`/api/images/${sha256}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`image ${sha256.slice(0, 12)}…: HTTP ${res.status}`);
  return res.blob();
}

function base64Blob(data: { mime: string; base64: string }): Blob {
  const bin = atob(data.base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Blob([bytes], { type: data.mime });
}

export class IpcTransport implements Transport {
  private readonly bridge: StationBridge;
  private readonly session = new TokenKeeper();
  constructor(bridge: StationBridge) {
    this.bridge = bridge;
  }
  async request<C extends Channel>(channel: C, payload: ApiRequest<C>): Promise<Result<ApiResponse<C>>> {
    const req = parseRequest(channel, payload);
    if (!req.ok) return req;
    const fn = this.bridge[BRIDGE_FUNCTIONS[channel]] as (p: unknown) => Promise<Result<unknown>>;
    const r = checked(channel, await fn(req.data));
    this.session.observe(channel, payload, r);
    return r;
  }
  async image(sha256: string): Promise<Blob> {
    // The Electron window is served by the station's loopback HTTP server, so the binary endpoint is
    // there too; only a page without an HTTP origin falls back to base64 over IPC.
    if (location.protocol === 'http:' || location.protocol === 'https:') return httpImage(sha256, this.session.token);
    const r = await this.request('image.get', { sha256 });
    if (!r.ok) throw new Error(r.message);
    return base64Blob(r.data);
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
  private readonly session = new TokenKeeper();

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
    const r = checked(channel, result);
    this.session.observe(channel, payload, r);
    return r;
  }

  image(sha256: string): Promise<Blob> {
    return httpImage(sha256, this.session.token);
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
