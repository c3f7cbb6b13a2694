// Fuzzing the advance-data importers: CEB XML (src/main/aed/ceb-xml.ts), JSON lines (jsonl.ts) and
// the file entry point with its all-or-nothing store (import.ts). Inputs are random bytes and the
// hand-written fixtures mutated at the text level (XML) or member by member (JSON lines).
// Properties: the only thing thrown is a StationError with an IMPORT_* code naming the file; an
// error message never quotes a value from the file (personal data); a rejected file stores nothing
// and leaves what was imported before untouched.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCebXml } from '../../src/main/aed/ceb-xml.ts';
import { parseJsonLines } from '../../src/main/aed/jsonl.ts';
import { Importer, parseFile } from '../../src/main/aed/import.ts';
import { openDatabase, type Db } from '../../src/main/storage/db.ts';
import { isStationError } from '../../src/shared/errors.ts';
import { tempDir } from '../helpers/tmp.ts';
import { bytes, fuzzTarget, fuzzTimeout, mutateJson, mutations, stationErrorOr, timed } from './harness.ts';

const fuzz = fuzzTarget('aed (CEB XML, JSON lines, import)');
const T = fuzzTimeout(5);

const FIXTURES = fileURLToPath(new URL('../fixtures/ceb/', import.meta.url));
const XML_FIXTURES = ['ceb621-inventory.xml', 'ceb621-two-inventories.xml', 'ceb311-order.xml', 'ceb411-payment.xml', 'ceb511-waybill.xml', 'ceb622-receipts.xml'];
const xmlText = Object.fromEntries(XML_FIXTURES.map((f) => [f, readFileSync(join(FIXTURES, f), 'utf8')]));
const jsonlLines = readFileSync(join(FIXTURES, 'parcel-4.jsonl'), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Values in the fixtures that are personal data: no error message may quote them. */
const PII = ['110101199001011234', '13800000000', '测试用户', '北京市测试区示例路1号', '110101199404044567', '13300000000'];

const NS = 'http://www.chinaport.gov.cn/ceb';
const snippet = fc.oneof(
  fc.constantFrom(
    '<',
    '>',
    '</ceb:Inventory>',
    '<ceb:Inventory>',
    '<ceb:guid>x</ceb:guid>',
    '&amp;',
    '&#0;',
    '&#x110000;',
    '&#xD800;',
    '&bogus;',
    '&#99999999999999999999;',
    '<![CDATA[<x>]]>',
    '<!DOCTYPE x [<!ENTITY a "b">]>',
    '<?xml version="1.0" encoding="GBK"?>',
    ' xmlns:ceb="urn:other"',
    ' xmlns="' + NS + '"',
    '<!-- c -->',
    '\u0000',
    '\uFEFF',
    '"',
    'ceb:',
  ),
  fc.integer({ min: 1, max: 3000 }).map((n) => '<ceb:x>'.repeat(n) + '</ceb:x>'.repeat(n)),
  fc.integer({ min: 1, max: 3000 }).map((n) => '<ceb:x>'.repeat(n)),
  fc.string({ maxLength: 20 }),
);
const textEdit = fc.record({ at: fc.nat(), len: fc.integer({ min: 0, max: 60 }), kind: fc.constantFrom('delete', 'insert', 'replace', 'duplicate'), s: snippet });

function applyEdits(text: string, edits: { at: number; len: number; kind: string; s: string }[]): string {
  let t = text;
  for (const e of edits) {
    const i = e.at % (t.length + 1);
    if (e.kind === 'delete') t = t.slice(0, i) + t.slice(i + e.len);
    else if (e.kind === 'insert') t = t.slice(0, i) + e.s + t.slice(i);
    else if (e.kind === 'replace') t = t.slice(0, i) + e.s + t.slice(i + e.len);
    else t = t.slice(0, i + e.len) + t.slice(i, i + e.len) + t.slice(i + e.len);
  }
  return t;
}

function expectCleanError(e: unknown, file: string): void {
  expect(isStationError(e)).toBe(true);
  if (!isStationError(e)) return;
  expect(e.code).toMatch(/^IMPORT_/);
  expect(e.message).toContain(file);
  for (const v of PII) expect(e.message, `${e.code} message quotes file content`).not.toContain(v);
}

describe('CEB XML', () => {
  it(
    'a mutated message parses into validated records or fails with an IMPORT_* error naming a path, never a value',
    () => {
      fuzz.check(
        'CEB XML: text-level mutations of valid messages',
        fc.property(fc.constantFrom(...XML_FIXTURES), fc.array(textEdit, { minLength: 1, maxLength: 4 }), (name, edits) => {
          const xml = applyEdits(xmlText[name]!, edits);
          const r = timed(10000, () => stationErrorOr(() => parseCebXml(xml, name)));
          if (isStationError(r)) expectCleanError(r, name);
          else for (const rec of r.records) expect(rec.type).toBe(r.type);
        }),
        {
          // Regression: 5,000 nested elements made fast-xml-parser throw its own Error ("Maximum nested
          // tags exceeded"), which escaped the importer as an exception instead of a rejected file.
          examples: [['ceb621-inventory.xml', [{ at: xmlText['ceb621-inventory.xml']!.indexOf('<ceb:InventoryHead>'), len: 0, kind: 'insert', s: '<ceb:x>'.repeat(5000) + '</ceb:x>'.repeat(5000) }]]],
        },
      );
    },
    T,
  );

  it(
    'the valid messages still parse with a BOM, comments, CDATA and another namespace prefix',
    () => {
      fuzz.check(
        'CEB XML: equivalent rewrites of valid messages parse the same',
        fc.property(fc.constantFrom(...XML_FIXTURES), fc.boolean(), fc.boolean(), fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), (name, bom, comment, prefix) => {
          const base = xmlText[name]!;
          const want = parseCebXml(base, name);
          let t = base.replace(/(<\/?)ceb:/g, `$1${prefix}:`).replace('xmlns:ceb=', `xmlns:${prefix}=`);
          if (comment) t = t.replace(/(<\/[^>]+>)/, '$1<!-- fuzz -->');
          if (bom) t = `\uFEFF${t}`;
          expect(parseCebXml(t, name).records).toEqual(want.records);
        }),
      );
    },
    T,
  );
});

describe('JSON lines', () => {
  it(
    'a file parses exactly when each of its lines parses on its own, and errors never quote values',
    () => {
      const line = fc.oneof(
        fc.constantFrom(...jsonlLines).map((v) => JSON.stringify(v)),
        fc.tuple(fc.constantFrom(...jsonlLines), mutations).map(([v, m]) => JSON.stringify(mutateJson(v, m))),
        fc.constantFrom('', '   ', '\r', '{', '[]', 'null', '{"type":"CEB621"}', '\uFEFF{}', '{"type":"CEB621","__proto__":{"guid":"x"}}'),
        fc.string({ maxLength: 40 }),
        fc.integer({ min: 1, max: 5000 }).map((n) => `{"type":"CEB311","lines":${'['.repeat(n)}${']'.repeat(n)}}`),
      );
      fuzz.check(
        'JSON lines: per-line compositionality',
        fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (lines) => {
          const file = 'f.jsonl';
          const whole = timed(10000, () => stationErrorOr(() => parseJsonLines(lines.join('\n'), file)));
          if (isStationError(whole)) expectCleanError(whole, file);
          const alone = lines.map((l, i) => (l.trim() === '' ? 'blank' : isStationError(stationErrorOr(() => parseJsonLines(i === 0 ? l : l.replace(/^\uFEFF/, ' '), file))) ? 'bad' : 'ok'));
          if (alone.every((a) => a === 'blank')) expect(isStationError(whole)).toBe(true);
          else expect(isStationError(whole)).toBe(alone.includes('bad'));
        }),
      );
    },
    T,
  );
});

describe('any file', () => {
  it(
    'random bytes under any name are refused with an IMPORT_* error or happen to be records',
    () => {
      fuzz.check(
        'parseFile: random bytes, any extension',
        fc.property(fc.oneof(bytes(400), fc.string({ maxLength: 200 }).map((s) => new TextEncoder().encode(s))), fc.constantFrom('f.xml', 'f.jsonl', 'f.json', 'f.txt', 'f'), (b, name) => {
          const r = timed(10000, () => stationErrorOr(() => parseFile(name, Buffer.from(b))));
          if (isStationError(r)) expectCleanError(r, name);
        }),
      );
    },
    T,
  );
});

function tableCounts(db: Db): Record<string, number> {
  const names = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[];
  return Object.fromEntries(names.map(({ name }) => [name, (db.prepare(`SELECT count(*) AS n FROM "${name}"`).get() as { n: number }).n]));
}

describe('the importer', () => {
  it(
    'stores a good file whole and a bad one not at all, and a bad file never disturbs what was imported before',
    () => {
      const dir = tempDir();
      const { db } = openDatabase(join(dir, 'station.db'));
      const importer = new Importer(db, randomBytes(32));
      for (const f of XML_FIXTURES) expect(importer.importBytes(f, Buffer.from(xmlText[f]!)).status).toBe('imported');
      const fileArb = fc.oneof(
        fc.tuple(fc.constantFrom(...XML_FIXTURES), fc.array(textEdit, { minLength: 1, maxLength: 3 })).map(([n, e]) => ({ name: n, bytes: Buffer.from(applyEdits(xmlText[n]!, e)) })),
        fc.tuple(fc.array(fc.tuple(fc.constantFrom(...jsonlLines), mutations), { minLength: 1, maxLength: 3 })).map(([ls]) => ({ name: 'm.jsonl', bytes: Buffer.from(ls.map(([v, m]) => JSON.stringify(mutateJson(v, m))).join('\n')) })),
        bytes(200).map((b) => ({ name: 'r.xml', bytes: Buffer.from(b) })),
      );
      try {
        fuzz.check(
          'importer: all or nothing, bad files change nothing',
          fc.property(fileArb, ({ name, bytes: b }) => {
            const before = tableCounts(db);
            const r = timed(15000, () => stationErrorOr(() => importer.importBytes(name, b)));
            if (isStationError(r)) expect.fail(`importBytes threw ${r.code} instead of returning a rejected result`);
            if (r.status !== 'imported') {
              expect(tableCounts(db)).toEqual(before);
              if (r.status === 'rejected') {
                expect(r.error?.code).toMatch(/^IMPORT_/);
                for (const v of PII) expect(r.error?.message).not.toContain(v);
              }
            } else {
              expect(tableCounts(db).aed_file).toBe(before.aed_file! + 1);
            }
          }),
          { fraction: 0.3 },
        );
      } finally {
        db.close();
      }
    },
    fuzzTimeout(20, 0.3),
  );
});
