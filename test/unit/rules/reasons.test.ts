// One row per way each reason code fires: input tweak → expected code, its level and the verdict's action.
import { describe, expect, it } from 'vitest';
import { decide, defaultPack } from '../../../src/main/rules/index.ts';
import type { DecisionInput } from '../../../src/main/rules/types.ts';
import type { Action, ReasonCode } from '../../../src/shared/domain/reasons.ts';
import { REASONS } from '../../../src/shared/domain/reasons.ts';
import type { Verdict } from '../../../src/shared/domain/verdict.ts';
import { declaration, det, input, inspection, line, NOW, rulesConfig, WAYBILL } from './fixtures.ts';

const pack = defaultPack();
const run = (i: DecisionInput, config: Record<string, unknown> = {}): Verdict => decide(i, pack, rulesConfig(config));

const withDecl = (over: Parameters<typeof declaration>[0]): Partial<DecisionInput> => ({ declarations: [declaration(over)] });
const hoursBefore = (h: number): string => new Date(Date.parse(NOW) - h * 3_600_000).toISOString();
const supplements = line({ gnum: 3, itemName: 'Vitamin C', gcode: '2106909090', gname: '维生素', qty: 1, unit: '140', price: 80, totalPrice: 80 });
const batteryLine = (qty: number) => line({ gnum: 3, itemName: 'Power bank', gcode: '8507600090', gname: '锂电池', qty, unit: '007', price: 100, totalPrice: 100 * qty });
const withDetections = (...labels: (string | [string, number, [number, number, number, number]?])[]): Partial<DecisionInput> => ({
  inspection: inspection([det('phone'), ...labels.map((l) => (typeof l === 'string' ? det(l) : det(l[0], l[1], l[2])))]),
});

interface Row {
  name: string;
  tweak: Partial<DecisionInput>;
  config?: Record<string, unknown>;
  code: ReasonCode;
  level?: 'HOLD_LOCK' | 'HOLD' | 'ALERT';
  action: Action;
}

const rows: Row[] = [
  // Data / declaration
  { name: 'no declaration cached', tweak: { declarations: [] }, code: 'D01', action: 'HOLD' },
  { name: 'two declarations for one waybill', tweak: { declarations: [declaration(), declaration({ invtNo: 'OTHER' })] }, code: 'D01', action: 'HOLD' },
  { name: 'customs status 120 (accepted, pending)', tweak: withDecl({ customsStatus: { returnStatus: '120', returnTime: NOW } }), code: 'D02', action: 'HOLD' },
  { name: 'customs status 100 (rejected)', tweak: withDecl({ customsStatus: { returnStatus: '100', returnTime: NOW } }), code: 'D02', action: 'HOLD' },
  { name: 'negative status (processing error)', tweak: withDecl({ customsStatus: { returnStatus: '-301010', returnTime: NOW } }), code: 'D02', action: 'HOLD' },
  { name: 'no customs receipt', tweak: withDecl({ customsStatus: undefined }), code: 'D02', action: 'HOLD' },
  { name: 'customs status 500 (inspection)', tweak: withDecl({ customsStatus: { returnStatus: '500', returnTime: NOW } }), code: 'D03', action: 'HOLD' },
  { name: 'central INSPECT instruction', tweak: withDecl({ controlInstructions: [{ logisticsNo: WAYBILL, kind: 'INSPECT', issuedAt: NOW, source: 'CENTRAL' }] }), code: 'D03', action: 'HOLD' },
  { name: 'random compliance sample', tweak: {}, config: { samplingRate: 1 }, code: 'D03', action: 'HOLD' },
  { name: 'customs status 502 (detained to anti-smuggling)', tweak: withDecl({ customsStatus: { returnStatus: '502', returnTime: NOW } }), code: 'D04', level: 'HOLD_LOCK', action: 'HOLD_LOCK' },
  { name: 'central DETAIN instruction', tweak: withDecl({ controlInstructions: [{ logisticsNo: WAYBILL, kind: 'DETAIN', issuedAt: NOW, source: 'CENTRAL' }] }), code: 'D04', level: 'HOLD_LOCK', action: 'HOLD_LOCK' },
  { name: 'customs status 700 (return)', tweak: withDecl({ customsStatus: { returnStatus: '700', returnTime: NOW } }), code: 'D05', action: 'HOLD' },
  { name: 'RETURN instruction', tweak: withDecl({ controlInstructions: [{ logisticsNo: WAYBILL, kind: 'RETURN', issuedAt: NOW, source: 'LOCAL' }] }), code: 'D05', action: 'HOLD' },
  {
    name: 'three lists inconsistent',
    tweak: withDecl({ threeList: { state: 'INCONSISTENT', failed: [{ rule: 'X05', detail: 'paid 10 ≠ order 3491.2' }], missing: [], checkedAt: NOW } }),
    code: 'D06',
    action: 'HOLD',
  },
  { name: 'payment missing', tweak: withDecl({ threeList: { state: 'INCOMPLETE', failed: [], missing: ['payment'], checkedAt: NOW } }), code: 'D06', action: 'HOLD' },
  { name: 'order above 5,000 RMB with two items', tweak: withDecl({ order: { goodsValue: 6000, freight: 0, discount: 0, taxTotal: 0, acturalPaid: 6000, lineCount: 2 } }), code: 'D07', action: 'HOLD' },
  {
    name: 'single item above the annual limit',
    tweak: withDecl({ lines: [line({ price: 30000, totalPrice: 30000 })], order: { goodsValue: 30000, freight: 0, discount: 0, taxTotal: 0, acturalPaid: 30000, lineCount: 1 } }),
    code: 'D07',
    action: 'HOLD',
  },
  { name: 'tariff head not on the positive list', tweak: withDecl({ lines: [line(), line({ gnum: 2, gcode: '6109909000', gname: 'T恤', qty: 2, unit: '011', price: 100, totalPrice: 200 })] }), code: 'D08', action: 'HOLD' },
  { name: 'head limited to bonded 1210 declared under 9610', tweak: withDecl({ lines: [line(), line({ gnum: 2, gcode: '2101110000', gname: '咖啡', unit: '035', qty: 0.5, totalPrice: 90 })] }), code: 'D08', action: 'HOLD' },
  { name: 'already released at another station', tweak: { priorVerdicts: [{ action: 'RELEASE', decidedAt: '2026-11-26T09:00:00.000Z' }] }, code: 'D09', action: 'HOLD' },
  { name: 'locked earlier, back on the line', tweak: { priorVerdicts: [{ action: 'HOLD_LOCK', decidedAt: '2026-11-26T09:00:00.000Z' }] }, code: 'D09', level: 'HOLD_LOCK', action: 'HOLD_LOCK' },
  { name: 'customs status 899 (closed)', tweak: withDecl({ customsStatus: { returnStatus: '899', returnTime: NOW } }), code: 'D09', action: 'HOLD' },
  { name: 'offline with 30 h old data', tweak: { online: false, ...withDecl({ dataAsOf: hoursBefore(30) }) }, code: 'D10', action: 'HOLD' },
  { name: 'offline with stale data, ALERT policy', tweak: { online: false, ...withDecl({ dataAsOf: hoursBefore(30) }) }, config: { staleDataAction: 'ALERT' }, code: 'D10', level: 'ALERT', action: 'RELEASE' },
  { name: 'unreadable dataAsOf even online', tweak: withDecl({ dataAsOf: 'yesterday' }), code: 'D10', action: 'HOLD' },
  // Weight
  { name: 'weight 0.3 kg over (tolerance 0.12)', tweak: { measuredWeightKg: 1.5 }, code: 'W01', action: 'HOLD' },
  { name: 'no weight measured', tweak: { measuredWeightKg: undefined }, code: 'W01', action: 'HOLD' },
  { name: 'weight not a number', tweak: { measuredWeightKg: Number.NaN }, code: 'W01', action: 'HOLD' },
  { name: 'declared weight zero', tweak: withDecl({ grossWeightKg: 0 }), code: 'W01', action: 'HOLD' },
  { name: 'weight 0.05 kg over (alert 0.03, tolerance 0.12)', tweak: { measuredWeightKg: 1.25 }, code: 'W02', level: 'ALERT', action: 'RELEASE' },
  // Prohibited
  { name: 'gun', tweak: withDetections('gun'), code: 'P01', level: 'HOLD_LOCK', action: 'HOLD_LOCK' },
  { name: 'imitation gun', tweak: withDetections('toy_gun'), code: 'P01', level: 'HOLD_LOCK', action: 'HOLD_LOCK' },
  { name: 'ammunition', tweak: withDetections('bullet'), code: 'P01', level: 'HOLD_LOCK', action: 'HOLD_LOCK' },
  { name: 'knife over the blade rule (300 mm)', tweak: withDetections(['knife', 0.9, [0, 0, 300, 40]]), code: 'P02', level: 'HOLD_LOCK', action: 'HOLD_LOCK' },
  { name: 'five lighters', tweak: withDetections('lighter', 'lighter', 'lighter', 'lighter', 'lighter'), code: 'P03', level: 'HOLD_LOCK', action: 'HOLD_LOCK' },
  { name: 'organic powder block', tweak: withDetections('powder_block'), code: 'P04', level: 'HOLD_LOCK', action: 'HOLD_LOCK' },
  { name: 'banknote stack', tweak: withDetections('banknotes'), code: 'P05', action: 'HOLD' },
  // Restricted
  { name: 'undeclared power bank', tweak: withDetections('battery'), code: 'R01', action: 'HOLD' },
  { name: 'three declared cells (rule: max 2)', tweak: { ...withDecl({ lines: [line(), batteryLine(3)] }), ...withDetections('battery', 'battery', 'battery') }, code: 'R01', action: 'HOLD' },
  { name: 'one lighter', tweak: withDetections('lighter'), code: 'R02', action: 'HOLD' },
  { name: 'undeclared aerosol', tweak: withDetections('aerosol'), code: 'R02', action: 'HOLD' },
  { name: 'pills without a supplement line', tweak: withDetections('pills'), code: 'R03', action: 'HOLD' },
  { name: 'e-cigarette', tweak: withDetections('e_cigarette'), code: 'R04', action: 'HOLD' },
  { name: 'wine bottle', tweak: withDetections('wine_bottle'), code: 'R04', action: 'HOLD' },
  { name: 'drone', tweak: withDetections('drone'), code: 'R05', action: 'HOLD' },
  { name: 'seeds', tweak: withDetections('seeds'), code: 'R06', action: 'HOLD' },
  // Image vs declaration
  { name: 'undeclared shoes', tweak: withDetections('shoes', 'shoes'), code: 'M01', action: 'HOLD' },
  { name: 'knife under the blade rule, undeclared', tweak: withDetections(['knife', 0.9, [0, 0, 120, 30]]), code: 'M01', action: 'HOLD' },
  { name: 'label the pack does not know', tweak: withDetections('mystery_box'), code: 'M01', action: 'HOLD' },
  {
    name: 'declared T-shirts, image shows a laptop',
    tweak: { ...withDecl({ lines: [line({ gcode: '6109100000', gname: 'T恤', qty: 2, unit: '011', totalPrice: 200 })] }), inspection: inspection([det('laptop')]) },
    code: 'M02',
    action: 'HOLD',
  },
  { name: 'two phones detected, one declared', tweak: withDetections('phone'), code: 'M03', action: 'HOLD' },
  { name: 'declared phone not seen', tweak: { inspection: inspection([]) }, code: 'M03', action: 'HOLD' },
  { name: 'unit code not in the pack', tweak: withDecl({ lines: [line({ unit: '999' })] }), code: 'M03', action: 'HOLD' },
  { name: 'dense region nothing explains', tweak: { imageQuality: { denseUnexplainedArea: 0.2 } }, code: 'M04', action: 'HOLD' },
  { name: 'phone declared at 100 RMB (floor 500)', tweak: withDecl({ lines: [line({ price: 100, totalPrice: 100 })] }), code: 'M05', action: 'HOLD' },
  { name: 'undervaluation, ALERT policy', tweak: withDecl({ lines: [line({ price: 100, totalPrice: 100 })] }), config: { undervaluationAction: 'ALERT' }, code: 'M05', level: 'ALERT', action: 'RELEASE' },
  {
    name: 'ten supplement boxes (max 6)',
    tweak: { ...withDecl({ lines: [line(), { ...supplements, qty: 10, totalPrice: 800 }] }), ...withDetections(...Array<string>(10).fill('pills')) },
    code: 'M06',
    action: 'HOLD',
  },
  // System
  { name: 'no barcode read', tweak: { barcodes: [] }, code: 'S01', action: 'HOLD' },
  { name: 'two barcodes on one parcel', tweak: { barcodes: [WAYBILL, 'YT9876543210'] }, code: 'S01', action: 'HOLD' },
  { name: 'barcode that is no waybill', tweak: { barcodes: ['NOTAWAYBILL'], logisticsNo: undefined }, code: 'S01', action: 'HOLD' },
  { name: 'tracking lost', tweak: { tracking: { lost: true } }, code: 'S02', action: 'HOLD' },
  { name: 'uncertain gun (score 0.45)', tweak: withDetections(['gun', 0.45]), code: 'S03', action: 'HOLD' },
  { name: 'image too dense', tweak: { imageQuality: { tooDense: true } }, code: 'S03', action: 'HOLD' },
  { name: 'unreadable image reported by inspection', tweak: { inspection: { error: { code: 'INSPECT_IMAGE_UNREADABLE', message: 'not a PNG' } } }, code: 'S03', action: 'HOLD' },
  { name: 'model missing', tweak: { inspection: { error: { code: 'INSPECT_MODEL_MISSING', message: 'no model.onnx' } } }, code: 'S04', action: 'HOLD' },
  { name: 'inference timed out', tweak: { inspection: { error: { code: 'INSPECT_TIMEOUT', message: 'timed out after 2000 ms' } } }, code: 'S04', action: 'HOLD' },
  { name: 'malformed model output', tweak: { inspection: inspection([det('phone', Number.NaN)]) }, code: 'S04', action: 'HOLD' },
];

describe('reason codes', () => {
  it('starts from a parcel that is released with no reasons', () => {
    const v = run(input());
    expect(v).toEqual({ action: 'RELEASE', reasons: [], ruleSet: 'rules-2026.11.0', model: 'xray-det@0.1.0', review: false, sampled: false });
  });

  it.each(rows)('$code: $name → $action', (row) => {
    const v = run(input(row.tweak), row.config);
    const found = v.reasons.find((r) => r.code === row.code);
    expect(found, JSON.stringify(v.reasons)).toBeDefined();
    expect(found!.level).toBe(row.level ?? (REASONS[row.code].action === 'HOLD_LOCK' ? 'HOLD_LOCK' : REASONS[row.code].action === 'ALERT' ? 'ALERT' : 'HOLD'));
    expect(found!.detail.length).toBeGreaterThan(5);
    expect(v.action).toBe(row.action);
  });

  it('has a row for every code the engine raises', () => {
    const raised = new Set(rows.map((r) => r.code));
    const expected = Object.keys(REASONS).filter((c) => c !== 'OK' && c !== 'S05');
    expect([...raised].sort()).toEqual(expected.sort());
  });
});

describe('evidence', () => {
  it('M02 names the declared line and the detection that contradicts it', () => {
    const v = run(input({ ...withDecl({ lines: [line({ gcode: '6109100000', gname: 'T恤', qty: 2, unit: '011', totalPrice: 200 })] }), inspection: inspection([det('laptop')]) }));
    const m02 = v.reasons.find((r) => r.code === 'M02')!;
    expect(m02.evidence.gnum).toEqual([1]);
    expect(m02.evidence.detections).toEqual([{ index: 0, label: 'laptop', score: 0.9, box: [10, 10, 110, 60] }]);
    expect(m02.detail).toContain('ch.61');
    expect(v.reasons.map((r) => r.code)).toEqual(['M01', 'M02']);
  });

  it('W01 carries measured against declared and the tolerance used', () => {
    const w = run(input({ measuredWeightKg: 1.5 })).reasons.find((r) => r.code === 'W01')!;
    expect(w.evidence).toMatchObject({ measured: 1.5, declared: 1.2, differenceKg: 0.3, toleranceKg: 0.12 });
  });

  it('M03 counts a pair of shoes as two detections (unit 025)', () => {
    const shoes = line({ gnum: 2, gcode: '6404110000', gname: '运动鞋', qty: 1, unit: '025', price: 400, totalPrice: 400 });
    expect(run(input({ ...withDecl({ lines: [line(), shoes] }), ...withDetections('shoes', 'shoes') })).action).toBe('RELEASE');
    const one = run(input({ ...withDecl({ lines: [line(), shoes] }), ...withDetections('shoes') }));
    expect(one.reasons.map((r) => [r.code, r.evidence.measured, r.evidence.declared])).toEqual([['M03', 1, 2]]);
  });

  it('counts labels that share a chapter against the same lines (bottle and cosmetic under 33)', () => {
    const cosmetics = line({ gnum: 2, gcode: '3304990099', gname: '面霜', qty: 2, unit: '142', price: 180, totalPrice: 360 });
    const v = run(input({ ...withDecl({ lines: [line(), cosmetics] }), ...withDetections('bottle', 'cosmetic') }));
    expect(v.action).toBe('RELEASE');
    const extra = run(input({ ...withDecl({ lines: [line(), cosmetics] }), ...withDetections('bottle', 'cosmetic', 'cosmetic') }));
    expect(extra.reasons.find((r) => r.code === 'M03')?.evidence).toMatchObject({ measured: 3, declared: 2, gnum: [2] });
  });

  it('does not compare counts for goods sold by weight', () => {
    const formula = line({ gnum: 2, gcode: '1901101000', gname: '婴儿配方奶粉', qty: 1.6, unit: '035', price: 300, totalPrice: 300 });
    const v = run(input({ ...withDecl({ lines: [line(), { ...formula, gcode: '1901109000' }] }), ...withDetections('can', 'can') }));
    expect(v.reasons.filter((r) => r.code === 'M03')).toEqual([]);
  });

  it('exempts declared supplements and declared cells from R03 and R01', () => {
    expect(run(input({ ...withDecl({ lines: [line(), supplements] }), ...withDetections('pills') })).action).toBe('RELEASE');
    expect(run(input({ ...withDecl({ lines: [line(), batteryLine(1)] }), ...withDetections('battery') })).action).toBe('RELEASE');
  });

  it('ignores detections below the review band', () => {
    expect(run(input(withDetections(['gun', 0.1]))).action).toBe('RELEASE');
  });

  it('records the rule-pack and model versions used', () => {
    const v = run(input());
    expect(v.ruleSet).toBe(pack.version);
    expect(v.model).toBe('xray-det@0.1.0');
    expect(run(input({ inspection: { error: { code: 'INSPECT_MODEL_MISSING', message: 'x' } } })).model).toBe('unavailable');
  });
});

describe('thresholds', () => {
  const codes = (v: Verdict): string[] => v.reasons.map((r) => r.code);

  it('holds on weight only beyond max(absolute, relative) tolerance', () => {
    // declared 1.2 kg: tolerance max(0.1, 0.12) = 0.12 kg
    expect(codes(run(input({ measuredWeightKg: 1.31 })))).toEqual(['W02']);
    expect(codes(run(input({ measuredWeightKg: 1.33 })))).toEqual(['W01']);
    expect(codes(run(input({ measuredWeightKg: 1.21 })))).toEqual([]);
    expect(codes(run(input({ measuredWeightKg: 1.33 }), { weightToleranceKg: 0.2 }))).toEqual(['W02']);
    expect(codes(run(input({ measuredWeightKg: undefined }), { weightRequired: false }))).toEqual([]); // line without a scale
  });

  it('lets one single item above 5,000 RMB through the per-transaction limit', () => {
    const single = withDecl({ lines: [line({ price: 6000, totalPrice: 6000 })], order: { goodsValue: 6000, freight: 0, discount: 0, taxTotal: 0, acturalPaid: 6000, lineCount: 1 } });
    expect(codes(run(input(single)))).toEqual([]);
  });

  it('judges staleness only offline and only past the configured age', () => {
    expect(codes(run(input({ online: false, ...withDecl({ dataAsOf: hoursBefore(23.9) }) })))).toEqual([]);
    expect(codes(run(input({ online: true, ...withDecl({ dataAsOf: hoursBefore(300) }) })))).toEqual([]);
    expect(codes(run(input({ online: false, ...withDecl({ dataAsOf: hoursBefore(13) }) }), { staleDataHours: 12 }))).toEqual(['D10']);
  });

  it('applies the blade rule with the configured pixel size', () => {
    const knife = withDetections(['knife', 0.9, [0, 0, 200, 30]]);
    expect(codes(run(input(knife)))).not.toContain('P02'); // 200 px × 1 mm
    expect(run(input(knife), { pixelSizeMm: 1.25 }).action).toBe('HOLD_LOCK'); // 250 mm
  });

  it('does not count four lighters as bulk (P03 starts at five)', () => {
    expect(run(input(withDetections('lighter', 'lighter', 'lighter', 'lighter'))).reasons.map((r) => r.code)).not.toContain('P03');
  });
});
