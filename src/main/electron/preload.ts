// Preload entry (bundled to dist/electron/preload.cjs; sandboxed preloads may require only
// 'electron'): exposes window.station, the typed bridge of src/shared/api.ts (StationBridge).
import type { PreloadElectronLike } from './electron-like.ts';
import { exposeBridge } from './preload-bridge.ts';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- Electron's own module, only resolvable inside Electron.
exposeBridge(require('electron') as PreloadElectronLike);
