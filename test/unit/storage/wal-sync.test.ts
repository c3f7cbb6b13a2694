import { statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, withoutFsync, type Db } from '../../../src/main/storage/db.ts';
import { WalSync } from '../../../src/main/storage/wal-sync.ts';
import { ParcelRepository, type VerdictRecord } from '../../../src/main/line/repository.ts';
import { tempDir } from '../../helpers/tmp.ts';

const open: Db[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

function stationDb(file = join(tempDir(), 'station.db')): { db: Db; file: string } {
  const { db } = openDatabase(file);
  open.push(db);
  return { db, file };
}

/** The datasync seam: records which file (inode) each sync flushed, and lets a test hold a sync open. */
function recordingSync() {
  const inodes: bigint[] = [];
  let gate: Promise<void> | undefined;
  let release = () => {};
  return {
    inodes,
    hold() {
      gate = new Promise<void>((r) => (release = r));
    },
    release: () => release(),
    datasync: async (fh: FileHandle) => {
      inodes.push((await fh.stat({ bigint: true })).ino);
      if (gate) await gate;
      await fh.datasync();
    },
  };
}

const walIno = (file: string): bigint => statSync(`${file}-wal`, { bigint: true }).ino;

describe('WalSync', () => {
  it('flushes the WAL file SQLite writes to', async () => {
    const { db, file } = stationDb();
    db.exec('CREATE TABLE t (x INTEGER)');
    withoutFsync(db, () => db.prepare('INSERT INTO t VALUES (1)').run());
    const rec = recordingSync();
    const w = new WalSync(file, { datasync: rec.datasync });
    await w.flush();
    expect(rec.inodes).toEqual([walIno(file)]);
    await w.close();
  });

  it('shares one sync among the callers that came while another ran (group commit)', async () => {
    const { db, file } = stationDb();
    db.exec('CREATE TABLE t (x INTEGER)');
    const rec = recordingSync();
    const w = new WalSync(file, { datasync: rec.datasync });
    rec.hold();
    const first = w.flush();
    await new Promise((r) => setTimeout(r, 20)); // the first sync is under way, held
    const later = [w.flush(), w.flush(), w.flush()];
    expect(w.syncs).toBe(0);
    rec.release();
    await Promise.all([first, ...later]);
    // One for the first caller, one (started after it) for the three that came meanwhile.
    expect(w.syncs).toBe(2);
    await w.close();
  });

  it('follows the WAL when it is replaced, and says so when it is gone', async () => {
    const dir = tempDir();
    const file = join(dir, 'station.db');
    let { db } = stationDb(file);
    db.exec('CREATE TABLE t (x INTEGER)');
    const rec = recordingSync();
    const errors: unknown[] = [];
    const w = new WalSync(file, { datasync: rec.datasync, onError: (e) => errors.push(e) });
    await w.flush();
    const before = walIno(file);
    // Every connection closed: SQLite deletes the WAL; the next one makes a new file.
    open.pop()!.close();
    db = stationDb(file).db;
    db.prepare('INSERT INTO t VALUES (2)').run();
    const after = walIno(file);
    expect(after).not.toBe(before);
    await w.flush();
    expect(rec.inodes.at(-1)).toBe(after);

    open.pop()!.close();
    await expect(w.flush()).rejects.toThrow(/station\.db-wal/);
    w.flushSoon();
    await new Promise((r) => setTimeout(r, 50));
    expect(String(errors[0])).toMatch(/station\.db-wal/);
    await w.close();
    await expect(w.flush()).rejects.toThrow(/closed/);
  });
});

describe('ParcelRepository with a WalSync', () => {
  const verdict = (scanId: string, action: VerdictRecord['action']): VerdictRecord => ({
    verdictId: `V-${scanId}`,
    scanId,
    action,
    reasons: [],
    ruleSet: 'test',
    model: 'none',
    decidedBy: 'AUTO',
    decidedAt: '2026-11-27T10:00:00.000Z',
  });
  const parcel = (scanId: string) => ({ scanId, stationId: 'st', lineId: 'l', barcodes: [], deadlineAt: '2026-11-27T10:00:01.000Z', createdAt: '2026-11-27T10:00:00.000Z' });

  it('syncs parcel rows and HOLD verdicts in the background, and commits a RELEASE itself (FULL)', async () => {
    const { db, file } = stationDb();
    const rec = recordingSync();
    const w = new WalSync(file, { datasync: rec.datasync });
    const repo = new ParcelRepository(db, { walSync: w });
    const levels: number[] = [];
    const seen = () => levels.push(db.pragma('synchronous', { simple: true }) as number);

    repo.createParcel(parcel('A'));
    repo.createParcel(parcel('B'));
    await new Promise((r) => setTimeout(r, 50));
    const afterRows = w.syncs;
    expect(afterRows).toBeGreaterThanOrEqual(1);
    repo.commitVerdict(verdict('A', 'HOLD'), 'signalled');
    await new Promise((r) => setTimeout(r, 50));
    expect(w.syncs).toBe(afterRows + 1);
    repo.commitVerdict(verdict('B', 'RELEASE'), 'signalled');
    await new Promise((r) => setTimeout(r, 50));
    expect(w.syncs).toBe(afterRows + 1); // no background sync: it was FULL
    seen();
    expect(levels).toEqual([2]); // FULL again after every write
    expect(db.prepare('SELECT scan_id, action FROM verdict ORDER BY scan_id').all()).toEqual([
      { scan_id: 'A', action: 'HOLD' },
      { scan_id: 'B', action: 'RELEASE' },
    ]);
    await w.close();
  });
});
