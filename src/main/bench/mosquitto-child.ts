// A private Mosquitto for `station bench`: a site runs Mosquitto as its own process, so measuring
// with the in-process aedes broker would put the broker's work on the station's event loop.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface MosquittoChild {
  url: string;
  stop(): Promise<void>;
}

/** The mosquitto binary: /usr/sbin (Debian) or on PATH; undefined when not installed. */
export function findMosquitto(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = ['/usr/sbin', '/usr/local/sbin', ...(env.PATH ?? '').split(delimiter)];
  return dirs.map((d) => join(d, 'mosquitto')).find((p) => existsSync(p));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const canConnect = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' });
    c.once('connect', () => (c.destroy(), resolve(true)));
    c.once('error', () => resolve(false));
  });

/** Starts mosquitto on a free loopback port (anonymous, no persistence); resolves once it accepts connections. */
export async function startMosquittoChild(bin: string, timeoutMs = 10_000): Promise<MosquittoChild> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'station-bench-mosq-'));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nlog_dest stderr\nlog_type error\n`);
  const child = spawn(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await gone;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`mosquitto exited (${child.exitCode}) before listening: ${err.trim()}`);
    }
    if (await canConnect(port)) return { url: `mqtt://127.0.0.1:${port}`, stop };
    if (Date.now() > until) {
      await stop();
      throw new Error(`mosquitto did not listen on ${port} within ${timeoutMs} ms: ${err.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
