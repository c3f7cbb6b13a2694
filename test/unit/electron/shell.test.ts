import { describe, expect, it } from 'vitest';
import { BRIDGE_FUNCTIONS, CHANNEL_NAMES, IPC_EVENT, ipcChannel, type ConsoleEvent, type Result } from '../../../src/shared/api.ts';
import type { ConsoleSession } from '../../../src/main/console/core.ts';
import { CSP } from '../../../src/main/console/static.ts';
import { registerIpc, type IpcCore } from '../../../src/main/electron/ipc.ts';
import { parseShellArgs } from '../../../src/main/electron/main.ts';
import { createBridge, exposeBridge } from '../../../src/main/electron/preload-bridge.ts';
import { runShell, windowUrl, type ShellStation } from '../../../src/main/electron/shell.ts';
import { FakeBrowserWindow, fakeElectron, fakePreloadElectron, FakeWebContents } from './fake-electron.ts';

const URL0 = 'http://127.0.0.1:8080/';
const ORIGIN = 'http://127.0.0.1:8080';
const mainFrame = (url = URL0) => ({ url, parent: null });

/** A console core at the IPC seam: records calls, logs anyone in, pushes events on demand. */
function recordingCore() {
  const calls: { session: ConsoleSession; channel: string; payload: unknown }[] = [];
  const listeners = new Set<(e: ConsoleEvent) => void>();
  const core: IpcCore = {
    async handle(session, channel, payload): Promise<Result<unknown>> {
      calls.push({ session, channel, payload });
      if (channel === 'auth.login') {
        session.user = { name: 'operator', role: 'operator' };
        return { ok: true, data: { token: 'x'.repeat(32), user: session.user } };
      }
      return { ok: true, data: {} };
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
  return { core, calls, push: (e: ConsoleEvent) => listeners.forEach((fn) => fn(e)), listeners };
}

async function started(o: { core?: IpcCore; stop?: () => Promise<void> } = {}) {
  const electron = fakeElectron();
  const logs: string[] = [];
  const station: ShellStation = { url: URL0, stop: o.stop ?? (async () => {}), ...(o.core ? { core: o.core } : {}) };
  const shell = await runShell(electron, { start: async () => station, preload: '/app/dist/electron/preload.cjs', log: (l) => logs.push(l) });
  return { electron, shell: shell!, win: FakeBrowserWindow.created[0]!, logs };
}

describe('the Electron window', () => {
  it('is isolated, sandboxed, without Node, with web security and our preload', async () => {
    const { win } = await started({ core: recordingCore().core });
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/app/dist/electron/preload.cjs',
    });
    expect(win.loaded).toEqual([URL0]);
    win.emit('ready-to-show');
    expect(win.shown).toBe(true);
  });

  it('gets no preload when the station has no console core (the page falls back to WebSocket)', async () => {
    const { win } = await started();
    expect(win.options.webPreferences.preload).toBeUndefined();
  });

  it('blocks navigation and redirects away from the console origin, new windows and webviews', async () => {
    const { win, logs } = await started({ core: recordingCore().core });
    const wc = win.webContents;
    expect(wc.emitPreventable('will-navigate', 'https://evil.example/phish')).toBe(true);
    expect(wc.emitPreventable('will-navigate', 'http://127.0.0.1:9999/')).toBe(true);
    expect(wc.emitPreventable('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(wc.emitPreventable('will-redirect', 'https://evil.example/')).toBe(true);
    expect(wc.emitPreventable('will-navigate', `${ORIGIN}/?reload`)).toBe(false);
    expect(wc.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler?.({ url: `${ORIGIN}/other` })).toEqual({ action: 'deny' });
    expect(wc.emitPreventable('will-attach-webview')).toBe(true);
    expect(logs.some((l) => l.includes('navigation to https://evil.example/phish blocked'))).toBe(true);
  });

  it('guards every web contents the app creates, not only the window', async () => {
    const { electron } = await started({ core: recordingCore().core });
    const other = new FakeWebContents();
    electron.app.emit('web-contents-created', {}, other);
    expect(other.emitPreventable('will-navigate', 'https://evil.example/')).toBe(true);
    expect(other.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });

  it('denies every permission request and check, and puts the strict CSP on every response', async () => {
    const { electron } = await started();
    const s = electron.session.defaultSession;
    const granted: boolean[] = [];
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) s.permissionRequest!(new FakeWebContents(), p, (g) => granted.push(g));
    expect(granted).toEqual([false, false, false, false, false]);
    expect(s.permissionCheck!(null, 'media')).toBe(false);
    let headers: Record<string, string[]> = {};
    s.headersReceived!({ url: `${ORIGIN}/app.js`, responseHeaders: { 'content-type': ['text/javascript'], 'content-security-policy': ["default-src *"] } }, (r) => (headers = r.responseHeaders));
    expect(headers).toEqual({ 'content-type': ['text/javascript'], 'Content-Security-Policy': [CSP] });
    expect(CSP).toContain("default-src 'none'");
    expect(CSP).toContain("script-src 'self'");
  });

  it('is a single instance: a second launch quits and the first window comes to the front', async () => {
    const { electron: first, win } = await started();
    win.minimized = true;
    first.app.emit('second-instance');
    expect(win.isMinimized()).toBe(false);
    expect(win.focused).toBe(1);

    const second = fakeElectron();
    second.app.lockAvailable = false;
    let startedCore = false;
    const r = await runShell(second, {
      start: async () => {
        startedCore = true;
        return { url: URL0, stop: async () => {} };
      },
      preload: '/p.cjs',
    });
    expect(r).toBeUndefined();
    expect(second.app.quits).toBe(1);
    expect(startedCore).toBe(false);
    expect(FakeBrowserWindow.created).toHaveLength(0);
  });

  it('quits only after the station core has stopped, and removes the IPC handlers', async () => {
    let release!: () => void;
    const stopping = new Promise<void>((r) => (release = r));
    let stopCalls = 0;
    const { electron } = await started({
      core: recordingCore().core,
      stop: async () => {
        stopCalls++;
        await stopping;
      },
    });
    expect(electron.ipcMain.handlers.size).toBe(CHANNEL_NAMES.length);
    electron.app.emit('window-all-closed');
    electron.app.quit(); // a second quit while stopping must not stop twice
    expect(electron.app.quitted).toBe(false);
    expect(stopCalls).toBe(1);
    expect(electron.ipcMain.handlers.size).toBe(0);
    release();
    await expect.poll(() => electron.app.quitted).toBe(true);
  });

  it('exits with status 1 and no window when the station cannot start', async () => {
    const electron = fakeElectron();
    const logs: string[] = [];
    const r = await runShell(electron, { start: () => Promise.reject(new Error('port 8080 on 127.0.0.1 is in use')), preload: '/p.cjs', log: (l) => logs.push(l) });
    expect(r).toBeUndefined();
    expect(electron.app.exitCode).toBe(1);
    expect(logs).toEqual(['station failed to start: port 8080 on 127.0.0.1 is in use']);
    expect(FakeBrowserWindow.created).toHaveLength(0);
  });

  it('opens a station bound to all interfaces over loopback', () => {
    expect(windowUrl('http://0.0.0.0:8080/')).toBe('http://127.0.0.1:8080/');
    expect(windowUrl('http://192.168.1.20:8080/')).toBe('http://192.168.1.20:8080/');
  });

  it('reads the station start flags and ignores Chromium switches', () => {
    expect(parseShellArgs(['dist/electron/main.cjs', '--demo', '--port', '0', '--data-dir', '/d', '--enable-logging', '--no-sandbox'])).toEqual({ demo: true, port: 0, dataDir: '/d' });
    expect(() => parseShellArgs(['--port', 'http'])).toThrow('--port must be an integer 0-65535, got http');
  });
});

describe('the IPC bridge in main', () => {
  it('registers exactly one handler per API channel', () => {
    const electron = fakeElectron();
    registerIpc(electron.ipcMain, recordingCore().core, ORIGIN);
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(CHANNEL_NAMES.map(ipcChannel).sort());
  });

  it('refuses a sender from another origin, a sub-frame, or a gone frame, before the core sees it', async () => {
    const electron = fakeElectron();
    const { core, calls } = recordingCore();
    registerIpc(electron.ipcMain, core, ORIGIN);
    const wc = new FakeWebContents();
    const login = { username: 'operator', password: 'operator' };
    await expect(electron.ipcMain.invoke('station:auth.login', login, wc, mainFrame('https://evil.example/'))).resolves.toEqual({
      ok: false,
      code: 'CONSOLE_FORBIDDEN_SENDER',
      message: `auth.login refused: https://evil.example/ is not the console (${ORIGIN})`,
    });
    await expect(electron.ipcMain.invoke('station:auth.login', login, wc, { url: URL0, parent: mainFrame() })).resolves.toMatchObject({ code: 'CONSOLE_FORBIDDEN_SENDER', message: expect.stringContaining('sub-frame') });
    await expect(electron.ipcMain.invoke('station:auth.login', login, wc, null)).resolves.toMatchObject({ code: 'CONSOLE_FORBIDDEN_SENDER' });
    expect(calls).toEqual([]);
  });

  it('refuses an invalid payload with an error naming the channel and the field', async () => {
    const electron = fakeElectron();
    const { core, calls } = recordingCore();
    registerIpc(electron.ipcMain, core, ORIGIN);
    const wc = new FakeWebContents();
    const r = (await electron.ipcMain.invoke('station:line.decide', { scanId: 'S1', action: 'DESTROY' }, wc, mainFrame())) as Result<unknown>;
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({ code: 'CONSOLE_BAD_REQUEST', message: expect.stringMatching(/^line\.decide: action: /) });
    const extra = (await electron.ipcMain.invoke('station:auth.login', { username: 'a', password: 'b', admin: true }, wc, mainFrame())) as Result<unknown>;
    expect(extra).toMatchObject({ ok: false, code: 'CONSOLE_BAD_REQUEST' });
    expect(calls).toEqual([]);
  });

  it('passes valid calls to the core with one session per window and pushes events only to logged-in windows', async () => {
    const electron = fakeElectron();
    const { core, calls, push, listeners } = recordingCore();
    const ipc = registerIpc(electron.ipcMain, core, ORIGIN);
    const a = new FakeWebContents();
    const b = new FakeWebContents();
    await expect(electron.ipcMain.invoke('station:auth.login', { username: 'operator', password: 'operator' }, a, mainFrame())).resolves.toMatchObject({ ok: true });
    await electron.ipcMain.invoke('station:line.snapshot', {}, a, mainFrame());
    await electron.ipcMain.invoke('station:line.snapshot', undefined, b, mainFrame());
    expect(calls.map((c) => c.channel)).toEqual(['auth.login', 'line.snapshot', 'line.snapshot']);
    expect(calls[0]!.session).toBe(calls[1]!.session);
    expect(calls[2]!.session).not.toBe(calls[0]!.session);
    expect(calls[2]!.payload).toEqual({});

    const event: ConsoleEvent = { type: 'alarm', alarm: { code: 'ORPHAN', detail: 'image without parcel', at: 1 } };
    push(event);
    expect(a.sent).toEqual([{ channel: IPC_EVENT, args: [event] }]);
    expect(b.sent).toEqual([]);

    a.destroy();
    expect(ipc.sessions()).toBe(1);
    ipc.dispose();
    expect(listeners.size).toBe(0);
    expect(electron.ipcMain.handlers.size).toBe(0);
  });
});

describe('the preload', () => {
  it('exposes one object, window.station, of named functions only', () => {
    const electron = fakePreloadElectron();
    exposeBridge(electron);
    expect([...electron.exposed.keys()]).toEqual(['station']);
    const bridge = electron.exposed.get('station') as Record<string, unknown>;
    expect(Object.keys(bridge).sort()).toEqual([...Object.values(BRIDGE_FUNCTIONS), 'onEvent'].sort());
    for (const v of Object.values(bridge)) expect(typeof v).toBe('function');
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(bridge).not.toHaveProperty('invoke');
    expect(bridge).not.toHaveProperty('ipcRenderer');
  });

  it('maps each function to its station: channel and forwards the answer', async () => {
    const electron = fakePreloadElectron();
    const bridge = createBridge(electron.ipcRenderer);
    electron.ipcRenderer.reply = { ok: true, data: { accepted: true } };
    await expect(bridge.decide!({ scanId: 'S1', action: 'HOLD' })).resolves.toEqual({ ok: true, data: { accepted: true } });
    await bridge.login!({ username: 'operator', password: 'operator' });
    expect(electron.ipcRenderer.invoked).toEqual([
      { channel: 'station:line.decide', payload: { scanId: 'S1', action: 'HOLD' } },
      { channel: 'station:auth.login', payload: { username: 'operator', password: 'operator' } },
    ]);
  });

  it('hands listeners the event data only, never the IpcRendererEvent, and unsubscribes', () => {
    const electron = fakePreloadElectron();
    const bridge = createBridge(electron.ipcRenderer);
    const got: unknown[][] = [];
    const off = bridge.onEvent((...args: unknown[]) => got.push(args));
    electron.ipcRenderer.emit(IPC_EVENT, { type: 'alarm' });
    off();
    electron.ipcRenderer.emit(IPC_EVENT, { type: 'alarm', again: true });
    expect(got).toEqual([[{ type: 'alarm' }]]);
    expect(electron.ipcRenderer.listeners.get(IPC_EVENT)).toEqual([]);
    expect(() => bridge.onEvent('nope' as never)).toThrow('onEvent needs a function');
  });
});
