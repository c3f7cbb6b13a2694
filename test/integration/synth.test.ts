// `station synth` end to end: a real child process writing a real dataset folder.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { DETECTION_LABELS } from '../../src/shared/domain/detection.ts';
import { DECLARABLE, declaredQty } from '../../src/main/synth/declaration.ts';
import type { ParcelTruth } from '../../src/main/synth/parcel.ts';
import { station } from '../helpers/cli.ts';
import { tempDir } from '../helpers/tmp.ts';

const NS = 'http://www.chinaport.gov.cn/ceb';
const xml = new XMLParser({ ignoreAttributes: false, parseTagValue: false });

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .sort();
}

describe('station synth', () => {
  it('writes 20 parcels in the documented YOLO layout with CEB declarations per parcel', { timeout: 120_000 }, async () => {
    const out = join(tempDir(), 'ds');
    const r = await station(['synth', '--count', '20', '--seed', '7', '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { count: number; splits: Record<"train" | "val" | "test", number>; imagesPerSecond: number };
    expect(summary.count).toBe(20);
    expect(summary.splits.train + summary.splits.val + summary.splits.test).toBe(20);
    expect(r.stderr).toMatch(/images\/s, ETA/);

    expect(readFileSync(join(out, 'classes.txt'), 'utf8')).toBe(`${DETECTION_LABELS.join('\n')}\n`);
    const yaml = parseYaml(readFileSync(join(out, 'data.yaml'), 'utf8')) as { train: string; val: string; nc: number; names: Record<number, string> };
    expect(yaml.train).toBe('images/train');
    expect(yaml.val).toBe('images/val');
    expect(yaml.nc).toBe(DETECTION_LABELS.length);
    expect(Object.values(yaml.names)).toEqual([...DETECTION_LABELS]);

    const truths = readdirSync(join(out, 'truth')).map((f) => JSON.parse(readFileSync(join(out, 'truth', f), 'utf8')) as ParcelTruth);
    expect(truths).toHaveLength(20);
    for (const t of truths) {
      const image = join(out, 'images', t.split, `${t.id}.png`);
      const meta = await sharp(image).metadata();
      expect([meta.width, meta.height, meta.channels]).toEqual([640, 480, 3]);
      const labels = readFileSync(join(out, 'labels', t.split, `${t.id}.txt`), 'utf8').split('\n').filter(Boolean);
      expect(labels).toHaveLength(t.objects.length);
      labels.forEach((line, i) => {
        const [cls, ...xywh] = line.split(' ').map(Number);
        expect(DETECTION_LABELS[cls!]).toBe(t.objects[i]!.label);
        for (const v of xywh) {
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
      });

      const doc = (code: string): Record<string, unknown> => {
        const parsed = xml.parse(readFileSync(join(out, 'declarations', t.id, `CEB${code}.xml`), 'utf8')) as Record<string, Record<string, unknown>>;
        const root = parsed[`ceb:CEB${code}Message`]!;
        expect(root['@_xmlns:ceb']).toBe(NS);
        expect(root['@_guid']).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
        return root;
      };
      const inv = doc('621')['ceb:Inventory'] as Record<string, Record<string, string>>;
      const order = doc('311')['ceb:Order'] as Record<string, Record<string, string>>;
      const pay = (doc('411')['ceb:Payment'] as Record<string, Record<string, string>>)['ceb:PaymentHead']!;
      const way = (doc('511')['ceb:Logistics'] as Record<string, Record<string, string>>)['ceb:LogisticsHead']!;
      const receipt = doc('622')['ceb:InventoryReturn'] as Record<string, string>;
      const head = inv['ceb:InventoryHead']!;
      expect(head['ceb:logisticsNo']).toBe(t.id);
      expect(way['ceb:logisticsNo']).toBe(t.id);
      expect(order['ceb:OrderHead']!['ceb:orderNo']).toBe(head['ceb:orderNo']);
      expect(pay['ceb:orderNo']).toBe(head['ceb:orderNo']);
      expect(way['ceb:orderNo']).toBe(head['ceb:orderNo']);
      expect(pay['ceb:amountPaid']).toBe(order['ceb:OrderHead']!['ceb:acturalPaid']);
      expect(way['ceb:weight']).toBe(head['ceb:grossWeight']);
      expect(receipt['ceb:returnStatus']).toBe('800');
      expect(receipt['ceb:invtNo']).toBe(head['ceb:invtNo']);
      const lines = [inv['ceb:InventoryList']].flat() as Record<string, string>[];
      expect(lines.map((l) => l['ceb:gcode'])).toEqual(t.declaration.map((d) => d.gcode));
      for (const l of lines) expect(l['ceb:gcode']).toMatch(/^\d{10}$/);
    }
    expect(truths.some((t) => t.objects.length === 0 || t.mismatch.type !== 'none')).toBe(true);
  });

  it('injects the mismatch its truth file names, and gives the same bytes on one worker or two', { timeout: 120_000 }, async () => {
    const base = tempDir();
    const a = join(base, 'a');
    const b = join(base, 'b');
    const [ra, rb] = [await station(['synth', '--count', '8', '--seed', '3', '--mismatch-rate', '1', '--size', '320x240', '--workers', '1', '--out', a]), await station(['synth', '--count', '8', '--seed', '3', '--mismatch-rate', '1', '--size', '320x240', '--workers', '2', '--out', b])];
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);

    const fa = files(a).map((f) => f.slice(a.length)).filter((f) => !/manifest\.json|data\.yaml/.test(f));
    const fb = files(b).map((f) => f.slice(b.length)).filter((f) => !/manifest\.json|data\.yaml/.test(f));
    expect(fb).toEqual(fa);
    for (const f of fa) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f))), f).toBe(true);

    let injected = 0;
    for (const f of readdirSync(join(a, 'truth'))) {
      const t = JSON.parse(readFileSync(join(a, 'truth', f), 'utf8')) as ParcelTruth;
      const m = t.mismatch;
      if (m.type === 'none') continue;
      injected++;
      const subject = m.subject as keyof typeof DECLARABLE;
      const line = t.declaration.find((d) => d.covers === subject);
      const count = t.contents[subject] ?? 0;
      expect(count, `${t.id} ${m.type}`).toBeGreaterThan(0);
      if (m.type === 'undeclared') expect(line).toBeUndefined();
      else expect(line).toBeDefined();
      if (m.type === 'misdeclared') expect(line!.gcode.slice(0, 2)).not.toBe(DECLARABLE[subject]!.gcode.slice(0, 2));
      if (m.type === 'wrong-quantity') expect(line!.qty).not.toBe(declaredQty(subject, count));
      if (m.type === 'undervalued') expect(line!.price).toBeLessThan(DECLARABLE[subject]!.price[0]);
      expect(m.detail).toBeTruthy();
    }
    expect(injected).toBeGreaterThan(3);
    expect(existsSync(join(a, 'raw'))).toBe(false);
  });

  it('writes the raw 16-bit high and low channels in dual mode and 8-bit grey images in grey mode', { timeout: 60_000 }, async () => {
    const base = tempDir();
    const dual = await station(['synth', '--count', '2', '--seed', '4', '--mode', 'dual', '--size', '160x120', '--out', join(base, 'dual')]);
    expect(dual.code, dual.stderr).toBe(0);
    const raw = readdirSync(join(base, 'dual', 'raw')).sort();
    expect(raw).toHaveLength(4);
    for (const f of raw) {
      const m = await sharp(join(base, 'dual', 'raw', f)).metadata();
      expect([m.width, m.height, m.channels, m.depth]).toEqual([160, 120, 1, 'ushort']);
    }
    const grey = await station(['synth', '--count', '1', '--seed', '4', '--mode', 'grey', '--size', '160x120', '--split', '1,0', '--out', join(base, 'grey')]);
    expect(grey.code, grey.stderr).toBe(0);
    const [img] = readdirSync(join(base, 'grey', 'images', 'train'));
    const m = await sharp(join(base, 'grey', 'images', 'train', img!)).metadata();
    expect([m.channels, m.depth]).toEqual([1, 'uchar']);
  });

  it('refuses a missing --out or a bad --size with a usage error', async () => {
    const r = await station(['synth', '--count', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out DIR is required/);
    const s = await station(['synth', '--count', '2', '--out', tempDir(), '--size', '12']);
    expect(s.code).toBe(2);
    expect(s.stderr).toMatch(/--size must be WxH/);
  });
});
