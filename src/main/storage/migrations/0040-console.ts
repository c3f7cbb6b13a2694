// Operator console: accounts with roles (scrypt hashes), login sessions (only the token's hash is
// stored), operator labels for retraining, and device connectivity changes for the uptime chart.
import type { Migration } from './index.ts';

export const m0040: Migration = {
  version: 40,
  name: 'console',
  up(db) {
    db.exec(`
      CREATE TABLE account (
        name          TEXT PRIMARY KEY,
        role          TEXT NOT NULL CHECK (role IN ('operator', 'supervisor', 'admin')),
        password_hash TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        disabled      INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      CREATE TABLE console_session (
        token_hash TEXT PRIMARY KEY,
        account    TEXT NOT NULL REFERENCES account(name),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        ended_at   TEXT
      ) STRICT;

      -- confirm/reject: an operator's judgement of detection #detection_index; add: a box the model missed.
      CREATE TABLE label (
        id              INTEGER PRIMARY KEY,
        scan_id         TEXT NOT NULL REFERENCES parcel(scan_id),
        detection_index INTEGER,
        kind            TEXT NOT NULL CHECK (kind IN ('confirm', 'reject', 'add')),
        label           TEXT NOT NULL,
        x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
        by_account      TEXT NOT NULL,
        at              TEXT NOT NULL
      ) STRICT;
      CREATE INDEX label_scan ON label(scan_id);

      CREATE TABLE device_event (
        id        INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        kind      TEXT NOT NULL,
        connected INTEGER NOT NULL,
        at        TEXT NOT NULL
      ) STRICT;
      CREATE INDEX device_event_at ON device_event(device_id, at);
    `);
  },
};
