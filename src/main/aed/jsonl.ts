// JSON lines → validated records (format: docs/import-formats.md). One record per line, tagged by
// `type`; head fields at the top level, goods lines under `lines`. Unknown fields are errors here
// (the format is ours, so a typo should not be silently dropped). Pure; errors name the line and
// field path, never the value: JSON.parse's own message quotes the input, so it is not passed on.
import { ErrorCodes } from '../../shared/errors.ts';
import { invalid } from './ceb-xml.ts';
import { MESSAGE_TYPES, validateRecord, type AedRecord, type MessageType } from './records.ts';

export function parseJsonLines(text: string, file: string): AedRecord[] {
  const out: AedRecord[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `line ${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(i === 0 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    } catch (e) {
      const col = /position (\d+)/.exec((e as Error).message)?.[1];
      throw invalid(ErrorCodes.IMPORT_MALFORMED, file, col === undefined ? where : `${where}, column ${Number(col) + 1}`, 'not valid JSON');
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid(ErrorCodes.IMPORT_INVALID, file, where, 'a line must be one JSON object');
    const { type, ...raw } = value as Record<string, unknown>;
    if (!MESSAGE_TYPES.includes(type as MessageType)) {
      throw invalid(ErrorCodes.IMPORT_INVALID, file, `${where}: type`, `type must be one of ${MESSAGE_TYPES.join(', ')}`);
    }
    const result = validateRecord(type as MessageType, raw, { strict: true });
    if (!result.ok) throw invalid(ErrorCodes.IMPORT_INVALID, file, `${where}: ${fieldPath(result.path)}`, result.reason);
    out.push(result.value);
  }
  if (out.length === 0) throw invalid(ErrorCodes.IMPORT_INVALID, file, 'line 1', 'the file has no records');
  return out;
}

function fieldPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || '(record)';
}
