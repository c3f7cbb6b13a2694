import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase } from '../../../src/main/storage/db.ts';
import { latestVersion, migrate } from '../../../src/main/storage/migrate.ts';
import { migrations } from '../../../src/main/storage/migrations/index.ts';
import { isStationError } from '../../../src/shared/errors.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('opening the station database', () => {
  it('applies every migration to a new file with WAL, synchronous=FULL and foreign keys on', () => {
    const file = join(tempDir(), 'station.db');
    const { db, migrations: report } = openDatabase(file);
    expect(report.from).toBe(0);
    expect(report.to).toBe(latestVersion());
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('creates only STRICT tables', () => {
    const { db } = openDatabase(':memory:');
    const tables = db.prepare("SELECT name, strict FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%'").all() as { name: string; strict: number }[];
    expect(tables.length).toBeGreaterThan(5);
    expect(tables.filter((t) => t.strict !== 1).map((t) => t.name)).toEqual([]);
    db.close();
  });

  it('refuses a database written by a newer station and leaves it untouched', () => {
    const file = join(tempDir(), 'station.db');
    const raw = new Database(file);
    raw.pragma(`user_version = ${latestVersion() + 10}`);
    raw.close();
    let caught: unknown;
    try {
      openDatabase(file);
    } catch (e) {
      caught = e;
    }
    expect(isStationError(caught, 'STORAGE_DB_FROM_FUTURE')).toBe(true);
    const check = new Database(file);
    expect(check.pragma('user_version', { simple: true })).toBe(latestVersion() + 10);
    check.close();
  });

  it('backs the file up before migrating an existing database, and rolls a failed migration back', () => {
    const dir = tempDir();
    const file = join(dir, 'station.db');
    const { db } = openDatabase(file);
    db.prepare("INSERT INTO station_meta (key, value) VALUES ('k', 'v')").run();
    const next = latestVersion() + 10;
    const failing = [...migrations, { version: next, name: 'breaks', up: (d: Database.Database) => d.exec('CREATE TABLE t (x INTEGER) STRICT; SELECT nonsense FROM nowhere;') }];
    expect(() => migrate(db, { backupDir: join(dir, 'backups') }, failing)).toThrow(/migration failed/);
    expect(db.pragma('user_version', { simple: true })).toBe(latestVersion());
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get()).toBeUndefined();
    const backups = readdirSync(join(dir, 'backups'));
    expect(backups).toHaveLength(1);
    const copy = new Database(join(dir, 'backups', backups[0]!), { readonly: true });
    expect(copy.prepare("SELECT value FROM station_meta WHERE key = 'k'").get()).toEqual({ value: 'v' });
    copy.close();
    const ok = [...migrations, { version: next, name: 'adds', up: (d: Database.Database) => d.exec('CREATE TABLE t2 (x INTEGER) STRICT') }];
    expect(migrate(db, { backupDir: join(dir, 'backups') }, ok).applied).toEqual([`${next}-adds`]);
    expect(existsSync(join(dir, 'backups'))).toBe(true);
    db.close();
  });
});
