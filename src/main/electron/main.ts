// Electron main-process entry (bundled to dist/electron/main.cjs, the package's "main"). Parses the
// same flags as `station start`, starts the station core in this process (imported lazily so the
// window machinery is up first) and hands everything else to runShell.
//   electron dist/electron/main.cjs [--config FILE] [--data-dir DIR] [--port N] [--demo]
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ElectronLike } from './electron-like.ts';
import type { IpcCore } from './ipc.ts';
import { runShell, type ShellStation } from './shell.ts';

export interface ShellArgs {
  config?: string;
  dataDir?: string;
  port?: number;
  demo: boolean;
}

/** Electron and Chromium add switches of their own: unknown ones are ignored, ours are checked. */
export function parseShellArgs(argv: string[]): ShellArgs {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string' }, 'data-dir': { type: 'string' }, port: { type: 'string' }, demo: { type: 'boolean', default: false } },
    strict: false,
    allowPositionals: true,
  });
  const port = typeof values.port === 'string' ? Number(values.port) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new Error(`--port must be an integer 0-65535, got ${String(values.port)}`);
  return {
    ...(typeof values.config === 'string' ? { config: values.config } : {}),
    ...(typeof values['data-dir'] === 'string' ? { dataDir: values['data-dir'] } : {}),
    ...(port !== undefined ? { port } : {}),
    demo: values.demo === true,
  };
}

export async function startInProcess(args: ShellArgs, log: (l: string) => void): Promise<ShellStation> {
  const [{ loadConfig }, { resolveDataDir }, { startStation }] = await Promise.all([import('../config/load.ts'), import('../paths.ts'), import('../station.ts')]);
  const config = loadConfig(args.config, process.env);
  const dataDir = resolveDataDir(args.dataDir, config.dataDir, process.env);
  const opts = { config, dataDir, demo: args.demo, log, ...(args.port !== undefined ? { port: args.port } : {}) };
  const running = await startStation(opts);
  // The composition root exposes the attached console as `console`; its core serves the IPC bridge.
  const core = (running as { console?: { core?: IpcCore } }).console?.core;
  return { url: running.url, stop: () => running.stop(), ...(core ? { core } : {}) };
}

function main(): void {
  const log = (l: string) => process.stderr.write(`${l}\n`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- Electron's own module, only resolvable inside Electron.
  const electron = require('electron') as ElectronLike;
  let args: ShellArgs;
  try {
    args = parseShellArgs(process.argv.slice(1));
  } catch (e) {
    log(`station: ${(e as Error).message}`);
    electron.app.exit(2);
    return;
  }
  void runShell(electron, { start: () => startInProcess(args, log), preload: join(__dirname, 'preload.cjs'), log });
}

// Only when Electron runs this file (the bundle), never when a test imports it.
if (process.versions.electron) main();
