// Inbound deltas from the central service: fetched by cursor, verified against the pinned central
// key BEFORE anything is applied, then applied in one transaction together with the new cursor.
// A crash mid-page leaves the old cursor and none of the page, so the next pull simply fetches the
// same page again (resumable without duplicates). A bad signature or a page that does not answer
// our cursor is rejected whole, audited and raised as an alarm.
import type { KeyObject } from 'node:crypto';
import { ErrorCodes, StationError } from '../../shared/errors.ts';
import type { DeltaBatch, DeltaResponse } from '../../shared/sync-api.ts';
import { appendAudit } from '../storage/audit.ts';
import { prepared, type Db } from '../storage/db.ts';
import type { CentralApi } from './client.ts';
import type { DeltaApplier } from './delta-apply.ts';
import { verifyCanonical } from './keys.ts';

export const CENTRAL_STREAM = 'central';

export function readCursor(db: Db, stream = CENTRAL_STREAM): number {
  const r = prepared(db, 'SELECT cursor FROM sync_cursor WHERE stream = ?').get(stream) as { cursor: number } | undefined;
  return r?.cursor ?? 0;
}

/**
 * Checks a page before it may touch the database: signed by the pinned central key, addressed to
 * this station, answering the cursor we asked from, and internally ordered.
 */
export function verifyDeltaPage(resp: DeltaResponse, centralKey: KeyObject, stationId: string, cursor: number): DeltaBatch {
  const b = resp.batch;
  if (!verifyCanonical(centralKey, b, resp.signature)) {
    throw new StationError(ErrorCodes.SYNC_BAD_SIGNATURE, `delta page ${b.fromCursor}→${b.toCursor} does not carry a valid signature of the pinned central key; nothing applied`, {
      fromCursor: b.fromCursor,
      toCursor: b.toCursor,
    });
  }
  if (b.stationId !== stationId) throw new StationError(ErrorCodes.SYNC_CURSOR_MISMATCH, `delta page is addressed to station ${b.stationId}, not ${stationId}; nothing applied`, {});
  if (b.fromCursor !== cursor) {
    throw new StationError(ErrorCodes.SYNC_CURSOR_MISMATCH, `delta page starts at cursor ${b.fromCursor} but the station is at ${cursor} (replayed or out-of-order page); nothing applied`, {
      fromCursor: b.fromCursor,
      cursor,
    });
  }
  let prev = cursor;
  for (const it of b.items) {
    if (it.seq <= prev || it.seq > b.toCursor) throw new StationError(ErrorCodes.SYNC_DELTA_INVALID, `delta page item seq ${it.seq} is out of order (after ${prev}, page ends ${b.toCursor})`, { seq: it.seq });
    prev = it.seq;
  }
  if (b.toCursor < cursor) throw new StationError(ErrorCodes.SYNC_CURSOR_MISMATCH, `delta page moves the cursor back (${cursor} → ${b.toCursor})`, {});
  return b;
}

/** Applies a verified page and advances the cursor in one transaction. Returns items applied. */
export function applyDeltaPage(db: Db, page: DeltaBatch, applier: DeltaApplier, receivedAt: string, stream = CENTRAL_STREAM): number {
  // An empty page that leaves the cursor where it is changes nothing: no write, no fsync.
  if (page.items.length === 0 && page.toCursor === page.fromCursor) return 0;
  db.transaction(() => {
    // Re-check inside the write transaction: another puller cannot have moved it, but a restore could.
    const now = readCursor(db, stream);
    if (now !== page.fromCursor) throw new StationError(ErrorCodes.SYNC_CURSOR_MISMATCH, `cursor moved to ${now} while page ${page.fromCursor}→${page.toCursor} was in flight; nothing applied`, {});
    applier.applyPage(db, page.items, receivedAt);
    prepared(db, 'INSERT INTO sync_cursor (stream, cursor, updated_at) VALUES (?, ?, ?) ON CONFLICT (stream) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at').run(
      stream,
      page.toCursor,
      receivedAt,
    );
  }).immediate();
  return page.items.length;
}

export interface PullDeps {
  db: Db;
  api: CentralApi;
  applier: DeltaApplier;
  centralKey: KeyObject;
  stationId: string;
  limit: number;
  now: () => Date;
  /** Raised after a rejected page is audited. */
  onAlarm?: (e: StationError) => void;
}

/** Fetches and applies one page. Throws on transport errors (caller backs off) and on rejected pages. */
export async function pullPage(d: PullDeps): Promise<{ applied: number; more: boolean; cursor: number }> {
  const cursor = readCursor(d.db);
  const resp = await d.api.pull(d.stationId, cursor, d.limit);
  let page: DeltaBatch;
  try {
    page = verifyDeltaPage(resp, d.centralKey, d.stationId, cursor);
    const applied = applyDeltaPage(d.db, page, d.applier, d.now().toISOString());
    return { applied, more: page.more, cursor: page.toCursor };
  } catch (e) {
    if (e instanceof StationError && e.code.startsWith('SYNC_')) raiseAlarm(d, e, resp);
    throw e;
  }
}

function raiseAlarm(d: PullDeps, e: StationError, resp: DeltaResponse): void {
  appendAudit(d.db, {
    actor: 'sync',
    kind: 'sync.delta.rejected',
    subject: `${resp.batch.fromCursor}-${resp.batch.toCursor}`,
    payload: { code: e.code, message: e.message, items: resp.batch.items.length, issuedAt: resp.batch.issuedAt },
  });
  d.onAlarm?.(e);
}
