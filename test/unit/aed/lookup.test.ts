import { describe, expect, it } from 'vitest';
import { cebTimeToIso, declarationLookup, lookupDeclarations } from '../../../src/main/aed/lookup.ts';
import { applyAll, fixtureRecords, openStore } from './fixtures.ts';

describe('declaration lookup by logisticsNo', () => {
  it('returns nothing for an unknown number and the same declaration through either entry point', () => {
    const { db, store } = openStore();
    applyAll(store, [...fixtureRecords('ceb621-two-inventories.xml'), ...fixtureRecords('ceb311-two-orders.xml'), ...fixtureRecords('ceb411-amount-disagrees.xml')]);
    const lookup = declarationLookup(db);
    expect(lookup('SF9999999999999')).toEqual([]);
    const [d] = lookup('SF1000000000002');
    expect(lookupDeclarations(db, 'SF1000000000002')).toEqual([d]);
    expect(d).toMatchObject({
      orderNo: 'ORD20250302002',
      grossWeightKg: 0.5,
      order: { acturalPaid: 108.01, lineCount: 1 },
      payment: { amountPaid: 100 },
      controlInstructions: [],
      threeList: { state: 'INCONSISTENT', missing: ['waybill'], failed: [{ rule: 'X05' }] },
    });
    expect(d!.waybill).toBeUndefined();
    expect(d!.customsStatus).toBeUndefined();
    // Personal data is not part of a declaration at all.
    expect(JSON.stringify(d)).not.toMatch(/110101199202022345|13900000000|测试用户二|上海市/);
    db.close();
  });

  it('turns CEB times (China Standard Time, no zone) into ISO-8601 with +08:00', () => {
    expect(cebTimeToIso('20250301143000123')).toBe('2025-03-01T14:30:00.123+08:00');
    expect(cebTimeToIso('20250301143000')).toBe('2025-03-01T14:30:00.000+08:00');
  });
});
