// The object the preload exposes as window.station: one named function per API channel and
// onEvent, nothing else. The page never sees ipcRenderer or an IpcRendererEvent, and can only reach
// the station:* channels. Imports only src/shared/bridge.ts: a sandboxed preload is one small file.
import { BRIDGE_FUNCTIONS, BRIDGE_GLOBAL, IPC_EVENT, ipcChannel } from '../../shared/bridge.ts';
import type { IpcRendererEventLike, IpcRendererLike, PreloadElectronLike } from './electron-like.ts';

export type Bridge = Record<string, (payload: unknown) => Promise<unknown>> & { onEvent(listener: (e: unknown) => void): () => void };

export function createBridge(ipc: IpcRendererLike): Bridge {
  const api: Record<string, unknown> = {};
  for (const [channel, name] of Object.entries(BRIDGE_FUNCTIONS)) {
    api[name] = (payload: unknown) => ipc.invoke(ipcChannel(channel), payload);
  }
  api.onEvent = (listener: (e: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    // Only the event data crosses: the IpcRendererEvent (with its sender) stays in the preload.
    const wrapped = (_e: IpcRendererEventLike, data: unknown) => listener(data);
    ipc.on(IPC_EVENT, wrapped);
    return () => ipc.removeListener(IPC_EVENT, wrapped);
  };
  return Object.freeze(api) as Bridge;
}

export function exposeBridge(electron: PreloadElectronLike, key = BRIDGE_GLOBAL): void {
  electron.contextBridge.exposeInMainWorld(key, createBridge(electron.ipcRenderer));
}
