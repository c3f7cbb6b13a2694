import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleCore, type CoreDeps } from '../../../src/main/console/core.ts';
import { ParcelViews } from '../../../src/main/console/parcels.ts';
import type { ParcelView } from '../../../src/main/line/runtime.ts';
import { openDatabase } from '../../../src/main/storage/db.ts';
import type { ConsoleEvent } from '../../../src/shared/api.ts';
import { tempDir } from '../../helpers/tmp.ts';

/** Counts the views built; the rest of ParcelViews is the real one. */
class CountingViews extends ParcelViews {
  built = 0;
  override dto(v: ParcelView, at: number) {
    this.built++;
    return super.dto(v, at);
  }
}

describe('ConsoleCore line events', () => {
  it('builds views for every event while a console listens, and only for finished parcels while none does', async () => {
    const { db } = openDatabase(join(tempDir(), 'station.db'));
    const views = new CountingViews(db, () => [], { get: () => undefined });
    // Only `views`, `line` and `now` are reached by line events and the snapshot.
    const core = new ConsoleCore({ db, views, line: { activeParcels: () => [], operator: () => [] }, now: () => 5, stationId: 'st', lineId: 'l' } as unknown as CoreDeps);
    const view: ParcelView = { scanId: 'S1', barcodes: [], deadlineAt: 1, stage: 'inspecting' };
    const event = (stage: ParcelView['stage'], scanId = 'S1') => ({ type: 'parcel' as const, parcel: { ...view, scanId, stage }, at: 2 });

    core.onLineEvent(event('inspecting'));
    core.onLineEvent(event('signalled'));
    expect(views.built).toBe(0);
    core.onLineEvent(event('done'));
    expect(views.built).toBe(1);

    const seen: ConsoleEvent[] = [];
    const stop = core.subscribe((e) => seen.push(e));
    core.onLineEvent(event('inspecting', 'S2'));
    core.onLineEvent(event('done', 'S2'));
    expect(views.built).toBe(3);
    expect(seen.map((e) => (e.type === 'parcel' ? `${e.parcel.scanId}:${e.parcel.stage}` : e.type))).toEqual(['S2:inspecting', 'S2:done']);
    stop();

    // A console connecting later still gets both finished parcels, newest first.
    const snap = await core.handle({ user: { name: 'op', role: 'operator' } } as never, 'line.snapshot', {});
    expect(snap.ok && (snap.data as { recent: { scanId: string }[] }).recent.map((p) => p.scanId)).toEqual(['S2', 'S1']);
    db.close();
  });
});
