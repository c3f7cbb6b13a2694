// Contact sheet of generated parcels for the model card: node_modules/.bin/node models/xray-det/make-samples.ts [SEED] [OUT]
// Boxes and label names are drawn from the generator's own labels (what the trainer sees).
import sharp, { type OverlayOptions } from 'sharp';
import { renderParcel } from '../../src/shared/xray/index.ts';

const seed = Number(process.argv[2] ?? 20260301);
const out = process.argv[3] ?? new URL('./samples.png', import.meta.url).pathname;
const W = 640;
const H = 480;
const TW = 320;
const TH = 240;
const COLS = 4;
const N = 16;
const tiles: OverlayOptions[] = [];
for (let k = 0; k < N; k++) {
  const p = renderParcel(seed + k * 7919);
  const boxes = p.objects
    .map((o) => {
      const [x1, y1, x2, y2] = o.box;
      return `<rect x="${x1}" y="${y1}" width="${x2 - x1}" height="${y2 - y1}" fill="none" stroke="#e000e0" stroke-width="2"/><text x="${x1 + 2}" y="${Math.max(14, y1 - 3)}" font-family="sans-serif" font-size="15" fill="#e000e0">${o.label}</text>`;
    })
    .join('');
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${boxes}<text x="6" y="${H - 8}" font-family="sans-serif" font-size="14" fill="#444">${p.difficulty}, ${p.packaging}${p.rendering === 'grey' ? ', grey' : ''}</text></svg>`);
  // sharp resizes before compositing, so draw the boxes first and shrink in a second pass.
  const full = await sharp(Buffer.from(p.colour), { raw: { width: W, height: H, channels: 3 } })
    .composite([{ input: svg }])
    .png()
    .toBuffer();
  const tile = await sharp(full).resize(TW, TH).png().toBuffer();
  tiles.push({ input: tile, left: (k % COLS) * TW, top: Math.floor(k / COLS) * TH });
}
await sharp({ create: { width: COLS * TW, height: (N / COLS) * TH, channels: 3, background: '#808080' } })
  .composite(tiles)
  .png({ palette: true, quality: 80, effort: 8 })
  .toFile(out);
console.log(`wrote ${out}`);
