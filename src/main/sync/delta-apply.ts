// What each central delta kind does to the station database. Runs inside the transaction that also
// advances the cursor (inbound.ts), so a page is applied completely or not at all; any bad item
// throws and rolls the whole page back.
//
// Advance data, CEB622 statuses and control instructions go through the AED store (src/main/aed),
// which owns their versioning rules; the seam is `AedSink`, which AedStore satisfies. AEO/risk lists
// and rule/model packs land in the central_list / central_pack tables (migration 0030).
import { canonicalJson } from '../../shared/canonical-json.ts';
import { ErrorCodes, StationError } from '../../shared/errors.ts';
import type { DeltaItem } from '../../shared/sync-api.ts';
import { validateRecord, type AedRecord, type MessageType } from '../aed/records.ts';
import type { ParcelKey } from '../aed/store.ts';
import type { Db } from '../storage/db.ts';

/** The part of the AED store the inbound path needs. */
export interface AedSink {
  apply(r: AedRecord, receivedAt: string): { parcels: ParcelKey[] };
  recompute(key: ParcelKey, now: string): unknown;
}

export interface DeltaApplier {
  /** Applies one page of items inside the caller's transaction; throws SYNC_DELTA_INVALID for bad data. */
  applyPage(db: Db, items: readonly DeltaItem[], receivedAt: string): void;
}

function invalid(item: DeltaItem, reason: string): StationError {
  return new StationError(ErrorCodes.SYNC_DELTA_INVALID, `delta ${item.seq} (${item.kind} ${item.key}): ${reason}`, { seq: item.seq, kind: item.kind, key: item.key });
}

function asObject(item: DeltaItem): Record<string, unknown> {
  if (item.data === null || typeof item.data !== 'object' || Array.isArray(item.data)) throw invalid(item, 'data must be an object');
  return item.data as Record<string, unknown>;
}

const AED_TYPES: readonly MessageType[] = ['CEB621', 'CEB311', 'CEB411', 'CEB511'];

function toAedRecord(item: DeltaItem): AedRecord {
  if (item.op !== 'upsert') throw invalid(item, `op "${item.op}" is not allowed: advance data carries its own appType (3 = delete)`);
  const data = asObject(item);
  let type: MessageType;
  let raw: unknown;
  if (item.kind === 'aed') {
    if (!AED_TYPES.includes(data.type as MessageType)) throw invalid(item, `data.type must be one of ${AED_TYPES.join(', ')}`);
    type = data.type as MessageType;
    raw = data.record;
  } else {
    type = item.kind === 'ceb622' ? 'CEB622' : 'CONTROL';
    raw = data;
  }
  if (raw === null || typeof raw !== 'object') throw invalid(item, 'record must be an object');
  const v = validateRecord(type, raw as Record<string, unknown>);
  if (!v.ok) throw invalid(item, `${type} record at ${v.path.join('.') || '(root)'}: ${v.reason}`);
  return v.value;
}

export function createDeltaApplier(aed: AedSink): DeltaApplier {
  return {
    applyPage(db, items, receivedAt) {
      // Three lists are recomputed once per parcel per page, after all its records are in.
      const touched = new Map<string, ParcelKey>();
      for (const item of items) applyItem(db, item, receivedAt, touched);
      for (const p of touched.values()) aed.recompute(p, receivedAt);
    },
  };

  function applyItem(db: Db, item: DeltaItem, receivedAt: string, touched: Map<string, ParcelKey>): void {
    switch (item.kind) {
      case 'aed':
      case 'ceb622':
      case 'control': {
        for (const p of aed.apply(toAedRecord(item), receivedAt).parcels) touched.set(`${p.logisticsCode}\u001f${p.logisticsNo}`, p);
        return;
      }
      case 'aeo_list':
      case 'risk_list':
        if (item.op === 'delete') db.prepare('DELETE FROM central_list WHERE list = ? AND key = ?').run(item.kind, item.key);
        else {
          db.prepare(
            `INSERT INTO central_list (list, key, data, issued_at, applied_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (list, key) DO UPDATE SET data = excluded.data, issued_at = excluded.issued_at, applied_at = excluded.applied_at
             WHERE excluded.issued_at >= central_list.issued_at`,
          ).run(item.kind, item.key, canonicalJson(asObject(item)), item.issuedAt, receivedAt);
        }
        return;
      case 'rule_pack':
      case 'model_pack': {
        if (item.op === 'delete') {
          db.prepare('UPDATE central_pack SET withdrawn = 1 WHERE kind = ? AND version = ?').run(item.kind, item.key);
          return;
        }
        const data = canonicalJson(asObject(item));
        const known = db.prepare('SELECT data FROM central_pack WHERE kind = ? AND version = ?').get(item.kind, item.key) as { data: string } | undefined;
        // A version names one content for ever: a different pack under a known version is refused.
        if (known && known.data !== data) throw invalid(item, 'a different pack was already received under this version');
        if (!known) db.prepare('INSERT INTO central_pack (kind, version, data, issued_at, applied_at) VALUES (?, ?, ?, ?, ?)').run(item.kind, item.key, data, item.issuedAt, receivedAt);
        return;
      }
    }
  }
}

/** Reads one central list (aeo_list / risk_list) as key → data. */
export function readCentralList(db: Db, list: 'aeo_list' | 'risk_list'): Map<string, unknown> {
  const rows = db.prepare('SELECT key, data FROM central_list WHERE list = ? ORDER BY key').all(list) as { key: string; data: string }[];
  return new Map(rows.map((r) => [r.key, JSON.parse(r.data) as unknown]));
}

/** The newest not-withdrawn pack of a kind, by issue time. */
export function latestCentralPack(db: Db, kind: 'rule_pack' | 'model_pack'): { version: string; data: unknown; issuedAt: string } | undefined {
  const r = db.prepare('SELECT version, data, issued_at FROM central_pack WHERE kind = ? AND withdrawn = 0 ORDER BY issued_at DESC, version DESC LIMIT 1').get(kind) as
    | { version: string; data: string; issued_at: string }
    | undefined;
  return r ? { version: r.version, data: JSON.parse(r.data) as unknown, issuedAt: r.issued_at } : undefined;
}
