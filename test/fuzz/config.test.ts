// Fuzzing configuration loading (src/main/config/load.ts): random YAML, the commented example
// mutated at the text level, YAML's own weapons (aliases, cycles, tags, merge keys, deep nesting) and
// mutated configuration objects with ${env:…} references. A bad file is a StationError with a
// CONFIG_* code naming the file or the key path; a good one yields a configuration that parses again.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/main/config/load.ts';
import { isStationError } from '../../src/shared/errors.ts';
import { tempDir } from '../helpers/tmp.ts';
import { fuzzTarget, fuzzTimeout, mutateJson, mutations, stationErrorOr, timed } from './harness.ts';

const fuzz = fuzzTarget('config (YAML file, configuration object)');
const T = fuzzTimeout(5);

const EXAMPLE = readFileSync(fileURLToPath(new URL('../../config/station.example.yaml', import.meta.url)), 'utf8');
const ENV = { MQTT_PASSWORD: 'pw', STATION_MQTT_PASSWORD: 'pw', STATION_CENTRAL_TOKEN: 'tok' } as NodeJS.ProcessEnv;

const yamlToken = fc.constantFrom(
  '&a ',
  '*a',
  '&a [*a]',
  '&a {x: *a}',
  '<<: *a',
  '!!binary aGk=',
  '!!set {a, b}',
  '!!timestamp 2020-01-01',
  '!foo x',
  '? [a, b]\n: 1',
  '---\n',
  '...\n',
  '%YAML 1.1\n---\n',
  '${env:MISSING_VAR}',
  '${env:MQTT_PASSWORD}',
  '"\\u0000"',
  '~',
  '{',
  '[',
  ': ',
  '- ',
  '\t',
  '  ',
  '\n',
  '# c\n',
  '__proto__: {polluted: 1}\n',
  'constructor: 1\n',
  '1e400',
  '0x1F',
  '.inf',
);
const yamlEdit = fc.record({ at: fc.nat(), len: fc.integer({ min: 0, max: 40 }), kind: fc.constantFrom('delete', 'insert', 'replace'), s: fc.oneof(yamlToken, fc.string({ maxLength: 12 })) });

function edit(text: string, edits: { at: number; len: number; kind: string; s: string }[]): string {
  let t = text;
  for (const e of edits) {
    const i = e.at % (t.length + 1);
    t = e.kind === 'delete' ? t.slice(0, i) + t.slice(i + e.len) : e.kind === 'insert' ? t.slice(0, i) + e.s + t.slice(i) : t.slice(0, i) + e.s + t.slice(i + e.len);
  }
  return t;
}

function expectCleanConfigError(e: unknown): void {
  expect(isStationError(e)).toBe(true);
  if (isStationError(e)) expect(e.code).toMatch(/^CONFIG_/);
}

describe('the configuration file', () => {
  it(
    'random or mutated YAML loads into a configuration or fails with a CONFIG_* error',
    () => {
      const dir = tempDir();
      const file = join(dir, 'station.yaml');
      const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
      fuzz.check(
        'config file: random and mutated YAML',
        fc.property(
          fc.oneof(
            fc.array(yamlEdit, { minLength: 1, maxLength: 5 }).map((e) => edit(EXAMPLE, e)),
            fc.array(fc.oneof(yamlToken, fc.string({ maxLength: 10 })), { maxLength: 12 }).map((a) => a.join('')),
            fc.integer({ min: 1, max: 3000 }).map((n) => `station: ${'['.repeat(n)}${']'.repeat(n)}\n`),
          ),
          (text) => {
            writeFileSync(file, text);
            const r = timed(15000, () => stationErrorOr(() => loadConfig(file, ENV)));
            if (isStationError(r)) expectCleanConfigError(r);
            // Substitution is one pass (a value may itself read "${env:…}" afterwards); otherwise a fixed point.
            else if (!JSON.stringify(r).includes('${env:')) expect(parseConfig(r, {})).toEqual(r);
          },
        ),
        {
          // Regressions: an alias inside its own anchor overflowed the stack in substituteEnv (RangeError),
          // and an alias bomb escaped as yaml's ReferenceError; both are CONFIG_INVALID now.
          examples: [['station: &a\n  x: *a\n'], ['devices: &d [*d]\n'], [bomb], ['mqtt:\n  password: ${env:${env:MQTT_PASSWORD}X}\n']],
        },
      );
    },
    fuzzTimeout(8),
  );

  it(
    'a mutated configuration object is refused naming a key path, or parses to a fixed point',
    () => {
      const base = parseYaml(EXAMPLE) as unknown;
      fuzz.check(
        'config object: member mutations and ${env:} references',
        fc.property(mutations, fc.option(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/), { nil: undefined }), (muts, envName) => {
          let raw = mutateJson(base, muts);
          if (envName !== undefined && raw !== null && typeof raw === 'object' && !Array.isArray(raw)) raw = { ...raw, station: { id: `\${env:${envName}}` } };
          const r = timed(10000, () => stationErrorOr(() => parseConfig(raw, ENV, 'fuzz.yaml')));
          if (isStationError(r)) {
            expectCleanConfigError(r);
            if (r.code === 'CONFIG_INVALID') expect((r.context.problems as string[] | undefined)?.length ?? 1).toBeGreaterThan(0);
          } else if (!JSON.stringify(r).includes('${env:')) expect(parseConfig(r, {})).toEqual(r);
        }),
      );
    },
    T,
  );
});
