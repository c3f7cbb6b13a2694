// Precedence of domain.md §5.1: HOLD_LOCK > central instructions (D03/D04) > P* > R* > M* > W01 >
// D*/S* > ALERT > RELEASE, and a verdict keeps every reason that fired.
import { describe, expect, it } from 'vitest';
import { decide, defaultPack } from '../../../src/main/rules/index.ts';
import { actionOf, orderByPrecedence, precedenceTier } from '../../../src/main/rules/precedence.ts';
import type { ReasonHit } from '../../../src/shared/domain/verdict.ts';
import { REASON_CODES, REASONS } from '../../../src/shared/domain/reasons.ts';
import { declaration, det, input, inspection, line, NOW, rulesConfig, WAYBILL } from './fixtures.ts';

const h = (code: ReasonHit['code'], level: ReasonHit['level'] = 'HOLD'): ReasonHit => ({ code, level, detail: code, evidence: {} });

describe('precedence', () => {
  it.each([
    [h('P01', 'HOLD_LOCK'), h('D03')],
    [h('D04', 'HOLD_LOCK'), h('D03')],
    [h('D03'), h('P05')],
    [h('P05'), h('R01')],
    [h('R06'), h('M01')],
    [h('M06'), h('W01')],
    [h('W01'), h('D02')],
    [h('W01'), h('S04')],
    [h('D10'), h('W02', 'ALERT')],
    [h('S01'), h('M05', 'ALERT')],
  ])('%o outranks %o', (a, b) => {
    expect(precedenceTier(a)).toBeLessThan(precedenceTier(b));
    expect(orderByPrecedence([b, a])).toEqual([a, b]);
  });

  it('derives the action from the strictest level; ALERT never stops a release', () => {
    expect(actionOf([])).toBe('RELEASE');
    expect(actionOf([h('W02', 'ALERT'), h('M05', 'ALERT')])).toBe('RELEASE');
    expect(actionOf([h('W02', 'ALERT'), h('D02')])).toBe('HOLD');
    expect(actionOf([h('D02'), h('P01', 'HOLD_LOCK'), h('S01')])).toBe('HOLD_LOCK');
  });

  it('keeps equal-rank reasons in the order the rules produced them', () => {
    const a = { ...h('M01'), detail: 'first' };
    const b = { ...h('M01'), detail: 'second' };
    expect(orderByPrecedence([a, b]).map((x) => x.detail)).toEqual(['first', 'second']);
  });

  it('orders every reason of a parcel that trips them all, deciding one first', () => {
    const v = decide(
      input({
        barcodes: [WAYBILL, 'YT0000000001'],
        measuredWeightKg: 3,
        declarations: [
          declaration({
            customsStatus: { returnStatus: '120', returnTime: NOW },
            controlInstructions: [
              { logisticsNo: WAYBILL, kind: 'INSPECT', issuedAt: NOW, source: 'CENTRAL' },
              { logisticsNo: WAYBILL, kind: 'DETAIN', issuedAt: NOW, source: 'CENTRAL' },
            ],
            lines: [line({ totalPrice: 1 })],
          }),
        ],
        inspection: inspection([det('phone'), det('banknotes'), det('battery'), det('shoes'), det('gun')]),
      }),
      defaultPack(),
      rulesConfig({ undervaluationAction: 'ALERT' }),
    );
    expect(v.action).toBe('HOLD_LOCK');
    expect(v.reasons.map((r) => `${r.code}:${r.level}`)).toEqual([
      'D04:HOLD_LOCK',
      'P01:HOLD_LOCK',
      'D03:HOLD',
      'P05:HOLD',
      'R01:HOLD',
      'M01:HOLD', // battery: no 8507 line
      'M01:HOLD', // shoes
      'W01:HOLD',
      'D02:HOLD',
      'S01:HOLD',
      'M05:ALERT',
    ]);
  });
});

describe('reason table', () => {
  it('has a name, family, English and Chinese text and a next step for every code', () => {
    for (const code of REASON_CODES) {
      const r = REASONS[code];
      expect(r.code).toBe(code);
      expect(r.name).toMatch(/^[A-Z_]+$/);
      expect(r.family).toBe(code === 'OK' ? 'OK' : code[0]);
      expect(r.en.length).toBeGreaterThan(5);
      expect(r.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(r.next.length).toBeGreaterThan(5);
    }
    expect(REASONS.M01.name).toBe('UNDECLARED_GOODS');
    expect(REASONS.D04.action).toBe('HOLD_LOCK');
    expect(REASONS.W02.action).toBe('ALERT');
  });
});
