// Moves the oldest audit records out of the hot database into gzip'd JSON-lines segments
// (audit-<first>-<last>.jsonl.gz), so the database stays bounded while the chain stays whole:
// the segment is written and fsync'd first, then — in one transaction — the watermark and the hash
// of the last archived record are stored, then the archived rows are deleted. A crash between the
// first two leaves an orphan segment (its rows are still in the database); the next run removes it and
// writes it again. A crash during the deletes leaves archived rows behind the watermark: the verifiers
// skip them and the next run deletes them.
// `verifyArchivedChain` walks genesis → segments → database and names the first break.
// Archiving runs on the station's event loop beside the line, so it never holds the loop for long:
// rows are read, checked and serialised a slice at a time with a rest between slices (pace.ts), and the gzip
// and the durable write run on libuv's pool. Done in one go, 50,000 rows held the loop for ~0.6 s
// on a fast PC, and at the defaults (a run every 15 minutes) a 25/s line archives ~135,000 a run.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzip } from 'node:zlib';
import { GENESIS_HASH, archiveAnchor, auditHash, type AuditRow, type ChainResult } from './audit.ts';
import { withoutFsync, type Db } from './db.ts';
import { backgroundPacer } from './pace.ts';

const SEGMENT = /^audit-(\d{12})-(\d{12})\.jsonl\.gz$/;
const MAX_SEGMENT_ROWS = 50_000;
/** Rows read, verified and serialised between two yields to the event loop (~6 ms). */
const SLICE_ROWS = 2_000;
/**
 * Archived rows deleted per transaction. Each row's entry in the random-ordered hash index is on its own
 * page, so a delete costs ~12 µs a row in small batches: 4,500 at once held the loop for ~40 ms, and
 * slices of 500 still 37–75 ms in a 25/s soak, where those pages are rarely in the cache.
 */
const DELETE_SLICE = 150;
const gzipAsync = promisify(gzip);

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

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  const f = await open(tmp, 'w', 0o600);
  try {
    await f.writeFile(bytes);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, path);
  const d = await open(join(path, '..'), 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}

export interface ArchiveResult {
  archived: number;
  segments: string[];
  upto: number;
}

/**
 * Deletes the records the watermark says are archived, a slice per transaction. They are copies of what
 * the segments hold, so the deletes are not fsync'd; a crash leaves some behind, which the verifiers
 * skip and the next run deletes.
 */
async function dropArchived(db: Db, upto: number, rest = backgroundPacer()): Promise<void> {
  const del = db.prepare(`DELETE FROM audit_log WHERE seq IN (SELECT seq FROM audit_log WHERE seq <= ? ORDER BY seq LIMIT ${DELETE_SLICE})`);
  while (withoutFsync(db, () => del.run(upto).changes) > 0) await rest();
}

/**
 * Archives the records from the watermark on, in order, up to the first one whose time is not before
 * `cutoffIso` (a record stamped before a backward clock step waits for the younger one ahead of it).
 */
export async function archiveAudit(db: Db, dir: string, cutoffIso: string): Promise<ArchiveResult> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const anchor = archiveAnchor(db);
  // Orphans of a crash between writing a segment and committing its watermark.
  for (const s of listSegments(dir)) if (s.first > anchor.upto) rmSync(join(dir, s.name), { force: true });
  const result: ArchiveResult = { archived: 0, segments: [], upto: anchor.upto };
  let { upto, head } = anchor;
  const rest = backgroundPacer();
  // In seq order from the watermark: no scan of the whole table for the cut-off (`at` has no index).
  const select = db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?');
  const commit = db.transaction((last: AuditRow) => {
    const set = db.prepare('INSERT INTO station_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    set.run('audit_archived_upto', String(last.seq));
    set.run('audit_archived_head', last.hash);
  });
  await dropArchived(db, upto, rest); // left by a crash after an earlier watermark
  for (let more = true; more; ) {
    const lines: string[] = [];
    let last: AuditRow | undefined;
    let prev = head;
    while (lines.length < MAX_SEGMENT_ROWS) {
      const want = Math.min(SLICE_ROWS, MAX_SEGMENT_ROWS - lines.length);
      const rows = select.all(last?.seq ?? upto, want) as AuditRow[];
      let young = false;
      for (const r of rows) {
        if (r.at >= cutoffIso) {
          young = true;
          break;
        }
        // Never archive what does not verify: the break must stay in the database for `station verify`.
        if (r.seq !== (last?.seq ?? upto) + 1 || r.prev_hash !== prev || auditHash(prev, r) !== r.hash) {
          throw new Error(`audit record ${r.seq} does not verify; archiving stopped (run station verify)`);
        }
        lines.push(JSON.stringify(r));
        prev = r.hash;
        last = r;
      }
      if (young || rows.length < want) {
        more = false;
        break;
      }
      await rest();
    }
    if (!last) break;
    const name = segmentName(upto + 1, last.seq);
    await writeDurably(join(dir, name), await gzipAsync(lines.join('\n') + '\n'));
    commit(last);
    await dropArchived(db, last.seq, rest);
    result.archived += lines.length;
    result.segments.push(name);
    upto = last.seq;
    head = last.hash;
    await rest();
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
  for (const row of db.prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq').iterate(anchor.upto) as IterableIterator<AuditRow>) {
    if (row.seq !== expected) return fail(row.seq, `record ${expected} is missing (next is ${row.seq})`);
    if (row.prev_hash !== prev) return fail(row.seq, 'prev_hash does not match the previous record');
    if (auditHash(prev, row) !== row.hash) return fail(row.seq, 'content does not match its hash (record was altered)');
    prev = row.hash;
    expected++;
    count++;
  }
  return { archive: { segments: segs.length, records: archived, dir }, chain: { ok: true, records: count, head: prev } };
}
