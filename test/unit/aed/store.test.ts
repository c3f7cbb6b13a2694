import { describe, expect, it } from 'vitest';
import { lookupDeclarations } from '../../../src/main/aed/lookup.ts';
import { applyAll, fixtureRecords, openStore } from './fixtures.ts';

const P1 = { logisticsCode: '4401980003', logisticsNo: 'SF1000000000001' };

const inventory = () => fixtureRecords('ceb621-inventory.xml');
/** The same inventory as a change (appType 2) at a later appTime: heavier, one line fewer. */
const changed = (appTime = '20250301120000') =>
  fixtureRecords('ceb621-inventory.xml', (t) =>
    t
      .replace('<ceb:appType>1</ceb:appType>', '<ceb:appType>2</ceb:appType>')
      .replace('20250301101500', appTime)
      .replace('<ceb:grossWeight>1.20</ceb:grossWeight>', '<ceb:grossWeight>2.00</ceb:grossWeight>')
      .replace(/<ceb:InventoryList>\s*<ceb:gnum>2[\s\S]*?<\/ceb:InventoryList>/, ''),
  );
const deleted = (appTime = '20250301130000') =>
  fixtureRecords('ceb621-inventory.xml', (t) => t.replace('<ceb:appType>1</ceb:appType>', '<ceb:appType>3</ceb:appType>').replace('20250301101500', appTime));

const fullParcel = () => [
  ...inventory(),
  ...fixtureRecords('ceb311-order.xml'),
  ...fixtureRecords('ceb411-payment.xml'),
  ...fixtureRecords('ceb511-waybill.xml'),
];

describe('the AED store', () => {
  it('cross-checks lists arriving in any order, recomputing as each missing list arrives', () => {
    const { db, store } = openStore();
    applyAll(store, fixtureRecords('ceb411-payment.xml')); // payment first: no parcel to attach to yet
    applyAll(store, inventory());
    expect(lookupDeclarations(db, P1.logisticsNo)[0]!.threeList).toMatchObject({ state: 'INCOMPLETE', missing: ['order', 'waybill'] });
    applyAll(store, fixtureRecords('ceb511-waybill.xml'));
    expect(lookupDeclarations(db, P1.logisticsNo)[0]!.threeList).toMatchObject({ state: 'INCOMPLETE', missing: ['order'] });
    applyAll(store, fixtureRecords('ceb311-order.xml'));
    const [d] = lookupDeclarations(db, P1.logisticsNo);
    expect(d!.threeList).toMatchObject({ state: 'COMPLETE', missing: [], failed: [] });
    expect(d!.order).toEqual({ goodsValue: 400, freight: 0, discount: 0, taxTotal: 36.4, acturalPaid: 436.4, lineCount: 2 });
    expect(d!.payment).toEqual({ amountPaid: 436.4, payTime: '2025-03-01T10:04:55.000+08:00' });
    expect(d!.waybill).toEqual({ weightKg: 1.25, billNo: '999-00000001' });
    db.close();
  });

  it('keeps a waybill that arrives before its inventory, with no declaration until the inventory comes', () => {
    const { db, store } = openStore();
    applyAll(store, fixtureRecords('ceb511-waybill.xml'));
    expect(lookupDeclarations(db, P1.logisticsNo)).toEqual([]);
    const row = db.prepare('SELECT state, missing FROM aed_three_list WHERE logistics_no = ?').get(P1.logisticsNo);
    expect(row).toEqual({ state: 'INCOMPLETE', missing: '["inventory","order","payment"]' });
    applyAll(store, [...fixtureRecords('ceb311-order.xml'), ...fixtureRecords('ceb411-payment.xml'), ...inventory()]);
    expect(lookupDeclarations(db, P1.logisticsNo)[0]!.threeList.state).toBe('COMPLETE');
    db.close();
  });

  it('treats an identical record as a duplicate that changes nothing', () => {
    const { db, store } = openStore();
    expect(applyAll(store, fullParcel())).toEqual(['inserted', 'inserted', 'inserted', 'inserted']);
    const before = db.prepare('SELECT received_at FROM aed_inventory').get();
    expect(applyAll(store, fullParcel(), '2030-01-01T00:00:00.000Z')).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate']);
    expect(db.prepare('SELECT received_at FROM aed_inventory').get()).toEqual(before);
    expect(db.prepare('SELECT count(*) AS n FROM aed_inventory').get()).toEqual({ n: 1 });
    db.close();
  });

  it('replaces a record and its lines on a change (appType 2) and re-runs the rules', () => {
    const { db, store } = openStore();
    applyAll(store, fullParcel());
    expect(applyAll(store, changed())).toEqual(['replaced']);
    const [d] = lookupDeclarations(db, P1.logisticsNo);
    expect(d!.grossWeightKg).toBe(2);
    expect(d!.lines.map((l) => l.gnum)).toEqual([1]);
    expect(d!.threeList.state).toBe('INCONSISTENT');
    expect(d!.threeList.failed.map((f) => f.rule).sort()).toEqual(['X10', 'X12']);
    db.close();
  });

  it('ignores a change older than the stored record (newest appTime wins)', () => {
    const { db, store } = openStore();
    applyAll(store, changed('20250301120000'));
    expect(applyAll(store, changed('20250301110000'))).toEqual(['stale']);
    expect(applyAll(store, inventory())).toEqual(['stale']); // the original new message, arriving late
    expect(lookupDeclarations(db, P1.logisticsNo)[0]!.grossWeightKg).toBe(2);
    db.close();
  });

  it('removes a record on a delete (appType 3) and does not let an older message bring it back', () => {
    const { db, store } = openStore();
    applyAll(store, fullParcel());
    expect(applyAll(store, deleted())).toEqual(['deleted']);
    expect(lookupDeclarations(db, P1.logisticsNo)).toEqual([]);
    expect(db.prepare('SELECT state, missing FROM aed_three_list WHERE logistics_no = ?').get(P1.logisticsNo)).toEqual({ state: 'INCOMPLETE', missing: '["inventory"]' });
    expect(applyAll(store, deleted())).toEqual(['duplicate']);
    expect(applyAll(store, changed('20250301120000'))).toEqual(['stale']);
    expect(lookupDeclarations(db, P1.logisticsNo)).toEqual([]);
    // A newer declaration after the delete is a new record.
    expect(applyAll(store, changed('20250301140000'))).toEqual(['inserted']);
    expect(lookupDeclarations(db, P1.logisticsNo)).toHaveLength(1);
    db.close();
  });

  it('re-checks the parcel when its order is deleted', () => {
    const { db, store } = openStore();
    applyAll(store, fullParcel());
    const orderDelete = fixtureRecords('ceb311-order.xml', (t) => t.replace('<appType>1</appType>', '<appType>3</appType>'));
    expect(applyAll(store, orderDelete)).toEqual(['deleted']);
    expect(lookupDeclarations(db, P1.logisticsNo)[0]).toMatchObject({ threeList: { state: 'INCOMPLETE', missing: ['order'] } });
    expect(lookupDeclarations(db, P1.logisticsNo)[0]!.order).toBeUndefined();
    db.close();
  });

  it('attaches receipts that arrive before the inventory; the latest returnTime is the current status', () => {
    const { db, store } = openStore();
    expect(applyAll(store, fixtureRecords('ceb622-receipts.xml'))).toEqual(['inserted', 'inserted']);
    applyAll(store, inventory());
    const [d] = lookupDeclarations(db, P1.logisticsNo);
    expect(d!.customsStatus).toEqual({ returnStatus: '800', returnTime: '2025-03-01T14:30:00.123+08:00', returnInfo: '放行' });
    expect(d!.invtNo).toBe('51412025I000000001');
    expect(db.prepare('SELECT pre_no FROM aed_inventory').get()).toEqual({ pre_no: 'B20250301000000001' });
    expect(applyAll(store, fixtureRecords('ceb622-receipts.xml'))).toEqual(['duplicate', 'duplicate']);
    // A change of the inventory keeps the customs-assigned numbers and the receipts.
    applyAll(store, changed());
    expect(lookupDeclarations(db, P1.logisticsNo)[0]).toMatchObject({ invtNo: '51412025I000000001', customsStatus: { returnStatus: '800' } });
    db.close();
  });

  it('keeps two declarations with the same logisticsNo from different logistics companies, and returns both', () => {
    const { db, store } = openStore();
    applyAll(store, inventory());
    applyAll(store, fixtureRecords('ceb621-inventory.xml', (t) => t.replaceAll('4401980003', '4401989999').replace('B0000000-0000-4000-8000-000000000001', 'B0000000-0000-4000-8000-0000000000FF')));
    const found = lookupDeclarations(db, P1.logisticsNo);
    expect(found.map((d) => d.logisticsCode).sort()).toEqual(['4401980003', '4401989999']);
    db.close();
  });

  it('dates a declaration by the newest of its records and lists its control instructions', () => {
    const { db, store } = openStore();
    applyAll(store, inventory(), '2025-03-01T01:00:00.000Z');
    applyAll(store, fixtureRecords('ceb311-order.xml'), '2025-03-01T03:00:00.000Z');
    applyAll(store, fixtureRecords('ceb511-waybill.xml'), '2025-03-01T02:00:00.000Z');
    applyAll(store, [
      { type: 'CONTROL', record: { logisticsNo: P1.logisticsNo, kind: 'DETAIN', issuedAt: '2025-03-01T12:00:00+08:00', source: 'CENTRAL' } },
      { type: 'CONTROL', record: { logisticsNo: P1.logisticsNo, kind: 'INSPECT', issuedAt: '2025-03-01T11:00:00+08:00', ruleId: 'R1', source: 'CENTRAL' } },
    ]);
    const [d] = lookupDeclarations(db, P1.logisticsNo);
    expect(d!.dataAsOf).toBe('2025-03-01T03:00:00.000Z');
    expect(d!.controlInstructions.map((c) => c.kind)).toEqual(['INSPECT', 'DETAIN']);
    expect(d!.controlInstructions[0]).toEqual({ logisticsNo: P1.logisticsNo, kind: 'INSPECT', issuedAt: '2025-03-01T11:00:00+08:00', ruleId: 'R1', source: 'CENTRAL' });
    db.close();
  });

  it('stores hashes, never the clear personal data', () => {
    const { db, store } = openStore();
    applyAll(store, fullParcel());
    const docs = (db.prepare("SELECT doc FROM aed_inventory UNION ALL SELECT doc FROM aed_order UNION ALL SELECT doc FROM aed_payment UNION ALL SELECT doc FROM aed_waybill").all() as { doc: string }[]).map((r) => r.doc).join('\n');
    for (const v of ['110101199001011234', '13800000000', '北京市测试区示例路1号']) expect(docs).not.toContain(v);
    expect(docs).toMatch(/"buyerIdNumberHash":"[A-Za-z0-9_-]{22}"/);
    db.close();
  });
});
