// Advance electronic data (src/main/aed): the cached CEB inventory, order, payment and waybill,
// customs receipts, control instructions and the three-list result per parcel.
// Each record keeps its key columns plus `doc`, the whole record as JSON with personal data
// replaced by keyed hashes; amounts and weights stay decimal text inside it (exact).
// Goods lines live inside `doc`: they are always read, replaced and deleted with their head, and
// the per-parcel lookup then reads one row instead of one per line.
import type { Migration } from './index.ts';

export const m0020: Migration = {
  version: 20,
  name: 'advance-data',
  up(db) {
    db.exec(`
      -- Every file imported, by content hash: an identical file is reported as a duplicate.
      CREATE TABLE aed_file (
        sha256       TEXT PRIMARY KEY,
        name         TEXT NOT NULL,
        message_type TEXT NOT NULL,
        records      INTEGER NOT NULL,
        imported_at  TEXT NOT NULL
      ) STRICT;

      CREATE TABLE aed_inventory (
        id             INTEGER PRIMARY KEY,
        logistics_code TEXT NOT NULL,
        logistics_no   TEXT NOT NULL,
        order_no       TEXT NOT NULL,
        ebp_code       TEXT NOT NULL,
        agent_code     TEXT NOT NULL,
        cop_no         TEXT,
        invt_no        TEXT,
        pre_no         TEXT,
        guid           TEXT NOT NULL,
        app_time       TEXT NOT NULL,
        content_hash   TEXT NOT NULL,
        doc            TEXT NOT NULL CHECK (json_valid(doc)),
        received_at    TEXT NOT NULL,
        UNIQUE (logistics_code, logistics_no)
      ) STRICT;
      CREATE INDEX aed_inventory_logistics_no ON aed_inventory(logistics_no);
      CREATE INDEX aed_inventory_order ON aed_inventory(ebp_code, order_no);
      CREATE INDEX aed_inventory_guid ON aed_inventory(guid);
      CREATE INDEX aed_inventory_cop ON aed_inventory(agent_code, cop_no);
      CREATE INDEX aed_inventory_invt ON aed_inventory(invt_no);

      CREATE TABLE aed_order (
        id                 INTEGER PRIMARY KEY,
        ebp_code           TEXT NOT NULL,
        order_no           TEXT NOT NULL,
        guid               TEXT NOT NULL,
        app_time           TEXT NOT NULL,
        content_hash       TEXT NOT NULL,
        doc                TEXT NOT NULL CHECK (json_valid(doc)),
        received_at        TEXT NOT NULL,
        UNIQUE (ebp_code, order_no)
      ) STRICT;
      CREATE INDEX aed_order_order_no ON aed_order(order_no);

      CREATE TABLE aed_payment (
        id                 INTEGER PRIMARY KEY,
        pay_code           TEXT NOT NULL,
        pay_transaction_id TEXT NOT NULL,
        ebp_code           TEXT NOT NULL,
        order_no           TEXT NOT NULL,
        guid               TEXT NOT NULL,
        app_time           TEXT NOT NULL,
        content_hash       TEXT NOT NULL,
        doc                TEXT NOT NULL CHECK (json_valid(doc)),
        received_at        TEXT NOT NULL,
        UNIQUE (pay_code, pay_transaction_id)
      ) STRICT;
      CREATE INDEX aed_payment_order ON aed_payment(ebp_code, order_no);

      CREATE TABLE aed_waybill (
        id             INTEGER PRIMARY KEY,
        logistics_code TEXT NOT NULL,
        logistics_no   TEXT NOT NULL,
        order_no       TEXT NOT NULL,
        guid           TEXT NOT NULL,
        app_time       TEXT NOT NULL,
        content_hash   TEXT NOT NULL,
        doc            TEXT NOT NULL CHECK (json_valid(doc)),
        received_at    TEXT NOT NULL,
        UNIQUE (logistics_code, logistics_no)
      ) STRICT;
      CREATE INDEX aed_waybill_logistics_no ON aed_waybill(logistics_no);
      CREATE INDEX aed_waybill_order_no ON aed_waybill(order_no);

      -- A deleted record's key and appTime, so an older message arriving later cannot bring it back.
      CREATE TABLE aed_tombstone (
        kind       TEXT NOT NULL,
        key        TEXT NOT NULL,
        app_time   TEXT NOT NULL,
        deleted_at TEXT NOT NULL,
        PRIMARY KEY (kind, key)
      ) STRICT;

      -- CEB622 receipts, all of them (history). The current status is the one with the latest return_time.
      -- inventory_id is NULL until the inventory it belongs to arrives.
      CREATE TABLE aed_receipt (
        id            INTEGER PRIMARY KEY,
        guid          TEXT NOT NULL,
        customs_code  TEXT NOT NULL,
        ebp_code      TEXT NOT NULL,
        ebc_code      TEXT NOT NULL,
        agent_code    TEXT NOT NULL,
        cop_no        TEXT NOT NULL,
        pre_no        TEXT,
        invt_no       TEXT,
        return_status TEXT NOT NULL,
        return_time   TEXT NOT NULL,
        return_info   TEXT,
        received_at   TEXT NOT NULL,
        inventory_id  INTEGER REFERENCES aed_inventory(id) ON DELETE SET NULL,
        UNIQUE (guid, return_status, return_time)
      ) STRICT;
      CREATE INDEX aed_receipt_inventory ON aed_receipt(inventory_id, return_time);
      CREATE INDEX aed_receipt_guid ON aed_receipt(guid);
      CREATE INDEX aed_receipt_cop ON aed_receipt(agent_code, cop_no);
      CREATE INDEX aed_receipt_invt ON aed_receipt(invt_no);

      CREATE TABLE control_instruction (
        id           INTEGER PRIMARY KEY,
        logistics_no TEXT NOT NULL,
        kind         TEXT NOT NULL CHECK (kind IN ('INSPECT', 'DETAIN', 'RETURN', 'RELEASE')),
        issued_at    TEXT NOT NULL,
        rule_id      TEXT,
        source       TEXT NOT NULL CHECK (source IN ('CENTRAL', 'LOCAL')),
        received_at  TEXT NOT NULL,
        UNIQUE (logistics_no, kind, issued_at)
      ) STRICT;
      CREATE INDEX control_instruction_logistics_no ON control_instruction(logistics_no, issued_at);

      -- Three-list result per parcel, recomputed whenever one of its lists changes.
      CREATE TABLE aed_three_list (
        logistics_code TEXT NOT NULL,
        logistics_no   TEXT NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('COMPLETE', 'INCOMPLETE', 'INCONSISTENT')),
        failed         TEXT NOT NULL CHECK (json_valid(failed)),
        missing        TEXT NOT NULL CHECK (json_valid(missing)),
        checked_at     TEXT NOT NULL,
        PRIMARY KEY (logistics_code, logistics_no)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
