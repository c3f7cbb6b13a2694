import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { configJsonSchema } from '../../../src/main/config/json-schema.ts';

describe('the generated JSON Schema', () => {
  it('is committed and up to date with the zod schema (run `npm run gen:schema` after changing it)', () => {
    const committed = readFileSync(new URL('../../../config/station.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
  });

  it('forbids unknown keys and documents restart-only fields', () => {
    const s = configJsonSchema() as { additionalProperties: boolean; properties: Record<string, { properties?: Record<string, Record<string, unknown>> }> };
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.station?.properties?.id?.requiresRestart).toBe(true);
  });
});
