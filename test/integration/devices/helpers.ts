// Real parts for device integration tests: socat pty pairs, an in-process aedes broker, a real
// Mosquitto process, and a condition poller (never blind sleeps). Everything started here is
// stopped by cleanup() in afterEach, even when the test failed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import { PtyPair } from '../../../src/devices/sim/pty.ts';

const cleanups: (() => Promise<void> | void)[] = [];

export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

export async function cleanup(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch {
      /* keep cleaning */
    }
  }
}

export function tmp(prefix = 'station-dev-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  onCleanup(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

export async function ptyPair(name = 'dev'): Promise<PtyPair> {
  const p = new PtyPair(tmp('station-pty-'), name);
  onCleanup(() => p.close());
  await p.open();
  return p;
}

/** Polls `cond` until it is truthy; fails naming `what` after timeoutMs. */
export async function waitFor<T>(what: string, cond: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Broker {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** aedes in-process on a random port; stop() closes it (clients see the connection drop). */
export async function aedesBroker(port?: number): Promise<Broker & { aedes(): Aedes }> {
  let aedes: Aedes | undefined;
  let server: Server | undefined;
  const p = port ?? (await freePort());
  const b = {
    url: `mqtt://127.0.0.1:${p}`,
    port: p,
    aedes: () => aedes!,
    async start() {
      aedes = await Aedes.createBroker();
      const srv = createServer(aedes.handle);
      server = srv;
      await new Promise<void>((r) => srv.listen(p, '127.0.0.1', () => r()));
    },
    async stop() {
      const a = aedes;
      const srv = server;
      aedes = undefined;
      server = undefined;
      srv?.close();
      if (a) await new Promise<void>((r) => a.close(() => r()));
    },
  };
  await b.start();
  onCleanup(() => b.stop());
  return b;
}

export const MOSQUITTO = process.env.STATION_MOSQUITTO ?? '/usr/sbin/mosquitto';

/** A real Mosquitto on a free port; stop() is SIGKILL (a crash), start() reuses the port. */
export async function mosquittoBroker(): Promise<Broker> {
  const port = await freePort();
  const dir = tmp('station-mosq-');
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\nlog_type warning\n`);
  let child: ChildProcess | undefined;
  const b: Broker = {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async start() {
      const c = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      let err = '';
      c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      await waitFor(`mosquitto listening on ${port} (${err})`, async () => {
        if (c.exitCode !== null) throw new Error(`mosquitto exited: ${err}`);
        return canConnect(port);
      });
    },
    async stop() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null) return;
      const gone = new Promise<void>((r) => c.once('exit', () => r()));
      c.kill('SIGKILL');
      await gone;
    },
  };
  await b.start();
  onCleanup(() => b.stop());
  return b;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}
