import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crossCheck, failedRules, type ThreeLists } from '../../../src/main/aed/crossref.ts';
import { redact } from '../../../src/main/aed/pii.ts';
import type { InventoryRecord, OrderRecord, PaymentRecord, WaybillRecord } from '../../../src/main/aed/records.ts';
import { fixtureRecords } from './fixtures.ts';

const key = randomBytes(32);
const now = '2025-03-01T00:00:00.000Z';
const parsed = new Map<string, unknown>();
const first = <T,>(name: string): T => {
  if (!parsed.has(name)) parsed.set(name, fixtureRecords(name)[0]!.record);
  return structuredClone(parsed.get(name)) as T;
};

/** Parcel SF1000000000001 as stored (personal data hashed); each test edits a copy. */
function parcel(edit: { inventory?: Partial<InventoryRecord>; order?: Partial<OrderRecord>; payment?: Partial<PaymentRecord>; waybill?: Partial<WaybillRecord> } = {}): Required<Omit<ThreeLists, 'ambiguous'>> {
  return {
    inventory: redact(key, { ...first<InventoryRecord>('ceb621-inventory.xml'), ...edit.inventory }),
    order: redact(key, { ...first<OrderRecord>('ceb311-order.xml'), ...edit.order }),
    payment: redact(key, { ...first<PaymentRecord>('ceb411-payment.xml'), ...edit.payment }),
    waybill: redact(key, { ...first<WaybillRecord>('ceb511-waybill.xml'), ...edit.waybill }),
  };
}

const rules = (lists: ThreeLists, opts = {}) => failedRules(crossCheck(lists, { now, ...opts }));

describe('three-list cross-reference', () => {
  it('passes a consistent parcel as COMPLETE', () => {
    expect(crossCheck(parcel(), { now })).toEqual({ state: 'COMPLETE', failed: [], missing: [], checkedAt: now });
  });

  it('is INCOMPLETE, naming the missing lists, while lists are missing and nothing fails', () => {
    const { inventory, order } = parcel();
    expect(crossCheck({ inventory, order }, { now })).toMatchObject({ state: 'INCOMPLETE', missing: ['payment', 'waybill'], failed: [] });
  });

  it('X05: a payment amount that disagrees with acturalPaid', () => {
    const r = crossCheck(parcel({ payment: { amountPaid: '400.00' } }), { now });
    expect(r.state).toBe('INCONSISTENT');
    expect(failedRules(r)).toEqual(['X05']);
    expect(r.failed[0]!.detail).toContain('436.40');
  });

  it('X04: the payer must be the buyer (name and hashed ID number)', () => {
    expect(rules(parcel({ payment: { payerName: '别人' } }))).toEqual(['X04']);
    expect(rules(parcel({ payment: { payerIdNumber: '110101199909099999' } }))).toEqual(['X04']);
  });

  it('X06: order arithmetic, with the 5% tolerance', () => {
    expect(rules(parcel({ order: { taxTotal: '10.00' } }))).toContain('X06');
    // 2% off: within the tolerance
    expect(rules(parcel({ order: { taxTotal: '28.00', acturalPaid: '436.40' } }))).toEqual([]);
    const order = first<OrderRecord>('ceb311-order.xml');
    const badLine = { ...order.lines[0]!, totalPrice: '300.00' };
    expect(rules(parcel({ order: { lines: [badLine, order.lines[1]!] } }))).toEqual(expect.arrayContaining(['X06', 'X10']));
  });

  it('X07: consignee, telephone and address identical on order and waybill', () => {
    expect(rules(parcel({ waybill: { consigneeTelephone: '13800000001' } }))).toEqual(['X07']);
    expect(rules(parcel({ waybill: { consigneeAddress: '北京市测试区示例路2号' } }))).toEqual(['X07']);
    // Spacing differences in the address are not a difference.
    expect(rules(parcel({ waybill: { consigneeAddress: ' 北京市测试区示例路1号 ' } }))).toEqual([]);
  });

  it('X08: over 5,000 RMB fails unless the order is one single item', () => {
    const order = first<OrderRecord>('ceb311-order.xml');
    const big = { goodsValue: '6000.00', taxTotal: '0', acturalPaid: '6000.00' };
    const twoLines = [
      { ...order.lines[0]!, qty: '1', price: '3000.00', totalPrice: '3000.00' },
      { ...order.lines[1]!, qty: '1', price: '3000.00', totalPrice: '3000.00' },
    ];
    expect(rules({ order: redact(key, { ...order, ...big, lines: twoLines }) })).toEqual(['X08']);
    const oneItem = [{ ...order.lines[0]!, qty: '1', price: '6000.00', totalPrice: '6000.00' }];
    expect(rules({ order: redact(key, { ...order, ...big, lines: oneItem }) })).toEqual([]);
  });

  it('X10: inventory and order must agree on codes, buyer and lines (matched by gnum)', () => {
    expect(rules(parcel({ inventory: { ebcCode: '4401969999' } }))).toEqual(['X10']);
    const inv = first<InventoryRecord>('ceb621-inventory.xml');
    expect(rules(parcel({ inventory: { lines: [{ ...inv.lines[0]!, qty: '3', totalPrice: '540.00' }, inv.lines[1]!] } }))).toEqual(['X10']);
    expect(rules(parcel({ inventory: { lines: [inv.lines[0]!] } }))).toEqual(['X10']);
  });

  it('X12: waybill weight within max(0.1 kg, 10%) of grossWeight, tolerance configurable', () => {
    expect(rules(parcel({ waybill: { weight: '1.30' } }))).toEqual([]);
    expect(rules(parcel({ waybill: { weight: '1.40' } }))).toEqual(['X12']);
    expect(rules(parcel({ waybill: { weight: '1.30' } }), { weightToleranceKg: 0.05, weightToleranceRel: 0 })).toEqual(['X12']);
  });

  it('X01: lists that do not refer to each other, or more than one candidate', () => {
    expect(rules(parcel({ waybill: { orderNo: 'ORD-OTHER' } }))).toEqual(['X01']);
    expect(rules(parcel({ payment: { payTransactionId: 'PAY-OTHER' } }))).toEqual(['X01']);
    expect(rules({ ...parcel(), ambiguous: ['payment'] })).toEqual(['X01']);
  });

  it('never puts a personal-data value in a failure detail', () => {
    const r = crossCheck(parcel({ payment: { payerName: '别人', payerIdNumber: '110101199909099999', amountPaid: '1' }, waybill: { consigneeTelephone: '13911112222' } }), { now });
    expect(failedRules(r)).toEqual(['X04', 'X05', 'X07']);
    const text = JSON.stringify(r);
    for (const v of ['110101199909099999', '110101199001011234', '13911112222', '13800000000', '别人', '测试用户']) expect(text).not.toContain(v);
  });

  it('is INCONSISTENT exactly when a rule fails, whatever the amounts', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), (paid, amount) => {
        const r = crossCheck(parcel({ payment: { amountPaid: (amount / 100).toFixed(2) }, order: { acturalPaid: (paid / 100).toFixed(2) } }), { now });
        expect(r.state === 'INCONSISTENT').toBe(r.failed.length > 0);
        expect(failedRules(r).includes('X05')).toBe(paid !== amount);
      }),
      { numRuns: 200 },
    );
  });
});
