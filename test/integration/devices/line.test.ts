import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/shared/config/schema.ts';
import type { DeviceEvent } from '../../../src/shared/devices.ts';
import { StationDevices } from '../../../src/devices/index.ts';
import { memoryLogger } from '../../../src/devices/log.ts';
import { StationMqtt } from '../../../src/devices/mqtt/client.ts';
import { startSim } from '../../../src/devices/sim/line.ts';
import { TcpEndpoint } from '../../../src/devices/sim/endpoint.ts';
import mqttLib from 'mqtt';
import { ROOT, STATION_BIN, station } from '../../helpers/cli.ts';
import { BarcodeDriver } from '../../../src/devices/barcode/driver.ts';
import { Supervisor } from '../../../src/devices/supervisor.ts';
import { serialTransport } from '../../../src/devices/transport/serial.ts';
import { aedesBroker, cleanup, onCleanup, tmp, waitFor } from './helpers.ts';

afterEach(cleanup);

const IMAGE = { width: 64, height: 48, format: 'png' as const, dualEnergy: true, placeholder: true };

describe('a whole simulated line on one machine', () => {
  it('delivers barcode, weight, tunnel, image and conveyor events from the default configuration with simulated devices', async () => {
    const sim = await startSim({
      kind: 'line',
      dir: tmp(),
      imageDelivery: 'folder',
      image: IMAGE,
      barcode: { rate: 20 },
      scale: { rate: 20, settleMs: 50, parcelEveryMs: 200 },
      scanner: { rate: 10, transitMs: 20 },
      conveyor: { heartbeatMs: 200, ackDelayMs: 5 },
      say: () => {},
    });
    onCleanup(() => sim.stop());
    const cfg = ConfigSchema.parse({ devices: { scanner: { status: { kind: 'simulated' } }, conveyor: { heartbeatMs: 200, ackTimeoutMs: 1000 }, supervision: { backoffBaseMs: 50, backoffMaxMs: 500 } } });
    const devices = new StationDevices(cfg.devices, { log: memoryLogger(), simulated: sim.transports });
    const seen = new Map<string, DeviceEvent>();
    devices.events.on('device', (e) => void seen.set(e.type, e));
    await devices.start();
    onCleanup(() => devices.stop());
    await waitFor('every kind of event', () => ['barcode.read', 'scale.weight', 'scanner.tunnel', 'scanner.image', 'device.health'].every((t) => seen.has(t)), 10_000);
    expect(seen.get('scanner.image')).toMatchObject({ bitDepth: 16, dualEnergy: { low: { width: 64 } } });
    await expect(devices.conveyor!.send({ parcelId: 42, command: 'RELEASE', seq: 1 })).resolves.toMatchObject({ parcelId: 42, ok: true });
    expect(devices.supervisor.health().every((h) => h.connected)).toBe(true);
    expect(sim.conveyor!.failsafe).toBe(false);
  });

  it('reads barcodes and no-reads that a reader gateway publishes over MQTT', async () => {
    const broker = await aedesBroker();
    const mqtt = new StationMqtt({ url: broker.url, prefix: 'station', stationId: 'demo-01', role: 'station', availability: true });
    onCleanup(() => mqtt.stop());
    const cfg = ConfigSchema.parse({ devices: { barcode: { transport: { kind: 'mqtt' } }, scanner: { enabled: false }, scale: { enabled: false }, conveyor: { enabled: false } } });
    const devices = new StationDevices(cfg.devices, { log: memoryLogger(), mqtt });
    const reads: DeviceEvent[] = [];
    devices.events.on('device', (e) => void reads.push(e));
    mqtt.start();
    await devices.start();
    onCleanup(() => devices.stop());
    const sim = await startSim({ kind: 'barcode', dir: tmp(), mqtt: { url: broker.url, prefix: 'station', stationId: 'demo-01' }, imageDelivery: 'json', image: IMAGE, barcode: { rate: 50, noreadRate: 0.3, seed: 5 }, scale: {}, scanner: {}, conveyor: {}, say: () => {} });
    onCleanup(() => sim.stop());
    await waitFor('reads and a no-read over MQTT', () => reads.some((e) => e.type === 'barcode.read') && reads.some((e) => e.type === 'barcode.noread'), 5000);
    expect(reads.find((e) => e.type === 'barcode.read')).toMatchObject({ deviceId: 'barcode', symbology: ']C1', validWaybill: true });
  });
});

describe('device health over MQTT', () => {
  it('publishes retained health per device, so a late subscriber sees the scale come and go', async () => {
    const broker = await aedesBroker();
    const mqtt = new StationMqtt({ url: broker.url, prefix: 'station', stationId: 'demo-01', role: 'station', availability: true });
    onCleanup(() => mqtt.stop());
    mqtt.start();
    await mqtt.waitConnected(3000);
    const scale = await new TcpEndpoint().listen();
    onCleanup(() => scale.close());
    const cfg = ConfigSchema.parse({
      devices: { barcode: { enabled: false }, scanner: { enabled: false }, conveyor: { enabled: false }, scale: { transport: { kind: 'tcp', host: '127.0.0.1', port: scale.boundPort } }, supervision: { backoffBaseMs: 50, backoffMaxMs: 200 } },
    });
    const devices = new StationDevices(cfg.devices, { log: memoryLogger(), mqtt });
    await devices.start();
    onCleanup(() => devices.stop());
    await waitFor('scale connected', () => scale.clientCount === 1);
    const seen: { connected: boolean; lastError: string | null; retained?: boolean }[] = [];
    const sub = await mqttLib.connectAsync(broker.url);
    onCleanup(() => sub.endAsync(true));
    sub.on('message', (_t, p, packet) => void seen.push({ ...(JSON.parse(p.toString()) as { connected: boolean; lastError: string | null }), ...(packet.retain ? { retained: true } : {}) }));
    await sub.subscribeAsync('station/demo-01/devices/scale/health', { qos: 1 });
    await waitFor('retained connected health', () => seen.find((h) => h.connected && h.retained));
    await scale.unplug(0); // the serial server drops the connection
    await waitFor('disconnected health', () => seen.find((h) => !h.connected && /ended|closed/.test(h.lastError ?? '')));
  });
});

describe('station sim command', () => {
  it('station sim --help lists every simulator', async () => {
    const r = await station(['sim', '--help']);
    expect(r.code).toBe(0);
    for (const k of ['barcode', 'scanner', 'scale', 'conveyor', 'line', '--noread-rate', '--unplug-after', '--ack-delay', '--no-ack']) expect(r.stdout).toContain(k);
  });

  // retry: with the whole suite running, reads once failed to resume within 20 s of the replug (1 run in
  // ~5; never alone, under CPU hogs or under pty churn). Not understood yet: the failure message now
  // carries the supervisor's transitions so the next one says where the time went. Investigation open.
  it('station sim barcode prints the pty path, and a station driver reads from it across a simulated unplug', { retry: 2, timeout: 60_000 }, async () => {
    const dir = tmp();
    const child = spawn(process.execPath, [STATION_BIN, 'sim', 'barcode', '--dir', dir, '--rate', '20', '--unplug-after', '400', '--replug-after', '300'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    onCleanup(() => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))));
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const path = await waitFor('pty path printed', () => /barcode\s+(\S+-station)/.exec(out)?.[1], 10_000);
    const d = new BarcodeDriver('bc', serialTransport({ path, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 }), { suffix: 'CRLF', prefix: '', interByteTimeoutMs: 50, waybillPattern: '^SIM\\d{10}$', noReadStrings: ['NOREAD'], duplicateWindowMs: 0, maxLineBytes: 128, codeSeparator: ',' }, memoryLogger());
    const codes: string[] = [];
    d.events.on('event', (e) => void (e.type === 'barcode.read' && codes.push(e.code)));
    const sup = new Supervisor({ backoff: { baseMs: 50, maxMs: 200, jitter: 0.2 } });
    const t0 = Date.now();
    const transitions: string[] = [];
    sup.events.on('health', (h) => void transitions.push(`${Date.now() - t0} ms ${h.connected ? 'up' : 'down'} attempts ${h.attempts}${h.lastError ? ` ${h.lastError}` : ''}`));
    sup.add(d);
    sup.start();
    onCleanup(() => sup.stop());
    await waitFor('reads before the unplug', () => codes.length >= 2, 5000);
    await waitFor('sim says unplugged', () => out.includes('unplugging'), 5000);
    await waitFor('sim says replugged', () => out.includes('replugged'), 5000);
    const before = codes.length;
    // Generous: in CI this runs beside the fault campaigns' stations, and a reconnect once took 4.6 s
    // there. What is tested is that reads resume after the replug, not how fast.
    await waitFor('reads after the replug', () => codes.length > before + 2, 20_000).catch((e: Error) => {
      const got = codes.length - before;
      throw new Error(
        `${e.message}; ${got} reads since the replug, driver connected=${d.connected}, health ${JSON.stringify(sup.health())}\n` +
          `health transitions (ms since start):\n${transitions.slice(-15).join('\n')}\nsimulator said:\n${out.slice(-800)}`,
      );
    });
    child.kill('SIGTERM');
    await new Promise<void>((r) => child.once('exit', () => r()));
    expect(child.exitCode).toBe(0);
  });
});
