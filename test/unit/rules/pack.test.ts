// Rule packs are data: the built-in one covers the label space, a bad one is refused with the path.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import builtIn from '../../../src/main/rules/packs/default.json' with { type: 'json' };
import { compilePack, defaultPack, loadRulePack, RULES_PACK_INVALID, RULES_PACK_UNREADABLE } from '../../../src/main/rules/index.ts';
import { decide } from '../../../src/main/rules/index.ts';
import { DETECTION_LABELS } from '../../../src/shared/domain/detection.ts';
import { fails } from '../../helpers/errors.ts';
import { tempDir } from '../../helpers/tmp.ts';
import { input, rulesConfig } from './fixtures.ts';

const clone = (): Record<string, unknown> & typeof builtIn => structuredClone(builtIn) as Record<string, unknown> & typeof builtIn;

describe('rule packs', () => {
  it('the built-in pack is versioned and covers the shipped model labels and the wider §9.2 label space', () => {
    const pack = defaultPack();
    expect(pack.version).toMatch(/^rules-\d{4}\.\d+\.\d+$/);
    for (const label of DETECTION_LABELS) expect(pack.labels.has(label), label).toBe(true);
    for (const label of ['lighter', 'e_cigarette', 'drone', 'bullet', 'toy_gun', 'wine_bottle', 'powder_block', 'banknotes', 'clothing', 'book', 'watch', 'seeds', 'game_console'])
      expect(pack.labels.has(label), label).toBe(true);
    expect(pack.units.get('025')).toBe(2);
    expect(pack.units.get('035')).toBeNull();
    expect(pack.status.get('502')).toBe('detain');
    expect(pack.positiveHeads.has('33049900')).toBe(true);
  });

  it.each([
    ['an HS prefix of odd length', (p: ReturnType<typeof clone>) => (p.labels.gun.hs = ['9']), 'labels.gun.hs[0]'],
    ['an unknown key', (p: ReturnType<typeof clone>) => ((p.labels.phone as Record<string, unknown>).colour = 'red'), 'labels.phone.colour: unknown key'],
    ['a prohibited rule with a restricted code', (p: ReturnType<typeof clone>) => ((p.labels.gun.prohibited as { reason: string }).reason = 'R01'), 'labels.gun.prohibited.reason'],
    ['a non-declarable label without a risk rule', (p: ReturnType<typeof clone>) => delete (p.labels.gun as { prohibited?: unknown }).prohibited, 'labels.gun: a non-declarable label'],
    ['a count rule naming an unknown label', (p: ReturnType<typeof clone>) => (p.countRules[0]!.labels = ['batery']), 'countRules[0].labels[0]: unknown label "batery"'],
    ['a status in two groups', (p: ReturnType<typeof clone>) => p.customsStatus.detain.push('800'), 'customsStatus.detain[4]: status "800" is already in "release"'],
    ['AEO relaxing a prohibited code', (p: ReturnType<typeof clone>) => ((p.aeo.relaxToAlert as string[]) = ['P01']), 'aeo.relaxToAlert[0]'],
    ['a version without the rules- prefix', (p: ReturnType<typeof clone>) => (p.version = '2026.11'), 'version'],
    ['a positive-list head of 6 digits', (p: ReturnType<typeof clone>) => p.positiveList.heads.push('330499'), 'positiveList.heads['],
  ])('refuses %s, naming the path', (_name, edit, path) => {
    const p = clone();
    edit(p);
    const e = fails(() => compilePack(p, 'test-pack.json'));
    expect(e.code).toBe(RULES_PACK_INVALID);
    expect(e.message).toContain('rule pack test-pack.json is invalid');
    expect(e.message).toContain(path);
  });

  it('loads a replacement pack from a file and records its version in verdicts', () => {
    const p = clone();
    p.version = 'rules-2027.01.0';
    const file = join(tempDir(), 'pack.json');
    writeFileSync(file, JSON.stringify(p));
    const pack = loadRulePack(file);
    expect(decide(input(), pack, rulesConfig()).ruleSet).toBe('rules-2027.01.0');
  });

  it('turns the positive list off when the pack says so', () => {
    const p = clone();
    p.positiveList.enforce = false;
    const pack = compilePack(p, 'no-list');
    const i = input();
    i.declarations[0]!.lines[1]!.gcode = '6109909000';
    expect(decide(i, pack, rulesConfig()).action).toBe('RELEASE');
    expect(decide(i, defaultPack(), rulesConfig()).reasons.map((r) => r.code)).toEqual(['D08']);
  });

  it('reports a missing or non-JSON pack file by name', () => {
    const dir = tempDir();
    expect(fails(() => loadRulePack(join(dir, 'absent.json'))).code).toBe(RULES_PACK_UNREADABLE);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format": 1,');
    const e = fails(() => loadRulePack(bad));
    expect(e.code).toBe(RULES_PACK_INVALID);
    expect(e.message).toContain(bad);
  });
});
