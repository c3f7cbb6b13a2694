// Where a simulator speaks bytes: the device end of a socat pty pair (serial), or a TCP server
// (fixed-mount readers and scanner status ports are servers the station connects to).
import { createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { SerialPort } from 'serialport';
import { PtyPair } from './pty.ts';

export interface SimEndpoint {
  /** What the station should open, e.g. "/tmp/x/barcode-station" or "tcp://127.0.0.1:4001". */
  readonly connectTo: string;
  write(data: string | Uint8Array): void;
  onData(cb: (chunk: Buffer) => void): void;
  /** Simulates a cable pull for `ms`, then comes back (serial only; TCP drops its clients). */
  unplug(ms: number): Promise<void>;
  close(): Promise<void>;
}

export class PtyEndpoint implements SimEndpoint {
  readonly pair: PtyPair;
  private port: (Duplex & { close(cb?: () => void): void; isOpen: boolean }) | undefined;
  private readonly listeners: ((c: Buffer) => void)[] = [];
  private closed = false;

  constructor(dir: string, name: string) {
    this.pair = new PtyPair(dir, name);
  }

  get connectTo(): string {
    return this.pair.stationPath;
  }

  async open(): Promise<this> {
    if (this.closed) return this; // a replug racing close() must not start socat again
    await this.pair.open();
    const port = new SerialPort({ path: this.pair.devicePath, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    port.on('data', (c: Buffer) => this.listeners.forEach((l) => l(c)));
    port.on('error', () => undefined); // the pty vanishes on unplug; that is the point
    this.port = port;
    return this;
  }

  write(data: string | Uint8Array): void {
    if (this.port?.isOpen) this.port.write(data);
  }

  onData(cb: (chunk: Buffer) => void): void {
    this.listeners.push(cb);
  }

  async unplug(ms: number): Promise<void> {
    const p = this.port;
    this.port = undefined;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
    await this.pair.unplug();
    await new Promise((r) => setTimeout(r, ms));
    await this.open();
  }

  async close(): Promise<void> {
    this.closed = true;
    const p = this.port;
    this.port = undefined;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
    await this.pair.close();
  }
}

export class TcpEndpoint implements SimEndpoint {
  private readonly server: Server;
  private readonly clients = new Set<Socket>();
  private readonly listeners: ((c: Buffer) => void)[] = [];
  private port = 0;
  private readonly host: string;

  constructor(host = '127.0.0.1') {
    this.host = host;
    this.server = createServer((s) => {
      this.clients.add(s);
      s.on('data', (c: Buffer) => this.listeners.forEach((l) => l(c)));
      s.on('close', () => this.clients.delete(s));
      s.on('error', () => undefined);
    });
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => resolve());
    });
    const a = this.server.address();
    this.port = typeof a === 'object' && a ? a.port : port;
    return this;
  }

  get connectTo(): string {
    return `tcp://${this.host}:${this.port}`;
  }

  get boundPort(): number {
    return this.port;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  write(data: string | Uint8Array): void {
    for (const c of this.clients) c.write(data);
  }

  onData(cb: (chunk: Buffer) => void): void {
    this.listeners.push(cb);
  }

  async unplug(_ms: number): Promise<void> {
    for (const c of this.clients) c.destroy();
  }

  async close(): Promise<void> {
    for (const c of this.clients) c.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
