import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { itemSigningContent, type OutboundItem } from '../../../src/shared/sync-api.ts';
import { openClearanceDb } from '../../../src/main/clearance/db.ts';
import { ClearanceStore } from '../../../src/main/clearance/store.ts';
import { signCanonical } from '../../../src/main/sync/keys.ts';
import { tempDir } from '../../helpers/tmp.ts';

const station = generateKeyPairSync('ed25519');
const pem = station.publicKey.export({ type: 'spki', format: 'pem' }) as string;
const at = '2026-03-01T10:00:00.000Z';

function item(idemKey: string, payload: unknown, over: Partial<OutboundItem> = {}): OutboundItem {
  const base = { idemKey, kind: 'verdict' as const, createdAt: at, payload, historical: false, ...over };
  return { ...base, signature: signCanonical(station.privateKey, itemSigningContent(base)) };
}

function store(): ClearanceStore {
  const s = new ClearanceStore(openClearanceDb(join(tempDir(), 'clearance.db')));
  s.register('st-1', pem, at);
  return s;
}

describe('clearance store', () => {
  it('holds an item once: same content is a duplicate, different content a conflict', () => {
    const s = store();
    expect(s.storeItems('st-1', [item('V1', { action: 'HOLD' })], at)).toEqual([{ idemKey: 'V1', status: 'stored' }]);
    expect(s.storeItems('st-1', [item('V1', { action: 'HOLD' }, { historical: true })], at)).toEqual([{ idemKey: 'V1', status: 'duplicate' }]);
    expect(s.storeItems('st-1', [item('V1', { action: 'RELEASE' })], at)[0]).toMatchObject({ status: 'conflict' });
    expect(s.counts().items).toBe(1);
  });

  it('rejects items whose signature does not verify, and unknown stations as a whole', () => {
    const s = store();
    const forged = { ...item('V1', { action: 'RELEASE' }), payload: { action: 'HOLD' } };
    expect(s.storeItems('st-1', [forged], at)[0]).toMatchObject({ status: 'rejected', error: expect.stringContaining('BAD_SIGNATURE') });
    expect(() => s.storeItems('st-9', [item('V2', {})], at)).toThrow(expect.objectContaining({ status: 403, code: 'STATION_UNKNOWN' }));
    expect(s.counts().items).toBe(0);
  });

  it('pins the first registered key and refuses another one', () => {
    const s = store();
    expect(s.register('st-1', pem, at).status).toBe('known');
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(() => s.register('st-1', other, at)).toThrow(expect.objectContaining({ status: 409, code: 'KEY_MISMATCH' }));
  });

  it('never lets a historical item overwrite live state', () => {
    const s = store();
    const live = (k: string, t: string, action: string, historical = false) => item(k, { logisticsNo: 'SF1', action }, { createdAt: t, historical });
    s.storeItems('st-1', [live('V2', '2026-03-01T10:05:00.000Z', 'RELEASE')], at);
    s.storeItems('st-1', [live('V1', '2026-03-01T09:00:00.000Z', 'HOLD', true), live('V3', '2026-03-01T11:00:00.000Z', 'HOLD', true)], at);
    const state = () => s.db.prepare("SELECT idem_key FROM live_state WHERE subject = 'verdict:SF1'").get();
    expect(state()).toEqual({ idem_key: 'V2' });
    s.storeItems('st-1', [live('V4', '2026-03-01T12:00:00.000Z', 'HOLD')], at);
    expect(state()).toEqual({ idem_key: 'V4' });
    expect(s.counts().items).toBe(4);
  });

  it('pages deltas by cursor, per station, and jumps past other stations\' items', () => {
    const s = store();
    s.appendDeltas([{ kind: 'aeo_list', op: 'upsert', key: 'A', data: {} }, { kind: 'aeo_list', op: 'upsert', key: 'B', data: {}, stationId: 'st-2' }, { kind: 'risk_list', op: 'upsert', key: 'C', data: {} }], at);
    const p1 = s.deltaPage('st-1', 0, 1, at);
    expect([p1.items.map((i) => i.key), p1.toCursor, p1.more]).toEqual([['A'], 1, true]);
    const p2 = s.deltaPage('st-1', 1, 10, at);
    expect([p2.items.map((i) => i.key), p2.toCursor, p2.more]).toEqual([['C'], 3, false]);
    const p3 = s.deltaPage('st-1', 3, 10, at);
    expect([p3.items.length, p3.fromCursor, p3.toCursor, p3.more]).toEqual([0, 3, 3, false]);
  });
});
