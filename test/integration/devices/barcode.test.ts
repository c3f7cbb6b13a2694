import { afterEach, describe, expect, it } from 'vitest';
import type { BarcodeEvent } from '../../../src/shared/devices.ts';
import { BarcodeDriver, type BarcodeOptions } from '../../../src/devices/barcode/driver.ts';
import { Supervisor } from '../../../src/devices/supervisor.ts';
import { serialTransport } from '../../../src/devices/transport/serial.ts';
import { tcpTransport } from '../../../src/devices/transport/tcp.ts';
import { PtyEndpoint, TcpEndpoint } from '../../../src/devices/sim/endpoint.ts';
import { BarcodeSim } from '../../../src/devices/sim/barcode-sim.ts';
import { memoryLogger } from '../../../src/devices/log.ts';
import { cleanup, onCleanup, ptyPair, tmp, waitFor } from './helpers.ts';
import { SerialPort } from 'serialport';

const OPTS: BarcodeOptions = {
  suffix: 'CRLF',
  prefix: '',
  interByteTimeoutMs: 50,
  waybillPattern: '^[A-Z0-9]{8,40}$',
  noReadStrings: ['NOREAD'],
  duplicateWindowMs: 500,
  maxLineBytes: 64,
  codeSeparator: ',',
};

const serial = (path: string) => serialTransport({ path, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 });

function collect(d: BarcodeDriver): BarcodeEvent[] {
  const out: BarcodeEvent[] = [];
  d.events.on('event', (e) => void out.push(e));
  return out;
}

async function openDevice(path: string): Promise<SerialPort> {
  const p = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((r, j) => p.open((e) => (e ? j(e) : r())));
  onCleanup(() => new Promise<void>((r) => (p.isOpen ? p.close(() => r()) : r())));
  return p;
}

afterEach(cleanup);

describe('barcode reader over a real pty', () => {
  it('turns bytes written to the pty into typed read, no-read and multi-code events', async () => {
    const pty = await ptyPair('barcode');
    const log = memoryLogger();
    const d = new BarcodeDriver('bc1', serial(pty.stationPath), OPTS, log);
    const events = collect(d);
    const sup = new Supervisor({ backoff: { baseMs: 50, maxMs: 200, jitter: 0.2 } });
    sup.add(d);
    sup.start();
    onCleanup(() => sup.stop());
    await waitFor('connected', () => d.connected);
    const dev = await openDevice(pty.devicePath);
    // Split mid-code and mid-suffix, as a UART delivers it.
    dev.write(']C1SIM000');
    dev.write('0000001\r');
    dev.write('\nNOREAD\r\n\x01\xff\x02garbage\r\n');
    dev.write('SIM0000000002,SIM0000000003\r\n');
    dev.write('SIM0000000002\r\n'); // duplicate inside the window
    dev.write(`${'X'.repeat(200)}\r\nshort\r\n`); // over-long line, then an invalid waybill
    await waitFor('five events', () => events.length >= 5);
    expect(events.map((e) => (e.type === 'barcode.read' ? `${e.code}${e.symbology ?? ''}:${e.validWaybill}` : 'NOREAD'))).toEqual([
      'SIM0000000001]C1:true',
      'NOREAD',
      'SIM0000000002:true',
      'SIM0000000003:true',
      'short:false',
    ]);
    expect(log.entries.map((e) => e.msg)).toEqual(expect.arrayContaining(['barcode garbage', 'barcode overflow']));
  });

  it('reconnects within 2 s after the pty is closed and reopened, even after a long outage', async () => {
    const dir = tmp();
    const ep = await new PtyEndpoint(dir, 'bc').open();
    onCleanup(() => ep.close());
    const d = new BarcodeDriver('bc1', serial(ep.connectTo), OPTS, memoryLogger());
    const events = collect(d);
    // Backoff that would be at 3.2 s by the time the port returns: only the presence check makes 2 s.
    const sup = new Supervisor({ backoff: { baseMs: 400, maxMs: 10_000, jitter: 0 } });
    const health: boolean[] = [];
    sup.events.on('health', (h) => void health.push(h.connected));
    sup.add(d);
    sup.start();
    onCleanup(() => sup.stop());
    await waitFor('connected', () => d.connected);
    ep.write('SIM0000000001\r\n');
    await waitFor('first read', () => events.length === 1);

    await ep.pair.unplug();
    await waitFor('disconnect noticed', () => !d.connected, 2000);
    await new Promise((r) => setTimeout(r, 3000)); // the outage itself (deliberate, not a wait for a condition)
    await ep.open(); // socat again on the same /dev path, like the adapter coming back
    const replugged = Date.now();
    await waitFor('reconnected', () => d.connected, 2000);
    expect(Date.now() - replugged).toBeLessThan(2000);
    ep.write('SIM0000000002\r\n');
    await waitFor('read after replug', () => events.length === 2);
    // connected, then disconnected (and failed attempts while the port was gone), then connected again
    expect(health[0]).toBe(true);
    expect(health[1]).toBe(false);
    expect(health.at(-1)).toBe(true);
    expect(health.filter((c) => c).length).toBe(2);
    expect(sup.health('bc1')[0]?.lastError).toMatch(/bc-station: .*No such file or directory/); // names the port
  });

  it('reads a fixed-mount reader pushing results over TCP, and a keyboard wedge line', async () => {
    const ep = await new TcpEndpoint().listen();
    onCleanup(() => ep.close());
    const d = new BarcodeDriver('bc-tcp', tcpTransport('127.0.0.1', ep.boundPort), { ...OPTS, suffix: 'CR' }, memoryLogger());
    const events = collect(d);
    const session = await d.connect();
    onCleanup(() => session.close());
    await waitFor('client connected', () => ep.clientCount === 1);
    const sim = new BarcodeSim({ endpoint: ep }, { suffix: 'CR', aim: true, count: 3, seed: 3 });
    sim.tick();
    sim.tick();
    sim.tick();
    await waitFor('three reads', () => events.length === 3);
    expect(events.every((e) => e.type === 'barcode.read' && e.symbology === ']C1' && e.validWaybill)).toBe(true);
    d.wedgeInput('SIM0000009999');
    expect(events.at(-1)).toMatchObject({ type: 'barcode.read', code: 'SIM0000009999', validWaybill: true });
  });
});
