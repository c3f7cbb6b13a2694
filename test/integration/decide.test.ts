// `station decide` in a child process against a real data folder: every failure still gives a verdict.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/main/storage/db.ts';
import { stationSync } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

const PARCEL = new URL('../fixtures/ceb/parcel-4.jsonl', import.meta.url).pathname;
const WAYBILL = 'SF1000000000004';
/** Test model: whatever the image, it finds a knife (0.9) and a gun (0.7); see its make.py. */
const TINY_MODEL = new URL('../fixtures/models/tiny-yolov8/', import.meta.url).pathname;

/** A data folder and a config whose model folder is empty, so no test depends on the shipped model. */
function setup(): { dir: string; config: string; image: string } {
  const dir = tempDir();
  const config = join(dir, 'station.yaml');
  writeFileSync(config, `inspection:\n  modelDir: ${JSON.stringify(join(dir, 'no-model'))}\n`);
  const image = join(dir, 'parcel.png');
  writeFileSync(image, Buffer.from('89504e470d0a1a0a', 'hex'));
  return { dir, config, image };
}

function decideJson(args: string[]): { code: number; verdict: Record<string, unknown> & { reasons: { code: string; detail: string; evidence: Record<string, unknown> }[] }; stderr: string } {
  const r = stationSync(['decide', ...args, '--json']);
  return { code: r.code, verdict: JSON.parse(r.stdout), stderr: r.stderr };
}

// Each test spawns the CLI two or three times; on two shared cores that can take a while.
describe('station decide', { timeout: 90_000 }, () => {
  it('holds an unknown waybill with D01 and records the rule-pack version', () => {
    const { dir, config, image } = setup();
    const { code, verdict, stderr } = decideJson(['--waybill', 'SF0000000000000', '--image', image, '--weight', '1', '--data-dir', dir, '--config', config]);
    expect(code).toBe(0);
    expect(verdict.action).toBe('HOLD');
    expect(verdict.reasons.map((r) => r.code)).toContain('D01');
    expect(verdict.ruleSet).toBe('rules-2026.11.0');
    expect(stderr).toContain('no station database');
  });

  it('holds an imported parcel with its customs selection and S04 when the model is missing', () => {
    const { dir, config, image } = setup();
    expect(stationSync(['import', PARCEL, '--data-dir', dir]).code).toBe(0);
    const { code, verdict } = decideJson(['--waybill', WAYBILL, '--image', image, '--weight', '1.6', '--data-dir', dir, '--config', config]);
    expect(code).toBe(0);
    expect(verdict).toMatchObject({ action: 'HOLD', model: 'unavailable', ruleSet: 'rules-2026.11.0', logisticsNo: WAYBILL });
    expect(verdict.reasons.map((r) => r.code)).toEqual(['D03', 'D03', 'S04']);
    for (const r of verdict.reasons) expect(Object.keys(r)).toEqual(expect.arrayContaining(['code', 'detail', 'evidence']));
    expect(verdict.reasons[0]!.evidence).toMatchObject({ status: '500' });
    expect(verdict.reasons[2]!.evidence).toMatchObject({ error: 'INSPECT_MODEL_MISSING' });
  });

  it('runs the model on the image and locks a parcel in which it finds a gun', async () => {
    const { dir, image } = setup();
    const config = join(dir, 'tiny.yaml');
    writeFileSync(config, `inspection:\n  modelDir: ${JSON.stringify(TINY_MODEL)}\n`);
    const png = join(dir, 'grey.png');
    await sharp({ create: { width: 64, height: 64, channels: 3, background: '#808080' } }).png().toFile(png);
    expect(stationSync(['import', PARCEL, '--data-dir', dir]).code).toBe(0);
    const { verdict } = decideJson(['--waybill', WAYBILL, '--image', png, '--weight', '1.6', '--data-dir', dir, '--config', config]);
    expect(verdict).toMatchObject({ action: 'HOLD_LOCK', model: 'tiny-yolov8@0.0.1' });
    expect(verdict.reasons.map((r) => r.code)).toEqual(['P01', 'D03', 'D03', 'M01', 'M02']);
    expect(verdict.reasons[0]!.evidence).toMatchObject({ label: 'gun', detections: [{ index: 1, label: 'gun', score: 0.7 }] });
    // An image the model cannot decode: held for the image (S03), with the model version still recorded.
    const bad = decideJson(['--waybill', WAYBILL, '--image', image, '--weight', '1.6', '--data-dir', dir, '--config', config]).verdict;
    expect(bad).toMatchObject({ action: 'HOLD', model: 'tiny-yolov8@0.0.1' });
    expect(bad.reasons.find((r) => r.code === 'S03')?.evidence.error).toMatch(/^INSPECT_IMAGE_/);
  });

  it('holds a parcel whose image cannot be read as S03 without review', () => {
    const { dir, config } = setup();
    const { verdict } = decideJson(['--waybill', WAYBILL, '--image', join(dir, 'absent.png'), '--weight', '1.6', '--data-dir', dir, '--config', config]);
    expect(verdict.action).toBe('HOLD');
    expect(verdict.review).toBe(false);
    expect(verdict.reasons.find((r) => r.code === 'S03')?.detail).toContain('cannot read image');
  });

  it('holds a waybill that was already released on this line as a duplicate scan', () => {
    const { dir, config, image } = setup();
    expect(stationSync(['import', PARCEL, '--data-dir', dir]).code).toBe(0);
    const { db } = openDatabase(join(dir, 'station.db'));
    const at = '2026-11-27T06:00:00.000Z';
    db.prepare("INSERT INTO parcel (scan_id, station_id, line_id, logistics_no, state, created_at, updated_at) VALUES ('s1', 'demo-01', 'line-1', ?, 'DONE', ?, ?)").run(WAYBILL, at, at);
    db.prepare("INSERT INTO verdict (verdict_id, scan_id, logistics_no, action, reasons, rule_set, model, decided_by, decided_at) VALUES ('v1', 's1', ?, 'RELEASE', '[]', 'r', 'm', 'AUTO', ?)").run(WAYBILL, at);
    db.close();
    const { verdict } = decideJson(['--waybill', WAYBILL, '--image', image, '--weight', '1.6', '--data-dir', dir, '--config', config]);
    expect(verdict.reasons.find((r) => r.code === 'D09')?.evidence).toMatchObject({ releasedAt: at });
  });

  it('prints the action in big letters, the reasons in words and what to do next', () => {
    const { dir, config, image } = setup();
    expect(stationSync(['import', PARCEL, '--data-dir', dir]).code).toBe(0);
    const r = stationSync(['decide', '--waybill', WAYBILL, '--image', image, '--data-dir', dir, '--config', config]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('H O L D');
    expect(r.stdout).toContain('D03 Selected for inspection');
    expect(r.stdout).toContain('W01 Measured weight does not match the declared weight');
    expect(r.stdout).toContain('no weight was measured for this parcel');
    expect(r.stdout).toContain('Next: Take the parcel to the inspection bench for an officer.');
  });

  it('rejects a weight that is not a number with a usage error', () => {
    const { dir, image } = setup();
    const r = stationSync(['decide', '--waybill', WAYBILL, '--image', image, '--weight', 'heavy', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--weight must be a weight in kg');
    expect(stationSync(['decide', '--image', image, '--data-dir', dir]).stderr).toContain('--waybill is required');
  });
});
