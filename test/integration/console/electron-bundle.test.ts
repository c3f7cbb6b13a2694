// The Electron main bundle (dist/electron/main.cjs) is what the desktop app runs: built by esbuild
// with packages external. Loaded here under plain Node (no Electron), its startInProcess must bring
// the real station core up from the bundle and stop it cleanly.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildShell } from '../../../src/main/electron/build.ts';
import type { ShellArgs } from '../../../src/main/electron/main.ts';
import type { ShellStation } from '../../../src/main/electron/shell.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('the Electron shell bundle', () => {
  it('starts the station core in process from the bundled main and serves /health', { timeout: 90_000 }, async () => {
    const out = await buildShell();
    const main = out.files.find((f) => f.file.endsWith('main.cjs'))!.file;
    const preload = readFileSync(out.files.find((f) => f.file.endsWith('preload.cjs'))!.file, 'utf8');
    // The sandboxed preload may require nothing but electron.
    expect([...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1])).toEqual(['electron']);
    expect(readFileSync(main, 'utf8')).toContain('require("better-sqlite3")');
    expect(out.files.map((f) => f.file.split('/').pop())).toContain('inference-worker.cjs');

    const bundle = createRequire(import.meta.url)(main) as { startInProcess(a: ShellArgs, log: (l: string) => void): Promise<ShellStation> };
    const dataDir = tempDir('electron-bundle-');
    const station = await bundle.startInProcess({ dataDir, port: 0, demo: true }, () => {});
    try {
      const res = await fetch(`${station.url}health`);
      expect(res.status).toBe(200);
      // 'degraded' while the simulated devices are still connecting.
      // The model runs in the bundle's own inference-worker.cjs: a bundled main has no worker.ts beside it.
      expect(await res.json()).toMatchObject({ status: expect.stringMatching(/^(ok|degraded)$/), station: 'demo-01', model: expect.stringMatching(/^xray-det@/) });
    } finally {
      await station.stop();
    }
    expect(await fetch(`${station.url}health`).then(() => 'answered', () => 'closed')).toBe('closed');
    expect(existsSync(join(dataDir, 'station.db'))).toBe(true);
  });
});
