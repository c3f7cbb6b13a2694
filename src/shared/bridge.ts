// Names of the Electron preload bridge, kept apart from the zod schemas in api.ts: the sandboxed
// preload bundles only this file, so it stays a few hundred bytes and loads no package.

/** One named bridge function per API channel (api.ts checks this covers exactly the channels). */
export const BRIDGE_FUNCTIONS = {
  'auth.login': 'login',
  'auth.resume': 'resume',
  'auth.logout': 'logout',
  'line.snapshot': 'lineSnapshot',
  'line.decide': 'decide',
  'parcel.get': 'parcel',
  'image.get': 'image',
  'history.search': 'searchHistory',
  'history.export': 'exportHistory',
  'stats.get': 'statistics',
  'devices.get': 'devices',
  'labels.save': 'saveLabel',
  'labels.export': 'exportLabels',
} as const;

/** The IPC channel name for an API channel; pushed events travel on IPC_EVENT. */
export const ipcChannel = (c: string): string => `station:${c}`;
export const IPC_EVENT = 'station:event';
/** The property of `window` the preload exposes the bridge as. */
export const BRIDGE_GLOBAL = 'station';
