// Barcode latency: time from the last byte of a code line written into a real pty (socat) to the
// typed BarcodeRead event, through the serial transport, framer, parser, dedupe and validator.
// Also over a TCP socket for comparison. Prints JSON. Run: nice -n 10 node bench/devices-barcode-latency.ts [samples]
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BarcodeDriver } from '../src/devices/barcode/driver.ts';
import { silentLogger } from '../src/devices/log.ts';
import { PtyPair } from '../src/devices/sim/pty.ts';
import { TcpEndpoint } from '../src/devices/sim/endpoint.ts';
import { serialTransport } from '../src/devices/transport/serial.ts';
import { tcpTransport } from '../src/devices/transport/tcp.ts';
import type { TransportFactory } from '../src/devices/transport/types.ts';

const N = Number(process.argv[2] ?? 1000);
const OPTS = { suffix: 'CRLF' as const, prefix: '', interByteTimeoutMs: 50, waybillPattern: '^SIM\\d{10}$', noReadStrings: ['NOREAD'], duplicateWindowMs: 0, maxLineBytes: 128, codeSeparator: ',' };

function stats(ms: number[]): Record<string, number> {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))]! * 1000) / 1000;
  return { samples: s.length, p50Ms: q(0.5), p95Ms: q(0.95), p99Ms: q(0.99), maxMs: q(1) };
}

async function measure(transport: TransportFactory, write: (line: string) => void, ready: () => boolean = () => true): Promise<Record<string, number>> {
  const d = new BarcodeDriver('bench', transport, OPTS, silentLogger);
  const session = await d.connect();
  while (!ready()) await new Promise((r) => setTimeout(r, 5));
  const lat: number[] = [];
  let t0 = 0;
  let resolve: (() => void) | undefined;
  d.events.on('event', () => {
    lat.push(performance.now() - t0);
    resolve?.();
  });
  for (let i = 0; i < N + 20; i++) {
    const got = new Promise<void>((r) => (resolve = r));
    const line = `SIM${String(i).padStart(10, '0')}\r\n`;
    write(line); // returns once the bytes are in the kernel
    t0 = performance.now();
    await got;
    await new Promise((r) => setTimeout(r, 2));
  }
  session.close();
  return stats(lat.slice(20)); // drop warm-up
}

const dir = mkdtempSync(join(tmpdir(), 'bench-bc-'));
const pty = new PtyPair(dir, 'bc');
await pty.open();
const fd = openSync(pty.devicePath, constants.O_RDWR | constants.O_NOCTTY);
const serial = await measure(serialTransport({ path: pty.stationPath, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 }), (l) => void writeSync(fd, l));
closeSync(fd);
await pty.close();
rmSync(dir, { recursive: true, force: true });

const ep = await new TcpEndpoint().listen();
const tcpResult = await measure(tcpTransport('127.0.0.1', ep.boundPort), (l) => ep.write(l), () => ep.clientCount === 1);
await ep.close();

process.stdout.write(`${JSON.stringify({ bench: 'barcode-latency', node: process.version, measuredFrom: 'last byte written (write returned) to BarcodeRead event', pty: serial, tcp: tcpResult }, null, 2)}\n`);
