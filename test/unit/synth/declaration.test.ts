import { describe, expect, it } from 'vitest';
import { DECLARABLE, declare, declaredQty } from '../../../src/main/synth/declaration.ts';
import { parseSize, parseSplit } from '../../../src/main/cli/commands/synth.ts';
import { splitOf, yoloLines } from '../../../src/main/synth/parcel.ts';
import { Rng } from '../../../src/shared/xray/index.ts';

describe('declare', () => {
  it('declares what is in the parcel when no mismatch is injected, never guns or knives', () => {
    const d = declare(new Rng(1), ['phone', 'shoes', 'shoes', 'knife', 'gun', 'can'], ['clothes'], 0);
    expect(d.mismatch.type).toBe('none');
    const byCover = Object.fromEntries(d.lines.map((l) => [l.covers, l]));
    expect(byCover.phone?.goods.gcode).toBe('8517130000');
    expect(byCover.shoes?.qty).toBe(1); // one pair
    expect(byCover.shoes?.goods.unit).toBe('025');
    expect(byCover.can?.goods.gcode).toBe('1901101000');
    expect(byCover.knife).toBeUndefined();
    expect(byCover.gun).toBeUndefined();
    expect(d.lines.map((l) => l.gnum)).toEqual(d.lines.map((_, i) => i + 1));
  });

  it('injects each mismatch type so that the declaration really disagrees with the contents', () => {
    const seen = new Set<string>();
    for (let seed = 0; seed < 80; seed++) {
      const contents = ['phone', 'cosmetic', 'cosmetic'] as const;
      const d = declare(new Rng(seed), contents, [], 1);
      const m = d.mismatch;
      seen.add(m.type);
      expect(m.type).not.toBe('none');
      const subject = m.subject as 'phone' | 'cosmetic';
      const actual = declaredQty(subject, contents.filter((c) => c === subject).length);
      const line = d.lines.find((l) => l.covers === subject);
      if (m.type === 'undeclared') expect(line).toBeUndefined();
      if (m.type === 'misdeclared') expect(line!.goods.gcode.slice(0, 2)).not.toBe(DECLARABLE[subject]!.gcode.slice(0, 2));
      if (m.type === 'wrong-quantity') {
        expect(line!.qty).not.toBe(actual);
        expect(line!.qty).toBeGreaterThan(0);
      }
      if (m.type === 'undervalued') expect(line!.price).toBeLessThan(DECLARABLE[subject]!.price[0] * 0.2);
    }
    expect([...seen].sort()).toEqual(['misdeclared', 'undeclared', 'undervalued', 'wrong-quantity']);
  });

  it('falls back to no mismatch (and a cover line) when nothing declarable is inside', () => {
    const d = declare(new Rng(3), ['knife'], [], 1);
    expect(d.mismatch.type).toBe('none');
    expect(d.lines).toHaveLength(1);
    expect(d.lines[0]!.goods.gcode.slice(0, 2)).toBe('61');
  });
});

describe('synth options and labels', () => {
  it('parses sizes and splits and rejects bad ones with a usage error', () => {
    expect(parseSize('416x416')).toEqual([416, 416]);
    expect(parseSize(undefined)).toEqual([640, 480]);
    expect(() => parseSize('10x10')).toThrow(/--size/);
    expect(parseSplit('0.8,0.1,0.1')).toEqual([0.8, 0.1, 0.1]);
    expect(() => parseSplit('0.8,0.1')).toThrow(/add up to 1/);
    expect(() => parseSplit('a,b')).toThrow(/--split/);
  });

  it('assigns splits in proportion and writes normalised YOLO lines', () => {
    const n = 2000;
    let val = 0;
    for (let i = 0; i < n; i++) if (splitOf(5, i, [0.8, 0.2, 0]) === 'val') val++;
    expect(val / n).toBeGreaterThan(0.17);
    expect(val / n).toBeLessThan(0.23);
    expect(yoloLines([{ label: 'knife', box: [10, 20, 30, 60] }], 100, 200)).toBe('1 0.200000 0.200000 0.200000 0.200000');
  });
});
