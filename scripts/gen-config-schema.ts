// Writes config/station.schema.json from the zod schema (for docs, editors and a settings UI).
// `--check` exits 1 when the committed file is out of date instead of writing it.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/main/config/json-schema.ts';

const target = fileURLToPath(new URL('../config/station.schema.json', import.meta.url));
const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    /* missing counts as stale */
  }
  if (current !== text) {
    process.stderr.write('config/station.schema.json is out of date: run `npm run gen:schema`\n');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  process.stdout.write(`wrote ${target}\n`);
}
