import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntheticParcel, toJsonLine } from '../../src/main/aed/synthetic.ts';
import { openDatabase } from '../../src/main/storage/db.ts';
import { ROOT, STATION_BIN, station } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

const RECORDS = 10_000; // the importer announces files from 10,000 records on; storing them takes a while

function inventories(dir: string): number {
  const { db } = openDatabase(join(dir, 'station.db'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM aed_inventory').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('an import killed half-way', () => {
  it('leaves the database consistent with none of the file, and a re-import completes', async () => {
    const dir = tempDir();
    const file = join(tempDir(), 'big.jsonl');
    writeFileSync(file, Array.from({ length: RECORDS }, (_, i) => toJsonLine({ type: 'CEB621', record: syntheticParcel(i).inventory })).join('\n'));
    // A first file, so the database exists and has an audit record before the killed run.
    expect((await station(['import', '--data-dir', dir, 'test/fixtures/ceb/ceb621-inventory.xml'])).code).toBe(0);

    const child = spawn(process.execPath, [STATION_BIN, 'import', '--data-dir', dir, file], { cwd: ROOT });
    const killed = await new Promise<{ signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // "storing N records…" is printed once the first 1,000 records are written: mid-transaction.
        if (stderr.includes('storing')) setTimeout(() => child.kill('SIGKILL'), 200);
      });
      child.on('close', (_code, signal) => resolve({ signal, stderr }));
    });
    expect(killed.stderr).toContain(`storing ${RECORDS} records`);
    expect(killed.signal).toBe('SIGKILL');

    const verify = await station(['verify', '--data-dir', dir]);
    expect(verify.stdout + verify.stderr).toMatch(/audit chain: {2}ok, [12] records/);
    expect(verify.code).toBe(0);
    // All or nothing of the killed file (nothing, unless the machine finished it within 200 ms).
    const after = inventories(dir);
    expect([1, RECORDS + 1]).toContain(after);

    const again = await station(['import', '--data-dir', dir, '--json', file]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ files: [{ status: after === 1 ? 'imported' : 'duplicate', records: RECORDS }] });
    expect(inventories(dir)).toBe(RECORDS + 1);
    expect((await station(['verify', '--data-dir', dir])).code).toBe(0);
  }, 180_000);
});
