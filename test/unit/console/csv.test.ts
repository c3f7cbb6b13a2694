import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../../src/main/console/csv.ts';

describe('CSV export', () => {
  it('neutralises cells a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvCell('+8613800000000')).toBe("'+8613800000000");
    expect(csvCell('-1+2')).toBe("'-1+2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('\t=1')).toBe("'\t=1");
    expect(csvCell('SF2026112700001')).toBe('SF2026112700001');
  });

  it('quotes commas, quotes and line breaks and writes empty cells for null', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(12.5)).toBe('12.5');
  });

  it('joins rows with CRLF (RFC 4180) after the header', () => {
    expect(toCsv(['waybill', 'reasons'], [['SF1', 'D01;W02'], ['SF2', '=cmd']])).toBe("waybill,reasons\r\nSF1,D01;W02\r\nSF2,'=cmd\r\n");
  });
});
