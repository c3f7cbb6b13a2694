import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Importer } from '../../src/main/aed/import.ts';
import { loadPiiKey } from '../../src/main/aed/pii.ts';
import { openDatabase } from '../../src/main/storage/db.ts';
import { station } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

const F = (name: string) => join('test/fixtures/ceb', name);

/** All good fixtures, deliberately out of order: receipts and payments before what they refer to. */
const GOOD = [
  'ceb622-receipts.xml',
  'ceb411-payment.xml',
  'ceb621-inventory.xml',
  'ceb511-waybill.xml',
  'ceb311-order.xml',
  'ceb621-two-inventories.xml',
  'ceb411-amount-disagrees.xml',
  'ceb311-two-orders.xml',
  'parcel-4.jsonl',
].map(F);

const PII = ['110101199001011234', '110101199202022345', '110101199303033456', '110101199404044567', '110101199505055678', '110101199606066789', '13800000000', '13900000000', '13700000000', '13300000000', '13600000000', '北京市测试区示例路1号', '上海市测试区样例街2号', '杭州市测试区示范路4号', '深圳市测试区演示路6号'];

function count(dataDir: string, table: string, where = '1'): number {
  const { db } = openDatabase(join(dataDir, 'station.db'), { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}

// Each test spawns the CLI a few times; on a loaded two-core machine one start can take seconds.
describe('station import', { timeout: 90_000 }, () => {
  it('imports every message type in any order and prints the per-parcel cross-check summary as JSON', async () => {
    const dir = tempDir();
    const r = await station(['import', '--data-dir', dir, '--json', ...GOOD]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as {
      files: { file: string; status: string; type: string; records: number }[];
      imported: Record<string, number>;
      rejected: number;
      parcels: { logisticsNo: string; state: string; failed: string[]; missing: string[] }[];
    };
    expect(out.files.map((f) => f.status)).toEqual(GOOD.map(() => 'imported'));
    expect(out.files.map((f) => f.type)).toEqual(['CEB622', 'CEB411', 'CEB621', 'CEB511', 'CEB311', 'CEB621', 'CEB411', 'CEB311', 'MIXED']);
    expect(out.imported).toEqual({ CEB622: 3, CEB411: 3, CEB621: 4, CEB511: 2, CEB311: 4, CONTROL: 1 });
    expect(out.rejected).toBe(0);
    expect(out.parcels).toEqual([
      { logisticsNo: 'SF1000000000001', logisticsCode: '4401980003', state: 'COMPLETE', failed: [], missing: [] },
      { logisticsNo: 'SF1000000000002', logisticsCode: '4401980003', state: 'INCONSISTENT', failed: ['X05'], missing: ['waybill'] },
      { logisticsNo: 'SF1000000000003', logisticsCode: '4401980003', state: 'INCOMPLETE', failed: [], missing: ['payment', 'waybill'] },
      { logisticsNo: 'SF1000000000004', logisticsCode: '4401980003', state: 'COMPLETE', failed: [], missing: [] },
    ]);
    const verify = await station(['verify', '--data-dir', dir]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('audit chain:  ok, 9 records');
  });

  it('rejects a bad file whole, says where and why, keeps going with the next file and exits 1', async () => {
    const dir = tempDir();
    const bad = ['ceb621-second-node-missing-field.xml', 'malformed.xml', 'wrong-namespace.xml', 'doctype-entity.xml'].map(F);
    const r = await station(['import', '--data-dir', dir, '--json', ...bad, F('ceb621-inventory.xml')]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout) as { files: { status: string; error?: { code: string; path: string; message: string } }[]; rejected: number };
    expect(out.rejected).toBe(4);
    expect(out.files.map((f) => f.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected', 'imported']);
    expect(out.files.map((f) => f.error?.code)).toEqual(['IMPORT_INVALID', 'IMPORT_MALFORMED', 'IMPORT_WRONG_NAMESPACE', 'IMPORT_MALFORMED', undefined]);
    expect(out.files[0]!.error).toMatchObject({ path: '/ceb:CEB621Message/ceb:Inventory[2]/ceb:InventoryHead/ceb:grossWeight' });
    expect(out.files[0]!.error!.message).toContain('ceb621-second-node-missing-field.xml');
    // The valid FIRST node of the rejected file was not stored either.
    expect(count(dir, 'aed_inventory', "logistics_no = 'SF1000000000005'")).toBe(0);
    expect(count(dir, 'aed_inventory')).toBe(1);
    expect(count(dir, 'aed_file')).toBe(1);

    const human = await station(['import', '--data-dir', dir, F('ceb621-second-node-missing-field.xml')]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/✗ .*ceb621-second-node-missing-field\.xml: rejected, nothing stored: \/ceb:CEB621Message\/ceb:Inventory\[2\]\/ceb:InventoryHead\/ceb:grossWeight: required field is missing/);
    expect(human.stdout).toContain('next: correct the rejected files');
  });

  it('reports an identical file imported again as a duplicate and changes nothing', async () => {
    const dir = tempDir();
    expect((await station(['import', '--data-dir', dir, F('ceb621-two-inventories.xml')])).code).toBe(0);
    const again = await station(['import', '--data-dir', dir, '--json', F('ceb621-two-inventories.xml')]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ files: [{ status: 'duplicate', type: 'CEB621', records: 2 }], imported: {} });
    expect(count(dir, 'audit_log')).toBe(1);
    expect(count(dir, 'aed_inventory')).toBe(2);
  });

  it('refuses a file over the size limit with a clear message', () => {
    const dir = tempDir();
    const { db } = openDatabase(join(dir, 'station.db'));
    const importer = new Importer(db, loadPiiKey(dir), { maxBytes: 1024 });
    const r = importer.importFile(F('ceb621-inventory.xml'));
    expect(r).toMatchObject({ status: 'rejected', error: { code: 'IMPORT_UNREADABLE' } });
    expect(r.error!.message).toMatch(/ceb621-inventory\.xml: \/: file is \d+ bytes, larger than the 1024 bytes limit; split it/);
    expect(importer.importFile(F('no-such-file.xml')).error).toMatchObject({ code: 'IMPORT_UNREADABLE' });
    db.close();
  });

  it('never writes personal data to the database, its WAL or the command output', async () => {
    const dir = tempDir();
    const all = [...GOOD, F('ceb621-second-node-missing-field.xml')];
    const human = await station(['import', '--data-dir', dir, ...all]);
    const json = await station(['import', '--data-dir', dir, '--json', ...all]);
    expect(human.code).toBe(1); // the bad file is rejected; its PII must not leak through the error either
    // While a process holds the database open its WAL is on disk too: import in-process and keep it open.
    const { db } = openDatabase(join(dir, 'station.db'));
    const another = join(tempDir(), 'parcel-44.jsonl');
    writeFileSync(another, readFileSync(F('parcel-4.jsonl'), 'utf8').replaceAll('SF1000000000004', 'SF1000000000044').replaceAll('ORD20250303004', 'ORD20250303044'));
    expect(new Importer(db, loadPiiKey(dir)).importFile(another).status).toBe('imported');
    const files = filesUnder(dir).filter((f) => !f.endsWith('pii.key'));
    expect(files.filter((f) => f.endsWith('-wal')).map((f) => statSync(f).size)).toEqual([expect.any(Number)]);
    expect(statSync(join(dir, 'station.db-wal')).size).toBeGreaterThan(0);
    const haystacks = [...files.map((f) => ({ name: f, bytes: readFileSync(f) })), ...[human, json].flatMap((r, i) => [
      { name: `stdout ${i}`, bytes: Buffer.from(r.stdout) },
      { name: `stderr ${i}`, bytes: Buffer.from(r.stderr) },
    ])];
    for (const { name, bytes } of haystacks) {
      for (const v of PII) expect(bytes.includes(Buffer.from(v, 'utf8')), `${v} found in ${name}`).toBe(false);
    }
    // The same bytes do contain the non-personal parcel data, so the scan would see PII if it were there.
    expect(readFileSync(join(dir, 'station.db')).includes(Buffer.from('SF1000000000001'))).toBe(true);
    expect(readFileSync(join(dir, 'station.db-wal')).includes(Buffer.from('SF1000000000044'))).toBe(true);
    db.close();
  });
});
