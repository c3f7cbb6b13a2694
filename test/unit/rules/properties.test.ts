// Properties over generated parcels (fast-check): no fault, unknown, missing or stale datum, low
// confidence or model failure ever yields RELEASE; equal inputs and versions give equal verdicts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decide, defaultPack } from '../../../src/main/rules/index.ts';
import type { DecisionInput, RulesConfig } from '../../../src/main/rules/types.ts';
import type { Detection } from '../../../src/shared/domain/detection.ts';
import { declaration, input, inspection, line, NOW, rulesConfig, WAYBILL } from './fixtures.ts';

const pack = defaultPack();
const LABELS = [...pack.labels.keys()];
const BENIGN = ['phone', 'shoes', 'cosmetic', 'bottle', 'laptop', 'clothing', 'watch', 'can', 'toy', 'handbag'];

const box = fc.tuple(fc.integer({ min: 0, max: 500 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 400 })).map(
  ([x, y, w, h]): [number, number, number, number] => [x, y, x + w, y + h],
);
const detection = (labels: string[], score = fc.double({ min: 0, max: 1, noNaN: true })): fc.Arbitrary<Detection> =>
  fc.record({ label: fc.constantFrom(...labels), score, box });

/** A parcel that may or may not be released: random goods, weight, status, lines, configuration. */
const parcel: fc.Arbitrary<{ input: DecisionInput; config: RulesConfig }> = fc
  .record({
    detections: fc.array(detection(BENIGN), { maxLength: 6 }),
    rare: fc.array(detection(LABELS), { maxLength: 2 }),
    weight: fc.double({ min: 0.9, max: 1.5, noNaN: true }),
    status: fc.constantFrom('399', '800', '800', '800', '120', '500'),
    phoneQty: fc.integer({ min: 1, max: 3 }),
    phonePrice: fc.constantFrom(50, 800, 3000),
    online: fc.boolean(),
    ageHours: fc.double({ min: 0, max: 23.9, noNaN: true }),
    samplingRate: fc.constantFrom(0, 0, 0.05, 1),
    aeo: fc.boolean(),
    undervaluationAction: fc.constantFrom('HOLD', 'ALERT'),
  })
  .map((p) => ({
    input: input({
      measuredWeightKg: p.weight,
      online: p.online,
      inspection: inspection([...p.detections, ...p.rare]),
      declarations: [
        declaration({
          customsStatus: { returnStatus: p.status, returnTime: NOW },
          dataAsOf: new Date(Date.parse(NOW) - p.ageHours * 3_600_000).toISOString(),
          lines: [line({ qty: p.phoneQty, totalPrice: p.phonePrice * p.phoneQty }), line({ gnum: 2, gcode: '6109100000', gname: 'T恤', qty: 2, unit: '011', totalPrice: 200 })],
        }),
      ],
    }),
    config: rulesConfig({ samplingRate: p.samplingRate, aeoEnterprises: p.aeo ? ['4401960002'] : [], undervaluationAction: p.undervaluationAction }),
  }));

type Fault = (i: DecisionInput) => DecisionInput;
type Decl = ReturnType<typeof declaration>;
const withDecl = (i: DecisionInput, over: Partial<Decl> | ((d: Decl) => Partial<Decl>)): DecisionInput => ({
  ...i,
  declarations: i.declarations.map((d) => ({ ...d, ...(typeof over === 'function' ? over(d) : over) })),
});

const faults: fc.Arbitrary<Fault>[] = [
  fc.constant((i: DecisionInput) => ({ ...i, declarations: [] })),
  fc.constant((i: DecisionInput) => ({ ...i, declarations: [...i.declarations, ...i.declarations.map((d) => ({ ...d, invtNo: 'SECOND' }))] })),
  fc.string({ maxLength: 5 }).filter((s) => s !== '399' && s !== '800').map((s) => (i: DecisionInput) => withDecl(i, { customsStatus: { returnStatus: s, returnTime: NOW } })),
  fc.constant((i: DecisionInput) => withDecl(i, { customsStatus: undefined })),
  fc.double({ min: 24.01, max: 1000, noNaN: true }).map((h) => (i: DecisionInput) => ({ ...withDecl(i, { dataAsOf: new Date(Date.parse(NOW) - h * 3_600_000).toISOString() }), online: false })),
  fc.constantFrom('', 'not a date', '2026-13-45').map((s) => (i: DecisionInput) => withDecl(i, { dataAsOf: s })),
  fc.constantFrom(undefined, Number.NaN, -1, Number.POSITIVE_INFINITY, 50).map((w) => (i: DecisionInput) => ({ ...i, measuredWeightKg: w })),
  fc.record({ code: fc.constantFrom('INSPECT_MODEL_MISSING', 'INSPECT_TIMEOUT', 'INSPECT_SHA_MISMATCH', 'INSPECT_IMAGE_UNREADABLE', 'X'), message: fc.string() }).map(
    (error) => (i: DecisionInput) => ({ ...i, inspection: { error } }),
  ),
  // An uncertain prohibited or undeclared-restricted box, anywhere in the output.
  fc.record({ d: detection(['gun', 'toy_gun', 'bullet', 'powder_block', 'banknotes', 'drone', 'e_cigarette', 'battery', 'pills'], fc.double({ min: 0.3, max: 0.5999, noNaN: true })), at: fc.nat() }).map(
    ({ d, at }) =>
      (i: DecisionInput) => {
        if ('error' in i.inspection) return i;
        const dets = [...i.inspection.detections];
        dets.splice(at % (dets.length + 1), 0, d);
        return { ...i, inspection: { ...i.inspection, detections: dets } };
      },
  ),
  fc.constantFrom<string[]>([], [WAYBILL, 'YT0000000009']).map((b) => (i: DecisionInput) => ({ ...i, barcodes: b })),
  fc.constant((i: DecisionInput) => ({ ...i, tracking: { lost: true } })),
  fc.constantFrom({ unreadable: true }, { tooDense: true }, { denseUnexplainedArea: 0.5 }, { denseUnexplainedArea: Number.NaN }).map((q) => (i: DecisionInput) => ({ ...i, imageQuality: q })),
  fc.string({ minLength: 1, maxLength: 8 }).filter((l) => !pack.labels.has(l)).map((label) => (i: DecisionInput) => ({ ...i, inspection: inspection([{ label, score: 0.95, box: [0, 0, 10, 10] }]) })),
  fc.constant((i: DecisionInput) => withDecl(i, (d) => ({ lines: d.lines.map((l) => ({ ...l, unit: '999' })) }))),
  fc.constantFrom(Number.NaN, 0, -2).map((qty) => (i: DecisionInput) => withDecl(i, (d) => ({ lines: d.lines.map((l, n) => (n === 0 ? { ...l, qty } : l)) }))),
  fc.constantFrom(Number.NaN, 1.5, -0.1).map((score) => (i: DecisionInput) => ({ ...i, inspection: inspection([{ label: 'phone', score, box: [0, 0, 10, 10] }]) })),
  fc.constant((i: DecisionInput) => withDecl(i, { threeList: { state: 'INCOMPLETE', failed: [], missing: ['order'], checkedAt: NOW } })),
  fc.constantFrom<'RELEASE' | 'HOLD_LOCK'>('RELEASE', 'HOLD_LOCK').map((action) => (i: DecisionInput) => ({ ...i, priorVerdicts: [{ action, decidedAt: NOW }] })),
];

describe('rules engine properties', () => {
  it('never releases a parcel with a fault, unknown, missing or stale data, low confidence or a model failure', () => {
    fc.assert(
      fc.property(parcel, fc.array(fc.oneof(...faults), { minLength: 1, maxLength: 3 }), ({ input: base, config }, fs) => {
        const faulty = fs.reduce((i, f) => f(i), base);
        const v = decide(faulty, pack, config);
        expect(v.action, JSON.stringify(v.reasons.map((r) => r.code))).not.toBe('RELEASE');
        expect(v.reasons.some((r) => r.level !== 'ALERT')).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same verdict for the same inputs and versions', () => {
    fc.assert(
      fc.property(parcel, fc.option(fc.oneof(...faults), { nil: undefined }), ({ input: base, config }, f) => {
        const i = f ? f(base) : base;
        const a = decide(i, pack, config);
        const b = decide(structuredClone(i), defaultPack(), structuredClone(config));
        expect(b).toEqual(a);
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
      }),
      { numRuns: 300 },
    );
  });

  it('releases only when every reason is ALERT-level', () => {
    fc.assert(
      fc.property(parcel, ({ input: i, config }) => {
        const v = decide(i, pack, config);
        expect(v.action === 'RELEASE').toBe(v.reasons.every((r) => r.level === 'ALERT'));
      }),
      { numRuns: 300 },
    );
  });
});
