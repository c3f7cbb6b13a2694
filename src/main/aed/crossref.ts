// Three-list cross-reference (三单对碰, domain.md §3): the offline-checkable rules X01, X04–X08, X10
// and X12 on one parcel's cached inventory, order, payment and waybill. Pure: the records and the
// clock come in, a ThreeListResult goes out. Details name fields and amounts, never personal data
// (those fields are compared as keyed hashes, see pii.ts).
import type { ThreeListResult, ThreeListRule } from '../../shared/domain/aed.ts';
import type { Redacted } from './pii.ts';
import type { InventoryRecord, OrderRecord, PaymentRecord, WaybillRecord } from './records.ts';

export type StoredInventory = Redacted<InventoryRecord>;
export type StoredOrder = Redacted<OrderRecord>;
export type StoredPayment = Redacted<PaymentRecord>;
export type StoredWaybill = Redacted<WaybillRecord>;

export interface ThreeLists {
  inventory?: StoredInventory | undefined;
  order?: StoredOrder | undefined;
  payment?: StoredPayment | undefined;
  waybill?: StoredWaybill | undefined;
  /** Lists for which more than one candidate record was found (e.g. two payments for one order). */
  ambiguous?: ('order' | 'payment')[];
}

export interface CrossCheckOptions {
  /** checkedAt; passed in so the function stays pure. */
  now: string;
  /** X12: waybill weight may differ from grossWeight by the larger of these. */
  weightToleranceKg?: number;
  weightToleranceRel?: number;
  /** X06: relative tolerance of the order arithmetic ("calculated correctly, 5% tolerance"). */
  arithmeticTolerance?: number;
  /** X08: single-transaction limit in RMB (domain.md §4). */
  transactionLimit?: number;
}

export const CROSS_CHECK_DEFAULTS = { weightToleranceKg: 0.1, weightToleranceRel: 0.1, arithmeticTolerance: 0.05, transactionLimit: 5000 } as const;

/** Half a fen: amounts are given to two decimals, so anything closer is equal. */
const MONEY_EPSILON = 0.005;

export function crossCheck(lists: ThreeLists, opts: CrossCheckOptions): ThreeListResult {
  const o = { ...CROSS_CHECK_DEFAULTS, ...opts };
  const { inventory: inv, order, payment, waybill } = lists;
  const failed: { rule: ThreeListRule; detail: string }[] = [];
  const fail = (rule: ThreeListRule, detail: string): void => void failed.push({ rule, detail });

  // X01: the lists exist and refer to each other.
  for (const list of lists.ambiguous ?? []) fail('X01', `more than one ${list} matches this parcel`);
  const orderNos = [
    ['inventory', inv?.orderNo],
    ['order', order?.orderNo],
    ['payment', payment?.orderNo],
    ['waybill', waybill?.orderNo],
  ].filter((e): e is [string, string] => e[1] !== undefined);
  const distinct = [...new Set(orderNos.map((e) => e[1]))];
  if (distinct.length > 1) fail('X01', `orderNo differs between ${orderNos.map((e) => e[0]).join(', ')}`);
  if (order?.payTransactionId !== undefined && payment && order.payTransactionId !== payment.payTransactionId) {
    fail('X01', 'order.payTransactionId differs from payment.payTransactionId');
  }
  if (order && payment && order.ebpCode !== payment.ebpCode) fail('X01', 'payment.ebpCode differs from order.ebpCode');
  if (inv && waybill && (inv.logisticsNo !== waybill.logisticsNo || inv.logisticsCode !== waybill.logisticsCode)) {
    fail('X01', 'waybill logisticsCode/logisticsNo differ from the inventory');
  }

  // X04: the payer is the buyer.
  if (order && payment) {
    if (payment.payerName !== order.buyerName) fail('X04', 'payment.payerName differs from order.buyerName');
    if (payment.payerIdNumberHash !== order.buyerIdNumberHash) fail('X04', 'payment.payerIdNumber differs from order.buyerIdNumber');
  }

  // X05: the amount paid agrees.
  if (order && payment && !moneyEqual(order.acturalPaid, payment.amountPaid)) {
    fail('X05', `order.acturalPaid ${order.acturalPaid} ≠ payment.amountPaid ${payment.amountPaid}`);
  }

  if (order) {
    // X06: order arithmetic within the tolerance.
    const expected = num(order.goodsValue) + num(order.freight) + num(order.taxTotal) - num(order.discount);
    if (!near(num(order.acturalPaid), expected, o.arithmeticTolerance)) {
      fail('X06', `acturalPaid ${order.acturalPaid} ≠ goodsValue + freight + taxTotal − discount = ${expected.toFixed(2)}`);
    }
    for (const line of order.lines) {
      const product = num(line.price) * num(line.qty);
      if (!near(num(line.totalPrice), product, o.arithmeticTolerance)) fail('X06', `OrderList gnum ${line.gnum}: totalPrice ${line.totalPrice} ≠ price × qty = ${product.toFixed(2)}`);
    }
    const sum = order.lines.reduce((s, l) => s + num(l.totalPrice), 0);
    if (!near(sum, num(order.goodsValue), o.arithmeticTolerance)) fail('X06', `sum of OrderList totalPrice ${sum.toFixed(2)} ≠ goodsValue ${order.goodsValue}`);

    // X08: single-transaction limit, except an order of one single item (domain.md §4).
    const singleItem = order.lines.length === 1 && num(order.lines[0]!.qty) === 1;
    if (num(order.acturalPaid) > o.transactionLimit + MONEY_EPSILON && !singleItem) {
      fail('X08', `acturalPaid ${order.acturalPaid} exceeds the ${o.transactionLimit} RMB single-transaction limit`);
    }
  }

  // X07: consignee identical on order and waybill.
  if (order && waybill) {
    if (order.consignee !== waybill.consignee) fail('X07', 'waybill.consignee differs from order.consignee');
    if (order.consigneeTelephoneHash !== waybill.consigneeTelephoneHash) fail('X07', 'waybill.consigneeTelephone differs from order.consigneeTelephone');
    if (order.consigneeAddressHash !== waybill.consigneeAddressHash) fail('X07', 'waybill.consigneeAddress differs from order.consigneeAddress');
  }

  // X10: the inventory agrees with the order. Order lines carry no gcode, so lines are paired by
  // gnum and compared on itemNo (when both give one), qty, price and totalPrice.
  if (inv && order) {
    if (inv.ebpCode !== order.ebpCode || inv.ebcCode !== order.ebcCode) fail('X10', 'inventory ebpCode/ebcCode differ from the order');
    if (inv.buyerName !== order.buyerName || inv.buyerIdNumberHash !== order.buyerIdNumberHash) fail('X10', 'inventory buyer differs from the order buyer');
    const byGnum = new Map(order.lines.map((l) => [l.gnum, l]));
    if (inv.lines.length !== order.lines.length) fail('X10', `inventory has ${inv.lines.length} lines, order has ${order.lines.length}`);
    for (const il of inv.lines) {
      const ol = byGnum.get(il.gnum);
      if (!ol) {
        fail('X10', `InventoryList gnum ${il.gnum} has no OrderList line`);
        continue;
      }
      const diffs = [
        il.itemNo !== undefined && ol.itemNo !== undefined && il.itemNo !== ol.itemNo ? 'itemNo' : '',
        num(il.qty) !== num(ol.qty) ? 'qty' : '',
        !moneyEqual(il.price, ol.price) ? 'price' : '',
        !moneyEqual(il.totalPrice, ol.totalPrice) ? 'totalPrice' : '',
      ].filter(Boolean);
      if (diffs.length > 0) fail('X10', `gnum ${il.gnum}: ${diffs.join(', ')} differ between inventory and order`);
    }
  }

  // X12: waybill weight close to the declared gross weight.
  if (inv && waybill) {
    const gross = num(inv.grossWeight);
    const allowed = Math.max(o.weightToleranceKg, o.weightToleranceRel * gross);
    if (Math.abs(num(waybill.weight) - gross) > allowed + 1e-9) {
      fail('X12', `waybill weight ${waybill.weight} kg vs inventory grossWeight ${inv.grossWeight} kg (tolerance ${allowed.toFixed(3)} kg)`);
    }
  }

  const missing = (['inventory', 'order', 'payment', 'waybill'] as const).filter((k) => lists[k] === undefined);
  const state = failed.length > 0 ? 'INCONSISTENT' : missing.length > 0 ? 'INCOMPLETE' : 'COMPLETE';
  return { state, failed, missing, checkedAt: opts.now };
}

function num(s: string): number {
  return Number(s);
}

function moneyEqual(a: string, b: string): boolean {
  return Math.abs(num(a) - num(b)) < MONEY_EPSILON;
}

/** Equal within a relative tolerance, and always within half a fen (so zero compares with zero). */
function near(actual: number, expected: number, rel: number): boolean {
  return Math.abs(actual - expected) <= Math.max(MONEY_EPSILON, rel * Math.abs(expected));
}

/** The rule codes of a result, sorted and unique: what the import summary prints. */
export function failedRules(r: ThreeListResult): ThreeListRule[] {
  return [...new Set(r.failed.map((f) => f.rule))].sort();
}
