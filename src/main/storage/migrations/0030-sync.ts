// Sync with the central clearance service (src/main/sync): outbox delivery state, the station's
// inbound cursor, central lists and packs received as deltas, and sync bookkeeping.
import type { Migration } from './index.ts';

export const m0030: Migration = {
  version: 30,
  name: 'sync',
  up(db) {
    db.exec(`
      -- signature: what the item was sent with (Ed25519 is deterministic, so every resend carried the same).
      -- rejected_at: the central service refused the item for good (conflict, bad signature); kept, alarmed, never resent.
      ALTER TABLE outbox ADD COLUMN signature TEXT;
      ALTER TABLE outbox ADD COLUMN last_error TEXT;
      ALTER TABLE outbox ADD COLUMN rejected_at TEXT;
      DROP INDEX outbox_pending;
      -- Live items first, then the replayed backlog, each in enqueue order (see src/main/sync/drain.ts).
      CREATE INDEX outbox_pending ON outbox(historical, id) WHERE acked_at IS NULL AND rejected_at IS NULL;
      CREATE INDEX outbox_rejected ON outbox(rejected_at) WHERE rejected_at IS NOT NULL;

      -- Where the station is in each central delta stream; advanced in the same transaction as the data.
      CREATE TABLE sync_cursor (
        stream     TEXT PRIMARY KEY,
        cursor     INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      -- Small key/value facts: last successful push and pull, registered key id.
      CREATE TABLE sync_state (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      -- AEO and risk lists (whole entries by key, replaced or deleted by deltas).
      CREATE TABLE central_list (
        list       TEXT NOT NULL CHECK (list IN ('aeo_list', 'risk_list')),
        key        TEXT NOT NULL,
        data       TEXT NOT NULL CHECK (json_valid(data)),
        issued_at  TEXT NOT NULL,
        applied_at TEXT NOT NULL,
        PRIMARY KEY (list, key)
      ) STRICT, WITHOUT ROWID;

      -- Rule packs and model packs announced centrally; every version kept (rollback, audit).
      CREATE TABLE central_pack (
        kind       TEXT NOT NULL CHECK (kind IN ('rule_pack', 'model_pack')),
        version    TEXT NOT NULL,
        data       TEXT NOT NULL CHECK (json_valid(data)),
        issued_at  TEXT NOT NULL,
        applied_at TEXT NOT NULL,
        withdrawn  INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (kind, version)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
