// Shared set-up for the AED unit tests: the hand-written CEB fixtures and a store on a real SQLite file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { openDatabase, type Db } from '../../../src/main/storage/db.ts';
import { parseFile } from '../../../src/main/aed/import.ts';
import type { AedRecord } from '../../../src/main/aed/records.ts';
import { AedStore } from '../../../src/main/aed/store.ts';
import { tempDir } from '../../helpers/tmp.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/ceb/', import.meta.url));

export function fixturePath(name: string): string {
  return join(FIXTURES, name);
}

export function fixtureText(name: string): string {
  return readFileSync(fixturePath(name), 'utf8');
}

/** Records of a fixture file, optionally after editing its text (change / delete variants). */
export function fixtureRecords(name: string, edit: (text: string) => string = (t) => t): AedRecord[] {
  return parseFile(name, Buffer.from(edit(fixtureText(name)), 'utf8'));
}

export function openStore(): { db: Db; store: AedStore; key: Buffer; dir: string } {
  const dir = tempDir();
  const { db } = openDatabase(join(dir, 'station.db'));
  const key = randomBytes(32);
  return { db, store: new AedStore(db, key), key, dir };
}

/** Applies records in one transaction, as the importer does, and recomputes the touched parcels. */
export function applyAll(store: AedStore, records: AedRecord[], at = new Date().toISOString()): string[] {
  return store.db.transaction(() => {
    const outcomes: string[] = [];
    for (const r of records) {
      const { outcome, parcels } = store.apply(r, at);
      outcomes.push(outcome);
      for (const p of parcels) store.recompute(p, at);
    }
    return outcomes;
  })();
}
