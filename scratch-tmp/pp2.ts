import sharp from 'sharp';
import { readFileSync, readdirSync } from 'node:fs';
import { letterbox } from '../src/main/inspection/preprocess.ts';
import { letterboxGeometry } from '../src/main/inspection/letterbox.ts';
const dir = '/tmp/xr-test2/images/val';
const files = readdirSync(dir).slice(0, 60).map((f) => readFileSync(`${dir}/${f}`));
const q = (a: number[], p: number) => a.slice().sort((x, y) => x - y)[Math.floor(p * (a.length - 1))]!.toFixed(2);
const D = 320, PAD = 114;
async function noProbe(b: Buffer, w: number, h: number, colour = true) {
  const g = letterboxGeometry(w, h, D, D);
  let s = sharp(b, { limitInputPixels: 64e6, failOn: 'error', sequentialRead: true }).removeAlpha();
  if (colour) s = s.toColourspace('srgb');
  return s.resize(g.newWidth, g.newHeight, { fit: 'fill', kernel: 'linear' })
    .extend({ top: g.padY, bottom: D - g.newHeight - g.padY, left: g.padX, right: D - g.newWidth - g.padX, background: { r: PAD, g: PAD, b: PAD } })
    .raw({ depth: 'uchar' }).toBuffer();
}
async function resizeOnly(b: Buffer, w: number, h: number) {
  const g = letterboxGeometry(w, h, D, D);
  const r = await sharp(b, { failOn: 'error', sequentialRead: true }).removeAlpha().toColourspace('srgb').resize(g.newWidth, g.newHeight, { fit: 'fill', kernel: 'linear' }).raw({ depth: 'uchar' }).toBuffer();
  const out = Buffer.alloc(D * D * 3, PAD);
  for (let y = 0; y < g.newHeight; y++) r.copy(out, ((y + g.padY) * D + g.padX) * 3, y * g.newWidth * 3, (y + 1) * g.newWidth * 3);
  return out;
}
const ref = await Promise.all(files.map((f) => letterbox(f, D, D, PAD)));
for (const [name, fn] of [
  ['current', (f: Buffer) => letterbox(f, D, D, PAD).then((x) => x.rgb)],
  ['noProbe', (f: Buffer) => noProbe(f, 640, 480)],
  ['noProbeNoColour', (f: Buffer) => noProbe(f, 640, 480, false)],
  ['resizeThenPadJs', (f: Buffer) => resizeOnly(f, 640, 480)],
  ['bareDecode', (f: Buffer) => sharp(f).raw().toBuffer()],
] as const) {
  const t: number[] = [];
  let same = 0;
  for (let r = 0; r < 4; r++) for (let i = 0; i < files.length; i++) { const t0 = performance.now(); const o = await fn(files[i]!); t.push(performance.now() - t0); if (r === 0 && Buffer.compare(o, ref[i]!.rgb) === 0) same++; }
  console.log(name.padEnd(16), 'p50', q(t, 0.5), 'p99', q(t, 0.99), 'identical', same, '/', files.length);
}
