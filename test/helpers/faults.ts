// Shared parts of the fault campaigns (test/faults, docs/reliability.md): the demonstration station
// as a child process, the ledger invariants read straight from the SQLite file, and figures.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect } from 'vitest';
import { onCleanup, tmp, waitFor } from '../integration/devices/helpers.ts';
import { StationMqtt } from '../../src/devices/mqtt/client.ts';
import { ROOT, STATION_BIN, station } from './cli.ts';

/**
 * A fast belt so parcels reach the records within a second or so: read 0.2 s before the tunnel,
 * 0.3 s correlation window, deadline 6 m at 1 m/s − 0.5 s = 5.5 s, 2 s operator review window.
 */
export const DEMO_TIMING = { beltSpeedMps: 1, barcodeToTunnelM: 0.2, correlationWindowMs: 300, tunnelToDiverterM: 6, decisionMarginMs: 500, operatorReviewMs: 2000 };
export const DEMO_DEADLINE_MS = 5500;
/**
 * The demonstration station's configuration for the campaigns: the embedded broker on `port` (the
 * test watches it), the fast belt and 2 s for conveyor acks (the
 * in-process conveyor simulator answers late on a loaded 2-core machine: the defaults time out there
 * without any fault).
 */
export const demoConfig = (port: number): unknown => ({ mqtt: { embeddedPort: port }, timing: DEMO_TIMING, devices: { conveyor: { ackTimeoutMs: 2000 } } });
/** The demonstration driver's waybill for parcel n under a seed (DemoLineDriver.waybill). */
export const demoWaybill = (seed: number, n: number): string => `XS${String(seed % 1_000_000).padStart(6, '0')}${String(n).padStart(7, '0')}`;

/** The station's line events and conveyor commands, watched over its (embedded) broker. */
export interface Watch {
  commands: { parcelId: number; command: string; at: number }[];
  alarms: { code: string; detail: string; at: number }[];
  images: Map<number, number>;
  stop(): Promise<void>;
}

export function watchStation(url: string, stationId = 'demo-01'): Watch {
  const mqtt = new StationMqtt({ url, prefix: 'station', stationId, role: 'fault-watch', availability: false, backoff: { baseMs: 100, maxMs: 500, jitter: 0.5 } });
  const w: Watch = { commands: [], alarms: [], images: new Map(), stop: () => mqtt.stop() };
  mqtt.onRaw(`station/${stationId}/conveyor/command`, 1, (_t, p) => {
    const c = JSON.parse(p.toString()) as { parcelId: number; command: string };
    w.commands.push({ parcelId: c.parcelId, command: c.command, at: Date.now() });
  });
  mqtt.onRaw(`station/${stationId}/line/alarm`, 1, (_t, p) => {
    const a = JSON.parse(p.toString()) as { code: string; detail: string };
    w.alarms.push({ code: a.code, detail: a.detail, at: Date.now() });
  });
  mqtt.onRaw(`station/${stationId}/scanner/image/meta`, 1, (_t, p) => {
    const m = JSON.parse(p.toString()) as { seq: number };
    if (!w.images.has(m.seq)) w.images.set(m.seq, Date.now());
  });
  mqtt.start();
  onCleanup(() => mqtt.stop());
  return w;
}

export interface StationChild {
  child: ChildProcess;
  url: string;
  health: string;
  /** Spawn → listening (recovery done, devices starting), ms. */
  readyMs: number;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `station start --headless --demo --demo-rate R --demo-seed S --json` on `dataDir` with `configFile`.
 * Resolves once it prints its URLs (startStation returned: restart recovery has run, the demo plays).
 */
export async function startDemoStation(o: { dataDir: string; configFile: string; rate: number; seed: number; env?: NodeJS.ProcessEnv; timeoutMs?: number; wrap?: string[] }): Promise<StationChild> {
  const t0 = performance.now();
  const args = [STATION_BIN, 'start', '--headless', '--demo', '--demo-rate', String(o.rate), '--demo-seed', String(o.seed), '--config', o.configFile, '--data-dir', o.dataDir, '--port', '0', '--json'];
  const cmd = [...(o.wrap ?? []), process.execPath, ...args];
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-40_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  onCleanup(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  });
  const info = await waitFor(
    'the station to listen',
    () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`station exited ${child.exitCode ?? child.signalCode}: ${err.slice(-3000)}`);
      return out.includes('\n') ? (JSON.parse(out.split('\n')[0]!) as { url: string; health: string }) : undefined;
    },
    o.timeoutMs ?? 120_000,
    20,
  ).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}; station stderr so far: ${err.slice(-2000)}`);
  });
  return { child, url: info.url, health: info.health, readyMs: performance.now() - t0, stderr: () => err, exited };
}

/** SIGKILL and wait for the process to be gone. */
export async function kill(s: StationChild): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill('SIGKILL');
  await s.exited;
}

/** Ctrl-C; the exit code, or -1 when it did not exit within `ms`. */
export async function interrupt(s: StationChild, ms = 20_000): Promise<number> {
  if (s.child.exitCode !== null) return s.child.exitCode;
  s.child.kill('SIGINT');
  const r = await Promise.race([s.exited, new Promise<undefined>((res) => setTimeout(() => res(undefined), ms))]);
  return r ? (r.code ?? -1) : -1;
}

/** A configuration file (JSON is YAML) in `dir`. */
export function writeConfig(dir: string, config: unknown): string {
  const f = join(dir, 'station.yaml');
  writeFileSync(f, JSON.stringify(config, null, 2));
  return f;
}

/** `station verify` on the data folder: exit code and output. */
export async function verify(dataDir: string): Promise<{ code: number; out: string }> {
  const r = await station(['verify', '--data-dir', dataDir, '--json']);
  return { code: r.code, out: r.stdout + r.stderr };
}

export interface Ledger {
  parcels: number;
  verdicts: number;
  released: number;
  held: number;
  /** Parcels without any verdict: in flight when the station stopped (resolved to HOLD at the next start). */
  unresolved: string[];
  /** Parcels with a RELEASE committed too late and corrected by a HOLD (late-commit corrections). */
  corrected: number;
  /** RELEASE committed, but the station died before the command left: the conveyor diverted it. */
  releaseNotSent: number;
  /** Recovered at a restart: HOLD S04 "station restarted". */
  recoveredHolds: number;
  outbox: { verdictItems: number; acked: number; pending: number };
  /** Waybills whose verdict carried a RELEASE command (sent / acked / timed out). */
  releasedWaybills: Set<string>;
}

/**
 * The station's records read straight from the SQLite file (read-only), with the invariants every
 * fault must keep: a parcel has committed verdicts or none yet (in flight → HOLD at the next start);
 * no parcel and no waybill got two RELEASE commands; a RELEASE command only for a committed RELEASE;
 * a corrected RELEASE (committed past the deadline) was never sent; every verdict has exactly one
 * outbox item and every verdict item its verdict (the outbox loses nothing).
 */
export function ledger(dataDir: string): Ledger {
  const db = new Database(join(dataDir, 'station.db'), { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const q = <T>(sql: string): T[] => db.prepare(sql).all() as T[];
    const one = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    const parcels = one('SELECT count(*) AS n FROM parcel');
    const verdicts = one('SELECT count(*) AS n FROM verdict');
    const unresolved = q<{ scan_id: string }>('SELECT scan_id FROM parcel p WHERE NOT EXISTS (SELECT 1 FROM verdict v WHERE v.scan_id = p.scan_id)').map((r) => r.scan_id);
    const twiceParcel = q<{ scan_id: string; n: number }>("SELECT scan_id, count(*) AS n FROM verdict WHERE divert_result LIKE '%:RELEASE' GROUP BY scan_id HAVING n > 1");
    expect(twiceParcel, 'parcels that got two RELEASE commands').toEqual([]);
    const twiceWaybill = q<{ logistics_no: string; n: number }>("SELECT logistics_no, count(*) AS n FROM verdict WHERE divert_result LIKE '%:RELEASE' AND logistics_no IS NOT NULL GROUP BY logistics_no HAVING n > 1");
    expect(twiceWaybill, 'waybills released twice').toEqual([]);
    const releaseWithout = q<{ verdict_id: string }>("SELECT verdict_id FROM verdict WHERE divert_result LIKE '%:RELEASE' AND action <> 'RELEASE'");
    expect(releaseWithout, 'RELEASE commands without a committed RELEASE verdict').toEqual([]);
    // Several verdicts for one parcel only as a late-commit correction: the last is a HOLD and no earlier one was sent.
    const multi = q<{ scan_id: string }>('SELECT scan_id FROM verdict GROUP BY scan_id HAVING count(*) > 1');
    for (const { scan_id } of multi) {
      const vs = db.prepare('SELECT action, divert_result AS result FROM verdict WHERE scan_id = ? ORDER BY rowid').all(scan_id) as { action: string; result: string | null }[];
      expect(vs.at(-1)!.action, `last verdict of ${scan_id}`).not.toBe('RELEASE');
      for (const v of vs.slice(0, -1)) expect(v.result, `superseded verdict of ${scan_id} was never sent`).toBeNull();
    }
    const noOutbox = one("SELECT count(*) AS n FROM verdict v WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.idem_key = v.verdict_id AND o.kind = 'verdict')");
    expect(noOutbox, 'verdicts without their outbox item').toBe(0);
    const orphanItems = one("SELECT count(*) AS n FROM outbox o WHERE o.kind = 'verdict' AND NOT EXISTS (SELECT 1 FROM verdict v WHERE v.verdict_id = o.idem_key)");
    expect(orphanItems, 'verdict outbox items without their verdict').toBe(0);
    const verdictItems = one("SELECT count(*) AS n FROM outbox WHERE kind = 'verdict'");
    expect(verdictItems).toBe(verdicts);
    const released = q<{ logistics_no: string | null }>("SELECT logistics_no FROM verdict WHERE divert_result LIKE '%:RELEASE'");
    return {
      parcels,
      verdicts,
      released: released.length,
      held: one("SELECT count(*) AS n FROM verdict WHERE action <> 'RELEASE'"),
      unresolved,
      corrected: multi.length,
      releaseNotSent: one("SELECT count(*) AS n FROM verdict WHERE action = 'RELEASE' AND divert_result IS NULL"),
      recoveredHolds: one("SELECT count(*) AS n FROM verdict WHERE action = 'HOLD' AND reasons LIKE '%station restarted while%'"),
      outbox: {
        verdictItems,
        acked: one("SELECT count(*) AS n FROM outbox WHERE kind = 'verdict' AND acked_at IS NOT NULL"),
        pending: one("SELECT count(*) AS n FROM outbox WHERE kind = 'verdict' AND acked_at IS NULL AND rejected_at IS NULL"),
      },
      releasedWaybills: new Set(released.map((r) => r.logistics_no ?? '')),
    };
  } finally {
    db.close();
  }
}

/** Verdicts of the given parcels (scan ids): action and reasons, oldest first. */
export function verdictsOf(dataDir: string, scanIds: string[]): Map<string, { action: string; reasons: string }[]> {
  const db = new Database(join(dataDir, 'station.db'), { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    const st = db.prepare('SELECT action, reasons FROM verdict WHERE scan_id = ? ORDER BY rowid');
    return new Map(scanIds.map((id) => [id, st.all(id) as { action: string; reasons: string }[]]));
  } finally {
    db.close();
  }
}

/**
 * Outbox items the station holds as acknowledged that the (local reference) clearance service does
 * not have: must be none. Only when the demonstration's clearance service lives in the data folder.
 */
export function ackedButNotCentral(dataDir: string): number | undefined {
  const central = join(dataDir, 'clearance', 'clearance.db');
  if (!existsSync(central)) return undefined;
  const db = new Database(join(dataDir, 'station.db'), { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    db.prepare('ATTACH DATABASE ? AS central').run(central);
    return (db.prepare('SELECT count(*) AS n FROM outbox o WHERE o.acked_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM central.item i WHERE i.idem_key = o.idem_key)').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** One summary line per campaign, on stdout (vitest shows it) and appended to $FAULT_FIGURES when set. */
export function report(campaign: string, figures: Record<string, unknown>): void {
  const line = `FAULT-FIGURES ${campaign} ${JSON.stringify(figures)}`;
  process.stdout.write(`${line}\n`);
  if (process.env.FAULT_FIGURES) writeFileSync(process.env.FAULT_FIGURES, `${line}\n`, { flag: 'a' });
}

export interface SmallFs {
  /** The filesystem's root inside its mount namespace (what the station is given). */
  dir: string;
  /** The same place as this process reaches it, for plain file operations (not SQLite: see below). */
  hostPath: string;
  /** Command prefix that runs a program inside the namespace (nsenter). */
  enter: string[];
  /** How it was mounted, for the report. */
  how: string;
}

/**
 * A size-limited tmpfs for full-disk tests, in a private mount namespace held open by a `sleep`
 * process: `unshare -m` as root, `unshare -rm` (user + mount namespace) otherwise, so nothing is
 * mounted on the machine itself. Programs that use the data folder run inside it (`enter`, nsenter);
 * plain file operations from here go through /proc/<holder>/root (`hostPath`). SQLite cannot open a
 * database through that path (it resolves the /proc magic link to "/"), so checks copy the files out
 * (`copyOut`). Throws when neither unshare works: no silent skip.
 */
export async function smallFilesystem(sizeMb: number): Promise<SmallFs> {
  const dir = tmp('station-fault-fs-');
  const tries = process.getuid?.() === 0 ? [['-m'], ['-rm']] : [['-rm']];
  const errors: string[] = [];
  for (const flags of tries) {
    const holder = spawn('unshare', [...flags, 'sh', '-c', `mount -t tmpfs -o size=${sizeMb}m tmpfs "$0" && echo mounted && exec sleep 100000`, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    holder.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    holder.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    holder.on('error', (e) => (err += e.message));
    const gone = new Promise<void>((r) => holder.once('exit', () => r()));
    const ok = await waitFor(`unshare ${flags.join(' ')} to mount a tmpfs`, () => (out.includes('mounted') ? 'yes' : holder.exitCode !== null || err ? 'no' : undefined), 10_000, 20).catch(() => 'no');
    if (ok === 'yes') {
      onCleanup(async () => {
        holder.kill('SIGKILL');
        await gone;
      });
      const pid = String(holder.pid);
      return {
        dir,
        hostPath: `/proc/${pid}/root${dir}`,
        enter: flags.includes('-r') ? ['nsenter', '-t', pid, '-U', '-m', '--preserve-credentials', '--'] : ['nsenter', '-t', pid, '-m', '--'],
        how: `unshare ${flags.join(' ')} + mount -t tmpfs -o size=${sizeMb}m`,
      };
    }
    holder.kill('SIGKILL');
    errors.push(`unshare ${flags.join(' ')}: ${err.trim() || `exit ${holder.exitCode}`}`);
  }
  throw new Error(`cannot make a small filesystem for the full-disk test (needs root, or unprivileged user namespaces: sysctl kernel.unprivileged_userns_clone=1): ${errors.join('; ')}`);
}

/** Copies a stopped station's database files out of `dataDir` (a hostPath) into a fresh folder to check them. */
export function copyOut(dataDir: string): string {
  const to = tmp('station-fault-copy-');
  for (const f of ['station.db', 'station.db-wal', 'station.db-shm']) if (existsSync(join(dataDir, f))) copyFileSync(join(dataDir, f), join(to, f));
  return to;
}

/** Fills the filesystem holding `file` until ENOSPC; returns the bytes written. */
export function fillDisk(file: string): number {
  const chunk = Buffer.alloc(256 * 1024, 0x55);
  let written = 0;
  for (;;) {
    try {
      appendFileSync(file, chunk);
      written += chunk.length;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      // The last partial chunk: fill to the last byte.
      for (let n = chunk.length / 2; n >= 512; n /= 2) {
        try {
          appendFileSync(file, chunk.subarray(0, n));
          written += n;
        } catch {
          /* smaller */
        }
      }
      return written;
    }
  }
}
