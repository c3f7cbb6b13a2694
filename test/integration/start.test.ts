import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { STATION_BIN, ROOT, stationSync } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Listening {
  url: string;
  health: string;
  metrics: string;
}

/** `station start --headless --demo` on `dir`; resolves once it prints where it listens. */
async function startDemo(dir: string, extra: string[] = []): Promise<{ child: ChildProcess; info: Listening; stderr: () => string }> {
  const child = spawn(process.execPath, [STATION_BIN, 'start', '--headless', '--demo', '--data-dir', dir, '--port', '0', '--json', ...extra], { cwd: ROOT });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  try {
    const info = await until('the station to listen', 60_000, async () => (out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as Listening) : undefined));
    return { child, info, stderr: () => err };
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\nstderr:\n${err.slice(-3000)}`, { cause: e });
  }
}

/** Polls /health until the line has decided `n` parcels. */
const decided = (health: string, n: number) =>
  until(`${n} decided parcels`, 90_000, async () => {
    const h = (await (await fetch(health)).json()) as { parcels: { decided: number }; devices: { connected: boolean }[]; sync: { link: string } };
    return h.parcels.decided >= n ? h : undefined;
  });

describe('station start --headless --demo', () => {
  it('runs the demonstration line end to end, serves /health, /metrics and the console, and stops cleanly on SIGINT', async () => {
    const dir = tempDir();
    const { child, info, stderr } = await startDemo(dir);
    try {
      // Parcels flow: barcode and scale over TCP, scanner status over TCP, images and conveyor over MQTT.
      const health = await decided(info.health, 2);
      expect(health.devices.length).toBe(4);
      expect(health.devices.every((d) => d.connected)).toBe(true);
      const metrics = await (await fetch(info.metrics)).text();
      expect(metrics).toMatch(/station_conveyor_commands_total\{station="demo-01",command="(RELEASE|HOLD)"\} [1-9]/);
      const page = await fetch(info.url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
      expect((await fetch(new URL('/nope', info.url))).status).toBe(404);
    } catch (e) {
      child.kill('SIGKILL');
      throw new Error(`${(e as Error).message}\nstderr:\n${stderr().slice(-3000)}`, { cause: e });
    }
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code, `exit code; stderr:\n${stderr().slice(-3000)}`).toBe(0);
    const v = stationSync(['verify', '--data-dir', dir, '--json']);
    expect(v.code).toBe(0);
    const report = JSON.parse(v.stdout) as { audit: { records: number } };
    expect(report.audit.records).toBeGreaterThan(5);

    // Started again on the same data, the demonstration line numbers its parcels on from the last run:
    // replaying the same waybills would hold them all as duplicates (D09).
    const db = () => new Database(join(dir, 'station.db'), { readonly: true });
    const first = db();
    const before = (first.prepare('SELECT COUNT(*) AS n FROM parcel').get() as { n: number }).n;
    first.close();
    // This time at 10 parcels/s, stopped mid-flow: the stop lets the line finish the parcels it began
    // while the conveyor is still there, so every parcel ends done with its verdict and command.
    const again = await startDemo(dir, ['--demo-rate', '10']);
    try {
      await decided(again.info.health, 20);
    } finally {
      again.child.kill('SIGINT');
      await once(again.child, 'exit');
    }
    expect(again.stderr()).not.toContain('CONVEYOR_SEND_FAILED');
    expect(again.stderr()).not.toContain('still in flight');
    const after = db();
    try {
      expect((after.prepare('SELECT COUNT(*) AS n FROM parcel').get() as { n: number }).n).toBeGreaterThan(before + 20);
      expect(after.prepare('SELECT logistics_no FROM parcel WHERE logistics_no IS NOT NULL GROUP BY logistics_no HAVING COUNT(*) > 1').all()).toEqual([]);
      expect(after.prepare("SELECT COUNT(*) AS n FROM verdict WHERE reasons LIKE '%\"D09\"%'").get()).toEqual({ n: 0 });
      expect(after.prepare("SELECT state, COUNT(*) AS n FROM parcel WHERE state <> 'done' GROUP BY state").all()).toEqual([]);
      expect(after.prepare('SELECT COUNT(*) AS n FROM parcel p WHERE NOT EXISTS (SELECT 1 FROM verdict v WHERE v.scan_id = p.scan_id AND v.divert_result IS NOT NULL)').get()).toEqual({ n: 0 });
    } finally {
      after.close();
    }
  }, 240_000);

  it('refuses an invalid configuration before starting anything', () => {
    const r = stationSync(['start', '--headless', '--data-dir', tempDir(), '--config', '/nonexistent.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot read config file /nonexistent.yaml');
  });
});
