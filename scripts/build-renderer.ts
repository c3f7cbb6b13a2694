// `npm run build:renderer`: bundles the operator console (src/renderer) into dist/renderer.
import { buildRenderer, RENDERER_OUT } from '../src/main/console/renderer-build.ts';

const r = await buildRenderer();
process.stderr.write(`console UI: ${RENDERER_OUT} (${Math.round(r.bytes / 1024)} KiB in ${Math.round(r.ms)} ms)\n`);
