// Risk facilitation: reproducible, auditable sampling; AEO enterprises; the confidence band.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decide, defaultPack, samplingDraw } from '../../../src/main/rules/index.ts';
import { declaration, det, input, inspection, line, rulesConfig, WAYBILL } from './fixtures.ts';

const pack = defaultPack();
const AEO = '4401960002'; // the fixture's ebcCode

describe('random compliance sampling', () => {
  it('is reproducible and recomputable from the seed and the waybill', () => {
    const a = samplingDraw(WAYBILL, 'seed-1', 0.5);
    expect(samplingDraw(WAYBILL, 'seed-1', 0.5)).toEqual(a);
    const hex = createHmac('sha256', 'seed-1').update(WAYBILL).digest('hex');
    expect(a.ticket).toBe(hex.slice(0, 16));
    expect(a.draw).toBe(parseInt(hex.slice(0, 13), 16) / 2 ** 52);
    expect(samplingDraw(WAYBILL, 'seed-2', 0.5).ticket).not.toBe(a.ticket);
  });

  it('samples close to the configured rate', () => {
    let n = 0;
    for (let i = 0; i < 20_000; i++) if (samplingDraw(`SF${String(i).padStart(12, '0')}`, 'seed', 0.055).sampled) n++;
    expect(n / 20_000).toBeGreaterThan(0.045);
    expect(n / 20_000).toBeLessThan(0.065);
  });

  it('holds a sampled parcel as D03 with the ticket, and never samples at rate 0', () => {
    const v = decide(input(), pack, rulesConfig({ samplingRate: 1, samplingSeed: 's' }));
    expect(v).toMatchObject({ action: 'HOLD', sampled: true, samplingTicket: samplingDraw(WAYBILL, 's', 1).ticket });
    expect(v.reasons[0]).toMatchObject({ code: 'D03', detail: 'random compliance sample (rate 1)' });
    const none = decide(input(), pack, rulesConfig({ samplingRate: 0 }));
    expect(none.sampled).toBe(false);
    expect(none.samplingTicket).toBeUndefined();
  });

  it('keys the draw on the waybill, so a re-scan gets the same draw', () => {
    const c = rulesConfig({ samplingRate: 0.5 });
    expect(decide(input({ scanId: 'A' }), pack, c).samplingTicket).toBe(decide(input({ scanId: 'B' }), pack, c).samplingTicket);
  });
});

describe('AEO facilitation', () => {
  const cheapPhone = { declarations: [declaration({ lines: [line({ totalPrice: 100 })] })] };

  it('lowers the sampling rate by the pack factor', () => {
    // A waybill whose draw lies between 0.25 × rate and the rate is sampled for others, not for AEO enterprises.
    const rate = 0.8;
    const between = (k: string): boolean => {
      const d = samplingDraw(k, 'demo-sampling-seed', rate).draw;
      return d > rate * pack.pack.aeo.samplingRateFactor && d < rate;
    };
    const key = Array.from({ length: 1000 }, (_, i) => `SF${String(i).padStart(12, '0')}`).find(between)!;
    const i = input({ barcodes: [key], logisticsNo: key, declarations: [declaration({ logisticsNo: key })] });
    expect(decide(i, pack, rulesConfig({ samplingRate: rate })).sampled).toBe(true);
    expect(decide(i, pack, rulesConfig({ samplingRate: rate, aeoEnterprises: [AEO] })).sampled).toBe(false);
  });

  it('records undervaluation, quantity and personal-use findings as alerts for listed enterprises', () => {
    const v = decide(input(cheapPhone), pack, rulesConfig({ aeoEnterprises: [AEO] }));
    expect(v.action).toBe('RELEASE');
    expect(v.reasons).toMatchObject([{ code: 'M05', level: 'ALERT' }]);
    expect(v.reasons[0]!.detail).toContain('AEO');
    expect(decide(input(cheapPhone), pack, rulesConfig()).action).toBe('HOLD');
  });

  it.each([
    ['a gun', { inspection: inspection([det('phone'), det('gun')]) }, 'HOLD_LOCK'],
    ['a customs selection', { declarations: [declaration({ customsStatus: { returnStatus: '500', returnTime: '2026-11-27T07:00:00Z' } })] }, 'HOLD'],
    ['undeclared goods', { inspection: inspection([det('phone'), det('shoes')]) }, 'HOLD'],
    ['a model failure', { inspection: { error: { code: 'INSPECT_TIMEOUT', message: 't' } } }, 'HOLD'],
    ['stale data', { online: false, declarations: [declaration({ dataAsOf: '2026-11-20T00:00:00Z' })] }, 'HOLD'],
  ])('never relaxes %s', (_n, tweak, action) => {
    expect(decide(input(tweak), pack, rulesConfig({ aeoEnterprises: [AEO] })).action).toBe(action);
  });

  it('matches the logistics company and the declaring agent too', () => {
    expect(decide(input(cheapPhone), pack, rulesConfig({ aeoEnterprises: ['4401980003'] })).action).toBe('RELEASE');
    expect(decide(input(cheapPhone), pack, rulesConfig({ aeoEnterprises: ['4401960004'] })).action).toBe('RELEASE');
  });
});

describe('confidence band', () => {
  it('routes an uncertain box that would change the verdict to operator review', () => {
    const v = decide(input({ inspection: inspection([det('phone'), det('gun', 0.45)]) }), pack, rulesConfig());
    expect(v.action).toBe('HOLD');
    expect(v.review).toBe(true);
    expect(v.reasons).toHaveLength(1);
    expect(v.reasons[0]).toMatchObject({ code: 'S03', evidence: { wouldAdd: ['P01'], detections: [{ index: 1, label: 'gun', score: 0.45 }] } });
    expect(v.reasons[0]!.detail).toContain('from RELEASE to HOLD_LOCK');
  });

  it('ignores an uncertain box that changes nothing', () => {
    const v = decide(input({ inspection: inspection([det('phone'), det('shoes', 0.9), det('shoes', 0.4)]) }), pack, rulesConfig());
    expect(v.reasons.map((r) => r.code)).toEqual(['M01', 'M02']); // shoes undeclared; the T-shirt line unexplained
    expect(v.review).toBe(false);
  });

  it('trusts boxes at or above the high edge and reviews one just below it', () => {
    expect(decide(input({ inspection: inspection([det('phone'), det('gun', 0.6)]) }), pack, rulesConfig()).action).toBe('HOLD_LOCK');
    expect(decide(input({ inspection: inspection([det('phone'), det('gun', 0.5999)]) }), pack, rulesConfig()).review).toBe(true);
  });

  it('offers no review when another reason holds the parcel anyway', () => {
    const v = decide(input({ measuredWeightKg: 3, inspection: inspection([det('phone'), det('gun', 0.45)]) }), pack, rulesConfig());
    expect(v.reasons.map((r) => r.code)).toEqual(['W01', 'S03']);
    expect(v.review).toBe(false);
  });

  it('reviews a possible missing item: a declared phone seen only with low confidence', () => {
    const v = decide(input({ inspection: inspection([det('phone', 0.4)]) }), pack, rulesConfig());
    expect(v.reasons.map((r) => r.code)).toEqual(['M03', 'S03']);
    expect(v.reasons[1]!.evidence.wouldRemove).toEqual(['M03']);
    expect(v.review).toBe(false);
  });

  it('an unreadable image is held without review', () => {
    const v = decide(input({ imageQuality: { unreadable: true } }), pack, rulesConfig());
    expect(v).toMatchObject({ action: 'HOLD', review: false, reasons: [{ code: 'S03' }] });
  });
});
