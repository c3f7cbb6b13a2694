// Opens the station database: one writer, WAL, synchronous=FULL (better-sqlite3 defaults WAL to
// NORMAL, which can lose the last commits on power loss: a released parcel must never lose its verdict).
import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { migrate, type MigrationReport } from './migrate.ts';
import { databaseFiles, ensurePrivateDir, ensurePrivateFile, tightenFile } from './owner-only.ts';

export type Db = Database.Database;

export interface OpenOptions {
  /** Folder for the pre-migration backup; omitted: no backup (tests, :memory:). */
  backupDir?: string;
  readonly?: boolean;
  /** Log line sink for migration progress. */
  log?: (line: string) => void;
}

export function openDatabase(file: string, opts: OpenOptions = {}): { db: Db; migrations: MigrationReport } {
  const onDisk = file !== ':memory:' && !opts.readonly;
  if (onDisk) {
    // Owner-only whatever the umask: the folder 0700, the file 0600 before SQLite opens it (SQLite
    // gives -wal/-shm the database file's own mode); files left wider by older versions are narrowed.
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
    for (const f of databaseFiles(file)) tightenFile(f);
  }
  const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  try {
    applyPragmas(db, opts.readonly ?? false);
    if (onDisk) for (const f of databaseFiles(file)) tightenFile(f);
    const migrations = opts.readonly ? { from: userVersion(db), to: userVersion(db), applied: [], backup: undefined } : migrate(db, opts);
    return { db, migrations };
  } catch (e) {
    db.close();
    throw e;
  }
}

export function applyPragmas(db: Db, readonly = false): void {
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (!readonly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  }
}

export function userVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

const statements = new WeakMap<Db, Map<string, Database.Statement>>();

/**
 * The statement for `sql`, compiled once per connection. For SQL that runs per parcel or per sync
 * round: `db.prepare()` compiles on every call, which cost more than running these small statements.
 */
export function prepared(db: Db, sql: string): Database.Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let st = m.get(sql);
  if (!st) m.set(sql, (st = db.prepare(sql)));
  return st;
}

/**
 * Runs `write` with synchronous=NORMAL: in WAL mode the commit is not fsync'd, so it survives a crash
 * of the process (the WAL is in the OS cache) but not a power loss until the next FULL commit, whose
 * fsync carries every earlier frame of the WAL with it. Only for records of what already happened that
 * nothing depends on at restart (the conveyor's command and ack: the verdict they carry is FULL).
 * Inside a transaction it changes nothing (SQLite refuses to change the level there): the outer
 * transaction's commit decides.
 */
export function withoutFsync<T>(db: Db, write: () => T): T {
  if (db.inTransaction) return write();
  // prepared(): `db.pragma()` compiles a statement on every call (~20 µs), and this runs per parcel
  const before = prepared(db, 'PRAGMA synchronous').pluck().get() as number;
  if (before <= 1) return write();
  const level = (n: number): void => void prepared(db, `PRAGMA synchronous = ${Math.trunc(n)}`).run();
  level(1); // NORMAL
  try {
    return write();
  } finally {
    level(before);
  }
}
