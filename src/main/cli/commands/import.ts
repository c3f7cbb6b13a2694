// `station import FILE…`: CEB XML or JSON-lines advance data into the station database.
import { loadPiiKey } from '../../aed/pii.ts';
import { Importer, type FileResult, type ParcelSummary } from '../../aed/import.ts';
import type { MessageType } from '../../aed/records.ts';
import { ErrorCodes, StationError } from '../../../shared/errors.ts';
import { dataPaths } from '../../paths.ts';
import { openDatabase } from '../../storage/db.ts';
import { writeJson, writeLine, type Command, type CommandContext } from '../command.ts';

/** Files with at least this many records announce themselves before storing (progress for big files). */
const BIG_FILE_RECORDS = 10_000;

export const importCommand: Command = {
  name: 'import',
  summary: 'import advance electronic data (CEB621/311/411/511/622 XML or JSON lines)',
  usage: 'FILE... [--data-dir DIR] [--json]',
  details:
    'Imports each file in the order given, each in one transaction: a malformed or invalid file is rejected whole\n' +
    '(with the element path and the reason) and the next file is imported. Re-importing is idempotent; appType 2\n' +
    'replaces a record, 3 deletes it. Then cross-checks the three lists of every parcel touched.\n' +
    'Formats: docs/import-formats.md. Exits 1 if any file was rejected.',
  positionals: true,
  async run(ctx) {
    if (ctx.positionals.length === 0) throw new StationError(ErrorCodes.CLI_USAGE, 'name at least one file to import: station import FILE...');
    const paths = dataPaths(ctx.dataDir);
    const key = loadPiiKey(ctx.dataDir);
    const { db } = openDatabase(paths.db, { backupDir: paths.backups });
    try {
      // 64 MB page cache instead of SQLite's 2 MB: a big file's index updates then stay in memory.
      db.pragma('cache_size = -65536');
      const importer = new Importer(db, key, { onProgress: progress(ctx) });
      const files: FileResult[] = [];
      for (const file of ctx.positionals) {
        const r = importer.importFile(file);
        files.push(r);
        if (!ctx.json) writeLine(ctx.stdout, fileLine(r));
      }
      const imported: Partial<Record<MessageType, number>> = {};
      for (const f of files) for (const [t, n] of Object.entries(f.imported ?? {})) imported[t as MessageType] = (imported[t as MessageType] ?? 0) + n;
      const rejected = files.filter((f) => f.status === 'rejected').length;
      const parcels = importer.parcels();
      if (ctx.json) writeJson(ctx, { files, imported, rejected, parcels });
      else summary(ctx, imported, rejected, parcels);
      return rejected > 0 ? 1 : 0;
    } finally {
      db.close();
    }
  },
};

function fileLine(r: FileResult): string {
  if (r.status === 'rejected') return `✗ ${r.file}: rejected, nothing stored: ${r.error?.path}: ${reasonOf(r)}`;
  if (r.status === 'duplicate') return `= ${r.file}: already imported (identical file), nothing changed`;
  const parts = Object.entries(r.outcomes ?? {}).map(([k, n]) => `${n} ${k}`);
  return `✓ ${r.file}: ${r.records} ${r.type} record${r.records === 1 ? '' : 's'} (${parts.join(', ')})`;
}

/** The reason without the "file: path:" prefix the message carries. */
function reasonOf(r: FileResult): string {
  const m = r.error?.message ?? '';
  const prefix = `${r.file}: ${r.error?.path}: `;
  return m.startsWith(prefix) ? m.slice(prefix.length) : m;
}

function summary(ctx: CommandContext, imported: Partial<Record<MessageType, number>>, rejected: number, parcels: ParcelSummary[]): void {
  const counts = Object.entries(imported).map(([t, n]) => `${t} ${n}`);
  writeLine(ctx.stdout, `records stored: ${counts.length > 0 ? counts.join(', ') : 'none'}; files rejected: ${rejected}`);
  const by = (s: ParcelSummary['state']) => parcels.filter((p) => p.state === s);
  writeLine(ctx.stdout, `parcels: ${by('COMPLETE').length} complete, ${by('INCOMPLETE').length} incomplete, ${by('INCONSISTENT').length} inconsistent`);
  for (const p of [...by('INCONSISTENT'), ...by('INCOMPLETE')].slice(0, 20)) {
    const what = [p.failed.length > 0 ? `fails ${p.failed.join(', ')}` : '', p.missing.length > 0 ? `missing ${p.missing.join(', ')}` : ''].filter(Boolean).join('; ');
    writeLine(ctx.stdout, `  ${p.logisticsNo} (${p.logisticsCode}): ${p.state}: ${what}`);
  }
  if (parcels.length > 20) writeLine(ctx.stdout, '  … (use --json for every parcel)');
  writeLine(
    ctx.stdout,
    rejected > 0
      ? 'next: correct the rejected files and import them again (files already imported are recognised as duplicates)'
      : 'next: incomplete parcels complete when their missing lists are imported; `station verify` checks the database',
  );
}

/** records/s on stderr: redrawn on a terminal, a line every few seconds otherwise; silent with --json. */
function progress(ctx: CommandContext): ((file: string, done: number, total: number) => void) | undefined {
  if (ctx.json) return undefined;
  const tty = (ctx.stderr as { isTTY?: boolean }).isTTY === true;
  const interval = tty ? 200 : 5000;
  let current = '';
  let started = 0;
  let last = 0;
  return (file, done, total) => {
    const now = Date.now();
    if (file !== current) {
      current = file;
      started = now;
      last = now;
      if (total >= BIG_FILE_RECORDS) writeLine(ctx.stderr, `storing ${total} records from ${file}…`);
    }
    if (done < total && now - last < interval) return;
    last = now;
    const rate = Math.round(done / Math.max(0.001, (now - started) / 1000));
    const line = `${file}: ${done}/${total} records, ${rate} records/s`;
    if (tty) ctx.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
    else if (done < total) writeLine(ctx.stderr, line);
  };
}
