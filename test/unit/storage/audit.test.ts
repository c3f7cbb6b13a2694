import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openDatabase } from '../../../src/main/storage/db.ts';
import { appendAudit, verifyAuditChain, GENESIS_HASH } from '../../../src/main/storage/audit.ts';
import { verifyDatabase } from '../../../src/main/storage/verify.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { join } from 'node:path';

function seeded(n: number) {
  const file = join(tempDir(), 'station.db');
  const { db } = openDatabase(file);
  for (let i = 0; i < n; i++) appendAudit(db, { actor: 'test', kind: 'demo', subject: `s${i}`, payload: { i, text: '中文' } });
  return { db, file };
}

describe('the audit log', () => {
  it('chains every record to the one before it, starting from the genesis hash', () => {
    const { db } = seeded(5);
    const rows = db.prepare('SELECT seq, prev_hash, hash FROM audit_log ORDER BY seq').all() as { seq: number; prev_hash: string; hash: string }[];
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, records: 5 });
    db.close();
  });

  it('refuses UPDATE and DELETE through SQL', () => {
    const { db } = seeded(2);
    expect(() => db.prepare("UPDATE audit_log SET actor = 'x' WHERE seq = 1").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log WHERE seq = 2').run()).toThrow(/append-only/);
    db.close();
  });

  it('names the first altered record when someone edits around the triggers', () => {
    const { db, file } = seeded(6);
    db.close();
    const raw = new Database(file);
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.prepare("UPDATE audit_log SET payload = '{\"i\":99}' WHERE seq = 4").run();
    raw.close();
    const { db: again } = openDatabase(file);
    const result = verifyAuditChain(again);
    expect(result).toMatchObject({ ok: false, brokenAt: 4 });
    expect(verifyDatabase(again).ok).toBe(false);
    again.close();
  });

  it('detects a deleted record in the middle of the chain', () => {
    const { db, file } = seeded(5);
    db.close();
    const raw = new Database(file);
    raw.exec('DROP TRIGGER audit_log_no_delete');
    raw.prepare('DELETE FROM audit_log WHERE seq = 3').run();
    raw.close();
    const { db: again } = openDatabase(file);
    expect(verifyAuditChain(again)).toMatchObject({ ok: false, brokenAt: 4 });
    again.close();
  });
});
