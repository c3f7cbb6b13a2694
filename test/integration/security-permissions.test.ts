// Owner-only files (docs/security.md, "Files on the workstation"): the database with its -wal/-shm,
// backups, images and keys are 0600 in 0700 folders even under a permissive umask (000), files an
// older version left wider are narrowed, and a key file other users can read stops the station.
// The full station under umask 000 is covered by security-secrets.test.ts; here the pieces, fast.
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { loadPiiKey } from '../../src/main/aed/pii.ts';
import { dataPaths } from '../../src/main/paths.ts';
import { openDatabase } from '../../src/main/storage/db.ts';
import { storeImage } from '../../src/main/storage/images.ts';
import { migrate } from '../../src/main/storage/migrate.ts';
import { assertKeysPrivate, dataDirWarnings } from '../../src/main/storage/owner-only.ts';
import { loadOrCreateStationKey } from '../../src/main/sync/keys.ts';
import { fails } from '../helpers/errors.ts';
import { stationSync } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

const mode = (p: string) => statSync(p).mode & 0o777;
const posix = process.platform !== 'win32';

/** Runs `fn` with umask 000, so any mode left to the default would come out group/world-writable. */
async function withUmask0<T>(fn: () => T | Promise<T>): Promise<T> {
  const old = process.umask(0o000);
  try {
    return await fn();
  } finally {
    process.umask(old);
  }
}

describe.runIf(posix)('owner-only data files under umask 000', () => {
  it('creates the data folder 0700, the database and its -wal/-shm 0600', async () => {
    const dataDir = join(tempDir(), 'nested', 'data');
    const p = dataPaths(dataDir);
    await withUmask0(() => {
      const { db } = openDatabase(p.db, { backupDir: p.backups });
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(p.db)).toBe(0o600);
      expect(existsSync(`${p.db}-wal`)).toBe(true);
      expect(mode(`${p.db}-wal`)).toBe(0o600);
      expect(mode(`${p.db}-shm`)).toBe(0o600);
      db.close();
    });
  });

  it('narrows a database file an older version left 0644', async () => {
    const dir = tempDir();
    const file = join(dir, 'station.db');
    new Database(file).close();
    chmodSync(file, 0o644);
    await withUmask0(() => openDatabase(file).db.close());
    expect(mode(file)).toBe(0o600);
  });

  it('writes the pre-migration backup 0600 into a 0700 folder', async () => {
    const dir = tempDir();
    const backups = join(dir, 'backups');
    const m1 = { version: 1, name: 'one', up: (d: Database.Database) => void d.exec('CREATE TABLE one (x INTEGER) STRICT') };
    const m2 = { version: 2, name: 'two', up: (d: Database.Database) => void d.exec('CREATE TABLE two (x INTEGER) STRICT') };
    const report = await withUmask0(() => {
      const db = new Database(join(dir, 'm.db'));
      try {
        migrate(db, {}, [m1]);
        return migrate(db, { backupDir: backups }, [m1, m2]);
      } finally {
        db.close();
      }
    });
    expect(report.backup).toBeDefined();
    expect(mode(backups)).toBe(0o700);
    expect(mode(report.backup!)).toBe(0o600);
  });

  it('stores images 0600 in 0700 folders', async () => {
    const images = join(tempDir(), 'images');
    const stored = await withUmask0(() => storeImage(images, Buffer.from('not really a png'), 'png'));
    expect(mode(images)).toBe(0o700);
    expect(mode(join(images, stored.sha256.slice(0, 2)))).toBe(0o700);
    expect(mode(join(images, stored.relPath))).toBe(0o600);
  });

  it('creates both keys 0600 in a 0700 folder', async () => {
    const dataDir = tempDir();
    await withUmask0(() => {
      loadPiiKey(dataDir);
      loadOrCreateStationKey(dataDir);
    });
    const keys = dataPaths(dataDir).keys;
    expect(mode(keys)).toBe(0o700);
    expect(mode(join(keys, 'pii.key'))).toBe(0o600);
    expect(mode(join(keys, 'station-ed25519.pem'))).toBe(0o600);
    expect(() => assertKeysPrivate(keys)).not.toThrow();
  });
});

describe.runIf(posix)('key files other users can read', () => {
  it('are refused, naming the file and the fix; the public key is exempt', () => {
    const dataDir = tempDir();
    loadPiiKey(dataDir);
    loadOrCreateStationKey(dataDir);
    const keys = dataPaths(dataDir).keys;
    chmodSync(join(keys, 'station-ed25519.pub.pem'), 0o644);
    expect(() => assertKeysPrivate(keys)).not.toThrow();
    chmodSync(join(keys, 'pii.key'), 0o640);
    const e = fails(() => assertKeysPrivate(keys));
    expect(e.code).toBe('STORAGE_PERMISSIONS');
    expect(e.message).toContain(join(keys, 'pii.key'));
    expect(e.message).toContain('mode 640');
    expect(e.message).toContain(`chmod 600 '${join(keys, 'pii.key')}'`);
    expect(fails(() => loadPiiKey(dataDir)).code).toBe('STORAGE_PERMISSIONS');
  });

  it('stop `station start` before it opens anything (exit 1, the file named on stderr)', () => {
    const dataDir = tempDir();
    const keys = dataPaths(dataDir).keys;
    mkdirSync(keys, { recursive: true, mode: 0o700 });
    writeFileSync(join(keys, 'pii.key'), Buffer.alloc(32, 7), { mode: 0o600 });
    chmodSync(join(keys, 'pii.key'), 0o644);
    const r = stationSync(['start', '--headless', '--demo', '--port', '0', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`key file ${join(keys, 'pii.key')} is open to other users (mode 644)`);
    // Refused before the database was created.
    expect(readdirSync(dataDir)).toEqual(['keys']);
  });

  it('a data folder open to others is reported, an owner-only one is not', () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    expect(dataDirWarnings(dir)).toEqual([expect.stringContaining(`data folder ${dir} is mode 755`)]);
    chmodSync(dir, 0o700);
    expect(dataDirWarnings(dir)).toEqual([]);
  });
});
