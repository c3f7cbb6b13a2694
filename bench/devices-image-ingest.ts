// Image ingest throughput: 16-bit greyscale PNGs of about 1.5 MB (1024×768 with sensor-like noise)
// through (a) MQTT as JSON+base64, (b) MQTT as binary+metadata, via an in-process aedes broker or a
// Mosquitto at --mqtt URL, and (c) a watched export folder. Counted from the first byte sent (or
// file written) to the last decoded XrayImage event. Prints JSON.
// Run: nice -n 10 node bench/devices-image-ingest.ts [images] [--mqtt mqtt://127.0.0.1:1883]
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { silentLogger } from '../src/devices/log.ts';
import { StationMqtt } from '../src/devices/mqtt/client.ts';
import { FolderImageSource, ImageDecoder, MqttImageSource } from '../src/devices/scanner/image-ingest.ts';
import { encodeGreyPng } from '../src/devices/sim/grey-image.ts';
import { mulberry32 } from '../src/devices/sim/rng.ts';
import { ScannerSim } from '../src/devices/sim/scanner-sim.ts';

const N = Number(process.argv[2] ?? 20);
const mqttArg = process.argv.indexOf('--mqtt');
const W = 1024;
const H = 768;
const LIMITS = { maxImageBytes: 64 * 1024 * 1024, maxImagePixels: 50_000_000 };

function image(seed: number): Buffer {
  const rnd = mulberry32(seed);
  const a = new Uint16Array(W * H);
  for (let i = 0; i < a.length; i++) a[i] = 40000 + Math.floor(rnd() * 8000) - ((i % W) * 10);
  return encodeGreyPng(W, H, a);
}

const images = Array.from({ length: N }, (_, i) => image(i + 1));
const totalMB = images.reduce((s, b) => s + b.length, 0) / 1e6;

function result(label: string, ms: number, got: number): Record<string, unknown> {
  return { path: label, images: got, totalMB: Math.round(totalMB * 100) / 100, seconds: Math.round(ms) / 1000, MBps: Math.round((totalMB / (ms / 1000)) * 10) / 10, imagesPerS: Math.round((got / (ms / 1000)) * 10) / 10 };
}

async function viaMqtt(url: string, mode: 'json' | 'binary'): Promise<Record<string, unknown>> {
  const station = new StationMqtt({ url, prefix: 'bench', stationId: 'b1', role: 'station', availability: true });
  const sim = new StationMqtt({ url, prefix: 'bench', stationId: 'b1', role: 'sim', availability: false });
  const dec = new ImageDecoder('xray', LIMITS, silentLogger, { maxBacklog: N + 1 });
  new MqttImageSource(station, dec, silentLogger);
  station.start();
  sim.start();
  await station.waitConnected(5000);
  await sim.waitConnected(5000);
  let got = 0;
  let rejected = 0;
  const done = new Promise<void>((r) => {
    dec.events.on('image', () => void (++got + rejected === N && r()));
    dec.events.on('rejected', () => void (got + ++rejected === N && r()));
  });
  const s = new ScannerSim({ mqtt: sim }, async () => ({ high: images[0]!, format: 'png' }), { imageMode: mode });
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await s.deliver(i, { high: images[i]!, format: 'png' });
  await done;
  const ms = performance.now() - t0;
  await sim.stop();
  await station.stop();
  return { ...result(`mqtt-${mode}`, ms, got), rejected };
}

async function viaFolder(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-img-'));
  const dec = new ImageDecoder('xray', LIMITS, silentLogger, { maxBacklog: N + 1 });
  const src = new FolderImageSource(dir, dec, silentLogger, { settleMs: 100, pollMs: 20 });
  await src.start();
  let got = 0;
  const done = new Promise<void>((r) => dec.events.on('image', () => void (++got === N && r())));
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    writeFileSync(join(dir, `x${i}.png.part`), images[i]!);
    renameSync(join(dir, `x${i}.png.part`), join(dir, `x${i}.png`));
  }
  await done;
  const ms = performance.now() - t0;
  src.stop();
  rmSync(dir, { recursive: true, force: true });
  return { ...result('folder (settleMs 100)', ms, got) };
}

let url: string;
let stopBroker = async (): Promise<void> => {};
if (mqttArg > 0) url = process.argv[mqttArg + 1]!;
else {
  const aedes = await Aedes.createBroker();
  const server = createServer(aedes.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address();
  url = `mqtt://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  stopBroker = async () => {
    server.close();
    await new Promise<void>((r) => aedes.close(() => r()));
  };
}
const out = [await viaMqtt(url, 'json'), await viaMqtt(url, 'binary'), await viaFolder()];
await stopBroker();
process.stdout.write(`${JSON.stringify({ bench: 'image-ingest', node: process.version, broker: mqttArg > 0 ? url : 'aedes in-process', image: `${W}x${H} 16-bit grey PNG, mean ${Math.round((totalMB / N) * 100) / 100} MB`, decode: 'sharp, header check then full decode to raw 16-bit', results: out }, null, 2)}\n`);
