import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { appendAudit, verifyAuditChain, type AuditRow } from '../../../src/main/storage/audit.ts';
import { archiveAudit, verifyArchivedChain } from '../../../src/main/storage/audit-archive.ts';
import { openDatabase, type Db } from '../../../src/main/storage/db.ts';
import { storeImage } from '../../../src/main/storage/images.ts';
import { runRetention } from '../../../src/main/storage/retention.ts';
import { verifyDatabase } from '../../../src/main/storage/verify.ts';
import { tempDir } from '../../helpers/tmp.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-27T12:00:00Z');
const iso = (daysAgo: number): string => new Date(NOW - daysAgo * DAY).toISOString();

interface ParcelSpec {
  id: string;
  ageDays: number;
  /** acked: verdict synced; pending: in the outbox; none: never decided; rejected: refused centrally. */
  sync: 'acked' | 'pending' | 'none' | 'rejected';
  state?: string;
  labelled?: boolean;
  /** Distinct image bytes unless two parcels share a key. */
  imageKey?: string;
  imageBytes?: number;
}

function open(memory = false): { db: Db; dir: string; images: string; archive: string } {
  const dir = tempDir();
  const { db } = openDatabase(memory ? ':memory:' : join(dir, 'station.db'));
  return { db, dir, images: join(dir, 'images'), archive: join(dir, 'audit-archive') };
}

async function addParcel(db: Db, images: string, p: ParcelSpec): Promise<string> {
  const at = iso(p.ageDays);
  const bytes = Buffer.alloc(p.imageBytes ?? 1000, 0);
  bytes.write(p.imageKey ?? p.id);
  const img = await storeImage(images, bytes, 'png');
  db.prepare('INSERT OR IGNORE INTO image (sha256, rel_path, format, width, height, bytes, created_at) VALUES (?, ?, ?, 1, 1, ?, ?)').run(
    img.sha256,
    img.relPath,
    'png',
    bytes.byteLength,
    at,
  );
  db.prepare("INSERT INTO parcel (scan_id, station_id, line_id, logistics_no, state, image_sha256, created_at, updated_at) VALUES (?, 'S1', 'L1', ?, ?, ?, ?, ?)").run(
    p.id,
    `WB${p.id}`,
    p.state ?? (p.sync === 'none' ? 'inspecting' : 'done'),
    img.sha256,
    at,
    at,
  );
  db.prepare("INSERT INTO detection (scan_id, model, label, score, x1, y1, x2, y2) VALUES (?, 'm', 'knife', 0.9, 0, 0, 1, 1)").run(p.id);
  if (p.sync !== 'none') {
    const v = `V${p.id}`;
    db.prepare("INSERT INTO verdict (verdict_id, scan_id, action, reasons, rule_set, model, decided_by, decided_at) VALUES (?, ?, 'HOLD', '[]', 'r', 'm', 'AUTO', ?)").run(v, p.id, at);
    db.prepare("INSERT INTO outbox (idem_key, kind, payload, created_at, acked_at, rejected_at) VALUES (?, 'verdict', '{}', ?, ?, ?)").run(
      v,
      at,
      p.sync === 'acked' ? at : null,
      p.sync === 'rejected' ? at : null,
    );
  }
  if (p.labelled) {
    db.prepare("INSERT INTO account (name, role, password_hash, created_at) VALUES ('op', 'operator', 'x', ?) ON CONFLICT DO NOTHING").run(at);
    db.prepare("INSERT INTO label (scan_id, kind, label, x1, y1, x2, y2, by_account, at) VALUES (?, 'add', 'knife', 0, 0, 1, 1, 'op', ?)").run(p.id, at);
  }
  return join(images, img.relPath);
}

const policy = { imageDays: 30, maxImageStoreMb: 1000, recordDays: 365 };
const dirs = (o: { images: string; archive: string }) => ({ images: o.images, auditArchive: o.archive });

describe('retention', () => {
  it('purges old images of synced parcels only, keeping the row and never touching unsynced, undecided or labelled ones', async () => {
    const o = open();
    const files = {
      synced: await addParcel(o.db, o.images, { id: 'a', ageDays: 40, sync: 'acked' }),
      young: await addParcel(o.db, o.images, { id: 'b', ageDays: 10, sync: 'acked' }),
      pending: await addParcel(o.db, o.images, { id: 'c', ageDays: 40, sync: 'pending' }),
      rejected: await addParcel(o.db, o.images, { id: 'd', ageDays: 40, sync: 'rejected' }),
      inFlight: await addParcel(o.db, o.images, { id: 'e', ageDays: 40, sync: 'none' }),
      labelled: await addParcel(o.db, o.images, { id: 'f', ageDays: 40, sync: 'acked', labelled: true }),
      // one image, two parcels: one synced, one not → kept
      shared: await addParcel(o.db, o.images, { id: 'g', ageDays: 40, sync: 'acked', imageKey: 'same' }),
    };
    await addParcel(o.db, o.images, { id: 'h', ageDays: 40, sync: 'pending', imageKey: 'same' });
    const r = await runRetention(o.db, dirs(o), policy, NOW);
    expect(r.imagesPurged).toBe(1);
    expect(existsSync(files.synced)).toBe(false);
    for (const f of [files.young, files.pending, files.rejected, files.inFlight, files.labelled, files.shared]) expect(existsSync(f)).toBe(true);
    const row = o.db.prepare("SELECT i.purged_at FROM parcel p JOIN image i ON i.sha256 = p.image_sha256 WHERE p.scan_id = 'a'").get() as { purged_at: string | null };
    expect(row.purged_at).toBe(new Date(NOW).toISOString());
    // idempotent
    expect((await runRetention(o.db, dirs(o), policy, NOW)).imagesPurged).toBe(0);
    o.db.close();
  });

  it('keeps the image store under its byte budget by purging the oldest synced images first, and reports when only unsynced ones are left', async () => {
    const o = open();
    const old = await addParcel(o.db, o.images, { id: 'old', ageDays: 3, sync: 'acked', imageBytes: 600_000 });
    const newer = await addParcel(o.db, o.images, { id: 'new', ageDays: 1, sync: 'acked', imageBytes: 600_000 });
    const unsynced = await addParcel(o.db, o.images, { id: 'uns', ageDays: 5, sync: 'pending', imageBytes: 600_000 });
    let r = await runRetention(o.db, dirs(o), { ...policy, maxImageStoreMb: 1.3 }, NOW);
    expect(r.imagesPurged).toBe(1);
    expect(existsSync(old)).toBe(false);
    expect(existsSync(newer)).toBe(true);
    expect(r.imageStoreMb).toBeLessThanOrEqual(1.3);
    expect(r.overBudgetUnsynced).toBe(false);
    r = await runRetention(o.db, dirs(o), { ...policy, maxImageStoreMb: 0.1 }, NOW);
    expect(existsSync(newer)).toBe(false);
    expect(existsSync(unsynced)).toBe(true);
    expect(r.overBudgetUnsynced).toBe(true);
    o.db.close();
  });

  it('deletes synced parcels past the record age with everything hanging off them, and old declarations; the database stays consistent', async () => {
    const o = open();
    await addParcel(o.db, o.images, { id: 'old', ageDays: 400, sync: 'acked' });
    await addParcel(o.db, o.images, { id: 'oldPending', ageDays: 400, sync: 'pending' });
    await addParcel(o.db, o.images, { id: 'recent', ageDays: 100, sync: 'acked' });
    o.db.prepare(
      "INSERT INTO aed_waybill (logistics_code, logistics_no, order_no, guid, app_time, content_hash, doc, received_at) VALUES ('C', 'W1', 'O1', 'g', ?, 'h', '{}', ?)",
    ).run(iso(400), iso(400));
    const r = await runRetention(o.db, dirs(o), policy, NOW);
    expect(r.parcelsDeleted).toBe(1);
    expect(r.declarationsDeleted).toBe(1);
    const ids = (o.db.prepare('SELECT scan_id FROM parcel ORDER BY scan_id').all() as { scan_id: string }[]).map((x) => x.scan_id);
    expect(ids).toEqual(['oldPending', 'recent']);
    expect(o.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE idem_key = 'VoldPending'").get()).toEqual({ n: 1 });
    expect(o.db.prepare("SELECT COUNT(*) AS n FROM detection WHERE scan_id = 'old'").get()).toEqual({ n: 0 });
    expect(verifyDatabase(o.db, o.archive).ok).toBe(true);
    o.db.close();
  });

  it('runs on successive days: a parcel whose image went first is still deleted when its record ages out', async () => {
    const o = open();
    await addParcel(o.db, o.images, { id: 'a', ageDays: 0, sync: 'acked' });
    const day = (d: number) => NOW + d * DAY;
    expect((await runRetention(o.db, dirs(o), policy, day(40))).imagesPurged).toBe(1);
    expect((await runRetention(o.db, dirs(o), policy, day(200))).parcelsDeleted).toBe(0);
    const r = await runRetention(o.db, dirs(o), policy, day(400));
    expect(r.parcelsDeleted).toBe(1);
    expect(r.outboxDeleted).toBe(1);
    expect(o.db.prepare('SELECT COUNT(*) AS n FROM image').get()).toEqual({ n: 0 });
    expect(verifyDatabase(o.db, o.archive).ok).toBe(true);
    o.db.close();
  });

  it('archives old audit records into segments that verify from genesis; unarchived records still cannot be deleted', async () => {
    const o = open();
    for (let i = 0; i < 30; i++) appendAudit(o.db, { actor: 't', kind: 'k', payload: { i }, at: iso(400 - i) });
    for (let i = 0; i < 5; i++) appendAudit(o.db, { actor: 't', kind: 'k', payload: { j: i }, at: iso(1) });
    const r = await runRetention(o.db, dirs(o), policy, NOW);
    const left = (o.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n;
    expect(r.auditArchived).toBe(30);
    expect(left).toBe(35 - 30);
    const report = verifyDatabase(o.db, o.archive);
    expect(report.ok).toBe(true);
    expect(report.archive?.records).toBe(r.auditArchived);
    expect(report.audit.records).toBe(35);
    expect(() => o.db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => o.db.prepare("UPDATE station_meta SET value = '1' WHERE key = 'audit_archived_upto'").run()).toThrow(/only moves forward/);
    // new records keep chaining onto the archived head
    appendAudit(o.db, { actor: 't', kind: 'k', payload: { after: true } });
    expect(verifyDatabase(o.db, o.archive).ok).toBe(true);
    o.db.close();
  });

  it('names a tampered or missing archive segment, and clears the orphan a crash left behind', async () => {
    const o = open();
    for (let i = 0; i < 12; i++) appendAudit(o.db, { actor: 't', kind: 'k', payload: { i }, at: iso(400 - i) });
    await archiveAudit(o.db, o.archive, iso(395));
    const [seg] = readdirSync(o.archive);
    expect(seg).toMatch(/^audit-000000000001-000000000005\.jsonl\.gz$/);
    // an orphan (segment written, watermark never committed) is rewritten, not trusted
    writeFileSync(join(o.archive, 'audit-000000000006-000000000009.jsonl.gz'), 'junk');
    await archiveAudit(o.db, o.archive, iso(392));
    expect(verifyArchivedChain(o.db, o.archive).chain.ok).toBe(true);
    writeFileSync(join(o.archive, seg!), 'not gzip');
    const bad = verifyArchivedChain(o.db, o.archive).chain;
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problem).toMatch(/unreadable/);
    rmSync(join(o.archive, seg!));
    const missing = verifyArchivedChain(o.db, o.archive).chain;
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.problem).toMatch(/missing/);
    o.db.close();
  });

  it('archives in order up to the first record that is not old enough, even if older ones follow (a clock step)', async () => {
    const o = open();
    for (const age of [400, 399, 10, 398, 397]) appendAudit(o.db, { actor: 't', kind: 'k', payload: { age }, at: iso(age) });
    const r = await archiveAudit(o.db, o.archive, iso(365));
    expect(r).toMatchObject({ archived: 2, upto: 2 });
    expect(verifyArchivedChain(o.db, o.archive).chain.ok).toBe(true);
    o.db.close();
  });

  it('skips and then deletes archived records a crash left behind the watermark, and chains on when every record was archived', async () => {
    const o = open();
    for (let i = 0; i < 8; i++) appendAudit(o.db, { actor: 't', kind: 'k', payload: { i }, at: iso(400 - i) });
    await archiveAudit(o.db, o.archive, iso(396)); // 1-4 archived
    // A crash after the watermark of 5-8's segment and before its deletes: write the segment, move the watermark, keep the rows.
    const rows = o.db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[];
    writeFileSync(join(o.archive, 'audit-000000000005-000000000008.jsonl.gz'), gzipSync(rows.map((r) => JSON.stringify(r)).join('\n') + '\n'));
    o.db.prepare("UPDATE station_meta SET value = '8' WHERE key = 'audit_archived_upto'").run();
    o.db.prepare("UPDATE station_meta SET value = ? WHERE key = 'audit_archived_head'").run(rows.at(-1)!.hash);
    expect(verifyArchivedChain(o.db, o.archive).chain.ok).toBe(true);
    expect(verifyAuditChain(o.db)).toMatchObject({ ok: true, records: 0 });
    await archiveAudit(o.db, o.archive, iso(1));
    expect((o.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }).n).toBe(0);
    // Every record archived: the next one still chains onto the archived head, not onto genesis.
    expect(appendAudit(o.db, { actor: 't', kind: 'k', payload: { after: true } })).toMatchObject({ seq: 9, prev_hash: rows.at(-1)!.hash });
    expect(verifyArchivedChain(o.db, o.archive).chain).toMatchObject({ ok: true, records: 9 });
    o.db.close();
  });

  it('lets the event loop run while it archives many records, and writes one verifiable segment per 50,000', async () => {
    const o = open();
    o.db.transaction(() => {
      for (let i = 0; i < 60_000; i++) appendAudit(o.db, { actor: 't', kind: 'k', subject: `s${i}`, payload: { i }, at: iso(400) });
    })();
    let ticks = 0;
    let ticking = true;
    const tick = (): void => {
      ticks++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const r = await archiveAudit(o.db, o.archive, iso(365));
    ticking = false;
    expect(r.archived).toBe(60_000);
    expect(r.segments).toEqual(['audit-000000000001-000000050000.jsonl.gz', 'audit-000000050001-000000060000.jsonl.gz']);
    // 30 slices of 2,000 rows, a gzip and a durable write per segment: the loop turned many times.
    expect(ticks).toBeGreaterThan(30);
    const v = verifyArchivedChain(o.db, o.archive);
    expect(v.chain.ok).toBe(true);
    expect(v.archive.records).toBe(60_000);
    o.db.close();
  });

  it('property: whatever the ages, states and sync states, nothing unsynced loses a row or its image', async () => {
    const spec = fc.array(
      fc.record({
        ageDays: fc.integer({ min: 0, max: 800 }),
        sync: fc.constantFrom('acked', 'pending', 'none', 'rejected') as fc.Arbitrary<ParcelSpec['sync']>,
        state: fc.constantFrom('done', 'signalled', 'inspecting', 'review'),
        labelled: fc.boolean(),
        share: fc.integer({ min: 0, max: 5 }),
        budgetMb: fc.constantFrom(0.001, 1000),
      }),
      { minLength: 1, maxLength: 12 },
    );
    await fc.assert(
      fc.asyncProperty(spec, async (parcels) => {
        const o = open(true);
        const files: { id: string; file: string; keep: boolean }[] = [];
        for (const [i, p] of parcels.entries()) {
          const id = `p${i}`;
          const file = await addParcel(o.db, o.images, { id, ageDays: p.ageDays, sync: p.sync, state: p.sync === 'none' ? 'inspecting' : p.state, labelled: p.labelled, imageKey: `k${p.share}` });
          const settled = (p.sync === 'acked') && ['done', 'signalled'].includes(p.state);
          files.push({ id, file, keep: !settled });
        }
        await runRetention(o.db, dirs(o), { imageDays: 30, recordDays: 365, maxImageStoreMb: parcels[0]!.budgetMb }, NOW);
        for (const f of files.filter((x) => x.keep)) {
          expect(o.db.prepare('SELECT COUNT(*) AS n FROM parcel WHERE scan_id = ?').get(f.id)).toEqual({ n: 1 });
          expect(existsSync(f.file)).toBe(true);
        }
        expect(verifyDatabase(o.db, o.archive).ok).toBe(true);
        o.db.close();
      }),
      { numRuns: 40 },
    );
  });
});
