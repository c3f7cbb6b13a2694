// The console window and the security settings around it (Electron security checklist items 3, 4,
// 7, 13, 14, 15): an isolated, sandboxed renderer without Node; our CSP on every response; no
// navigation away from the station's own origin; no new windows, no webviews; every permission
// request (camera, notifications, geolocation…) denied. Nothing is ever opened with openExternal.
import { CSP } from '../console/static.ts';
import type { BrowserWindowLike, ElectronLike, SessionLike, WebContentsLike, WebPreferencesLike } from './electron-like.ts';

export const WEB_PREFERENCES: Readonly<Omit<WebPreferencesLike, 'preload'>> = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
});

export function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Applied to every web contents the app creates (the window's and any other). */
export function hardenContents(wc: WebContentsLike, origin: () => string | undefined, log: (l: string) => void = () => {}): void {
  const guard = (kind: string) => (e: { preventDefault(): void }, url: string) => {
    const o = origin();
    if (o !== undefined && sameOrigin(url, o)) return;
    e.preventDefault();
    log(`console window: ${kind} to ${url.slice(0, 200)} blocked`);
  };
  wc.on('will-navigate', guard('navigation'));
  wc.on('will-redirect', guard('redirect'));
  // The console never needs a second window; links to elsewhere are not followed either.
  wc.setWindowOpenHandler(({ url }) => {
    log(`console window: new window for ${url.slice(0, 200)} blocked`);
    return { action: 'deny' };
  });
  wc.on('will-attach-webview', (e) => e.preventDefault());
}

export function hardenSession(s: SessionLike): void {
  s.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  s.setPermissionCheckHandler(() => false);
  // The served page already carries this CSP; setting it here too covers any response that lacks it.
  s.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [k, v] of Object.entries(details.responseHeaders ?? {})) if (k.toLowerCase() !== 'content-security-policy') headers[k] = v;
    headers['Content-Security-Policy'] = [CSP];
    callback({ responseHeaders: headers });
  });
}

export function createWindow(electron: Pick<ElectronLike, 'BrowserWindow'>, o: { url: string; preload?: string; origin: () => string | undefined; log?: (l: string) => void }): BrowserWindowLike {
  const win = new electron.BrowserWindow({
    // The line monitor is 1920×1080; the window is maximised there and scales down elsewhere.
    width: 1920,
    height: 1080,
    show: false,
    title: 'Inspection station',
    backgroundColor: '#0b0f14',
    autoHideMenuBar: true,
    webPreferences: { ...WEB_PREFERENCES, ...(o.preload ? { preload: o.preload } : {}) },
  });
  hardenContents(win.webContents, o.origin, o.log);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(o.url).catch((e: unknown) => o.log?.(`console window: cannot load ${o.url}: ${(e as Error).message}`));
  return win;
}
