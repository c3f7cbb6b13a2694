// The outbox: everything the central service must receive, written in the caller's transaction
// (a verdict and its outbox row commit together) and drained later by drain.ts. Delivery is
// at-least-once; the idempotency key makes it exactly-once at the central service.
import { canonicalJson } from '../../shared/canonical-json.ts';
import { ErrorCodes, StationError } from '../../shared/errors.ts';
import { OUTBOX_KINDS, type OutboxKind } from '../../shared/sync-api.ts';
import { prepared, type Db } from '../storage/db.ts';

export interface EnqueueInput {
  kind: OutboxKind;
  /** Unique per item, stable across retries: the verdictId for a verdict. */
  idemKey: string;
  payload: unknown;
  /** Decision time; defaults to now. */
  createdAt?: string;
}

export interface OutboxRow {
  id: number;
  idem_key: string;
  kind: OutboxKind;
  payload: string;
  created_at: string;
  historical: number;
  attempts: number;
  signature: string | null;
}

const IDEM_KEY = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Adds one item. Call inside the transaction that records the decision; it never touches the
 * network. Enqueuing the same key again with the same content is a no-op (returns false);
 * with different content it throws, because the central service would refuse it as a conflict.
 */
export function enqueue(db: Db, input: EnqueueInput): boolean {
  if (!OUTBOX_KINDS.includes(input.kind)) throw new StationError(ErrorCodes.SYNC_PROTOCOL, `outbox: unknown kind "${String(input.kind)}"`, { kind: input.kind });
  if (!IDEM_KEY.test(input.idemKey)) {
    throw new StationError(ErrorCodes.SYNC_PROTOCOL, `outbox: idempotency key "${input.idemKey}" must be 1-128 letters, digits or . _ : -`, { idemKey: input.idemKey });
  }
  const payload = canonicalJson(input.payload);
  const createdAt = input.createdAt ?? new Date().toISOString();
  const r = prepared(db, 'INSERT INTO outbox (idem_key, kind, payload, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (idem_key) DO NOTHING').run(input.idemKey, input.kind, payload, createdAt);
  if (r.changes === 1) return true;
  const existing = prepared(db, 'SELECT kind, payload FROM outbox WHERE idem_key = ?').get(input.idemKey) as { kind: string; payload: string };
  if (existing.kind !== input.kind || existing.payload !== payload) {
    throw new StationError(ErrorCodes.SYNC_PROTOCOL, `outbox: key "${input.idemKey}" was already enqueued with different content`, { idemKey: input.idemKey });
  }
  return false;
}

/**
 * Items with an id at or below this watermark were pending when the link last came back: they are
 * the replayed backlog. A watermark (one row) instead of flagging every pending row keeps the moment
 * the link returns O(1), so a 100,000-item backlog never stalls the event loop the line runs on.
 */
export function historicalWatermark(db: Db): number {
  const r = prepared(db, "SELECT value FROM sync_state WHERE key = 'historical_below'").get() as { value: string } | undefined;
  return r ? Number(r.value) : 0;
}

const COLUMNS = 'id, idem_key, kind, payload, created_at, historical, attempts, signature';

/**
 * The next batch to send: live items first, then the replayed backlog, each in enqueue order.
 * Reading does not lock or mark anything: the drain is the only sender, and an item stays pending
 * until acknowledged, so a crash at any point means it is simply sent again.
 */
export function nextBatch(db: Db, limit: number): OutboxRow[] {
  const w = historicalWatermark(db);
  const live = prepared(db, NEXT_LIVE_SQL).all(w, limit) as OutboxRow[];
  if (live.length >= limit) return live;
  const backlog = prepared(db, NEXT_BACKLOG_SQL).all(w, limit - live.length) as OutboxRow[];
  return [...live, ...backlog.map((r) => ({ ...r, historical: 1 }))];
}

/** Exported for the test that checks both use the pending index (acked rows stay for days on a site). */
export const NEXT_LIVE_SQL = `SELECT ${COLUMNS} FROM outbox WHERE acked_at IS NULL AND rejected_at IS NULL AND historical = 0 AND id > ? ORDER BY id LIMIT ?`;
// Two arms that each search the partial index outbox_pending, merged by id: written as one
// `historical = 1 OR id <= ?`, SQLite scanned the whole outbox, acked rows included, on every drain.
export const NEXT_BACKLOG_SQL = `SELECT ${COLUMNS} FROM outbox WHERE acked_at IS NULL AND rejected_at IS NULL AND historical = 1
  UNION ALL
  SELECT ${COLUMNS} FROM outbox WHERE acked_at IS NULL AND rejected_at IS NULL AND historical = 0 AND id <= ?
  ORDER BY id LIMIT ?`;

/** Keeps the signature each item was sent with (the station's proof of what it decided). */
export function saveSignatures(db: Db, rows: { id: number; signature: string }[]): void {
  const st = prepared(db, 'UPDATE outbox SET signature = ? WHERE id = ? AND signature IS NULL');
  db.transaction(() => {
    for (const r of rows) st.run(r.signature, r.id);
  })();
}

export interface Settlement {
  acked: number[];
  rejected: { id: number; error: string }[];
  /** Sent but not settled by the answer (kept pending; attempts counted). */
  retry: number[];
}

/** Applies one exchange's outcome in a single transaction. */
export function settle(db: Db, s: Settlement, at: string): void {
  const ack = prepared(db, 'UPDATE outbox SET acked_at = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND acked_at IS NULL');
  const reject = prepared(db, 'UPDATE outbox SET rejected_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ? AND acked_at IS NULL');
  const retry = prepared(db, 'UPDATE outbox SET attempts = attempts + 1 WHERE id = ?');
  db.transaction(() => {
    for (const id of s.acked) ack.run(at, id);
    for (const r of s.rejected) reject.run(at, r.error, r.id);
    for (const id of s.retry) retry.run(id);
  })();
}

/**
 * Link came back: everything still pending was decided while the link was down and is replayed as
 * history. Persisted (the watermark), so a crash during the replay keeps it. Returns how many.
 */
export function markBacklogHistorical(db: Db): number {
  return db.transaction(() => {
    const before = historicalWatermark(db);
    prepared(
      db,
      `INSERT INTO sync_state (key, value) VALUES ('historical_below', (SELECT COALESCE(MAX(id), 0) FROM outbox))
       ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE CAST(excluded.value AS INTEGER) > CAST(value AS INTEGER)`,
    ).run();
    const after = historicalWatermark(db);
    return (
      prepared(db, 'SELECT COUNT(*) AS n FROM outbox WHERE acked_at IS NULL AND rejected_at IS NULL AND historical = 0 AND id > ? AND id <= ?').get(before, after) as { n: number }
    ).n;
  })();
}

export interface BacklogStats {
  pending: number;
  historical: number;
  rejected: number;
  oldestPendingAt: string | null;
}

export function backlogStats(db: Db): BacklogStats {
  // Both queries run on partial indexes, so they cost the backlog size, not the table size.
  const r = prepared(
    db,
    'SELECT COUNT(*) AS pending, COALESCE(SUM(historical = 1 OR id <= ?), 0) AS historical, MIN(created_at) AS oldest FROM outbox WHERE acked_at IS NULL AND rejected_at IS NULL',
  ).get(historicalWatermark(db)) as { pending: number; historical: number; oldest: string | null };
  const rejected = (prepared(db, 'SELECT COUNT(*) AS n FROM outbox WHERE rejected_at IS NOT NULL').get() as { n: number }).n;
  return { pending: r.pending, historical: r.historical, rejected, oldestPendingAt: r.oldest };
}
