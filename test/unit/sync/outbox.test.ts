import { describe, expect, it } from 'vitest';
import { backlogStats, enqueue, markBacklogHistorical, NEXT_BACKLOG_SQL, NEXT_LIVE_SQL, nextBatch, settle } from '../../../src/main/sync/outbox.ts';
import { openStationDb, verdictPayload } from '../../helpers/sync.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('outbox', () => {
  it('commits or rolls back with the caller transaction', () => {
    const db = openStationDb(tempDir());
    expect(() =>
      db.transaction(() => {
        enqueue(db, { kind: 'verdict', idemKey: 'V1', payload: verdictPayload(1) });
        throw new Error('decision failed');
      })(),
    ).toThrow('decision failed');
    expect(backlogStats(db).pending).toBe(0);
    db.transaction(() => enqueue(db, { kind: 'verdict', idemKey: 'V1', payload: verdictPayload(1) }))();
    expect(backlogStats(db).pending).toBe(1);
  });

  it('is idempotent by key: same content is a no-op, different content is refused', () => {
    const db = openStationDb(tempDir());
    expect(enqueue(db, { kind: 'verdict', idemKey: 'V1', payload: { a: 1, b: 2 } })).toBe(true);
    expect(enqueue(db, { kind: 'verdict', idemKey: 'V1', payload: { b: 2, a: 1 } })).toBe(false);
    expect(() => enqueue(db, { kind: 'verdict', idemKey: 'V1', payload: { a: 2 } })).toThrow(/already enqueued with different content/);
    expect(() => enqueue(db, { kind: 'verdict', idemKey: 'bad key!', payload: {} })).toThrow(/idempotency key/);
    expect(() => enqueue(db, { kind: 'nonsense' as 'verdict', idemKey: 'X', payload: {} })).toThrow(/unknown kind/);
  });

  it('reads the next batch through the pending index, never by scanning the outbox (acked rows stay for days)', () => {
    const db = openStationDb(tempDir());
    for (const sql of [NEXT_LIVE_SQL, NEXT_BACKLOG_SQL]) {
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(0, 10) as { detail: string }[]).map((r) => r.detail);
      expect(plan.filter((d) => /outbox/.test(d))).not.toHaveLength(0);
      for (const d of plan.filter((x) => /outbox/.test(x))) expect(d).toMatch(/^SEARCH outbox USING INDEX outbox_pending/);
    }
  });

  it('hands out live items before the replayed backlog, each in enqueue order', () => {
    const db = openStationDb(tempDir());
    for (let i = 1; i <= 4; i++) enqueue(db, { kind: 'verdict', idemKey: `B${i}`, payload: verdictPayload(i) });
    expect(markBacklogHistorical(db)).toBe(4);
    for (let i = 1; i <= 2; i++) enqueue(db, { kind: 'metrics', idemKey: `L${i}`, payload: { n: i } });
    expect(nextBatch(db, 10).map((r) => [r.idem_key, r.historical])).toEqual([
      ['L1', 0],
      ['L2', 0],
      ['B1', 1],
      ['B2', 1],
      ['B3', 1],
      ['B4', 1],
    ]);
    expect(nextBatch(db, 3).map((r) => r.idem_key)).toEqual(['L1', 'L2', 'B1']);
  });

  it('keeps acked and rejected items out of later batches and counts the backlog', () => {
    const db = openStationDb(tempDir());
    for (let i = 1; i <= 5; i++) enqueue(db, { kind: 'verdict', idemKey: `V${i}`, payload: verdictPayload(i), createdAt: `2026-01-01T00:00:0${i}.000Z` });
    const [a, b, c] = nextBatch(db, 3);
    settle(db, { acked: [a!.id], rejected: [{ id: b!.id, error: 'conflict' }], retry: [c!.id] }, '2026-01-01T00:01:00.000Z');
    expect(nextBatch(db, 10).map((r) => r.idem_key)).toEqual(['V3', 'V4', 'V5']);
    expect(backlogStats(db)).toEqual({ pending: 3, historical: 0, rejected: 1, oldestPendingAt: '2026-01-01T00:00:03.000Z' });
    const row = db.prepare("SELECT attempts, last_error FROM outbox WHERE idem_key = 'V2'").get();
    expect(row).toEqual({ attempts: 1, last_error: 'conflict' });
  });

  it('marks the backlog of a second outage historical too, and keeps the mark across a restart', () => {
    const dir = tempDir();
    const db = openStationDb(dir);
    enqueue(db, { kind: 'verdict', idemKey: 'A1', payload: verdictPayload(1) });
    expect(markBacklogHistorical(db)).toBe(1);
    enqueue(db, { kind: 'verdict', idemKey: 'A2', payload: verdictPayload(2) });
    expect(backlogStats(db).historical).toBe(1);
    expect(markBacklogHistorical(db)).toBe(1);
    expect(markBacklogHistorical(db)).toBe(0);
    db.close();
    const again = openStationDb(dir);
    expect(nextBatch(again, 10).map((r) => [r.idem_key, r.historical])).toEqual([
      ['A1', 1],
      ['A2', 1],
    ]);
    expect(backlogStats(again).historical).toBe(2);
  });
});
