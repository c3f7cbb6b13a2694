// Retention: keeps the database and the image store bounded on a station that runs for years.
// The one rule: nothing is deleted that the central service has not acknowledged. A parcel is
// "settled" when its state is final and every verdict it has is acked in the outbox (a verdict with
// no outbox row counts as unsynced); only settled parcels lose their image or their records.
//  - images of settled parcels older than imageDays are deleted from disk (the row stays, marked
//    purged), and the oldest settled ones go first whenever the store exceeds maxImageStoreMb;
//    images of parcels an operator labelled are kept with the record (they are training data);
//  - settled parcels older than recordDays are deleted with their verdicts, detections, decisions,
//    labels and outbox rows; so are declarations, receipts and instructions received before then;
//  - audit records older than recordDays move to hash-anchored archive segments (audit-archive.ts).
// Work is done in small transactions with a rest between them (pace.ts), so the line never waits on
// retention for more than a batch.
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { archiveAudit } from './audit-archive.ts';
import { backgroundPacer } from './pace.ts';
import { withoutFsync, type Db } from './db.ts';

export interface RetentionPolicy {
  imageDays: number;
  maxImageStoreMb: number;
  recordDays: number;
}

export interface RetentionReport {
  imagesPurged: number;
  imageMbFreed: number;
  /** Live images after the run. */
  imageStoreMb: number;
  /** The store is over budget and only unsynced images are left to delete: alarm. */
  overBudgetUnsynced: boolean;
  parcelsDeleted: number;
  declarationsDeleted: number;
  outboxDeleted: number;
  auditArchived: number;
  ms: number;
}

const DAY_MS = 86_400_000;
const BATCH = 200;
// A settled parcel is six deletes (outbox, decisions, labels, detections, verdicts, the parcel): 200 a
// transaction held the loop for 40–55 ms in a 25/s soak, 50 keep each batch near a dozen.
const PARCEL_BATCH = 50;

// A parcel that must keep everything: not final, never decided, or a verdict the central service
// has not acknowledged.
const UNSETTLED = `(
  p.state NOT IN ('done', 'signalled')
  OR NOT EXISTS (SELECT 1 FROM verdict v WHERE v.scan_id = p.scan_id)
  OR EXISTS (SELECT 1 FROM verdict v LEFT JOIN outbox o ON o.idem_key = v.verdict_id WHERE v.scan_id = p.scan_id AND o.acked_at IS NULL)
)`;

const PURGEABLE_IMAGES = `
  SELECT i.sha256, i.rel_path AS relPath, i.bytes FROM image i
  WHERE i.purged_at IS NULL AND i.created_at < ?
    AND NOT EXISTS (SELECT 1 FROM parcel p WHERE p.image_sha256 = i.sha256
      AND (${UNSETTLED} OR EXISTS (SELECT 1 FROM label l WHERE l.scan_id = p.scan_id)))
  ORDER BY i.created_at LIMIT ?`;

// Synchronous on purpose: an unlink is a few microseconds, while the async one queues behind image
// decoding on libuv's thread pool (the soak saw 300 deletions take 40 s that way). Batches stay small.
function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

export function liveImageBytes(db: Db): number {
  return (db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM image WHERE purged_at IS NULL').get() as { b: number }).b;
}

export async function runRetention(db: Db, dirs: { images: string; auditArchive: string }, policy: RetentionPolicy, now = Date.now()): Promise<RetentionReport> {
  const t0 = Date.now();
  const nowIso = new Date(now).toISOString();
  const imageCutoff = new Date(now - policy.imageDays * DAY_MS).toISOString();
  const recordCutoff = new Date(now - policy.recordDays * DAY_MS).toISOString();
  const report: RetentionReport = {
    imagesPurged: 0,
    imageMbFreed: 0,
    imageStoreMb: 0,
    overBudgetUnsynced: false,
    parcelsDeleted: 0,
    declarationsDeleted: 0,
    outboxDeleted: 0,
    auditArchived: 0,
    ms: 0,
  };
  const rest = backgroundPacer();
  const candidates = db.prepare(PURGEABLE_IMAGES);
  const markPurged = db.prepare('UPDATE image SET purged_at = ? WHERE sha256 = ?');
  const purge = async (rows: { sha256: string; relPath: string; bytes: number }[]): Promise<void> => {
    // File first, then the mark: a crash in between leaves a row that is purged again (ENOENT is fine).
    for (const r of rows) removeFile(join(dirs.images, r.relPath));
    db.transaction(() => {
      for (const r of rows) markPurged.run(nowIso, r.sha256);
    })();
    report.imagesPurged += rows.length;
    report.imageMbFreed += rows.reduce((s, r) => s + r.bytes, 0) / 1e6;
    await rest();
  };

  // 1. Images past their age.
  for (;;) {
    const rows = candidates.all(imageCutoff, BATCH) as { sha256: string; relPath: string; bytes: number }[];
    if (rows.length === 0) break;
    await purge(rows);
  }

  // 2. The store's byte budget: the oldest settled images go first, whatever their age.
  const budget = policy.maxImageStoreMb * 1e6;
  let live = liveImageBytes(db);
  while (live > budget) {
    const rows = candidates.all(nowIso, 64) as { sha256: string; relPath: string; bytes: number }[];
    if (rows.length === 0) {
      report.overBudgetUnsynced = true;
      break;
    }
    const take: typeof rows = [];
    for (const r of rows) {
      if (live <= budget) break;
      take.push(r);
      live -= r.bytes;
    }
    await purge(take);
  }

  // 3. Settled parcels past the record age, with everything hanging off them.
  const oldParcels = db.prepare(`SELECT p.scan_id AS scanId FROM parcel p WHERE p.created_at < ? AND NOT ${UNSETTLED} ORDER BY p.created_at LIMIT ?`);
  const delOutbox = db.prepare('DELETE FROM outbox WHERE acked_at IS NOT NULL AND idem_key IN (SELECT verdict_id FROM verdict WHERE scan_id = ?)');
  const delDecisions = db.prepare('DELETE FROM operator_decision WHERE scan_id = ?');
  const delLabels = db.prepare('DELETE FROM label WHERE scan_id = ?');
  const delDetections = db.prepare('DELETE FROM detection WHERE scan_id = ?');
  const delVerdicts = db.prepare('DELETE FROM verdict WHERE scan_id = ?');
  const delParcel = db.prepare('DELETE FROM parcel WHERE scan_id = ?');
  const orphanImages = db.prepare(
    'SELECT i.sha256, i.rel_path AS relPath, i.purged_at AS purgedAt FROM image i WHERE i.created_at < ? AND NOT EXISTS (SELECT 1 FROM parcel p WHERE p.image_sha256 = i.sha256) LIMIT ?',
  );
  const delImage = db.prepare('DELETE FROM image WHERE sha256 = ?');
  for (;;) {
    const ids = (oldParcels.all(recordCutoff, PARCEL_BATCH) as { scanId: string }[]).map((r) => r.scanId);
    if (ids.length === 0) break;
    // Not fsync'd: these records are synced and acknowledged, and a delete a power cut undoes is
    // simply done again by the next run; the fsync only lengthened each batch.
    withoutFsync(db, db.transaction(() => {
      for (const id of ids) {
        report.outboxDeleted += delOutbox.run(id).changes;
        delDecisions.run(id);
        delLabels.run(id);
        delDetections.run(id);
        delVerdicts.run(id);
        delParcel.run(id);
      }
    }));
    report.parcelsDeleted += ids.length;
    await rest();
  }
  for (;;) {
    const rows = orphanImages.all(recordCutoff, BATCH) as { sha256: string; relPath: string; purgedAt: string | null }[];
    if (rows.length === 0) break;
    for (const r of rows) if (!r.purgedAt) removeFile(join(dirs.images, r.relPath));
    db.transaction(() => {
      for (const r of rows) delImage.run(r.sha256);
    })();
    await rest();
  }

  // Acknowledged outbox rows stay until their parcel goes (step 3): the ack is the proof that the
  // parcel was synced, and without it the parcel would count as unsynced forever.

  // 4. Advance data, instructions and device history older than the record age.
  const aged: [table: string, column: string][] = [
    ['aed_inventory', 'received_at'],
    ['aed_order', 'received_at'],
    ['aed_payment', 'received_at'],
    ['aed_waybill', 'received_at'],
    ['aed_receipt', 'received_at'],
    ['aed_three_list', 'checked_at'],
    ['aed_tombstone', 'deleted_at'],
    ['aed_file', 'imported_at'],
    ['control_instruction', 'received_at'],
    ['device_event', 'at'],
  ];
  for (const [table, column] of aged) {
    // WITHOUT ROWID tables (keyed lists) are small; the rest go in batches.
    const withoutRowid = (db.prepare("SELECT wr FROM pragma_table_list WHERE schema = 'main' AND name = ?").get(table) as { wr: number } | undefined)?.wr === 1;
    const del = withoutRowid
      ? db.prepare(`DELETE FROM ${table} WHERE ${column} < ?`)
      : db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? LIMIT ${BATCH})`);
    for (;;) {
      const n = del.run(recordCutoff).changes;
      if (table.startsWith('aed_') && table !== 'aed_file' && table !== 'aed_three_list' && table !== 'aed_tombstone') report.declarationsDeleted += n;
      if (n === 0) break;
      await rest();
    }
  }
  db.prepare('DELETE FROM console_session WHERE expires_at < ?').run(recordCutoff);

  // 5. The audit log's oldest records into archive segments.
  report.auditArchived = (await archiveAudit(db, dirs.auditArchive, recordCutoff)).archived;

  report.imageStoreMb = Math.round((liveImageBytes(db) / 1e6) * 10) / 10;
  report.imageMbFreed = Math.round(report.imageMbFreed * 10) / 10;
  report.ms = Date.now() - t0;
  return report;
}
