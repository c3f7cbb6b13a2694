// Synthetic inputs for the rules tests: a parcel that is released as it stands (one phone, two
// T-shirts, customs status 800, fresh data, weight on the dot), and helpers to tweak it.
import type { Declaration, DeclarationLine } from '../../../src/shared/domain/aed.ts';
import type { Detection, InspectionOutput } from '../../../src/shared/domain/detection.ts';
import { parseConfig } from '../../../src/main/config/load.ts';
import type { DecisionInput, RulesConfig } from '../../../src/main/rules/types.ts';

export const NOW = '2026-11-27T08:00:00.000Z';
export const WAYBILL = 'SF1234567890123';

export function line(over: Partial<DeclarationLine> = {}): DeclarationLine {
  return {
    gnum: 1,
    itemName: 'Smartphone',
    gcode: '8517130000',
    gname: '智能手机',
    gmodel: '4|3|BrandX|X1',
    country: '502',
    qty: 1,
    unit: '163',
    price: 3000,
    totalPrice: 3000,
    ...over,
  };
}

export function declaration(over: Partial<Declaration> = {}): Declaration {
  return {
    logisticsNo: WAYBILL,
    logisticsCode: '4401980003',
    orderNo: 'ORD202611270001',
    invtNo: '51412026I000000123',
    ebpCode: '4401960001',
    ebcCode: '4401960002',
    agentCode: '4401960004',
    tradeMode: '9610',
    customsCode: '5141',
    grossWeightKg: 1.2,
    netWeightKg: 0.95,
    freight: 0,
    insuredFee: 0,
    lines: [line(), line({ gnum: 2, itemName: 'T-shirt', gcode: '6109100000', gname: 'T恤', qty: 2, unit: '011', price: 100, totalPrice: 200 })],
    order: { goodsValue: 3200, freight: 0, discount: 0, taxTotal: 291.2, acturalPaid: 3491.2, lineCount: 2 },
    payment: { amountPaid: 3491.2, payTime: '2026-11-26T10:00:00.000Z' },
    waybill: { weightKg: 1.2 },
    customsStatus: { returnStatus: '800', returnTime: '2026-11-27T07:00:00.000Z' },
    controlInstructions: [],
    threeList: { state: 'COMPLETE', failed: [], missing: [], checkedAt: '2026-11-27T07:00:00.000Z' },
    dataAsOf: '2026-11-27T07:00:00.000Z',
    ...over,
  };
}

export function det(label: string, score = 0.9, box: [number, number, number, number] = [10, 10, 110, 60]): Detection {
  return { label, score, box };
}

export function inspection(detections: Detection[] = [det('phone')]): InspectionOutput {
  return { model: 'xray-det@0.1.0', detections, inferenceMs: 42, imageWidth: 1024, imageHeight: 768 };
}

export function input(over: Partial<DecisionInput> = {}): DecisionInput {
  return {
    scanId: '01JDEMO0000000000000000001',
    barcodes: [WAYBILL],
    logisticsNo: WAYBILL,
    declarations: [declaration()],
    inspection: inspection(),
    measuredWeightKg: 1.2,
    online: true,
    now: NOW,
    ...over,
  };
}

export function rulesConfig(over: Record<string, unknown> = {}): RulesConfig {
  return parseConfig({ rules: over }, {}).rules;
}
