// The per-parcel hot path: logisticsNo (the barcode) → every cached declaration with that number.
// Two logistics companies may reuse a number, so this returns all of them; the rules engine treats
// more than one as ambiguous. Statements are prepared once per database (see `declarationLookup`).
import type { ControlInstruction, CustomsStatus, Declaration, ThreeListResult } from '../../shared/domain/aed.ts';
import type { Db } from '../storage/db.ts';
import { crossCheck } from './crossref.ts';
import { ParcelReader } from './store.ts';

interface InventoryRow {
  id: number;
  doc: string;
  received_at: string;
  invt_no: string | null;
  logistics_code: string;
}

export type DeclarationLookup = (logisticsNo: string) => Declaration[];

/** Builds a lookup bound to one database; keep it and call it per parcel. */
export function declarationLookup(db: Db): DeclarationLookup {
  const reader = new ParcelReader(db);
  const inventories = db.prepare<[string], InventoryRow>('SELECT id, doc, received_at, invt_no, logistics_code FROM aed_inventory WHERE logistics_no = ?');
  const latestReceipt = db.prepare<[number], { return_status: string; return_time: string; return_info: string | null; received_at: string }>(
    'SELECT return_status, return_time, return_info, received_at FROM aed_receipt WHERE inventory_id = ? ORDER BY return_time DESC, id DESC LIMIT 1',
  );
  const threeList = db.prepare<[string, string], { state: ThreeListResult['state']; failed: string; missing: string; checked_at: string }>(
    'SELECT state, failed, missing, checked_at FROM aed_three_list WHERE logistics_code = ? AND logistics_no = ?',
  );
  const controls = db.prepare<[string], { kind: ControlInstruction['kind']; issued_at: string; rule_id: string | null; source: ControlInstruction['source'] }>(
    'SELECT kind, issued_at, rule_id, source FROM control_instruction WHERE logistics_no = ? ORDER BY issued_at, id',
  );

  return (logisticsNo) => {
    const rows = inventories.all(logisticsNo);
    if (rows.length === 0) return [];
    const controlInstructions: ControlInstruction[] = controls.all(logisticsNo).map((c) => ({
      logisticsNo,
      kind: c.kind,
      issuedAt: c.issued_at,
      ...(c.rule_id !== null ? { ruleId: c.rule_id } : {}),
      source: c.source,
    }));
    return rows.map((row) => {
      const key = { logisticsCode: row.logistics_code, logisticsNo };
      const p = reader.read(key, row);
      const inv = p.inventory!.doc;
      const receipt = latestReceipt.get(row.id);
      const tl = threeList.get(row.logistics_code, logisticsNo);
      const customsStatus: CustomsStatus | undefined = receipt
        ? { returnStatus: receipt.return_status, returnTime: cebTimeToIso(receipt.return_time), ...(receipt.return_info !== null ? { returnInfo: receipt.return_info } : {}) }
        : undefined;
      const received = [row.received_at, p.order?.receivedAt, p.payment?.receivedAt, p.waybill?.receivedAt, receipt?.received_at].filter((t): t is string => t !== undefined);
      const d: Declaration = {
        logisticsNo,
        logisticsCode: row.logistics_code,
        orderNo: inv.orderNo,
        ...(row.invt_no !== null ? { invtNo: row.invt_no } : {}),
        ...(inv.copNo !== undefined ? { copNo: inv.copNo } : {}),
        ebpCode: inv.ebpCode,
        ebcCode: inv.ebcCode,
        agentCode: inv.agentCode,
        tradeMode: inv.tradeMode,
        customsCode: inv.customsCode,
        grossWeightKg: Number(inv.grossWeight),
        netWeightKg: Number(inv.netWeight),
        freight: Number(inv.freight),
        insuredFee: Number(inv.insuredFee),
        lines: inv.lines.map((l) => ({
          gnum: l.gnum,
          ...(l.itemNo !== undefined ? { itemNo: l.itemNo } : {}),
          itemName: l.itemName,
          gcode: l.gcode,
          gname: l.gname,
          gmodel: l.gmodel,
          ...(l.barCode !== undefined ? { barCode: l.barCode } : {}),
          country: l.country,
          qty: Number(l.qty),
          unit: l.unit,
          ...(l.qty1 !== undefined ? { qty1: Number(l.qty1) } : {}),
          ...(l.unit1 !== undefined ? { unit1: l.unit1 } : {}),
          price: Number(l.price),
          totalPrice: Number(l.totalPrice),
        })),
        ...(p.order
          ? {
              order: {
                goodsValue: Number(p.order.doc.goodsValue),
                freight: Number(p.order.doc.freight),
                discount: Number(p.order.doc.discount),
                taxTotal: Number(p.order.doc.taxTotal),
                acturalPaid: Number(p.order.doc.acturalPaid),
                lineCount: p.order.doc.lines.length,
              },
            }
          : {}),
        ...(p.payment ? { payment: { amountPaid: Number(p.payment.doc.amountPaid), payTime: cebTimeToIso(p.payment.doc.payTime) } } : {}),
        ...(p.waybill ? { waybill: { weightKg: Number(p.waybill.doc.weight), ...(p.waybill.doc.billNo !== undefined ? { billNo: p.waybill.doc.billNo } : {}) } } : {}),
        ...(customsStatus ? { customsStatus } : {}),
        controlInstructions,
        // Stored by every import; computed here only for a database written before it was (never stale: same inputs).
        threeList: tl
          ? { state: tl.state, failed: JSON.parse(tl.failed) as ThreeListResult['failed'], missing: JSON.parse(tl.missing) as ThreeListResult['missing'], checkedAt: tl.checked_at }
          : crossCheck({ inventory: inv, order: p.order?.doc, payment: p.payment?.doc, waybill: p.waybill?.doc, ambiguous: p.ambiguous }, { now: new Date().toISOString() }),
        dataAsOf: received.reduce((a, b) => (b > a ? b : a)),
      };
      return d;
    });
  };
}

const cache = new WeakMap<Db, DeclarationLookup>();

/** Convenience form of `declarationLookup`, caching the prepared statements per database. */
export function lookupDeclarations(db: Db, logisticsNo: string): Declaration[] {
  let fn = cache.get(db);
  if (!fn) cache.set(db, (fn = declarationLookup(db)));
  return fn(logisticsNo);
}

/** CEB times are China Standard Time without a zone: YYYYMMDDhhmmss[SSS] → ISO-8601 with +08:00. */
export function cebTimeToIso(t: string): string {
  const ms = t.length >= 17 ? t.slice(14, 17) : '000';
  return `${t.slice(0, 4)}-${t.slice(4, 6)}-${t.slice(6, 8)}T${t.slice(8, 10)}:${t.slice(10, 12)}:${t.slice(12, 14)}.${ms}+08:00`;
}
