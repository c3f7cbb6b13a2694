// Benchmark: smart image inspection latency with the shipped model on generated parcel images.
// Usage: nice -n 10 node bench/inference.ts [images=1000] [--threads N] [--model DIR] [--format png|tiff|jpeg|pnm]
//   → {model, inputSize, threads, inferenceMs, preprocessMs, endToEndMs: {p50, p99}, images, ratioP99}
// inferenceMs is onnxruntime's session.run in the worker; preprocessMs the PNG decode, letterbox and
// normalisation (in the worker too); endToEndMs is inspect(): all of it plus the worker round trip,
// output decoding and NMS. Images are encoded up front: PNG (default, what the scanner simulator sends),
// uncompressed TIFF (what many scanners export), JPEG q92, or a raw binary netpbm frame (P6: no decoder
// at all; a 640×480 frame is letterboxed by the exact-half JS path in netpbm-letterbox.ts).
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { openInspector } from '../src/main/inspection/index.ts';
import { encodeNetpbm } from '../src/shared/netpbm.ts';
import { hash32, renderParcel } from '../src/shared/xray/index.ts';

const { values, positionals } = parseArgs({
  options: { threads: { type: 'string', default: '1' }, model: { type: 'string' }, format: { type: 'string', default: 'png' } },
  allowPositionals: true,
});
const format = values.format!;
if (!['png', 'tiff', 'jpeg', 'pnm'].includes(format)) {
  process.stderr.write('bench/inference.ts: --format must be png, tiff, jpeg or pnm\n');
  process.exit(2);
}
const N = Number(positionals[0] ?? 1000); // p99 of 200 runs is the 2nd-slowest: too noisy to compare formats
const WARMUP = 10;

const images: Buffer[] = [];
for (let i = 0; i < Math.min(N, 50); i++) {
  const p = renderParcel(hash32(4242, i));
  if (format === 'pnm') {
    images.push(Buffer.from(encodeNetpbm(p.width, p.height, 3, 255, p.colour)));
    continue;
  }
  const img = sharp(p.colour, { raw: { width: p.width, height: p.height, channels: 3 } });
  images.push(await (format === 'tiff' ? img.tiff({ compression: 'none' }) : format === 'jpeg' ? img.jpeg({ quality: 92 }) : img.png()).toBuffer());
}

const insp = await openInspector({ ...(values.model ? { modelDir: values.model } : {}), intraOpThreads: Number(values.threads) });
const inf: number[] = [];
const pre: number[] = [];
const e2e: number[] = [];
const rest: number[] = [];
for (let i = 0; i < N + WARMUP; i++) {
  const t = performance.now();
  const r = await insp.inspect(images[i % images.length]!);
  const dt = performance.now() - t;
  if (i >= WARMUP) {
    inf.push(r.inferenceMs);
    pre.push(r.preprocessMs ?? NaN);
    e2e.push(dt);
    rest.push(dt - r.inferenceMs - (r.preprocessMs ?? 0));
  }
}
await insp.close();

const pct = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 100) / 100;
};
const { width, height } = insp.spec.input;
const out = {
  model: insp.model,
  inputSize: `${width}x${height}`,
  threads: Number(values.threads),
  format,
  imageKb: Math.round(images.reduce((a, b) => a + b.length, 0) / images.length / 1024),
  inferenceMs: { p50: pct(inf, 0.5), p99: pct(inf, 0.99) },
  preprocessMs: { p50: pct(pre, 0.5), p99: pct(pre, 0.99) },
  endToEndMs: { p50: pct(e2e, 0.5), p99: pct(e2e, 0.99) },
  /** The rest of endToEndMs: the worker round trip (the image is copied), output decoding and NMS. */
  otherMs: { p50: pct(rest, 0.5), p99: pct(rest, 0.99) },
  ratioP99: Math.round((pct(e2e, 0.99) / pct(inf, 0.99)) * 100) / 100,
  images: N,
};
process.stdout.write(`${JSON.stringify(out)}\n`);
