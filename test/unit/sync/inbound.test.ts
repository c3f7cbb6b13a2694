import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { DeltaBatch, DeltaItem, DeltaResponse } from '../../../src/shared/sync-api.ts';
import { createDeltaApplier, latestCentralPack, readCentralList, type AedSink } from '../../../src/main/sync/delta-apply.ts';
import { applyDeltaPage, readCursor, verifyDeltaPage } from '../../../src/main/sync/inbound.ts';
import { signCanonical } from '../../../src/main/sync/keys.ts';
import { openStationDb } from '../../helpers/sync.ts';
import { tempDir } from '../../helpers/tmp.ts';

const central = generateKeyPairSync('ed25519');
const at = '2026-03-01T10:00:00.000Z';

function item(seq: number, over: Partial<DeltaItem> = {}): DeltaItem {
  return { seq, kind: 'aeo_list', op: 'upsert', key: `EBC${seq}`, data: { name: `Enterprise ${seq}`, level: 'advanced' }, issuedAt: at, ...over };
}

function page(items: DeltaItem[], from = 0, over: Partial<DeltaBatch> = {}): DeltaResponse {
  const batch: DeltaBatch = { stationId: 'st-1', fromCursor: from, toCursor: items.at(-1)?.seq ?? from, more: false, issuedAt: at, items, ...over };
  return { batch, signature: signCanonical(central.privateKey, batch) };
}

/** The AED store seam, recording what it was given. */
function recordingAed(): AedSink & { applied: string[] } {
  const applied: string[] = [];
  return { applied, apply: (r) => (applied.push(r.type), { parcels: [] }), recompute: () => undefined };
}

describe('delta page verification', () => {
  it('accepts a page signed by the pinned key that answers our cursor', () => {
    const p = page([item(1), item(2)]);
    expect(verifyDeltaPage(p, central.publicKey, 'st-1', 0).items).toHaveLength(2);
  });

  it('rejects a tampered page, a page signed by another key, and a replayed or misaddressed page', () => {
    const tampered = page([item(1)]);
    (tampered.batch.items[0]!.data as Record<string, unknown>).level = 'none';
    expect(() => verifyDeltaPage(tampered, central.publicKey, 'st-1', 0)).toThrow(expect.objectContaining({ code: 'SYNC_BAD_SIGNATURE' }));
    const wrongKey = page([item(1)]);
    wrongKey.signature = signCanonical(generateKeyPairSync('ed25519').privateKey, wrongKey.batch);
    expect(() => verifyDeltaPage(wrongKey, central.publicKey, 'st-1', 0)).toThrow(expect.objectContaining({ code: 'SYNC_BAD_SIGNATURE' }));
    expect(() => verifyDeltaPage(page([item(1)]), central.publicKey, 'st-1', 5)).toThrow(expect.objectContaining({ code: 'SYNC_CURSOR_MISMATCH' }));
    expect(() => verifyDeltaPage(page([item(1)]), central.publicKey, 'st-2', 0)).toThrow(expect.objectContaining({ code: 'SYNC_CURSOR_MISMATCH' }));
    expect(() => verifyDeltaPage(page([item(2), item(1)], 0, { toCursor: 2 }), central.publicKey, 'st-1', 0)).toThrow(expect.objectContaining({ code: 'SYNC_DELTA_INVALID' }));
  });
});

describe('applying a delta page', () => {
  it('applies lists and packs with the cursor in one transaction', () => {
    const db = openStationDb(tempDir());
    const applier = createDeltaApplier(recordingAed());
    const rule = { kind: 'rule_pack', key: 'rules-2026.03.1', data: { version: 'rules-2026.03.1', rules: [] } } as const;
    applyDeltaPage(db, page([item(1), item(2), item(3, { ...rule })]).batch, applier, at);
    expect(readCursor(db)).toBe(3);
    expect([...readCentralList(db, 'aeo_list').keys()]).toEqual(['EBC1', 'EBC2']);
    expect(latestCentralPack(db, 'rule_pack')?.version).toBe('rules-2026.03.1');
    applyDeltaPage(db, page([item(4, { key: 'EBC1', op: 'delete' })], 3).batch, applier, at);
    expect([...readCentralList(db, 'aeo_list').keys()]).toEqual(['EBC2']);
  });

  it('applies nothing and keeps the cursor when one item is bad', () => {
    const db = openStationDb(tempDir());
    const applier = createDeltaApplier(recordingAed());
    const bad = item(2, { kind: 'control', data: { logisticsNo: 'SF1', kind: 'NOT_A_KIND', issuedAt: at } });
    expect(() => applyDeltaPage(db, page([item(1), bad]).batch, applier, at)).toThrow(/delta 2 \(control EBC2\): CONTROL record at kind/);
    expect(readCursor(db)).toBe(0);
    expect(readCentralList(db, 'aeo_list').size).toBe(0);
  });

  it('refuses a different pack under a version it already holds', () => {
    const db = openStationDb(tempDir());
    const applier = createDeltaApplier(recordingAed());
    applyDeltaPage(db, page([item(1, { kind: 'model_pack', key: 'det-1.0', data: { sha256: 'aa' } })]).batch, applier, at);
    expect(() => applyDeltaPage(db, page([item(2, { kind: 'model_pack', key: 'det-1.0', data: { sha256: 'bb' } })], 1).batch, applier, at)).toThrow(/different pack/);
    expect(readCursor(db)).toBe(1);
  });

  it('hands advance data, CEB622 statuses and control instructions to the AED store after validating them', () => {
    const db = openStationDb(tempDir());
    const aed = recordingAed();
    const applier = createDeltaApplier(aed);
    const control = item(1, { kind: 'control', key: 'SF0000000000001', data: { logisticsNo: 'SF0000000000001', kind: 'INSPECT', issuedAt: at } });
    applyDeltaPage(db, page([control]).batch, applier, at);
    expect(aed.applied).toEqual(['CONTROL']);
    const wrongType = item(2, { kind: 'aed', data: { type: 'CEB999', record: {} } });
    expect(() => applyDeltaPage(db, page([wrongType], 1).batch, applier, at)).toThrow(/data.type must be one of/);
  });
});
