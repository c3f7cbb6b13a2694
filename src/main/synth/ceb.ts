// CEB XML for a synthetic parcel (domain.md §2): CEB311 order, CEB411 payment, CEB511 waybill, CEB621
// inventory and the CEB622 receipt with status 800 (released). Field order follows the documented
// heads; every value is synthetic and the lists agree with each other (three-list cross-check).
import type { Rng } from '../../shared/xray/index.ts';
import type { Declaration } from './declaration.ts';

export const CEB_NS = 'http://www.chinaport.gov.cn/ceb';

export interface Parties {
  ebpCode: string;
  ebpName: string;
  ebcCode: string;
  ebcName: string;
  logisticsCode: string;
  logisticsName: string;
  payCode: string;
  payName: string;
  agentCode: string;
  agentName: string;
  customsCode: string;
}

const PLATFORMS: readonly [string, string][] = [
  ['4401960001', '示例跨境平台'],
  ['3120960002', '测试海淘平台'],
  ['4403960003', '样例全球购'],
];
const SELLERS: readonly [string, string][] = [
  ['4401960101', '示例电商企业'],
  ['3120960102', '测试进口商贸'],
  ['4403960103', '样例国际贸易'],
  ['4401960104', '示范母婴用品'],
];
const CARRIERS: readonly [string, string, string][] = [
  ['4401980003', '示例物流', 'XS'],
  ['3120980004', '测试速运', 'TY'],
  ['4403980005', '样例国际快递', 'YL'],
];
const PAYERS: readonly [string, string][] = [
  ['4401961001', '示例支付'],
  ['3120961002', '测试支付'],
];

export function drawParties(rng: Rng): Parties {
  const [ebpCode, ebpName] = rng.pick(PLATFORMS);
  const [ebcCode, ebcName] = rng.pick(SELLERS);
  const [logisticsCode, logisticsName] = rng.pick(CARRIERS);
  const [payCode, payName] = rng.pick(PAYERS);
  return { ebpCode, ebpName, ebcCode, ebcName, logisticsCode, logisticsName, payCode, payName, agentCode: '4401960004', agentName: '示例报关企业', customsCode: rng.pick(['5141', '5145', '2244', '5349']) };
}

export function guid(rng: Rng): string {
  const hex = (n: number): string =>
    Array.from({ length: n }, () => rng.int(0, 15).toString(16))
      .join('')
      .toUpperCase();
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${rng.pick(['8', '9', 'A', 'B'])}${hex(3)}-${hex(12)}`;
}

function esc(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

type Fields = readonly (readonly [string, string | number | undefined])[];

function node(name: string, fields: Fields, indent: string): string {
  const inner = fields
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${indent} <ceb:${k}>${esc(String(v))}</ceb:${k}>`)
    .join('\n');
  return `${indent}<ceb:${name}>\n${inner}\n${indent}</ceb:${name}>`;
}

function message(code: string, msgGuid: string, body: string, parties: Parties): string {
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<ceb:CEB${code}Message xmlns:ceb="${CEB_NS}" guid="${msgGuid}" version="1.0">`,
    body,
    node(
      'BaseTransfer',
      [
        ['copCode', parties.agentCode],
        ['copName', parties.agentName],
        ['dxpMode', 'DXP'],
        ['dxpId', 'DXPENT0000000000'],
      ],
      ' ',
    ),
    `</ceb:CEB${code}Message>`,
    '',
  ].join('\n');
}

export interface ParcelDocs {
  logisticsNo: string;
  orderNo: string;
  /** Moment of the order, YYYYMMDDhhmmss. */
  time: string;
  grossWeight: number;
  netWeight: number;
  buyerNo: number;
}

export interface CebMessages {
  'CEB311.xml': string;
  'CEB411.xml': string;
  'CEB511.xml': string;
  'CEB621.xml': string;
  'CEB622.xml': string;
}

function money(x: number): string {
  return x.toFixed(2);
}

/** The five messages of one parcel. */
export function cebMessages(rng: Rng, decl: Declaration, parties: Parties, docs: ParcelDocs): CebMessages {
  const goodsValue = decl.lines.reduce((s, l) => s + Math.round(l.price * l.qty * 100), 0) / 100;
  const freight = 0;
  const discount = 0;
  // CBEC retail import tax: 70 % of VAT (13 %) on the goods value (domain.md §4; consumption tax ignored here).
  const taxTotal = Math.round(goodsValue * 0.091 * 100) / 100;
  const paid = Math.round((goodsValue + freight + taxTotal - discount) * 100) / 100;
  const buyerName = `测试用户${String(docs.buyerNo).padStart(4, '0')}`;
  const buyerId = `SYN${String(docs.buyerNo).padStart(15, '0')}`;
  const phone = `1380000${String(docs.buyerNo % 10000).padStart(4, '0')}`;
  const address = `示例省示例市示例路${(docs.buyerNo % 200) + 1}号`;
  const payTx = `PAY${docs.orderNo.slice(3)}`;
  const date = docs.time.slice(0, 8);
  const copNo = `INV${docs.orderNo.slice(3)}`;
  const preNo = `B${docs.time}${String(rng.int(0, 9999)).padStart(4, '0')}`;
  const invtNo = `${parties.customsCode}${docs.time.slice(0, 4)}I${String(rng.int(0, 999_999_999)).padStart(9, '0')}`;
  const head = (): Fields => [
    ['guid', guid(rng)],
    ['appType', 1],
    ['appTime', docs.time],
    ['appStatus', 2],
  ];
  const goodsInfo = decl.lines.map((l) => `${l.goods.gname}×${l.qty}`).join(';');

  const orderBody = [
    ' <ceb:Order>',
    node(
      'OrderHead',
      [
        ...head(),
        ['orderType', 'I'],
        ['orderNo', docs.orderNo],
        ['ebpCode', parties.ebpCode],
        ['ebpName', parties.ebpName],
        ['ebcCode', parties.ebcCode],
        ['ebcName', parties.ebcName],
        ['goodsValue', money(goodsValue)],
        ['freight', money(freight)],
        ['discount', money(discount)],
        ['taxTotal', money(taxTotal)],
        ['acturalPaid', money(paid)],
        ['currency', '142'],
        ['buyerRegNo', `buyer${docs.buyerNo}`],
        ['buyerName', buyerName],
        ['buyerTelephone', phone],
        ['buyerIdType', 1],
        ['buyerIdNumber', buyerId],
        ['payCode', parties.payCode],
        ['payName', parties.payName],
        ['payTransactionId', payTx],
        ['consignee', buyerName],
        ['consigneeTelephone', phone],
        ['consigneeAddress', address],
      ],
      '  ',
    ),
    ...decl.lines.map((l) =>
      node(
        'OrderList',
        [
          ['gnum', l.gnum],
          ['itemNo', `SKU-${l.goods.gcode.slice(0, 4)}-${l.gnum}`],
          ['itemName', l.goods.itemName],
          ['gmodel', l.goods.gmodel],
          ['unit', l.goods.unit],
          ['qty', l.qty],
          ['price', money(l.price)],
          ['totalPrice', money(Math.round(l.price * l.qty * 100) / 100)],
          ['currency', '142'],
          ['country', '502'],
        ],
        '  ',
      ),
    ),
    ' </ceb:Order>',
  ].join('\n');

  const paymentBody = [
    ' <ceb:Payment>',
    node(
      'PaymentHead',
      [
        ...head(),
        ['payCode', parties.payCode],
        ['payName', parties.payName],
        ['payTransactionId', payTx],
        ['orderNo', docs.orderNo],
        ['ebpCode', parties.ebpCode],
        ['ebpName', parties.ebpName],
        ['payerIdType', 1],
        ['payerIdNumber', buyerId],
        ['payerName', buyerName],
        ['telephone', phone],
        ['amountPaid', money(paid)],
        ['currency', '142'],
        ['payTime', docs.time],
      ],
      '  ',
    ),
    ' </ceb:Payment>',
  ].join('\n');

  const waybillBody = [
    ' <ceb:Logistics>',
    node(
      'LogisticsHead',
      [
        ...head(),
        ['logisticsCode', parties.logisticsCode],
        ['logisticsName', parties.logisticsName],
        ['logisticsNo', docs.logisticsNo],
        ['billNo', `999-${docs.time.slice(2, 10)}`],
        ['orderNo', docs.orderNo],
        ['freight', money(freight)],
        ['insuredFee', money(0)],
        ['currency', '142'],
        ['weight', docs.grossWeight.toFixed(2)],
        ['packNo', 1],
        ['goodsInfo', goodsInfo],
        ['consignee', buyerName],
        ['consigneeAddress', address],
        ['consigneeTelephone', phone],
      ],
      '  ',
    ),
    ' </ceb:Logistics>',
  ].join('\n');

  const inventoryBody = [
    ' <ceb:Inventory>',
    node(
      'InventoryHead',
      [
        ...head(),
        ['orderNo', docs.orderNo],
        ['ebpCode', parties.ebpCode],
        ['ebpName', parties.ebpName],
        ['ebcCode', parties.ebcCode],
        ['ebcName', parties.ebcName],
        ['logisticsNo', docs.logisticsNo],
        ['logisticsCode', parties.logisticsCode],
        ['logisticsName', parties.logisticsName],
        ['copNo', copNo],
        ['preNo', preNo],
        ['assureCode', parties.ebcCode],
        ['invtNo', invtNo],
        ['ieFlag', 'I'],
        ['declTime', date],
        ['customsCode', parties.customsCode],
        ['portCode', parties.customsCode],
        ['buyerIdType', 1],
        ['buyerIdNumber', buyerId],
        ['buyerName', buyerName],
        ['buyerTelephone', phone],
        ['consigneeAddress', address],
        ['agentCode', parties.agentCode],
        ['agentName', parties.agentName],
        ['tradeMode', '9610'],
        ['trafMode', '5'],
        ['country', '502'],
        ['freight', money(freight)],
        ['insuredFee', money(0)],
        ['currency', '142'],
        ['packNo', 1],
        ['grossWeight', docs.grossWeight.toFixed(2)],
        ['netWeight', docs.netWeight.toFixed(2)],
      ],
      '  ',
    ),
    ...decl.lines.map((l) =>
      node(
        'InventoryList',
        [
          ['gnum', l.gnum],
          ['itemNo', `SKU-${l.goods.gcode.slice(0, 4)}-${l.gnum}`],
          ['itemName', l.goods.itemName],
          ['gcode', l.goods.gcode],
          ['gname', l.goods.gname],
          ['gmodel', l.goods.gmodel],
          ['country', '502'],
          ['currency', '142'],
          ['qty', l.qty],
          ['unit', l.goods.unit],
          ['qty1', Math.round(l.goods.qty1 * l.qty * 1000) / 1000],
          ['unit1', l.goods.unit1],
          ['price', money(l.price)],
          ['totalPrice', money(Math.round(l.price * l.qty * 100) / 100)],
        ],
        '  ',
      ),
    ),
    ' </ceb:Inventory>',
  ].join('\n');

  const receiptBody = node(
    'InventoryReturn',
    [
      ['guid', guid(rng)],
      ['customsCode', parties.customsCode],
      ['ebpCode', parties.ebpCode],
      ['ebcCode', parties.ebcCode],
      ['agentCode', parties.agentCode],
      ['copNo', copNo],
      ['preNo', preNo],
      ['invtNo', invtNo],
      ['returnStatus', 800],
      ['returnTime', `${docs.time}000`],
      ['returnInfo', '放行'],
    ],
    ' ',
  );

  return {
    'CEB311.xml': message('311', guid(rng), orderBody, parties),
    'CEB411.xml': message('411', guid(rng), paymentBody, parties),
    'CEB511.xml': message('511', guid(rng), waybillBody, parties),
    'CEB621.xml': message('621', guid(rng), inventoryBody, parties),
    'CEB622.xml': message('622', guid(rng), receiptBody, parties),
  };
}
