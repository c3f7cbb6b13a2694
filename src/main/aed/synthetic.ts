// Synthetic advance data for benchmarks and load tests: parcel i always gives the same consistent
// inventory, order, payment and waybill (all values invented, personal data obviously fake), and
// writers for the two import formats.
import type { AedRecord, InventoryRecord, MessageType, OrderRecord, PaymentRecord, WaybillRecord } from './records.ts';
import { CEB_NAMESPACE } from './ceb-xml.ts';

export interface SyntheticParcel {
  inventory: InventoryRecord;
  order: OrderRecord;
  payment: PaymentRecord;
  waybill: WaybillRecord;
}

const pad = (i: number, n: number) => String(i).padStart(n, '0');
const hexGuid = (kind: string, i: number) => `${kind}0000000-0000-4000-8000-${pad(i, 12)}`;

export function syntheticLogisticsNo(i: number): string {
  return `SYN${pad(i, 12)}`;
}

export function syntheticParcel(i: number, logisticsCode = '4401980003'): SyntheticParcel {
  const orderNo = `SYNORD${pad(i, 12)}`;
  const logisticsNo = syntheticLogisticsNo(i);
  const qty = 1 + (i % 3);
  const price = 20 + (i % 50);
  const goods = qty * price;
  const tax = Math.round(goods * 9.1) / 100;
  const paid = (goods + tax).toFixed(2);
  const buyer = { name: `测试用户${i % 1000}`, id: `TESTID${pad(i, 12)}`, phone: `1990${pad(i % 10_000_000, 7)}`, address: `测试市样例路${i}号` };
  const common = { appType: '1' as const, appTime: '20250301100000', appStatus: '2' as const };
  const line = { gnum: 1, itemNo: `SKU-${i % 500}`, itemName: '测试商品', gmodel: '4|3|测试|BrandT', unit: '007', qty: String(qty), price: price.toFixed(2), totalPrice: goods.toFixed(2), currency: '142', country: '502' };
  return {
    inventory: {
      guid: hexGuid('B', i),
      ...common,
      orderNo,
      ebpCode: '4401960001',
      ebpName: '示例跨境平台',
      ebcCode: '4401960002',
      ebcName: '示例电商企业',
      logisticsNo,
      logisticsCode,
      logisticsName: '示例物流',
      copNo: `SYNCOP${pad(i, 12)}`,
      assureCode: '4401960002',
      ieFlag: 'I',
      declTime: '20250301',
      customsCode: '5141',
      portCode: '5141',
      buyerIdType: '1',
      buyerIdNumber: buyer.id,
      buyerName: buyer.name,
      buyerTelephone: buyer.phone,
      consigneeAddress: buyer.address,
      agentCode: '4401960004',
      agentName: '示例报关企业',
      tradeMode: '9610',
      trafMode: '5',
      country: '502',
      freight: '0',
      insuredFee: '0',
      currency: '142',
      grossWeight: (0.2 + qty * 0.3).toFixed(2),
      netWeight: (qty * 0.25).toFixed(2),
      lines: [{ gnum: 1, itemNo: line.itemNo, itemName: line.itemName, gcode: '3304990099', gname: '测试商品', gmodel: line.gmodel, country: '502', currency: '142', qty: line.qty, unit: '007', price: line.price, totalPrice: line.totalPrice }],
    },
    order: {
      guid: hexGuid('C', i),
      ...common,
      orderType: 'I',
      orderNo,
      ebpCode: '4401960001',
      ebpName: '示例跨境平台',
      ebcCode: '4401960002',
      ebcName: '示例电商企业',
      goodsValue: goods.toFixed(2),
      freight: '0',
      discount: '0',
      taxTotal: tax.toFixed(2),
      acturalPaid: paid,
      currency: '142',
      buyerRegNo: `user${i}`,
      buyerName: buyer.name,
      buyerTelephone: buyer.phone,
      buyerIdType: '1',
      buyerIdNumber: buyer.id,
      payCode: '4401960005',
      payName: '示例支付',
      payTransactionId: `SYNPAY${pad(i, 12)}`,
      consignee: buyer.name,
      consigneeTelephone: buyer.phone,
      consigneeAddress: buyer.address,
      lines: [line],
    },
    payment: {
      guid: hexGuid('D', i),
      ...common,
      payCode: '4401960005',
      payName: '示例支付',
      payTransactionId: `SYNPAY${pad(i, 12)}`,
      orderNo,
      ebpCode: '4401960001',
      ebpName: '示例跨境平台',
      payerIdType: '1',
      payerIdNumber: buyer.id,
      payerName: buyer.name,
      amountPaid: paid,
      currency: '142',
      payTime: '20250301095900',
    },
    waybill: {
      guid: hexGuid('E', i),
      ...common,
      logisticsCode,
      logisticsName: '示例物流',
      logisticsNo,
      orderNo,
      freight: '0',
      insuredFee: '0',
      currency: '142',
      weight: (0.22 + qty * 0.3).toFixed(2),
      packNo: 1,
      consignee: buyer.name,
      consigneeAddress: buyer.address,
      consigneeTelephone: buyer.phone,
    },
  };
}

export function syntheticRecords(i: number): AedRecord[] {
  const p = syntheticParcel(i);
  return [
    { type: 'CEB621', record: p.inventory },
    { type: 'CEB311', record: p.order },
    { type: 'CEB411', record: p.payment },
    { type: 'CEB511', record: p.waybill },
  ];
}

export function toJsonLine(r: AedRecord): string {
  return JSON.stringify({ type: r.type, ...r.record });
}

const NODES: Partial<Record<MessageType, { node: string; head?: string; list?: string }>> = {
  CEB621: { node: 'Inventory', head: 'InventoryHead', list: 'InventoryList' },
  CEB311: { node: 'Order', head: 'OrderHead', list: 'OrderList' },
  CEB411: { node: 'Payment', head: 'PaymentHead' },
  CEB511: { node: 'Logistics', head: 'LogisticsHead' },
  CEB622: { node: 'InventoryReturn' },
};

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function leaves(obj: Record<string, unknown>, indent: string): string {
  return Object.entries(obj)
    .filter(([k, v]) => k !== 'lines' && v !== undefined)
    .map(([k, v]) => `${indent}<ceb:${k}>${esc(String(v))}</ceb:${k}>`)
    .join('\n');
}

/** One CEB message holding one business node per record (all of the same type). */
export function toCebXml(type: MessageType, records: object[], guid = hexGuid('A', records.length)): string {
  const n = NODES[type];
  if (!n) throw new Error(`no XML form for ${type}`);
  const nodes = records.map((rec) => {
    const r = rec as Record<string, unknown>;
    const body = n.head ? `    <ceb:${n.head}>\n${leaves(r, '      ')}\n    </ceb:${n.head}>` : leaves(r, '    ');
    const lines = n.list ? ((r.lines as Record<string, unknown>[] | undefined) ?? []).map((l) => `\n    <ceb:${n.list}>\n${leaves(l, '      ')}\n    </ceb:${n.list}>`).join('') : '';
    return `  <ceb:${n.node}>\n${body}${lines}\n  </ceb:${n.node}>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ceb:${type}Message xmlns:ceb="${CEB_NAMESPACE}" guid="${guid}" version="1.0">\n${nodes.join('\n')}\n</ceb:${type}Message>\n`;
}
