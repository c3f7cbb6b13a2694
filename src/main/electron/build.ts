// Bundles the Electron shell with esbuild: dist/electron/main.cjs (the package's "main") and
// dist/electron/preload.cjs (a sandboxed preload must be one file that requires only 'electron') and
// dist/electron/inference-worker.cjs (the inference worker thread's entry).
// Packages stay external — native modules (better-sqlite3, sharp, onnxruntime-node, serialport)
// cannot be bundled and ship in node_modules; `electron` is provided by the runtime.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../console/renderer-build.ts';

export const SHELL_OUT = join(REPO_ROOT, 'dist', 'electron');
export const SHELL_MAIN = join(SHELL_OUT, 'main.cjs');
export const SHELL_PRELOAD = join(SHELL_OUT, 'preload.cjs');

export function shellBuilt(out = SHELL_OUT): boolean {
  return ['main.cjs', 'preload.cjs', 'inference-worker.cjs'].every((f) => existsSync(join(out, f)));
}

export async function buildShell(out = SHELL_OUT): Promise<{ ms: number; files: { file: string; bytes: number }[] }> {
  const t0 = performance.now();
  const { build } = await import('esbuild');
  const src = join(REPO_ROOT, 'src', 'main', 'electron');
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node22', sourcemap: false, legalComments: 'none', logLevel: 'silent', external: ['electron'] as string[] } as const;
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(src, 'main.ts')],
      outfile: join(out, 'main.cjs'),
      packages: 'external',
      // The core finds repo files (models/, dist/renderer) relative to its own source file; in the
      // bundle that location is src/main/electron/, three levels below the root like every caller.
      define: { 'import.meta.url': '__stationImportMetaUrl', __STATION_WORKER_URL__: '__stationWorkerUrl' },
      banner: {
        js:
          "const __stationImportMetaUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, '..', '..', 'src', 'main', 'electron', 'main.cjs')).href;\n" +
          "const __stationWorkerUrl = require('node:url').pathToFileURL(require('node:path').join(__dirname, 'inference-worker.cjs')).href;",
      },
    }),
    build({ ...common, entryPoints: [join(src, 'preload.ts')], outfile: join(out, 'preload.cjs') }),
    // The inference worker thread: its own file, since a worker is started from a path.
    build({ ...common, entryPoints: [join(src, '..', 'inspection', 'worker.ts')], outfile: join(out, 'inference-worker.cjs'), packages: 'external' }),
  ]);
  const files = ['main.cjs', 'preload.cjs', 'inference-worker.cjs'].map((f) => ({ file: join(out, f), bytes: statSync(join(out, f)).size }));
  return { ms: performance.now() - t0, files };
}
