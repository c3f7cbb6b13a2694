// `station start` without --headless opens the desktop console when Electron is installed (it is an
// optional dependency: headless stations and build machines do without it). This file never loads
// Electron itself; it finds the binary the npm package downloaded and runs our bundled main on it.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { buildShell, SHELL_MAIN, shellBuilt } from './build.ts';

type Resolver = { resolve(id: string): string; (id: string): unknown };
const localRequire: Resolver = createRequire(import.meta.url);

/** The Electron binary's path, or undefined when the package or its downloaded binary is missing. */
export function electronBinary(req: Resolver = localRequire): string | undefined {
  try {
    req.resolve('electron');
    // Under Node, the electron package exports the path of the binary it downloaded.
    const bin = req('electron');
    return typeof bin === 'string' && existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

export function electronAvailable(req: Resolver = localRequire): boolean {
  return electronBinary(req) !== undefined;
}

/** The flags `station start` passes on to the shell (src/main/electron/main.ts parses them). */
export function electronArgs(o: { dataDir: string; configFile?: string | undefined; port?: number | undefined; demo?: boolean }): string[] {
  return ['--data-dir', o.dataDir, ...(o.configFile ? ['--config', o.configFile] : []), ...(o.port !== undefined ? ['--port', String(o.port)] : []), ...(o.demo ? ['--demo'] : [])];
}

/**
 * Runs the desktop console: `electron dist/electron/main.cjs ...args`, bundling the shell first when
 * dist/electron is missing. Resolves with the child once spawned.
 */
export async function launchElectron(args: readonly string[], o: { env?: NodeJS.ProcessEnv; log?: (l: string) => void; require?: Resolver } = {}): Promise<ChildProcess> {
  const bin = electronBinary(o.require);
  if (!bin) throw new Error('Electron is not installed (npm install --include=optional); run `station start --headless` and open the console in a browser');
  if (!shellBuilt()) {
    const r = await buildShell();
    o.log?.(`desktop shell built into ${r.files.map((f) => f.file).join(', ')} (${Math.round(r.ms)} ms)`);
  }
  const env = { ...(o.env ?? process.env) };
  // Set in some environments; it would make the binary a plain Node and ignore the app.
  delete env.ELECTRON_RUN_AS_NODE;
  return spawn(bin, [SHELL_MAIN, ...args], { stdio: 'inherit', env });
}

/** launchElectron, then wait: resolves with the app's exit status (what `station start` returns). */
export async function runElectron(args: readonly string[], o: Parameters<typeof launchElectron>[1] = {}): Promise<number> {
  const child = await launchElectron(args, o);
  return new Promise((resolve) => {
    child.on('error', (e) => {
      o.log?.(`cannot run Electron: ${e.message}`);
      resolve(1);
    });
    // Killed by a signal: the shell convention, 128 + its number.
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
  });
}
