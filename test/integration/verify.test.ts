import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openDatabase } from '../../src/main/storage/db.ts';
import { appendAudit } from '../../src/main/storage/audit.ts';
import { stationSync } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

function seed(dir: string, n: number): void {
  const { db } = openDatabase(join(dir, 'station.db'));
  for (let i = 0; i < n; i++) appendAudit(db, { actor: 'test', kind: 'seed', payload: { i } });
  db.close();
}

describe('station verify', () => {
  it('passes on an intact database and reports the chain length as JSON', () => {
    const dir = tempDir();
    seed(dir, 3);
    const r = stationSync(['verify', '--data-dir', dir, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ ok: true, integrity: ['ok'], foreignKeyViolations: [], audit: { ok: true, records: 3 } });
  });

  it('exits non-zero naming the first broken record when the audit log was tampered with', () => {
    const dir = tempDir();
    seed(dir, 5);
    const raw = new Database(join(dir, 'station.db'));
    raw.exec('DROP TRIGGER audit_log_no_update');
    raw.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2").run();
    raw.close();
    const r = stationSync(['verify', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('BROKEN at record 2');
    expect(r.stderr).toContain('first problem: audit record 2');
  });

  it('tells the user what to do when there is no database yet', () => {
    const r = stationSync(['verify', '--data-dir', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no station database .* run `station import`/);
  });
});

describe('station ports', () => {
  it('lists serial ports as JSON (none on a machine without USB serial devices)', () => {
    const r = stationSync(['ports', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { ports: { path: string }[] };
    expect(Array.isArray(out.ports)).toBe(true);
    for (const p of out.ports) expect(p.path).toMatch(/^\/dev\//);
  });
});
