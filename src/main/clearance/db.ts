// The reference central service's own SQLite database (<dataDir>/clearance.db) with its own
// migration list, opened with the station's pragmas and migration runner.
import Database from 'better-sqlite3';
import { dirname } from 'node:path';
import { applyPragmas, type Db } from '../storage/db.ts';
import { migrate } from '../storage/migrate.ts';
import type { Migration } from '../storage/migrations/index.ts';
import { ensurePrivateDir, ensurePrivateFile } from '../storage/owner-only.ts';

export const clearanceMigrations: readonly Migration[] = [
  {
    version: 10,
    name: 'clearance',
    up(db) {
      db.exec(`
        -- Stations and their registered Ed25519 keys (trust on first use, see docs/sync.md).
        CREATE TABLE station (
          station_id    TEXT PRIMARY KEY,
          public_key    TEXT NOT NULL,
          key_id        TEXT NOT NULL,
          registered_at TEXT NOT NULL
        ) STRICT;

        -- Everything stations sent, once per (station, idempotency key).
        CREATE TABLE item (
          seq          INTEGER PRIMARY KEY,
          station_id   TEXT NOT NULL REFERENCES station(station_id),
          idem_key     TEXT NOT NULL,
          kind         TEXT NOT NULL,
          content_hash TEXT NOT NULL,
          payload      TEXT NOT NULL,
          signature    TEXT NOT NULL,
          historical   INTEGER NOT NULL,
          created_at   TEXT NOT NULL,
          received_at  TEXT NOT NULL,
          UNIQUE (station_id, idem_key)
        ) STRICT;

        -- The current state per subject (a parcel's latest verdict...). Live items move it forward;
        -- historical (replayed) items only fill it where nothing is known yet.
        CREATE TABLE live_state (
          subject    TEXT PRIMARY KEY,
          station_id TEXT NOT NULL,
          idem_key   TEXT NOT NULL,
          created_at TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;

        -- The outbound delta stream; station_id NULL means every station.
        CREATE TABLE delta (
          seq        INTEGER PRIMARY KEY,
          station_id TEXT,
          kind       TEXT NOT NULL,
          op         TEXT NOT NULL,
          key        TEXT NOT NULL,
          data       TEXT NOT NULL,
          issued_at  TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
];

export function openClearanceDb(file: string): Db {
  if (file !== ':memory:') {
    // Owner-only like the station's own database (docs/security.md).
    ensurePrivateDir(dirname(file));
    ensurePrivateFile(file);
  }
  const db = new Database(file);
  try {
    applyPragmas(db);
    migrate(db, {}, clearanceMigrations);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
