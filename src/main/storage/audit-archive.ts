// Moves the oldest audit records out of the hot database into gzip'd JSON-lines segments
// (audit-<first>-<last>.jsonl.gz), so the database stays bounded while the chain stays whole:
// the segment is written and fsync'd first, then — in one transaction — the watermark and the hash
// of the last archived record are stored and the rows deleted. A crash between the two leaves an
// orphan segment (its rows are still in the database); the next run removes it and writes it again.
// `verifyArchivedChain` walks genesis → segments → database and names the first break.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GENESIS_HASH, auditHash, type AuditRow, type ChainResult } from './audit.ts';
import type { Db } from './db.ts';

const SEGMENT = /^audit-(\d{12})-(\d{12})\.jsonl\.gz$/;
const MAX_SEGMENT_ROWS = 50_000;

export interface ArchiveAnchor {
  upto: number;
  head: string;
}

export function archiveAnchor(db: Db): ArchiveAnchor {
  const rows = db.prepare("SELECT key, value FROM station_meta WHERE key IN ('audit_archived_upto', 'audit_archived_head')").all() as { key: string; value: string }[];
  const m = new Map(rows.map((r) => [r.key, r.value]));
  return { upto: Number(m.get('audit_archived_upto') ?? 0), head: m.get('audit_archived_head') ?? GENESIS_HASH };
}

export function segmentName(first: number, last: number): string {
  return `audit-${String(first).padStart(12, '0')}-${String(last).padStart(12, '0')}.jsonl.gz`;
}

function listSegments(dir: string): { name: string; first: number; last: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => {
      const m = SEGMENT.exec(name);
      return m ? { name, first: Number(m[1]), last: Number(m[2]) } : undefined;
    })
    .filter((s): s is { name: string; first: number; last: number } => s !== undefined)
    .sort((a, b) => a.first - b.first);
}

function writeDurably(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dfd = openSync(join(path, '..'), 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
}

export interface ArchiveResult {
  archived: number;
  segments: string[];
  upto: number;
}

/** Archives every record whose time is before `cutoffIso` (contiguous from the watermark). */
export function archiveAudit(db: Db, dir: string, cutoffIso: string): ArchiveResult {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const anchor = archiveAnchor(db);
  // Orphans of a crash between writing a segment and committing its watermark.
  for (const s of listSegments(dir)) if (s.first > anchor.upto) rmSync(join(dir, s.name), { force: true });
  const target = (db.prepare('SELECT MAX(seq) AS seq FROM audit_log WHERE at < ?').get(cutoffIso) as { seq: number | null }).seq ?? 0;
  const result: ArchiveResult = { archived: 0, segments: [], upto: anchor.upto };
  let { upto, head } = anchor;
  const select = db.prepare('SELECT * FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?');
  const commit = db.transaction((last: AuditRow) => {
    const set = db.prepare('INSERT INTO station_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    set.run('audit_archived_upto', String(last.seq));
    set.run('audit_archived_head', last.hash);
    db.prepare('DELETE FROM audit_log WHERE seq <= ?').run(last.seq);
  });
  while (upto < target) {
    const rows = select.all(upto, target, MAX_SEGMENT_ROWS) as AuditRow[];
    if (rows.length === 0) break;
    // Never archive what does not verify: the break must stay in the database for `station verify`.
    let prev = head;
    let expected = upto + 1;
    for (const r of rows) {
      if (r.seq !== expected || r.prev_hash !== prev || auditHash(prev, r) !== r.hash) {
        throw new Error(`audit record ${r.seq} does not verify; archiving stopped (run station verify)`);
      }
      prev = r.hash;
      expected++;
    }
    const last = rows[rows.length - 1]!;
    const name = segmentName(rows[0]!.seq, last.seq);
    writeDurably(join(dir, name), gzipSync(rows.map((r) => JSON.stringify(r)).join('\n') + '\n'));
    commit(last);
    result.archived += rows.length;
    result.segments.push(name);
    upto = last.seq;
    head = last.hash;
  }
  result.upto = upto;
  return result;
}

export interface ArchivedChainResult {
  archive: { segments: number; records: number; dir: string };
  chain: ChainResult;
}

/** Genesis → archive segments → the database's remaining records, one chain. */
export function verifyArchivedChain(db: Db, dir: string): ArchivedChainResult {
  const anchor = archiveAnchor(db);
  let prev = GENESIS_HASH;
  let expected = 1;
  let count = 0;
  const segs = listSegments(dir).filter((s) => s.first <= anchor.upto);
  const fail = (brokenAt: number, problem: string): ArchivedChainResult => ({
    archive: { segments: segs.length, records: count, dir },
    chain: { ok: false, records: count, brokenAt, problem },
  });
  for (const s of segs) {
    if (s.first !== expected) return fail(expected, `archive segment with records ${expected}… is missing from ${dir}`);
    let rows: AuditRow[];
    try {
      rows = gunzipSync(readFileSync(join(dir, s.name)))
        .toString('utf8')
        .split('\n')
        .filter((l) => l.length > 0)
        .map((l) => JSON.parse(l) as AuditRow);
    } catch (e) {
      return fail(s.first, `archive segment ${s.name} is unreadable: ${(e as Error).message}`);
    }
    for (const r of rows) {
      if (r.seq !== expected) return fail(r.seq, `record ${expected} is missing from archive segment ${s.name}`);
      if (r.prev_hash !== prev) return fail(r.seq, `prev_hash does not match the previous record (archive segment ${s.name})`);
      if (auditHash(prev, r) !== r.hash) return fail(r.seq, `content does not match its hash (archive segment ${s.name})`);
      prev = r.hash;
      expected++;
      count++;
    }
    if (expected - 1 !== s.last) return fail(expected, `archive segment ${s.name} ends at ${expected - 1}, its name says ${s.last}`);
  }
  const archived = count;
  if (anchor.upto > 0 && (expected - 1 !== anchor.upto || prev !== anchor.head)) {
    if (expected - 1 < anchor.upto) return fail(expected, `archive segments with records ${expected}–${anchor.upto} are missing from ${dir}`);
    return fail(anchor.upto, 'the archive does not end on the head recorded in the database');
  }
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>) {
    if (row.seq !== expected) return fail(row.seq, `record ${expected} is missing (next is ${row.seq})`);
    if (row.prev_hash !== prev) return fail(row.seq, 'prev_hash does not match the previous record');
    if (auditHash(prev, row) !== row.hash) return fail(row.seq, 'content does not match its hash (record was altered)');
    prev = row.hash;
    expected++;
    count++;
  }
  return { archive: { segments: segs.length, records: archived, dir }, chain: { ok: true, records: count, head: prev } };
}
