// JSON Schema of the configuration, generated from the zod schema so the two never drift.
import { z } from 'zod';
import { ConfigSchema } from '../../shared/config/schema.ts';

export function configJsonSchema(): Record<string, unknown> {
  // "input" describes what a user may write (defaults make fields optional).
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: 'https://inspection-station.local/config/station.schema.json', title: 'Inspection station configuration' };
}
