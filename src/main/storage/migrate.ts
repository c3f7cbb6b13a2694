// Numbered migrations tracked by PRAGMA user_version (style-anchors convention 9): applied in one
// transaction after a file backup; a database written by a newer station is refused, not touched.
import { join } from 'node:path';
import { ErrorCodes, StationError } from '../../shared/errors.ts';
import type { Db } from './db.ts';
import { migrations, type Migration } from './migrations/index.ts';
import { ensurePrivateDir, tightenFile } from './owner-only.ts';

export interface MigrationReport {
  from: number;
  to: number;
  applied: string[];
  backup: string | undefined;
}

export function latestVersion(list: readonly Migration[] = migrations): number {
  return list.reduce((max, m) => Math.max(max, m.version), 0);
}

export function migrate(db: Db, opts: { backupDir?: string; log?: (line: string) => void } = {}, list: readonly Migration[] = migrations): MigrationReport {
  assertOrdered(list);
  const from = db.pragma('user_version', { simple: true }) as number;
  const latest = latestVersion(list);
  if (from > latest) {
    throw new StationError(
      ErrorCodes.STORAGE_DB_FROM_FUTURE,
      `database schema version ${from} is newer than this station understands (${latest}); ` +
        'run the newer station version, or restore a backup from the backups folder',
      { from, latest },
    );
  }
  const pending = list.filter((m) => m.version > from);
  if (pending.length === 0) return { from, to: from, applied: [], backup: undefined };

  let backup: string | undefined;
  if (from > 0 && opts.backupDir !== undefined) {
    ensurePrivateDir(opts.backupDir);
    backup = join(opts.backupDir, `station-v${from}-${new Date().toISOString().replace(/[:.]/g, '-')}.db`);
    // VACUUM INTO writes a consistent, compacted copy even while in WAL mode.
    db.prepare('VACUUM INTO ?').run(backup);
    // VACUUM INTO creates a new database file with the default mode (0644 less the umask).
    tightenFile(backup);
    opts.log?.(`backed up schema v${from} to ${backup}`);
  }
  const run = db.transaction(() => {
    for (const m of pending) {
      opts.log?.(`migrating to ${m.version}-${m.name}`);
      m.up(db);
      db.pragma(`user_version = ${m.version}`);
    }
  });
  try {
    run.immediate();
  } catch (e) {
    throw new StationError(ErrorCodes.STORAGE_MIGRATION_FAILED, `migration failed, database left at v${from}: ${(e as Error).message}`, { from }, { cause: e });
  }
  db.pragma('optimize');
  return { from, to: latest, applied: pending.map((m) => `${m.version}-${m.name}`), backup };
}

function assertOrdered(list: readonly Migration[]): void {
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.version <= list[i - 1]!.version) throw new Error(`migrations out of order at ${list[i]!.version}-${list[i]!.name}`);
  }
}
