import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParcelViews } from '../../../src/main/console/parcels.ts';
import { ParcelRepository } from '../../../src/main/line/repository.ts';
import type { ParcelView } from '../../../src/main/line/runtime.ts';
import { openDatabase } from '../../../src/main/storage/db.ts';
import type { Declaration } from '../../../src/shared/domain/aed.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('ParcelViews', () => {
  it("reads a parcel's declaration once and its detections again only until the decision is committed", () => {
    const { db } = openDatabase(join(tempDir(), 'station.db'));
    const repo = new ParcelRepository(db);
    const lookups: string[] = [];
    const declaration = { logisticsNo: 'SF1', grossWeightKg: 1.5, lines: [] } as unknown as Declaration;
    const views = new ParcelViews(db, (no) => (lookups.push(no), [declaration]), { get: () => undefined });
    repo.createParcel({ scanId: 'S1', stationId: 'st', lineId: 'l', logisticsNo: 'SF1', barcodes: ['SF1'], deadlineAt: '2026-11-27T10:00:01.000Z', createdAt: '2026-11-27T10:00:00.000Z' });
    const view: ParcelView = { scanId: 'S1', logisticsNo: 'SF1', barcodes: ['SF1'], deadlineAt: 1, stage: 'inspecting' };

    expect(views.dto(view, 1).detections).toEqual([]);
    // The verdict's transaction writes the detections; the event after it must show them.
    repo.commitVerdict(
      { verdictId: 'V1', scanId: 'S1', logisticsNo: 'SF1', action: 'HOLD', reasons: [], ruleSet: 'r', model: 'm', decidedBy: 'AUTO', decidedAt: '2026-11-27T10:00:00.500Z' },
      'signalled',
      undefined,
      { model: 'm', list: [{ label: 'knife', score: 0.9, box: [1, 2, 3, 4] }] },
    );
    const decided: ParcelView = {
      ...view,
      stage: 'signalled',
      verdict: { action: 'HOLD', reasons: [], ruleSet: 'r', model: 'm', review: false, sampled: false } as unknown as NonNullable<ParcelView['verdict']>,
      decision: { action: 'HOLD', reasons: [], by: 'AUTO' },
      command: 'HOLD',
    };
    expect(views.dto(decided, 2).detections.map((d) => d.label)).toEqual(['knife']);
    expect(views.dto({ ...decided, stage: 'done', ack: 'ok' }, 3).detections.map((d) => d.label)).toEqual(['knife']);
    expect(views.dto({ ...decided, stage: 'done', ack: 'ok' }, 4).declaredWeightKg).toBe(1.5);
    expect(lookups).toEqual(['SF1']);
    db.close();
  });
});
