// Bundles the Electron shell into dist/electron (main.cjs, preload.cjs); needs no Electron binary.
import { buildShell } from '../src/main/electron/build.ts';

const r = await buildShell();
for (const f of r.files) process.stderr.write(`electron shell: ${f.file} (${Math.round(f.bytes / 1024)} KiB)\n`);
process.stderr.write(`electron shell built in ${Math.round(r.ms)} ms\n`);
