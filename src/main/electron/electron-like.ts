// The slice of Electron's API the shell uses, as our own interface: the shell modules take it as a
// parameter, so tests load them against a fake (Electron cannot run on the build machines) and the
// real `electron` module is required in exactly two entry files (main.ts, preload.ts).

export interface PreventableEvent {
  preventDefault(): void;
}

export interface WebFrameLike {
  url: string;
  /** null for a page's main frame. */
  parent: WebFrameLike | null;
}

export interface WebContentsLike {
  readonly id: number;
  on(event: 'will-navigate' | 'will-redirect', fn: (e: PreventableEvent, url: string) => void): void;
  on(event: 'will-attach-webview', fn: (e: PreventableEvent) => void): void;
  on(event: 'destroyed', fn: () => void): void;
  setWindowOpenHandler(fn: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface WebPreferencesLike {
  preload?: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  navigateOnDragDrop: boolean;
  spellcheck: boolean;
}

export interface BrowserWindowOptionsLike {
  width: number;
  height: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  autoHideMenuBar: boolean;
  webPreferences: WebPreferencesLike;
}

export interface BrowserWindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  once(event: 'ready-to-show', fn: () => void): void;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
}

export interface IpcMainInvokeEventLike {
  sender: WebContentsLike;
  senderFrame: WebFrameLike | null;
}

export interface IpcMainLike {
  handle(channel: string, fn: (e: IpcMainInvokeEventLike, payload: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface SessionLike {
  setPermissionRequestHandler(fn: (wc: WebContentsLike, permission: string, callback: (granted: boolean) => void) => void): void;
  setPermissionCheckHandler(fn: (wc: WebContentsLike | null, permission: string) => boolean): void;
  webRequest: {
    onHeadersReceived(fn: (details: { url: string; responseHeaders?: Record<string, string[]> }, callback: (r: { responseHeaders: Record<string, string[]> }) => void) => void): void;
  };
}

export interface AppLike {
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<void>;
  on(event: 'second-instance' | 'window-all-closed', fn: () => void): void;
  on(event: 'before-quit', fn: (e: PreventableEvent) => void): void;
  on(event: 'web-contents-created', fn: (e: unknown, contents: WebContentsLike) => void): void;
  quit(): void;
  exit(code: number): void;
}

/** What the main process needs from `require('electron')`. */
export interface ElectronLike {
  app: AppLike;
  BrowserWindow: new (opts: BrowserWindowOptionsLike) => BrowserWindowLike;
  ipcMain: IpcMainLike;
  session: { defaultSession: SessionLike };
}

export interface IpcRendererEventLike {
  /** Present on the real event; the preload must never hand it to the page. */
  sender?: unknown;
}

export interface IpcRendererLike {
  invoke(channel: string, payload: unknown): Promise<unknown>;
  on(channel: string, fn: (e: IpcRendererEventLike, ...args: unknown[]) => void): void;
  removeListener(channel: string, fn: (e: IpcRendererEventLike, ...args: unknown[]) => void): void;
}

export interface ContextBridgeLike {
  exposeInMainWorld(key: string, api: unknown): void;
}

/** What the preload needs from `require('electron')`. */
export interface PreloadElectronLike {
  contextBridge: ContextBridgeLike;
  ipcRenderer: IpcRendererLike;
}
