// The Electron app lifecycle around the station core: one instance per machine (a second launch
// focuses the first window), the core started in-process once Electron is ready, one hardened
// window on the core's loopback console URL with the IPC bridge, and a clean stop before quitting.
import type { BrowserWindowLike, ElectronLike } from './electron-like.ts';
import { registerIpc, type IpcCore } from './ipc.ts';
import { createWindow, hardenContents, hardenSession } from './window.ts';

export interface ShellStation {
  /** The console URL of the in-process station (its loopback HTTP server). */
  url: string;
  /** The console core; without it the window runs the console over WebSocket and gets no preload. */
  core?: IpcCore;
  stop(): Promise<void>;
}

export interface ShellDeps {
  start(): Promise<ShellStation>;
  /** Absolute path of the bundled preload (dist/electron/preload.cjs). */
  preload: string;
  log?: (line: string) => void;
}

export interface Shell {
  window: BrowserWindowLike;
  station: ShellStation;
}

/** A station bound to all interfaces is still reached by its own window over loopback. */
export function windowUrl(url: string): string {
  const u = new URL(url);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = '127.0.0.1';
  return u.toString();
}

/** Runs the app; resolves with the window once it is open, or undefined when another instance owns the app. */
export async function runShell(electron: ElectronLike, deps: ShellDeps): Promise<Shell | undefined> {
  const { app } = electron;
  const log = deps.log ?? (() => {});
  if (!app.requestSingleInstanceLock()) {
    log('station console is already running; focusing it');
    app.quit();
    return undefined;
  }
  // Known once the station is up; the guards below read it when they fire.
  const at: { origin?: string; win?: BrowserWindowLike } = {};
  app.on('second-instance', () => {
    const win = at.win;
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  // Every web contents, not only our window's, gets the navigation and window-open guards.
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, () => at.origin, log));

  await app.whenReady();
  hardenSession(electron.session.defaultSession);
  let station: ShellStation;
  try {
    station = await deps.start();
  } catch (e) {
    log(`station failed to start: ${(e as Error).message}`);
    app.exit(1);
    return undefined;
  }
  const url = windowUrl(station.url);
  const origin = new URL(url).origin;
  at.origin = origin;
  const ipc = station.core ? registerIpc(electron.ipcMain, station.core, origin, log) : undefined;

  let stopped = false;
  let stopping = false;
  app.on('window-all-closed', () => app.quit());
  app.on('before-quit', (e) => {
    if (stopped) return;
    // Hold the quit until the core has closed its database and servers, then quit for real.
    e.preventDefault();
    if (stopping) return;
    stopping = true;
    ipc?.dispose();
    void station
      .stop()
      .catch((err: unknown) => log(`station stop failed: ${(err as Error).message}`))
      .finally(() => {
        stopped = true;
        app.quit();
      });
  });

  at.win = createWindow(electron, { url, ...(station.core ? { preload: deps.preload } : {}), origin: () => origin, log });
  return { window: at.win, station };
}
