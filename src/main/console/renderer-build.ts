// Builds the console UI (src/renderer, React + TSX) into dist/renderer with esbuild. Used by
// `npm run build` and, on demand, by the console server when the bundle is missing or older than its
// sources, so `npm start` on a fresh clone works without a separate build step.
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const RENDERER_OUT = join(REPO_ROOT, 'dist', 'renderer');
const SOURCES = [join(REPO_ROOT, 'src', 'renderer'), join(REPO_ROOT, 'src', 'shared')];

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/** True when dist/renderer is missing or older than any source it is built from. */
export function rendererStale(out = RENDERER_OUT): boolean {
  const bundle = join(out, 'app.js');
  if (!existsSync(bundle) || !existsSync(join(out, 'index.html'))) return true;
  if (!existsSync(SOURCES[0]!)) return false; // a packaged app ships the bundle without sources
  const built = statSync(bundle).mtimeMs;
  return SOURCES.some((d) => existsSync(d) && newestMtime(d) > built);
}

export async function buildRenderer(out = RENDERER_OUT): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  // esbuild is a build tool: loaded only when a build is actually needed.
  const { build } = await import('esbuild');
  mkdirSync(out, { recursive: true });
  const r = await build({
    entryPoints: [join(REPO_ROOT, 'src', 'renderer', 'main.tsx')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome120'],
    jsx: 'automatic',
    minify: true,
    sourcemap: false,
    legalComments: 'none',
    define: { 'process.env.NODE_ENV': '"production"' },
    outfile: join(out, 'app.js'),
    metafile: true,
    logLevel: 'silent',
  });
  copyFileSync(join(REPO_ROOT, 'src', 'renderer', 'index.html'), join(out, 'index.html'));
  copyFileSync(join(REPO_ROOT, 'src', 'renderer', 'styles.css'), join(out, 'styles.css'));
  const bytes = Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { ms: performance.now() - t0, bytes };
}

let building: Promise<unknown> | undefined;

/** Builds once per process when stale; concurrent callers share the same build. */
export async function ensureRenderer(out = RENDERER_OUT, log: (l: string) => void = () => {}): Promise<void> {
  if (!rendererStale(out)) return;
  building ??= buildRenderer(out).then(
    (r) => log(`console UI built into ${out} (${Math.round(r.bytes / 1024)} KiB, ${Math.round(r.ms)} ms)`),
    (e: unknown) => {
      building = undefined;
      throw e;
    },
  );
  await building;
}
