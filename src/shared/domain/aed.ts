// Advance electronic data as the rest of the station sees it: one parcel's declaration (CEB621
// inventory) joined with its order, payment, waybill, latest customs receipt (CEB622) and any
// control instructions. Produced by the AED store (src/main/aed), consumed by the rules engine.
// Amounts are RMB, weights kg, times ISO-8601. Personal data never appears here.

/** The offline-checkable three-list rules of domain.md §3. */
export type ThreeListRule = 'X01' | 'X04' | 'X05' | 'X06' | 'X07' | 'X08' | 'X10' | 'X12';

export type ThreeListState = 'COMPLETE' | 'INCOMPLETE' | 'INCONSISTENT';

export interface ThreeListResult {
  /** COMPLETE: all lists present and every rule passes; INCOMPLETE: a list is missing; INCONSISTENT: a rule fails. */
  state: ThreeListState;
  failed: { rule: ThreeListRule; detail: string }[];
  missing: ('inventory' | 'order' | 'payment' | 'waybill')[];
  checkedAt: string;
}

export interface DeclarationLine {
  gnum: number;
  itemNo?: string;
  itemName: string;
  /** 10-digit China tariff code; the first two digits are the HS chapter. */
  gcode: string;
  gname: string;
  gmodel: string;
  barCode?: string;
  country: string;
  qty: number;
  /** JGS-20 unit code, e.g. 007 piece, 025 pair, 142 bottle. */
  unit: string;
  qty1?: number;
  unit1?: string;
  price: number;
  totalPrice: number;
}

export interface CustomsStatus {
  /** CEB622 returnStatus, e.g. "800" released, "500" inspection; see domain.md §2.6. */
  returnStatus: string;
  returnTime: string;
  returnInfo?: string;
}

export type ControlKind = 'INSPECT' | 'DETAIN' | 'RETURN' | 'RELEASE';

export interface ControlInstruction {
  logisticsNo: string;
  kind: ControlKind;
  issuedAt: string;
  ruleId?: string;
  source: 'CENTRAL' | 'LOCAL';
}

export interface Declaration {
  logisticsNo: string;
  logisticsCode: string;
  orderNo: string;
  invtNo?: string;
  copNo?: string;
  ebpCode: string;
  ebcCode: string;
  agentCode: string;
  tradeMode: string;
  customsCode: string;
  grossWeightKg: number;
  netWeightKg: number;
  freight: number;
  insuredFee: number;
  lines: DeclarationLine[];
  order?: { goodsValue: number; freight: number; discount: number; taxTotal: number; acturalPaid: number; lineCount: number };
  payment?: { amountPaid: number; payTime: string };
  waybill?: { weightKg: number; billNo?: string };
  customsStatus?: CustomsStatus;
  controlInstructions: ControlInstruction[];
  threeList: ThreeListResult;
  /** When the newest of these records reached the station: the freshness that D10 judges. */
  dataAsOf: string;
}
