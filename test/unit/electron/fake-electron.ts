// A fake `electron` for the shell tests: just the parts of app, BrowserWindow, ipcMain, session,
// contextBridge and ipcRenderer the shell uses, recording every call so tests can assert on them.
import type {
  BrowserWindowLike,
  BrowserWindowOptionsLike,
  ElectronLike,
  IpcMainInvokeEventLike,
  IpcRendererEventLike,
  PreloadElectronLike,
  PreventableEvent,
  SessionLike,
  WebContentsLike,
  WebFrameLike,
} from '../../../src/main/electron/electron-like.ts';

type Fn = (...args: never[]) => unknown;

class Emitter {
  readonly listeners = new Map<string, Fn[]>();
  on(event: string, fn: Fn): void {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
  }
  once(event: string, fn: Fn): void {
    this.on(event, fn);
  }
  /** Emits with a preventable event first; returns true when a listener prevented it. */
  emitPreventable(event: string, ...args: unknown[]): boolean {
    let prevented = false;
    const e: PreventableEvent = { preventDefault: () => (prevented = true) };
    for (const fn of this.listeners.get(event) ?? []) (fn as (...a: unknown[]) => unknown)(e, ...args);
    return prevented;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const fn of this.listeners.get(event) ?? []) (fn as (...a: unknown[]) => unknown)(...args);
  }
}

let nextId = 1;

export class FakeWebContents extends Emitter implements WebContentsLike {
  readonly id = nextId++;
  windowOpenHandler: ((d: { url: string }) => { action: 'deny' } | { action: 'allow' }) | undefined;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;
  setWindowOpenHandler(fn: (d: { url: string }) => { action: 'deny' } | { action: 'allow' }): void {
    this.windowOpenHandler = fn;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
}

export class FakeBrowserWindow extends Emitter implements BrowserWindowLike {
  static readonly created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly options: BrowserWindowOptionsLike;
  readonly loaded: string[] = [];
  minimized = false;
  focused = 0;
  shown = false;
  constructor(options: BrowserWindowOptionsLike) {
    super();
    this.options = options;
    FakeBrowserWindow.created.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    this.focused++;
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
}

export class FakeApp extends Emitter {
  lockAvailable = true;
  quits = 0;
  /** Set when a quit went through (no before-quit listener prevented it). */
  quitted = false;
  exitCode: number | undefined;
  requestSingleInstanceLock(): boolean {
    return this.lockAvailable;
  }
  async whenReady(): Promise<void> {}
  quit(): void {
    this.quits++;
    // Like Electron: quitting emits before-quit, which a listener may cancel.
    if (!this.emitPreventable('before-quit')) this.quitted = true;
  }
  exit(code: number): void {
    this.exitCode = code;
  }
}

export class FakeIpcMain {
  readonly handlers = new Map<string, (e: IpcMainInvokeEventLike, payload: unknown) => Promise<unknown>>();
  handle(channel: string, fn: (e: IpcMainInvokeEventLike, payload: unknown) => Promise<unknown>): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke from `sender` (with its frame at `frameUrl`) would get. */
  invoke(channel: string, payload: unknown, sender: FakeWebContents, frame: WebFrameLike | null): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) return Promise.reject(new Error(`No handler registered for '${channel}'`));
    return h({ sender, senderFrame: frame }, payload);
  }
}

export class FakeSession implements SessionLike {
  permissionRequest: Parameters<SessionLike['setPermissionRequestHandler']>[0] | undefined;
  permissionCheck: Parameters<SessionLike['setPermissionCheckHandler']>[0] | undefined;
  headersReceived: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0] | undefined;
  setPermissionRequestHandler(fn: Parameters<SessionLike['setPermissionRequestHandler']>[0]): void {
    this.permissionRequest = fn;
  }
  setPermissionCheckHandler(fn: Parameters<SessionLike['setPermissionCheckHandler']>[0]): void {
    this.permissionCheck = fn;
  }
  readonly webRequest = {
    onHeadersReceived: (fn: Parameters<SessionLike['webRequest']['onHeadersReceived']>[0]) => {
      this.headersReceived = fn;
    },
  };
}

export interface FakeElectron extends ElectronLike {
  app: FakeApp;
  ipcMain: FakeIpcMain;
  session: { defaultSession: FakeSession };
}

export function fakeElectron(): FakeElectron {
  FakeBrowserWindow.created.length = 0;
  return { app: new FakeApp(), BrowserWindow: FakeBrowserWindow, ipcMain: new FakeIpcMain(), session: { defaultSession: new FakeSession() } };
}

export class FakeIpcRenderer {
  readonly invoked: { channel: string; payload: unknown }[] = [];
  readonly listeners = new Map<string, ((e: IpcRendererEventLike, ...args: unknown[]) => void)[]>();
  reply: unknown = { ok: true, data: {} };
  async invoke(channel: string, payload: unknown): Promise<unknown> {
    this.invoked.push({ channel, payload });
    return this.reply;
  }
  on(channel: string, fn: (e: IpcRendererEventLike, ...args: unknown[]) => void): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), fn]);
  }
  removeListener(channel: string, fn: (e: IpcRendererEventLike, ...args: unknown[]) => void): void {
    this.listeners.set(
      channel,
      (this.listeners.get(channel) ?? []).filter((f) => f !== fn),
    );
  }
  /** Main sends an event: the listener gets the real-looking IpcRendererEvent first. */
  emit(channel: string, data: unknown): void {
    for (const fn of this.listeners.get(channel) ?? []) fn({ sender: { secret: 'ipcRenderer' } }, data);
  }
}

export function fakePreloadElectron(): PreloadElectronLike & { ipcRenderer: FakeIpcRenderer; exposed: Map<string, unknown> } {
  const exposed = new Map<string, unknown>();
  return { contextBridge: { exposeInMainWorld: (k, v) => void exposed.set(k, v) }, ipcRenderer: new FakeIpcRenderer(), exposed };
}
