// Sends the outbox in ordered batches. Live items (decided while the link is up) go before the
// replayed backlog (outbox.nextBatch); backlog items carry historical: true. Items are signed with
// the station key; Ed25519 is deterministic, so a resend carries the same signature and the central
// service answers "duplicate", not "conflict". The signature is stored with the acknowledgement.
// One write transaction per batch, after the answer: a failed exchange writes nothing (an outage
// must not turn into a stream of fsyncs competing with the line's own commits), and without an fsync
// of its own (withoutFsync): lost to a power cut, the batch is only sent again, and the central
// service answers "duplicate".
import type { KeyObject } from 'node:crypto';
import { ErrorCodes, StationError } from '../../shared/errors.ts';
import { itemSigningContent, type OutboundItem, type PushResponse } from '../../shared/sync-api.ts';
import { appendAudit } from '../storage/audit.ts';
import { withoutFsync, type Db } from '../storage/db.ts';
import type { CentralApi } from './client.ts';
import { signCanonical } from './keys.ts';
import { writeSyncFact } from './link-state.ts';
import { nextBatch, saveSignatures, settle, type OutboxRow, type Settlement } from './outbox.ts';

export interface DrainDeps {
  db: Db;
  api: CentralApi;
  stationId: string;
  privateKey: KeyObject;
  batchSize: number;
  now: () => Date;
  /** An item the central service refused for good (already audited). */
  onRejected?: (e: StationError) => void;
}

export interface BatchOutcome {
  sent: number;
  acked: number;
  rejected: number;
  historical: number;
}

export function toWire(row: OutboxRow, privateKey: KeyObject): OutboundItem & { id: number } {
  const content = { idemKey: row.idem_key, kind: row.kind, createdAt: row.created_at, payload: JSON.parse(row.payload) as unknown };
  const signature = row.signature ?? signCanonical(privateKey, itemSigningContent(content));
  return { id: row.id, ...content, historical: row.historical === 1, signature };
}

/** Matches an answer to the batch it answers. Items the answer does not mention stay pending. */
export function settlementFor(batch: readonly { id: number; idemKey: string }[], resp: PushResponse): Settlement {
  const byKey = new Map(resp.results.map((r) => [r.idemKey, r]));
  const s: Settlement = { acked: [], rejected: [], retry: [] };
  for (const item of batch) {
    const r = byKey.get(item.idemKey);
    if (!r) s.retry.push(item.id);
    else if (r.status === 'stored' || r.status === 'duplicate') s.acked.push(item.id);
    else s.rejected.push({ id: item.id, error: `${r.status}${r.error ? `: ${r.error}` : ''}` });
  }
  return s;
}

/** Sends one batch; returns null when the outbox is empty. Throws on a failed exchange (caller backs off). */
export async function drainBatch(d: DrainDeps): Promise<BatchOutcome | null> {
  const rows = nextBatch(d.db, d.batchSize);
  if (rows.length === 0) return null;
  const items = rows.map((r) => toWire(r, d.privateKey));
  const resp: PushResponse = await d.api.push({ stationId: d.stationId, items: items.map(({ id: _id, ...wire }) => wire) });
  const s = settlementFor(items, resp);
  const at = d.now().toISOString();
  withoutFsync(d.db, () => d.db.transaction(() => {
    settle(d.db, s, at);
    saveSignatures(d.db, items.filter((_, i) => rows[i]!.signature === null).map((i) => ({ id: i.id, signature: i.signature })));
    if (s.acked.length > 0) writeSyncFact(d.db, 'last_push_ok_at', at);
    for (const r of s.rejected) {
      const key = items.find((i) => i.id === r.id)!.idemKey;
      appendAudit(d.db, { actor: 'sync', kind: 'sync.item.rejected', subject: key, payload: { error: r.error }, at });
    }
  })());
  for (const r of s.rejected) {
    const key = items.find((i) => i.id === r.id)!.idemKey;
    d.onRejected?.(new StationError(ErrorCodes.SYNC_PROTOCOL, `central service refused outbox item ${key} for good (${r.error}); kept, not resent`, { idemKey: key }));
  }
  if (s.retry.length > 0 && s.acked.length === 0 && s.rejected.length === 0) {
    throw new StationError(ErrorCodes.SYNC_PROTOCOL, `central answer settled none of the ${items.length} items sent`, {});
  }
  return { sent: items.length, acked: s.acked.length, rejected: s.rejected.length, historical: items.filter((i) => i.historical).length };
}
