// `npm run build`: everything that can be built on a machine without the Electron binary.
// Typecheck, lint, the generated config schema check, the console UI bundle and the Electron shell
// bundle (dist/electron/*.cjs); packaging (`electron-builder`) needs the Electron binary.
import { spawnSync } from 'node:child_process';

const steps: [string, string[]][] = [
  ['typecheck', ['npx', 'tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['typecheck (console UI)', ['npx', 'tsc', '-p', 'tsconfig.web.json', '--noEmit']],
  ['lint', ['npx', 'eslint', '.']],
  ['config schema', [process.execPath, 'scripts/gen-config-schema.ts', '--check']],
  ['console UI bundle', [process.execPath, 'scripts/build-renderer.ts']],
  ['Electron shell bundle', [process.execPath, 'scripts/build-electron.ts']],
];

for (const [name, [cmd, ...args]] of steps) {
  const t0 = Date.now();
  process.stderr.write(`build: ${name}…\n`);
  const r = spawnSync(cmd!, args, { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`build: ${name} failed\n`);
    process.exit(r.status ?? 1);
  }
  process.stderr.write(`build: ${name} ok (${((Date.now() - t0) / 1000).toFixed(1)} s)\n`);
}
