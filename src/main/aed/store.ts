// SQLite repository for advance electronic data (tables: migration 0020). Applies validated
// records with CEB change semantics and keeps each parcel's three-list result current.
//
// Versioning (appType / appTime): 1 (new) and 2 (change) store the record unless a record with a
// newer appTime, or a delete with an equal or newer appTime, is already known; the same appTime
// with different content replaces (the later import wins). 3 (delete) removes the record and
// leaves a tombstone with its appTime, so an older message arriving late cannot bring it back.
// An identical record (same content hash, guid included) is a duplicate and changes nothing.
//
// Personal data is redacted (pii.ts) before anything is written; callers pass clear records.
import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { ThreeListResult } from '../../shared/domain/aed.ts';
import type { Db } from '../storage/db.ts';
import { crossCheck, type CrossCheckOptions, type StoredInventory, type StoredOrder, type StoredPayment, type StoredWaybill, type ThreeLists } from './crossref.ts';
import { redact } from './pii.ts';
import type { AedRecord, ControlRecord, ReceiptRecord } from './records.ts';

export type ApplyOutcome = 'inserted' | 'replaced' | 'deleted' | 'duplicate' | 'stale';

export interface ParcelKey {
  logisticsCode: string;
  logisticsNo: string;
}

export interface Row<T> {
  id: number;
  doc: T;
  receivedAt: string;
}

/** One parcel's linked lists as stored, with when each arrived. */
export interface ParcelLists {
  inventory?: Row<StoredInventory> | undefined;
  order?: Row<StoredOrder> | undefined;
  payment?: Row<StoredPayment> | undefined;
  waybill?: Row<StoredWaybill> | undefined;
  ambiguous: ('order' | 'payment')[];
}

export interface RawRow {
  id: number;
  doc: string;
  received_at: string;
}

interface VersionRow {
  id: number;
  app_time: string;
  content_hash: string;
}

type Versioned = 'CEB621' | 'CEB311' | 'CEB411' | 'CEB511';

/** Per versioned message: table, key columns and the extra columns kept next to `doc`. */
const SPECS: Record<Versioned, { table: string; keys: string[]; extras: string[] }> = {
  CEB621: { table: 'aed_inventory', keys: ['logistics_code', 'logistics_no'], extras: ['order_no', 'ebp_code', 'agent_code', 'cop_no', 'invt_no', 'pre_no'] },
  CEB311: { table: 'aed_order', keys: ['ebp_code', 'order_no'], extras: [] },
  CEB411: { table: 'aed_payment', keys: ['pay_code', 'pay_transaction_id'], extras: ['ebp_code', 'order_no'] },
  CEB511: { table: 'aed_waybill', keys: ['logistics_code', 'logistics_no'], extras: ['order_no'] },
};

function keysAndExtras(r: AedRecord): { keys: string[]; extras: (string | null)[] } {
  switch (r.type) {
    case 'CEB621': {
      const x = r.record;
      return { keys: [x.logisticsCode, x.logisticsNo], extras: [x.orderNo, x.ebpCode, x.agentCode, x.copNo ?? null, x.invtNo ?? null, x.preNo ?? null] };
    }
    case 'CEB311':
      return { keys: [r.record.ebpCode, r.record.orderNo], extras: [] };
    case 'CEB411':
      return { keys: [r.record.payCode, r.record.payTransactionId], extras: [r.record.ebpCode, r.record.orderNo] };
    case 'CEB511':
      return { keys: [r.record.logisticsCode, r.record.logisticsNo], extras: [r.record.orderNo] };
    default:
      throw new Error(`not a versioned message: ${r.type}`);
  }
}

interface VersionedStatements {
  select: Statement<unknown[], VersionRow>;
  insert: Statement<unknown[]>;
  update: Statement<unknown[]>;
  remove: Statement<[number]>;
}

export class AedStore {
  readonly db: Db;
  readonly #key: Buffer;
  readonly #check: Omit<CrossCheckOptions, 'now'>;
  readonly #versioned: Record<Versioned, VersionedStatements>;
  readonly #s;
  readonly reader: ParcelReader;

  constructor(db: Db, piiKey: Buffer, check: Omit<CrossCheckOptions, 'now'> = {}) {
    this.db = db;
    this.#key = piiKey;
    this.#check = check;
    this.reader = new ParcelReader(db);
    const v = {} as Record<Versioned, VersionedStatements>;
    for (const [type, spec] of Object.entries(SPECS) as [Versioned, (typeof SPECS)[Versioned]][]) {
      const where = spec.keys.map((k) => `${k} = ?`).join(' AND ');
      const cols = [...spec.keys, ...spec.extras, 'guid', 'app_time', 'content_hash', 'doc', 'received_at'];
      v[type] = {
        select: db.prepare(`SELECT id, app_time, content_hash FROM ${spec.table} WHERE ${where}`),
        insert: db.prepare(`INSERT INTO ${spec.table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`),
        update: db.prepare(`UPDATE ${spec.table} SET ${[...spec.extras, 'guid', 'app_time', 'content_hash', 'doc', 'received_at'].map((c) => `${c} = ?`).join(', ')} WHERE id = ?`),
        remove: db.prepare(`DELETE FROM ${spec.table} WHERE id = ?`),
      };
    }
    this.#versioned = v;
    this.#s = {
      tombGet: db.prepare<[string, string], { app_time: string }>('SELECT app_time FROM aed_tombstone WHERE kind = ? AND key = ?'),
      tombPut: db.prepare<[string, string, string, string]>(
        'INSERT INTO aed_tombstone (kind, key, app_time, deleted_at) VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET app_time = max(app_time, excluded.app_time), deleted_at = excluded.deleted_at',
      ),
      tombDel: db.prepare<[string, string]>('DELETE FROM aed_tombstone WHERE kind = ? AND key = ?'),
      invKeysByOrder: db.prepare<[string, string], ParcelKey>('SELECT logistics_code AS logisticsCode, logistics_no AS logisticsNo FROM aed_inventory WHERE ebp_code = ? AND order_no = ?'),
      invKeyById: db.prepare<[number], ParcelKey & { guid: string }>('SELECT logistics_code AS logisticsCode, logistics_no AS logisticsNo, guid FROM aed_inventory WHERE id = ?'),
      invIdByGuid: db.prepare<[string], { id: number }>('SELECT id FROM aed_inventory WHERE guid = ? LIMIT 1'),
      invIdByCop: db.prepare<[string, string], { id: number }>('SELECT id FROM aed_inventory WHERE agent_code = ? AND cop_no = ? LIMIT 1'),
      invIdByInvt: db.prepare<[string], { id: number }>('SELECT id FROM aed_inventory WHERE invt_no = ? LIMIT 1'),
      invNumbers: db.prepare<[string | null, string | null, number]>('UPDATE aed_inventory SET invt_no = coalesce(?, invt_no), pre_no = coalesce(?, pre_no) WHERE id = ?'),
      waybillKeysByOrder: db.prepare<[string], ParcelKey>('SELECT logistics_code AS logisticsCode, logistics_no AS logisticsNo FROM aed_waybill WHERE order_no = ?'),
      receiptInsert: db.prepare(
        `INSERT INTO aed_receipt (guid, customs_code, ebp_code, ebc_code, agent_code, cop_no, pre_no, invt_no, return_status, return_time, return_info, received_at, inventory_id)
         VALUES (@guid, @customsCode, @ebpCode, @ebcCode, @agentCode, @copNo, @preNo, @invtNo, @returnStatus, @returnTime, @returnInfo, @receivedAt, @inventoryId)
         ON CONFLICT (guid, return_status, return_time) DO NOTHING`,
      ),
      // A receipt that arrived before its inventory: attach it now, by guid, else copNo, else invtNo
      // (three statements, so each uses its index instead of scanning every unattached receipt).
      attachByGuid: db.prepare<[number, string]>('UPDATE aed_receipt SET inventory_id = ? WHERE guid = ? AND inventory_id IS NULL'),
      attachByCop: db.prepare<[number, string, string]>('UPDATE aed_receipt SET inventory_id = ? WHERE agent_code = ? AND cop_no = ? AND inventory_id IS NULL'),
      attachByInvt: db.prepare<[number, string]>('UPDATE aed_receipt SET inventory_id = ? WHERE invt_no = ? AND inventory_id IS NULL'),
      receiptNumbers: db.prepare<{ id: number }, { invt_no: string | null; pre_no: string | null }>(
        `SELECT (SELECT invt_no FROM aed_receipt WHERE inventory_id = @id AND invt_no IS NOT NULL ORDER BY return_time DESC LIMIT 1) AS invt_no,
                (SELECT pre_no FROM aed_receipt WHERE inventory_id = @id AND pre_no IS NOT NULL ORDER BY return_time DESC LIMIT 1) AS pre_no`,
      ),
      controlInsert: db.prepare(
        `INSERT INTO control_instruction (logistics_no, kind, issued_at, rule_id, source, received_at)
         VALUES (@logisticsNo, @kind, @issuedAt, @ruleId, @source, @receivedAt) ON CONFLICT (logistics_no, kind, issued_at) DO NOTHING`,
      ),
      threeListPut: db.prepare<[string, string, string, string, string, string]>(
        `INSERT INTO aed_three_list (logistics_code, logistics_no, state, failed, missing, checked_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (logistics_code, logistics_no) DO UPDATE SET state = excluded.state, failed = excluded.failed, missing = excluded.missing, checked_at = excluded.checked_at`,
      ),
      threeListDel: db.prepare<[string, string]>('DELETE FROM aed_three_list WHERE logistics_code = ? AND logistics_no = ?'),
    };
  }

  /** Stores one record; returns what happened and the parcels whose three lists it may change. */
  apply(r: AedRecord, receivedAt: string): { outcome: ApplyOutcome; parcels: ParcelKey[] } {
    switch (r.type) {
      case 'CEB622':
        return this.#applyReceipt(r.record, receivedAt);
      case 'CONTROL':
        return { outcome: this.#applyControl(r.record, receivedAt), parcels: [] };
      default:
        return this.#applyVersioned(r, receivedAt);
    }
  }

  #applyVersioned(r: AedRecord, receivedAt: string): { outcome: ApplyOutcome; parcels: ParcelKey[] } {
    const type = r.type as Versioned;
    const st = this.#versioned[type];
    const rec = r.record as { guid: string; appType: '1' | '2' | '3'; appTime: string };
    const doc = redact(this.#key, r.record);
    const docJson = JSON.stringify(doc);
    // zod emits keys in schema order, so the same content always serialises to the same JSON.
    const hash = createHash('sha256').update(docJson).digest().subarray(0, 16).toString('base64url');
    const { keys, extras } = keysAndExtras(r);
    const tombKey = keys.join('\u001f');
    const existing = st.select.get(...keys);
    const tomb = this.#s.tombGet.get(type, tombKey);
    let outcome: ApplyOutcome;

    if (rec.appType === '3') {
      if (existing && existing.app_time > rec.appTime) outcome = 'stale';
      else if (!existing && tomb && tomb.app_time >= rec.appTime) outcome = tomb.app_time === rec.appTime ? 'duplicate' : 'stale';
      else {
        if (existing) st.remove.run(existing.id);
        this.#s.tombPut.run(type, tombKey, rec.appTime, receivedAt);
        outcome = 'deleted';
      }
    } else if (tomb && tomb.app_time >= rec.appTime) {
      outcome = 'stale';
    } else if (existing?.content_hash === hash) {
      outcome = 'duplicate';
    } else if (existing && existing.app_time > rec.appTime) {
      outcome = 'stale';
    } else {
      let id = existing?.id;
      if (id !== undefined) st.update.run(...extras, rec.guid, rec.appTime, hash, docJson, receivedAt, id);
      else id = Number(st.insert.run(...keys, ...extras, rec.guid, rec.appTime, hash, docJson, receivedAt).lastInsertRowid);
      if (tomb) this.#s.tombDel.run(type, tombKey);
      outcome = existing ? 'replaced' : 'inserted';
      if (r.type === 'CEB621') this.#attachReceipts(id, r.record, existing !== undefined);
    }
    // Deleting an order or payment leaves its inventories and waybills, so the lookup works after it too.
    return { outcome, parcels: outcome === 'duplicate' || outcome === 'stale' ? [] : this.#parcelsOf(r) };
  }

  #attachReceipts(id: number, inv: { guid: string; agentCode: string; copNo?: string | undefined; invtNo?: string | undefined }, replaced: boolean): void {
    let attached = this.#s.attachByGuid.run(id, inv.guid).changes;
    if (inv.copNo !== undefined) attached += this.#s.attachByCop.run(id, inv.agentCode, inv.copNo).changes;
    if (inv.invtNo !== undefined) attached += this.#s.attachByInvt.run(id, inv.invtNo).changes;
    // A new inventory with no receipt waiting has no customs numbers to take over (the bulk case).
    if (attached > 0 || replaced) this.#refreshNumbers(id);
  }

  /** The customs-assigned invtNo / preNo of the newest receipt that carries them win over the declared ones. */
  #refreshNumbers(inventoryId: number): void {
    const n = this.#s.receiptNumbers.get({ id: inventoryId });
    if (n && (n.invt_no !== null || n.pre_no !== null)) this.#s.invNumbers.run(n.invt_no, n.pre_no, inventoryId);
  }

  #applyReceipt(r: ReceiptRecord, receivedAt: string): { outcome: ApplyOutcome; parcels: ParcelKey[] } {
    const inventoryId =
      this.#s.invIdByGuid.get(r.guid)?.id ?? this.#s.invIdByCop.get(r.agentCode, r.copNo)?.id ?? (r.invtNo !== undefined ? this.#s.invIdByInvt.get(r.invtNo)?.id : undefined);
    const info = this.#s.receiptInsert.run({
      guid: r.guid,
      customsCode: r.customsCode,
      ebpCode: r.ebpCode,
      ebcCode: r.ebcCode,
      agentCode: r.agentCode,
      copNo: r.copNo,
      preNo: r.preNo ?? null,
      invtNo: r.invtNo ?? null,
      returnStatus: r.returnStatus,
      returnTime: r.returnTime,
      returnInfo: r.returnInfo ?? null,
      receivedAt,
      inventoryId: inventoryId ?? null,
    });
    if (info.changes === 0) return { outcome: 'duplicate', parcels: [] };
    if (inventoryId === undefined) return { outcome: 'inserted', parcels: [] };
    this.#refreshNumbers(inventoryId);
    const key = this.#s.invKeyById.get(inventoryId)!;
    return { outcome: 'inserted', parcels: [{ logisticsCode: key.logisticsCode, logisticsNo: key.logisticsNo }] };
  }

  #applyControl(c: ControlRecord, receivedAt: string): ApplyOutcome {
    const info = this.#s.controlInsert.run({ logisticsNo: c.logisticsNo, kind: c.kind, issuedAt: c.issuedAt, ruleId: c.ruleId ?? null, source: c.source, receivedAt });
    return info.changes === 0 ? 'duplicate' : 'inserted';
  }

  /** Parcels whose three lists a versioned record takes part in. */
  #parcelsOf(r: AedRecord): ParcelKey[] {
    switch (r.type) {
      case 'CEB621':
      case 'CEB511':
        return [{ logisticsCode: r.record.logisticsCode, logisticsNo: r.record.logisticsNo }];
      case 'CEB311':
      case 'CEB411':
        return [...this.#s.invKeysByOrder.all(r.record.ebpCode, r.record.orderNo), ...this.#s.waybillKeysByOrder.all(r.record.orderNo)];
      default:
        return [];
    }
  }

  /** Recomputes and stores one parcel's three-list result; undefined when none of its lists is left. */
  recompute(key: ParcelKey, now: string): ThreeListResult | undefined {
    const p = this.reader.read(key);
    if (!p.inventory && !p.waybill) {
      this.#s.threeListDel.run(key.logisticsCode, key.logisticsNo);
      return undefined;
    }
    const lists: ThreeLists = { inventory: p.inventory?.doc, order: p.order?.doc, payment: p.payment?.doc, waybill: p.waybill?.doc, ambiguous: p.ambiguous };
    const result = crossCheck(lists, { ...this.#check, now });
    this.#s.threeListPut.run(key.logisticsCode, key.logisticsNo, result.state, JSON.stringify(result.failed), JSON.stringify(result.missing), result.checkedAt);
    return result;
  }
}

/** Reads one parcel's linked lists; used by the three-list recomputation and by the lookup. */
export class ParcelReader {
  readonly #s;

  constructor(db: Db) {
    this.#s = {
      invByKey: db.prepare<[string, string], RawRow>('SELECT id, doc, received_at FROM aed_inventory WHERE logistics_code = ? AND logistics_no = ?'),
      orderByKey: db.prepare<[string, string], RawRow>('SELECT id, doc, received_at FROM aed_order WHERE ebp_code = ? AND order_no = ?'),
      ordersByNo: db.prepare<[string], RawRow>('SELECT id, doc, received_at FROM aed_order WHERE order_no = ? LIMIT 2'),
      paymentsByOrder: db.prepare<[string, string], RawRow & { pay_transaction_id: string }>(
        'SELECT id, doc, received_at, pay_transaction_id FROM aed_payment WHERE ebp_code = ? AND order_no = ?',
      ),
      waybillByKey: db.prepare<[string, string], RawRow>('SELECT id, doc, received_at FROM aed_waybill WHERE logistics_code = ? AND logistics_no = ?'),
    };
  }

  /**
   * Links a parcel's lists: inventory and waybill by (logisticsCode, logisticsNo); the order by
   * the inventory's (ebpCode, orderNo), or by the waybill's orderNo alone when there is no
   * inventory; the payment among those of (ebpCode, orderNo), preferring the order's payTransactionId.
   */
  read(key: ParcelKey, inventoryRow?: RawRow): ParcelLists {
    const inventory = parse<StoredInventory>(inventoryRow ?? this.#s.invByKey.get(key.logisticsCode, key.logisticsNo));
    const waybill = parse<StoredWaybill>(this.#s.waybillByKey.get(key.logisticsCode, key.logisticsNo));
    const ambiguous: ('order' | 'payment')[] = [];
    let order: Row<StoredOrder> | undefined;
    if (inventory) order = parse<StoredOrder>(this.#s.orderByKey.get(inventory.doc.ebpCode, inventory.doc.orderNo));
    else if (waybill) {
      const candidates = this.#s.ordersByNo.all(waybill.doc.orderNo);
      if (candidates.length > 1) ambiguous.push('order');
      else order = parse<StoredOrder>(candidates[0]);
    }
    let payment: Row<StoredPayment> | undefined;
    const ebpCode = order?.doc.ebpCode ?? inventory?.doc.ebpCode;
    const orderNo = order?.doc.orderNo ?? inventory?.doc.orderNo;
    if (ebpCode !== undefined && orderNo !== undefined) {
      const candidates = this.#s.paymentsByOrder.all(ebpCode, orderNo);
      const wanted = order?.doc.payTransactionId;
      const chosen = candidates.length === 1 ? candidates[0] : candidates.find((c) => c.pay_transaction_id === wanted);
      if (candidates.length > 1 && !chosen) ambiguous.push('payment');
      payment = parse<StoredPayment>(chosen);
    }
    return { inventory, order, payment, waybill, ambiguous };
  }
}

function parse<T>(row: RawRow | undefined): Row<T> | undefined {
  return row ? { id: row.id, doc: JSON.parse(row.doc) as T, receivedAt: row.received_at } : undefined;
}
