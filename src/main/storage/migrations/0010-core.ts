// Core tables: station metadata, the append-only hash-chained audit log, images by content hash,
// parcels (one pass through the tunnel), detections, verdicts, operator decisions and the sync outbox.
// Later issues extend these by new migrations.
import type { Migration } from './index.ts';

export const m0010: Migration = {
  version: 10,
  name: 'core',
  up(db) {
    db.exec(`
      CREATE TABLE station_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE audit_log (
        seq       INTEGER PRIMARY KEY,
        at        TEXT NOT NULL,
        actor     TEXT NOT NULL,
        kind      TEXT NOT NULL,
        subject   TEXT,
        payload   TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL UNIQUE
      ) STRICT;
      -- Append-only at the SQL level; the hash chain makes edits made around the triggers detectable.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

      CREATE TABLE image (
        sha256     TEXT PRIMARY KEY,
        rel_path   TEXT NOT NULL,
        format     TEXT NOT NULL,
        width      INTEGER NOT NULL,
        height     INTEGER NOT NULL,
        bytes      INTEGER NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE parcel (
        scan_id      TEXT PRIMARY KEY,
        station_id   TEXT NOT NULL,
        line_id      TEXT NOT NULL,
        logistics_no TEXT,
        barcodes     TEXT NOT NULL DEFAULT '[]',
        tunnel_seq   INTEGER,
        state        TEXT NOT NULL,
        image_sha256 TEXT REFERENCES image(sha256),
        weight_kg    REAL,
        deadline_at  TEXT,
        created_at   TEXT NOT NULL,
        updated_at   TEXT NOT NULL
      ) STRICT;
      CREATE INDEX parcel_logistics_no ON parcel(logistics_no);
      CREATE INDEX parcel_state ON parcel(state);
      CREATE INDEX parcel_created_at ON parcel(created_at);

      CREATE TABLE detection (
        id      INTEGER PRIMARY KEY,
        scan_id TEXT NOT NULL REFERENCES parcel(scan_id) ON DELETE CASCADE,
        model   TEXT NOT NULL,
        label   TEXT NOT NULL,
        score   REAL NOT NULL,
        x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL
      ) STRICT;
      CREATE INDEX detection_scan ON detection(scan_id);

      CREATE TABLE verdict (
        verdict_id        TEXT PRIMARY KEY,
        scan_id           TEXT NOT NULL REFERENCES parcel(scan_id),
        logistics_no      TEXT,
        action            TEXT NOT NULL CHECK (action IN ('RELEASE', 'HOLD', 'HOLD_LOCK')),
        reasons           TEXT NOT NULL,
        rule_set          TEXT NOT NULL,
        model             TEXT NOT NULL,
        data_as_of        TEXT,
        decided_by        TEXT NOT NULL CHECK (decided_by IN ('AUTO', 'OPERATOR')),
        operator_id       TEXT,
        overrides         TEXT REFERENCES verdict(verdict_id),
        decided_at        TEXT NOT NULL,
        latency_ms        REAL,
        signature         TEXT,
        divert_command_at TEXT,
        divert_ack_at     TEXT,
        divert_result     TEXT
      ) STRICT;
      CREATE INDEX verdict_scan ON verdict(scan_id);
      CREATE INDEX verdict_logistics_no ON verdict(logistics_no);
      CREATE INDEX verdict_decided_at ON verdict(decided_at);

      CREATE TABLE operator_decision (
        id          INTEGER PRIMARY KEY,
        scan_id     TEXT NOT NULL REFERENCES parcel(scan_id),
        verdict_id  TEXT REFERENCES verdict(verdict_id),
        operator_id TEXT NOT NULL,
        action      TEXT NOT NULL CHECK (action IN ('RELEASE', 'HOLD', 'HOLD_LOCK')),
        reason      TEXT,
        at          TEXT NOT NULL
      ) STRICT;

      -- Everything the central service must receive, with an idempotency key; drained by sync.
      CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        idem_key        TEXT NOT NULL UNIQUE,
        kind            TEXT NOT NULL,
        payload         TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        historical      INTEGER NOT NULL DEFAULT 0,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        acked_at        TEXT
      ) STRICT;
      CREATE INDEX outbox_pending ON outbox(acked_at, id);
    `);
  },
};
