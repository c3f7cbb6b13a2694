import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, withoutFsync, type Db } from '../../../src/main/storage/db.ts';
import { tempDir } from '../../helpers/tmp.ts';

const open: Db[] = [];
afterEach(() => {
  while (open.length) open.pop()!.close();
});

const sync = (db: Db) => db.pragma('synchronous', { simple: true });

describe('withoutFsync', () => {
  it('writes with synchronous=NORMAL and puts FULL back, also when the write throws', () => {
    const { db } = openDatabase(join(tempDir(), 'station.db'));
    open.push(db);
    db.exec('CREATE TABLE t (x INTEGER)');
    expect(sync(db)).toBe(2); // FULL
    const seen = withoutFsync(db, () => {
      db.prepare('INSERT INTO t VALUES (1)').run();
      return sync(db);
    });
    expect(seen).toBe(1); // NORMAL inside
    expect(sync(db)).toBe(2);
    expect(() =>
      withoutFsync(db, () => {
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(sync(db)).toBe(2);
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
  });

  it('inside a transaction leaves the level to the outer commit (SQLite refuses to change it there)', () => {
    const { db } = openDatabase(join(tempDir(), 'station.db'));
    open.push(db);
    db.exec('CREATE TABLE t (x INTEGER)');
    db.transaction(() => {
      withoutFsync(db, () => db.prepare('INSERT INTO t VALUES (1)').run());
      expect(sync(db)).toBe(2);
    })();
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 1 });
  });
});
