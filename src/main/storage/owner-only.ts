// Owner-only files and folders for the station's data (docs/security.md, "Files on the workstation"):
// the database and its -wal/-shm, backups, images, exports and keys are 0600 in 0700 folders,
// whatever the umask of the shell that started the station. Modes passed to open()/mkdir() are
// only ever narrowed by the umask, so asking for 0600/0700 is enough for what we create; what
// already exists is tightened (our own data files) or refused (key files: see assertKeysPrivate).
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, StationError } from '../../shared/errors.ts';

export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;
const POSIX = process.platform !== 'win32';

/** Creates `dir` (and missing parents) 0700. An existing folder is left as it is. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
}

/** Creates `file` empty with mode 0600 if missing, and narrows an existing one to 0600. */
export function ensurePrivateFile(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE));
  tightenFile(file);
}

/** chmod 0600 when the file exists and is open to group or others (no-op on Windows). */
export function tightenFile(file: string): void {
  if (!POSIX || !existsSync(file)) return;
  if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, PRIVATE_FILE);
}

/** The database file and SQLite's companions, which SQLite creates with the database's own mode. */
export function databaseFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`, `${file}-journal`];
}

/**
 * Refuses to go on when a secret key file in `keysDir` can be read or written by group or others
 * (public halves, `*.pub.pem`, are exempt). Refusing, not warning: a key that other local users
 * may have copied is no longer the station's alone; the operator must check and chmod it.
 */
export function assertKeysPrivate(keysDir: string): void {
  if (!POSIX || !existsSync(keysDir)) return;
  for (const name of readdirSync(keysDir)) {
    if (name.endsWith('.pub.pem')) continue;
    const file = join(keysDir, name);
    if (statSync(file).isFile()) assertKeyFilePrivate(file);
  }
}

/** Throws STORAGE_PERMISSIONS when `file` is open to group or others (no-op on Windows). */
export function assertKeyFilePrivate(file: string): void {
  if (!POSIX) return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new StationError(
      ErrorCodes.STORAGE_PERMISSIONS,
      `key file ${file} is open to other users (mode ${mode.toString(8).padStart(3, '0')}); ` + `check who may have read it, then run: chmod 600 '${file}'`,
      { file, mode },
    );
  }
}

/** Human-readable warnings for a data folder open to group or others (the station still starts). */
export function dataDirWarnings(dataDir: string): string[] {
  if (!POSIX || !existsSync(dataDir)) return [];
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) === 0) return [];
  return [`data folder ${dataDir} is mode ${mode.toString(8).padStart(3, '0')}: other local users can list it; run chmod 700 on it (its database, keys and images are owner-only regardless)`];
}
