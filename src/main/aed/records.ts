// The advance-data records as they arrive (CEB field names, domain.md §2), one zod schema each.
// Both readers (XML and JSON lines) produce plain objects and validate them here, so a record
// means the same thing whatever file it came in. Values stay strings: amounts and weights are
// kept as exact decimal text; numbers given in JSON are accepted and turned into text.
// Error messages produced by these schemas name the rule, never the value (personal data).
import { z } from 'zod';

const text = (max = 255) =>
  z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .pipe(z.string().min(1, 'must not be empty').max(max, `longer than ${max} characters`));

const decimal = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^-?\d{1,15}(\.\d{1,8})?$/, 'not a decimal number'));

const nonNegative = decimal.refine((v) => !v.startsWith('-'), 'must not be negative');

const integer = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{1,9}$/, 'not a whole number'))
  .transform(Number);

/** CEB timestamps: YYYYMMDDhhmmss, receipts sometimes with milliseconds. */
const cebTime = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .pipe(z.string().regex(/^\d{14}(\d{3})?$/, 'not a CEB time (YYYYMMDDhhmmss)'));

const cebDate = z.string().trim().regex(/^\d{8}$/, 'not a date (YYYYMMDD)');
const guid = z.string().trim().regex(/^[0-9A-Fa-f-]{36}$/, 'not a 36-character guid');
const appType = z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.enum(['1', '2', '3']));

/** The four fields every declared head starts with (domain.md §2.1). */
const declared = {
  guid,
  appType,
  appTime: cebTime,
  appStatus: z.union([z.string(), z.number()]).transform((v) => String(v).trim()).pipe(z.enum(['1', '2'])),
};

export const InventoryLineSchema = z.object({
  gnum: integer,
  itemRecordNo: text().optional(),
  itemNo: text().optional(),
  itemName: text(),
  gcode: z.string().trim().regex(/^\d{10}$/, 'not a 10-digit tariff code'),
  gname: text(),
  gmodel: text(1000),
  barCode: text().optional(),
  country: text(3),
  tradeCountry: text(3).optional(),
  currency: text(3),
  qty: nonNegative,
  unit: text(3),
  qty1: nonNegative.optional(),
  unit1: text(3).optional(),
  qty2: nonNegative.optional(),
  unit2: text(3).optional(),
  price: nonNegative,
  totalPrice: nonNegative,
  note: text(1000).optional(),
});

export const InventorySchema = z.object({
  ...declared,
  orderNo: text(60),
  ebpCode: text(18),
  ebpName: text(),
  ebcCode: text(18),
  ebcName: text(),
  logisticsNo: text(60),
  logisticsCode: text(18),
  logisticsName: text(),
  copNo: text(60).optional(),
  preNo: text(60).optional(),
  assureCode: text(18),
  emsNo: text(60).optional(),
  invtNo: text(60).optional(),
  ieFlag: z.literal('I'),
  declTime: cebDate,
  customsCode: text(4),
  portCode: text(4),
  ieDate: cebDate.optional(),
  buyerIdType: text(1),
  buyerIdNumber: text(60),
  buyerName: text(60),
  buyerTelephone: text(30),
  consigneeAddress: text(200),
  agentCode: text(18),
  agentName: text(),
  areaCode: text(18).optional(),
  areaName: text().optional(),
  tradeMode: text(4),
  trafMode: text(1),
  trafNo: text(100).optional(),
  voyageNo: text(32).optional(),
  billNo: text(37).optional(),
  loctNo: text(10).optional(),
  licenseNo: text(19).optional(),
  country: text(3),
  freight: nonNegative,
  insuredFee: nonNegative,
  currency: text(3),
  wrapType: text(1).optional(),
  packNo: integer.optional(),
  grossWeight: nonNegative,
  netWeight: nonNegative,
  note: text(1000).optional(),
  lines: z.array(InventoryLineSchema).min(1, 'an inventory needs at least one InventoryList line'),
});

export const OrderLineSchema = z.object({
  gnum: integer,
  itemNo: text().optional(),
  itemName: text(),
  gmodel: text(1000),
  itemDescribe: text(1000).optional(),
  barCode: text().optional(),
  unit: text(3),
  qty: nonNegative,
  price: nonNegative,
  totalPrice: nonNegative,
  currency: text(3),
  country: text(3),
  note: text(1000).optional(),
});

export const OrderSchema = z.object({
  ...declared,
  orderType: z.literal('I'),
  orderNo: text(60),
  ebpCode: text(18),
  ebpName: text(),
  ebcCode: text(18),
  ebcName: text(),
  goodsValue: nonNegative,
  freight: nonNegative,
  discount: nonNegative,
  taxTotal: nonNegative,
  acturalPaid: nonNegative,
  currency: text(3),
  buyerRegNo: text(60),
  buyerName: text(60),
  buyerTelephone: text(30),
  buyerIdType: text(1),
  buyerIdNumber: text(60),
  payCode: text(18).optional(),
  payName: text().optional(),
  payTransactionId: text(60).optional(),
  batchNumbers: text(100).optional(),
  consignee: text(100),
  consigneeTelephone: text(50),
  consigneeAddress: text(200),
  consigneeDistrict: text(6).optional(),
  note: text(1000).optional(),
  lines: z.array(OrderLineSchema).min(1, 'an order needs at least one OrderList line'),
});

export const PaymentSchema = z.object({
  ...declared,
  payCode: text(18),
  payName: text(),
  payTransactionId: text(60),
  orderNo: text(60),
  ebpCode: text(18),
  ebpName: text(),
  payerIdType: text(1),
  payerIdNumber: text(60),
  payerName: text(60),
  telephone: text(30).optional(),
  amountPaid: nonNegative,
  currency: text(3),
  payTime: cebTime,
  note: text(1000).optional(),
});

export const WaybillSchema = z.object({
  ...declared,
  logisticsCode: text(18),
  logisticsName: text(),
  logisticsNo: text(60),
  billNo: text(37).optional(),
  orderNo: text(60),
  freight: nonNegative,
  insuredFee: nonNegative,
  currency: text(3),
  weight: nonNegative,
  packNo: integer,
  goodsInfo: text(1000).optional(),
  consignee: text(100),
  consigneeAddress: text(200),
  consigneeTelephone: text(50),
  note: text(1000).optional(),
});

/** CEB622 InventoryReturn: the customs status of one inventory (domain.md §2.6). */
export const ReceiptSchema = z.object({
  guid,
  customsCode: text(4),
  ebpCode: text(18),
  ebcCode: text(18),
  agentCode: text(18),
  copNo: text(60),
  preNo: text(60).optional(),
  invtNo: text(60).optional(),
  returnStatus: z.string().trim().regex(/^-?\d{1,4}$/, 'not a customs status code'),
  returnTime: cebTime,
  returnInfo: text(1000).optional(),
});

/** A control instruction (布控): JSON lines only for now; the central feed delivers the same later. */
export const ControlSchema = z.object({
  logisticsNo: text(60),
  kind: z.enum(['INSPECT', 'DETAIN', 'RETURN', 'RELEASE']),
  issuedAt: z.iso.datetime({ offset: true, error: 'not an ISO-8601 time with offset' }),
  ruleId: text(60).optional(),
  source: z.enum(['CENTRAL', 'LOCAL']).default('CENTRAL'),
});

export type InventoryRecord = z.output<typeof InventorySchema>;
export type InventoryLineRecord = z.output<typeof InventoryLineSchema>;
export type OrderRecord = z.output<typeof OrderSchema>;
export type OrderLineRecord = z.output<typeof OrderLineSchema>;
export type PaymentRecord = z.output<typeof PaymentSchema>;
export type WaybillRecord = z.output<typeof WaybillSchema>;
export type ReceiptRecord = z.output<typeof ReceiptSchema>;
export type ControlRecord = z.output<typeof ControlSchema>;

export type MessageType = 'CEB621' | 'CEB311' | 'CEB411' | 'CEB511' | 'CEB622' | 'CONTROL';
export const MESSAGE_TYPES: readonly MessageType[] = ['CEB621', 'CEB311', 'CEB411', 'CEB511', 'CEB622', 'CONTROL'];

/** A validated record, tagged with its message type. */
export type AedRecord =
  | { type: 'CEB621'; record: InventoryRecord }
  | { type: 'CEB311'; record: OrderRecord }
  | { type: 'CEB411'; record: PaymentRecord }
  | { type: 'CEB511'; record: WaybillRecord }
  | { type: 'CEB622'; record: ReceiptRecord }
  | { type: 'CONTROL'; record: ControlRecord };

export const SCHEMAS = {
  CEB621: InventorySchema,
  CEB311: OrderSchema,
  CEB411: PaymentSchema,
  CEB511: WaybillSchema,
  CEB622: ReceiptSchema,
  CONTROL: ControlSchema,
} as const;

/** Field that holds a record's goods lines, where the message has them. */
export const LINE_FIELD: Partial<Record<MessageType, 'lines'>> = { CEB621: 'lines', CEB311: 'lines' };

// Built once: zod compiles a fast path per schema instance, so a schema made per call is slow.
const STRICT_SCHEMAS = {
  CEB621: InventorySchema.strict(),
  CEB311: OrderSchema.strict(),
  CEB411: PaymentSchema.strict(),
  CEB511: WaybillSchema.strict(),
  CEB622: ReceiptSchema.strict(),
  CONTROL: ControlSchema.strict(),
} as const;

export type Validated = { ok: true; value: AedRecord } | { ok: false; path: (string | number)[]; reason: string };

/**
 * Validates one raw record. On failure returns the path of the first problem inside the record
 * and a reason that never quotes the value (it may be personal data).
 */
export function validateRecord(type: MessageType, raw: Record<string, unknown>, opts: { strict?: boolean } = {}): Validated {
  const schema = opts.strict ? STRICT_SCHEMAS[type] : SCHEMAS[type];
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: { type, record: result.data } as AedRecord };
  const issue = result.error.issues[0]!;
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  if (issue.code === 'unrecognized_keys') return { ok: false, path: [...path, issue.keys[0] ?? ''], reason: 'unknown field' };
  const missing = valueAt(raw, path) === undefined;
  return { ok: false, path, reason: missing ? 'required field is missing' : issue.message };
}

function valueAt(root: unknown, path: readonly (string | number)[]): unknown {
  let v = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[key];
  }
  return v;
}
