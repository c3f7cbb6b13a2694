import { existsSync, readdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScannerStatus, TunnelEvent, XrayImage } from '../../../src/shared/devices.ts';
import { ScannerStatusDriver } from '../../../src/devices/scanner/status-driver.ts';
import { FolderImageSource, ImageDecoder, MqttImageSource, type ImageRejected } from '../../../src/devices/scanner/image-ingest.ts';
import { StationMqtt } from '../../../src/devices/mqtt/client.ts';
import { memoryLogger } from '../../../src/devices/log.ts';
import { serialTransport } from '../../../src/devices/transport/serial.ts';
import { tcpTransport } from '../../../src/devices/transport/tcp.ts';
import { PtyEndpoint, TcpEndpoint } from '../../../src/devices/sim/endpoint.ts';
import { ScannerSim } from '../../../src/devices/sim/scanner-sim.ts';
import { placeholderImageSource, xrayImageSource } from '../../../src/devices/sim/images.ts';
import { encodeGreyPng } from '../../../src/devices/sim/grey-image.ts';
import { aedesBroker, cleanup, onCleanup, tmp, waitFor } from './helpers.ts';

afterEach(cleanup);

const LIMITS = { maxImageBytes: 8 * 1024 * 1024, maxImagePixels: 4_000_000 };

function collect(dec: ImageDecoder) {
  const images: XrayImage[] = [];
  const rejected: ImageRejected[] = [];
  dec.events.on('image', (i) => void images.push(i));
  dec.events.on('rejected', (r) => void rejected.push(r));
  return { images, rejected };
}

describe('scanner status channel', () => {
  it('turns PIN/POUT/READY/FAULT lines on a real pty into typed events', async () => {
    const ep = await new PtyEndpoint(tmp(), 'xray').open();
    onCleanup(() => ep.close());
    const d = new ScannerStatusDriver('xray1', serialTransport({ path: ep.connectTo, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 }), memoryLogger());
    const events: (TunnelEvent | ScannerStatus)[] = [];
    d.events.on('event', (e) => void events.push(e));
    const s = await d.connect();
    onCleanup(() => s.close());
    ep.write('READY\r\nPIN 000041\r\nPOUT 000041\r\nFAULT E12 belt jam\r\nBOGUS\r\n');
    await waitFor('four events', () => events.length === 4);
    expect(events.map((e) => (e.type === 'scanner.tunnel' ? `${e.kind}${e.seq}` : `${e.state}${e.faultCode ?? ''}`))).toEqual(['ready', 'in41', 'out41', 'faultE12']);
  });

  it('follows the simulator over TCP with matching sequence numbers on status and images', async () => {
    const status = await new TcpEndpoint().listen();
    onCleanup(() => status.close());
    const folder = tmp();
    const d = new ScannerStatusDriver('xray-tcp', tcpTransport('127.0.0.1', status.boundPort), memoryLogger());
    const events: (TunnelEvent | ScannerStatus)[] = [];
    d.events.on('event', (e) => void events.push(e));
    const s = await d.connect();
    onCleanup(() => s.close());
    await waitFor('client', () => status.clientCount === 1);
    const sim = new ScannerSim({ status, folder }, placeholderImageSource({ width: 64, height: 48, format: 'png', dualEnergy: false }), { transitMs: 10, startSeq: 7, folderMode: 'rename' });
    expect(await sim.parcel()).toBe(7);
    await waitFor('in and out', () => events.filter((e) => e.type === 'scanner.tunnel').length === 2);
    expect(readdirSync(folder).sort()).toEqual(['xray_000007.json', 'xray_000007.png']);
  });
});

describe('image ingest over MQTT (aedes)', () => {
  it('accepts JSON+base64 and binary+metadata images, 16-bit and dual-energy, and rejects bad ones with a reason', async () => {
    const broker = await aedesBroker();
    const mk = (role: string, availability: boolean) => {
      const m = new StationMqtt({ url: broker.url, prefix: 'station', stationId: 'x-01', role, availability });
      onCleanup(() => m.stop());
      m.start();
      return m;
    };
    const station = mk('station', true);
    const simMqtt = mk('sim-scanner', false);
    const dec = new ImageDecoder('xray1', LIMITS, memoryLogger());
    const { images, rejected } = collect(dec);
    new MqttImageSource(station, dec, memoryLogger());
    await station.waitConnected(3000);
    await simMqtt.waitConnected(3000);
    const src = xrayImageSource({ width: 160, height: 120, format: 'png', dualEnergy: true });
    const json = new ScannerSim({ mqtt: simMqtt }, src, { imageMode: 'json' });
    const bin = new ScannerSim({ mqtt: simMqtt }, src, { imageMode: 'binary' });
    await json.deliver(11, await src(11));
    await bin.deliver(12, await src(12));
    await waitFor('two images', () => images.length === 2, 5000);
    for (const [img, seq] of [[images.find((i) => i.seq === 11)!, 11], [images.find((i) => i.seq === 12)!, 12]] as const) {
      expect(img).toMatchObject({ seq, format: 'png', width: 160, height: 120, bitDepth: 16, channels: 1 });
      expect(img.pixels.byteLength).toBe(160 * 120 * 2);
      expect(img.dualEnergy?.low).toMatchObject({ width: 160, height: 120, bitDepth: 16 });
    }
    // Not an image, and an image over the pixel limit: refused after reading only the header.
    await simMqtt.publishRaw(simMqtt.topic('imageJson'), JSON.stringify({ seq: 13, image: Buffer.from('hello').toString('base64') }), { qos: 1, retain: false });
    const huge = encodeGreyPng(2500, 2000, new Uint8Array(2500 * 2000));
    await simMqtt.publishRaw(simMqtt.topic('imageJson'), JSON.stringify({ seq: 14, image: huge.toString('base64') }), { qos: 1, retain: false });
    await waitFor('two rejections', () => rejected.length === 2, 5000);
    // Two decoders run in parallel, so the order of the two refusals is not fixed.
    expect(rejected.map((r) => r.reason).sort()).toEqual([expect.stringMatching(/^image is 2500×2000, over the 4000000-pixel limit/), expect.stringMatching(/^not a readable image/)]);
  });
});

describe('image ingest from a watched export folder', () => {
  it('never reads a file that is still being written: it waits until size and mtime stood still for settleMs', async () => {
    const dir = tmp();
    const dec = new ImageDecoder('xray1', LIMITS, memoryLogger());
    const { images, rejected } = collect(dec);
    let clock = 1_000_000;
    const src = new FolderImageSource(dir, dec, memoryLogger(), { settleMs: 500, now: () => clock });
    await src.start(false); // we drive the polls and the clock
    const png = (await placeholderImageSource({ width: 80, height: 60, format: 'png', dualEnergy: false })(1)).high;
    const file = join(dir, 'slow.png');
    writeFileSync(file, png.subarray(0, 100)); // the scanner has written the first 100 bytes
    await src.scan();
    clock += 400;
    await src.scan();
    appendFileSync(file, png.subarray(100, 200)); // …more, 400 ms later
    clock += 400;
    await src.scan(); // 800 ms after it first appeared, but it changed: not settled
    clock += 499;
    await src.scan();
    expect(images.length + rejected.length).toBe(0);
    appendFileSync(file, png.subarray(200));
    writeFileSync(join(dir, 'slow.json'), JSON.stringify({ seq: 5 }));
    await src.scan();
    clock += 500;
    await src.scan();
    await waitFor('image', () => images.length === 1);
    expect(rejected).toEqual([]);
    expect(images[0]).toMatchObject({ seq: 5, width: 80, height: 60, bitDepth: 16, encodedBytes: png.length });
    expect(readdirSync(join(dir, 'done')).sort()).toEqual(['slow.json', 'slow.png']);
  });

  it('pairs high/low files, reads 16-bit TIFF and colour JPEG, skips .part files, and moves files to done/ or rejected/', async () => {
    const dir = tmp();
    const dec = new ImageDecoder('xray1', LIMITS, memoryLogger());
    const { images, rejected } = collect(dec);
    const src = new FolderImageSource(dir, dec, memoryLogger(), { settleMs: 100, pollMs: 20, pairWaitMs: 2000 });
    await src.start();
    onCleanup(() => src.stop());
    const tiff = await placeholderImageSource({ width: 50, height: 40, format: 'tiff', dualEnergy: true })(2);
    writeFileSync(join(dir, 'pair_high.tiff'), tiff.high);
    writeFileSync(join(dir, 'pair_low.tiff'), tiff.low!);
    const jpeg = await xrayImageSource({ width: 64, height: 64, format: 'jpeg', dualEnergy: false })(3);
    writeFileSync(join(dir, 'colour.jpg'), jpeg.high);
    writeFileSync(join(dir, 'broken.png'), Buffer.from('\x89PNG\r\n\x1a\n not really'));
    writeFileSync(join(dir, 'inflight.png.part'), tiff.high);

    await waitFor('two images and one rejection', () => images.length === 2 && rejected.length === 1, 10_000);
    const bySource = Object.fromEntries(images.map((i) => [i.source.split('/').pop(), i]));
    expect(bySource['pair_high.tiff']).toMatchObject({ format: 'tiff', bitDepth: 16, width: 50, dualEnergy: { low: { format: 'tiff', width: 50, height: 40 } } });
    expect(bySource['colour.jpg']).toMatchObject({ format: 'jpeg', bitDepth: 8, channels: 3 });
    // Files move after the event is out; wait for the moves rather than racing them.
    await waitFor('files moved', () => readdirSync(join(dir, 'done')).length === 3 && existsSync(join(dir, 'rejected', 'broken.png.reason.txt')));
    expect(readdirSync(join(dir, 'done')).sort()).toEqual(['colour.jpg', 'pair_high.tiff', 'pair_low.tiff']);
    expect(readdirSync(join(dir, 'rejected')).sort()).toEqual(['broken.png', 'broken.png.reason.txt']);
    expect(readFileSync(join(dir, 'rejected', 'broken.png.reason.txt'), 'utf8')).toMatch(/not a readable image|decode failed/);
    expect(existsSync(join(dir, 'inflight.png.part'))).toBe(true);
  });
});
