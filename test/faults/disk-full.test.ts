// Fault campaign: the data folder's disk fills up while parcels flow (docs/reliability.md). The
// station's data folder is on a small tmpfs in a private mount namespace (smallFilesystem); once
// parcels are being decided a filler file takes every free byte. Expected: alarms, parcels whose
// records cannot be written HOLD (no RELEASE without its committed verdict), the station keeps
// running; after the space is
// freed it decides again by itself, and after a restart the database passes integrity_check and
// `station verify`.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { copyOut, demoConfig, demoWaybill, fillDisk, interrupt, ledger, report, smallFilesystem, startDemoStation, verify, watchStation, writeConfig } from '../helpers/faults.ts';
import { cleanup, freePort, tmp, waitFor } from '../integration/devices/helpers.ts';

afterEach(cleanup);

const RATE = 10;
const SEED = 4711;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const STORAGE_ALARMS = ['STORAGE_FULL', 'PIPELINE_FAULT', 'COMMIT_FAILED', 'STORAGE_FAULT', 'IMAGE_STORE_FAILED'];

function releasedVerdictWaybills(dataDir: string): Set<string> {
  const db = new Database(join(dataDir, 'station.db'), { readonly: true, fileMustExist: true });
  try {
    return new Set((db.prepare("SELECT logistics_no AS w FROM verdict WHERE action = 'RELEASE'").all() as { w: string }[]).map((r) => r.w));
  } finally {
    db.close();
  }
}

describe('fault campaign: full disk', () => {
  it('raises an alarm and holds while the disk is full, corrupts nothing and recovers when space is freed', async () => {
    const fs = await smallFilesystem(48);
    process.stdout.write(`disk-full campaign: data folder on ${fs.how} (${fs.dir}, reached here as ${fs.hostPath})\n`);
    const dataDir = join(fs.dir, 'data');
    const port = await freePort();
    const configFile = writeConfig(tmp('station-fault-disk-conf-'), demoConfig(port));
    const s = await startDemoStation({ dataDir, configFile, rate: RATE, seed: SEED, wrap: fs.enter });
    const watch = watchStation(`mqtt://127.0.0.1:${port}`);
    // A RELEASE command is only sent after its verdict is committed: RELEASEs flowing = records being written.
    const releases = (after: number): number => watch.commands.filter((c) => c.command === 'RELEASE' && c.at >= after).length;
    await waitFor('parcels released before the disk fills', () => releases(0) >= 3, 60_000, 100);
    const commandsBefore = watch.commands.length;

    // Take every free byte.
    const filler = join(fs.hostPath, 'filler');
    const fullAt = Date.now();
    const filled = fillDisk(filler);
    await waitFor('a storage alarm while the disk is full', () => watch.alarms.some((a) => a.at >= fullAt && STORAGE_ALARMS.includes(a.code)), 60_000, 50);
    await sleep(3000);
    expect(s.child.exitCode, `the station died on a full disk: ${s.stderr().slice(-3000)}`).toBeNull();
    const freedAt = Date.now();
    const duringFull = watch.commands.filter((c) => c.at >= fullAt && c.at < freedAt);
    const alarmsFull = watch.alarms.filter((a) => a.at >= fullAt && a.at < freedAt);
    // While full the line still commands the parcels (HOLD when their records cannot be written). A
    // RELEASE may still leave when its transaction fitted in WAL space SQLite reuses after a
    // checkpoint: it was committed, which the check on the records below proves for every RELEASE.
    expect(duringFull.length, 'commands while the disk was full').toBeGreaterThan(0);

    // Free the space: the station decides and records again without a restart.
    rmSync(filler);
    await waitFor('parcels released again after the space was freed', () => releases(freedAt) >= 3, 60_000, 100);
    const recoverMs = Date.now() - freedAt;
    expect(await interrupt(s), s.stderr().slice(-3000)).toBe(0);
    await watch.stop();

    // No corruption: integrity_check, foreign keys and the audit chain (on a copy: see smallFilesystem).
    const copy = copyOut(join(fs.hostPath, 'data'));
    const v = await verify(copy);
    expect(v.code, v.out).toBe(0);
    const l = ledger(copy);
    // Every RELEASE the conveyor got has its committed RELEASE verdict.
    const released = releasedVerdictWaybills(copy);
    for (const c of watch.commands.filter((x) => x.command === 'RELEASE')) expect(released.has(demoWaybill(SEED, c.parcelId)), `RELEASE of parcel ${c.parcelId} without a committed verdict`).toBe(true);

    // The station starts again on that data folder, recovers what was in flight and decides.
    const again = await startDemoStation({ dataDir, configFile, rate: RATE, seed: SEED + 1, wrap: fs.enter });
    const watch2 = watchStation(`mqtt://127.0.0.1:${port}`);
    await waitFor('parcels released after the restart', () => watch2.commands.filter((c) => c.command === 'RELEASE').length >= 3, 60_000, 100);
    expect(await interrupt(again), again.stderr().slice(-3000)).toBe(0);
    await watch2.stop();
    const copy2 = copyOut(join(fs.hostPath, 'data'));
    const v2 = await verify(copy2);
    expect(v2.code, v2.out).toBe(0);
    const end = ledger(copy2);
    expect(end.recoveredHolds).toBeGreaterThanOrEqual(l.unresolved.length);

    const codes: Record<string, number> = {};
    for (const a of alarmsFull) codes[a.code] = (codes[a.code] ?? 0) + 1;
    report('disk-full', {
      fs: fs.how,
      filledBytes: filled,
      commandsBefore,
      whileFull: { ms: freedAt - fullAt, commands: duringFull.length, hold: duringFull.filter((c) => c.command === 'HOLD').length, release: duringFull.filter((c) => c.command === 'RELEASE').length, alarms: codes },
      recoverAfterFreeMs: recoverMs,
      afterStop: { parcels: l.parcels, verdicts: l.verdicts, inFlight: l.unresolved.length },
      end: { parcels: end.parcels, verdicts: end.verdicts, recoveredInFlight: end.recoveredHolds, outbox: end.outbox },
    });
  }, 300_000);
});
