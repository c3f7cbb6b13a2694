// Writes config/station.schema.json from the zod schema (for docs, editors and a settings UI).
// `--check` exits 1 when the committed file is out of date instead of writing it.
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../src/main/config/json-schema.ts';
import { writeOrCheck } from './generated-file.ts';

const target = fileURLToPath(new URL('../config/station.schema.json', import.meta.url));
const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
writeOrCheck(target, text, 'config/station.schema.json is out of date: run `npm run gen:schema`');
