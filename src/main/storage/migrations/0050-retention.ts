// Retention (src/main/storage/retention.ts): images can be purged from disk while their row stays
// (the record says there was an image and which), and the oldest audit records can be moved into
// hash-anchored archive segments. The delete trigger still refuses any audit record that has not
// been archived first; the archive watermark and the head it ends on may only move forward.
import type { Migration } from './index.ts';

export const m0050: Migration = {
  version: 50,
  name: 'retention',
  up(db) {
    db.exec(`
      ALTER TABLE image ADD COLUMN purged_at TEXT;
      CREATE INDEX image_live ON image(created_at) WHERE purged_at IS NULL;
      CREATE INDEX parcel_image ON parcel(image_sha256);

      DROP TRIGGER audit_log_no_delete;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        WHEN OLD.seq > COALESCE((SELECT CAST(value AS INTEGER) FROM station_meta WHERE key = 'audit_archived_upto'), 0)
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: only records already archived may be removed'); END;
      CREATE TRIGGER audit_watermark_forward BEFORE UPDATE OF value ON station_meta
        WHEN OLD.key = 'audit_archived_upto' AND CAST(NEW.value AS INTEGER) < CAST(OLD.value AS INTEGER)
        BEGIN SELECT RAISE(ABORT, 'the audit archive watermark only moves forward'); END;
      CREATE TRIGGER audit_watermark_keep BEFORE DELETE ON station_meta
        WHEN OLD.key IN ('audit_archived_upto', 'audit_archived_head')
        BEGIN SELECT RAISE(ABORT, 'the audit archive watermark cannot be removed'); END;
    `);
  },
};
