import { describe, expect, it } from 'vitest';
import { parseJsonLines } from '../../../src/main/aed/jsonl.ts';
import { isStationError, type StationError } from '../../../src/shared/errors.ts';
import { fixtureText } from './fixtures.ts';

function rejection(text: string): StationError {
  try {
    parseJsonLines(text, 'f.jsonl');
  } catch (e) {
    if (isStationError(e)) return e;
    throw e;
  }
  throw new Error('expected the file to be rejected');
}

const lines = () => fixtureText('parcel-4.jsonl').trim().split('\n');

describe('JSON-lines advance data', () => {
  it('reads every record type with the same field names as the XML; numbers become exact text', () => {
    const records = parseJsonLines(fixtureText('parcel-4.jsonl'), 'p4.jsonl');
    expect(records.map((r) => r.type)).toEqual(['CEB311', 'CEB411', 'CEB621', 'CEB511', 'CEB622', 'CONTROL']);
    const inv = records[2]!;
    if (inv.type !== 'CEB621') throw new Error('wrong type');
    expect(inv.record.netWeight).toBe('1.5');
    expect(inv.record.lines[0]).toMatchObject({ gnum: 1, qty: '2', price: '60.00' });
    expect(records[5]!.record).toMatchObject({ kind: 'INSPECT', source: 'CENTRAL' });
  });

  it('names the line and field path of a missing required field', () => {
    const l = lines();
    const order = JSON.parse(l[0]!) as { lines: Record<string, unknown>[] };
    delete order.lines[0]!.qty;
    const e = rejection([l[1], JSON.stringify(order)].join('\n'));
    expect(e.code).toBe('IMPORT_INVALID');
    expect(e.context).toMatchObject({ path: 'line 2: lines[0].qty', reason: 'required field is missing' });
  });

  it('rejects unknown fields and unknown types', () => {
    const l = lines();
    const withTypo = JSON.stringify({ ...(JSON.parse(l[1]!) as object), amountPayed: '1' });
    expect(rejection(withTypo).context).toMatchObject({ path: 'line 1: amountPayed', reason: 'unknown field' });
    expect(rejection('{"type":"CEB999"}').context.path).toBe('line 1: type');
  });

  it('reports broken JSON by line and column without quoting the text', () => {
    const e = rejection(`${lines()[0]}\n{"type":"CEB411","payerIdNumber":"110101199001011234",`);
    expect(e.code).toBe('IMPORT_MALFORMED');
    expect(String(e.context.path)).toMatch(/^line 2/);
    expect(e.message).not.toContain('110101199001011234');
  });

  it('rejects an empty file and a line that is not an object', () => {
    expect(rejection('\n\n').code).toBe('IMPORT_INVALID');
    expect(rejection('[1,2]').context.path).toBe('line 1');
  });
});
