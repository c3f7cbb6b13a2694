// Append-only, hash-chained audit log. Each record's hash covers the previous record's hash and its
// own canonical content, so any edit, deletion or reordering breaks the chain from that record on.
// Append inside the same transaction as the change it records.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { prepared, type Db } from './db.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditEntry {
  actor: string;
  kind: string;
  subject?: string | null;
  payload: unknown;
  at?: string;
}

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  kind: string;
  subject: string | null;
  payload: string;
  prev_hash: string;
  hash: string;
}

export function auditHash(prevHash: string, row: Omit<AuditRow, 'prev_hash' | 'hash'>): string {
  const body = canonicalJson({ seq: row.seq, at: row.at, actor: row.actor, kind: row.kind, subject: row.subject, payload: row.payload });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export interface ArchiveAnchor {
  /** The last archived record's seq (0: nothing archived). */
  upto: number;
  /** Its hash, which the first record still in the database chains onto. */
  head: string;
}

/** Where the archive (audit-archive.ts) ends: the watermark and head kept in station_meta. */
export function archiveAnchor(db: Db): ArchiveAnchor {
  const rows = prepared(db, "SELECT key, value FROM station_meta WHERE key IN ('audit_archived_upto', 'audit_archived_head')").all() as { key: string; value: string }[];
  const m = new Map(rows.map((r) => [r.key, r.value]));
  return { upto: Number(m.get('audit_archived_upto') ?? 0), head: m.get('audit_archived_head') ?? GENESIS_HASH };
}

const fromAnchor = (a: ArchiveAnchor): { seq: number; hash: string } | undefined => (a.upto > 0 ? { seq: a.upto, hash: a.head } : undefined);

export function appendAudit(db: Db, entry: AuditEntry): AuditRow {
  // An empty log whose records were all archived (a station idle past the record age) chains on from the archive.
  const last = (prepared(db, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? fromAnchor(archiveAnchor(db));
  const base = {
    seq: (last?.seq ?? 0) + 1,
    at: entry.at ?? new Date().toISOString(),
    actor: entry.actor,
    kind: entry.kind,
    subject: entry.subject ?? null,
    payload: canonicalJson(entry.payload ?? null),
  };
  const prev_hash = last?.hash ?? GENESIS_HASH;
  const row: AuditRow = { ...base, prev_hash, hash: auditHash(prev_hash, base) };
  prepared(
    db,
    'INSERT INTO audit_log (seq, at, actor, kind, subject, payload, prev_hash, hash) VALUES (@seq, @at, @actor, @kind, @subject, @payload, @prev_hash, @hash)',
  ).run(row);
  return row;
}

export type ChainResult = { ok: true; records: number; head: string } | { ok: false; records: number; brokenAt: number; problem: string };

/**
 * Walks the chain from the first record still in the database — from genesis, or from the head
 * recorded when older records were archived (audit-archive.ts checks the segments themselves) —
 * and reports the first record that does not verify.
 */
export function verifyAuditChain(db: Db): ChainResult {
  const anchor = archiveAnchor(db);
  let prev = anchor.head;
  let expectedSeq = anchor.upto + 1;
  let count = 0;
  // Rows at or behind the watermark are archived copies a crash left before their delete (audit-archive.ts).
  for (const row of db.prepare('SELECT * FROM audit_log WHERE seq >= ? ORDER BY seq').iterate(expectedSeq) as IterableIterator<AuditRow>) {
    if (row.seq !== expectedSeq) return { ok: false, records: count, brokenAt: row.seq, problem: `record ${expectedSeq} is missing (next is ${row.seq})` };
    if (row.prev_hash !== prev) return { ok: false, records: count, brokenAt: row.seq, problem: 'prev_hash does not match the previous record' };
    if (auditHash(prev, row) !== row.hash) return { ok: false, records: count, brokenAt: row.seq, problem: 'content does not match its hash (record was altered)' };
    prev = row.hash;
    expectedSeq++;
    count++;
  }
  return { ok: true, records: count, head: prev };
}
