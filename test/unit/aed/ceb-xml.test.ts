import { describe, expect, it } from 'vitest';
import { parseCebXml } from '../../../src/main/aed/ceb-xml.ts';
import { isStationError, type StationError } from '../../../src/shared/errors.ts';
import { fixtureText } from './fixtures.ts';

function rejection(xml: string, file = 'x.xml'): StationError {
  try {
    parseCebXml(xml, file);
  } catch (e) {
    if (isStationError(e)) return e;
    throw e;
  }
  throw new Error('expected the message to be rejected');
}

describe('CEB XML messages', () => {
  it('reads a CEB621 inventory with its head fields and goods lines, decoding entities', () => {
    const m = parseCebXml(fixtureText('ceb621-inventory.xml'), 'inv.xml');
    expect(m.type).toBe('CEB621');
    expect(m.records).toHaveLength(1);
    const r = m.records[0]!;
    if (r.type !== 'CEB621') throw new Error('wrong type');
    expect(r.record).toMatchObject({ logisticsNo: 'SF1000000000001', logisticsCode: '4401980003', grossWeight: '1.20', appType: '1', copNo: 'INV-2025-000001' });
    expect(r.record.preNo).toBeUndefined(); // an empty element counts as absent
    expect(r.record.lines.map((l) => [l.gnum, l.qty, l.price, l.totalPrice])).toEqual([
      [1, '2', '180.00', '360.00'],
      [2, '1', '40.00', '40.00'],
    ]);
    expect(r.record.lines[1]!.itemName).toBe('护手霜 & 唇膏套装');
  });

  it('checks the namespace by URI: a default namespace and another prefix are both accepted', () => {
    const order = parseCebXml(fixtureText('ceb311-order.xml'), 'order.xml');
    expect(order.type).toBe('CEB311');
    expect(order.records[0]!.record).toMatchObject({ orderNo: 'ORD20250301001', acturalPaid: '436.40', payTransactionId: 'PAY20250301000001' });
    const payment = parseCebXml(fixtureText('ceb411-payment.xml'), 'pay.xml');
    expect(payment.type).toBe('CEB411');
    expect(payment.records[0]!.record).toMatchObject({ amountPaid: '436.40', payTime: '20250301100455' });
  });

  it('reads waybills and every InventoryReturn receipt of a CEB622', () => {
    expect(parseCebXml(fixtureText('ceb511-waybill.xml'), 'w.xml').records[0]!.record).toMatchObject({ logisticsNo: 'SF1000000000001', weight: '1.25' });
    const receipts = parseCebXml(fixtureText('ceb622-receipts.xml'), 'r.xml');
    expect(receipts.type).toBe('CEB622');
    expect(receipts.records.map((r) => (r.record as { returnStatus: string }).returnStatus)).toEqual(['800', '120']);
  });

  it('reads every business node of a multi-node message', () => {
    const m = parseCebXml(fixtureText('ceb621-two-inventories.xml'), 'two.xml');
    expect(m.records.map((r) => (r.record as { logisticsNo: string }).logisticsNo)).toEqual(['SF1000000000002', 'SF1000000000003']);
  });

  it('rejects a missing required field in the second node, naming that node and field', () => {
    const e = rejection(fixtureText('ceb621-second-node-missing-field.xml'), 'bad.xml');
    expect(e.code).toBe('IMPORT_INVALID');
    expect(e.context.path).toBe('/ceb:CEB621Message/ceb:Inventory[2]/ceb:InventoryHead/ceb:grossWeight');
    expect(e.message).toBe('bad.xml: /ceb:CEB621Message/ceb:Inventory[2]/ceb:InventoryHead/ceb:grossWeight: required field is missing');
  });

  it('names the goods line of an invalid line field', () => {
    const xml = fixtureText('ceb621-inventory.xml').replace('<ceb:price>40.00</ceb:price>', '<ceb:price>forty</ceb:price>');
    const e = rejection(xml);
    expect(e.context.path).toBe('/ceb:CEB621Message/ceb:Inventory[1]/ceb:InventoryList[2]/ceb:price');
    expect(e.context.reason).toBe('not a decimal number');
  });

  it('rejects malformed XML with the line and column', () => {
    const e = rejection(fixtureText('malformed.xml'));
    expect(e.code).toBe('IMPORT_MALFORMED');
    expect(String(e.context.path)).toMatch(/^line \d+, column \d+$/);
  });

  it('rejects the wrong namespace and names the one found', () => {
    const e = rejection(fixtureText('wrong-namespace.xml'));
    expect(e.code).toBe('IMPORT_WRONG_NAMESPACE');
    expect(e.message).toContain('http://www.chinaport.gov.cn/ceb/v2');
    expect(rejection('<CEB621Message guid="x"><Inventory/></CEB621Message>').code).toBe('IMPORT_WRONG_NAMESPACE');
  });

  it('refuses DOCTYPE and entity declarations (XXE, entity expansion) before parsing', () => {
    const e = rejection(fixtureText('doctype-entity.xml'));
    expect(e.code).toBe('IMPORT_MALFORMED');
    expect(e.message).toContain('DOCTYPE');
    expect(e.message).not.toContain('passwd');
  });

  it('rejects an undefined entity reference instead of passing it through', () => {
    const xml = fixtureText('ceb621-inventory.xml').replace('示例物流</ceb:logisticsName>', '&foo;</ceb:logisticsName>');
    expect(rejection(xml).code).toBe('IMPORT_MALFORMED');
  });

  it('reports messages it does not import and messages without a business node', () => {
    const ns = 'xmlns:ceb="http://www.chinaport.gov.cn/ceb"';
    expect(rejection(`<ceb:CEB513Message ${ns}><ceb:LogisticsStatus/></ceb:CEB513Message>`).code).toBe('IMPORT_UNSUPPORTED');
    const e = rejection(`<ceb:CEB621Message ${ns}><ceb:BaseTransfer/></ceb:CEB621Message>`);
    expect(e.code).toBe('IMPORT_INVALID');
    expect(e.context.path).toBe('/ceb:CEB621Message/ceb:Inventory');
  });

  it('rejects a field given twice and an inventory without goods lines', () => {
    const twice = fixtureText('ceb511-waybill.xml').replace('<ceb:weight>1.25</ceb:weight>', '<ceb:weight>1.25</ceb:weight><ceb:weight>9</ceb:weight>');
    expect(rejection(twice).context).toMatchObject({ path: '/ceb:CEB511Message/ceb:Logistics[1]/ceb:LogisticsHead/ceb:weight', reason: 'appears more than once' });
    const noLines = fixtureText('ceb621-two-inventories.xml').replace(/<ceb:InventoryList>[\s\S]*?<\/ceb:InventoryList>/, '');
    expect(rejection(noLines).context.path).toBe('/ceb:CEB621Message/ceb:Inventory[1]/ceb:InventoryList');
  });

  it('never quotes a personal-data value in an error', () => {
    const xml = fixtureText('ceb621-inventory.xml').replace('<ceb:buyerIdType>1</ceb:buyerIdType>', '<ceb:buyerIdType>110101199001011234</ceb:buyerIdType>');
    const e = rejection(xml);
    expect(e.context.path).toContain('buyerIdType');
    expect(JSON.stringify(e.toJSON())).not.toContain('110101199001011234');
  });
});
