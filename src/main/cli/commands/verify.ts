import { existsSync } from 'node:fs';
import { ErrorCodes, StationError } from '../../../shared/errors.ts';
import { dataPaths } from '../../paths.ts';
import { openDatabase } from '../../storage/db.ts';
import { verifyDatabase } from '../../storage/verify.ts';
import { writeJson, writeLine, type Command } from '../command.ts';

export const verifyCommand: Command = {
  name: 'verify',
  summary: 'check database integrity and walk the audit chain',
  usage: '[--data-dir DIR] [--json]',
  details:
    'Runs SQLite integrity and foreign-key checks and recomputes every audit record hash, from\n' +
    'genesis through the archived segments (audit-archive/) to the records still in the database.\n' +
    'Exits 1 naming the first broken record if anything fails; the database is opened read-only.',
  async run(ctx) {
    const paths = dataPaths(ctx.dataDir);
    const file = paths.db;
    if (!existsSync(file)) {
      throw new StationError(ErrorCodes.STORAGE_INTEGRITY, `no station database at ${file}; run \`station import\` or \`station start\` with this --data-dir first`, {
        file,
      });
    }
    const { db } = openDatabase(file, { readonly: true });
    try {
      const report = verifyDatabase(db, paths.auditArchive);
      if (ctx.json) {
        writeJson(ctx, { database: file, ...report });
      } else {
        writeLine(ctx.stdout, `database:     ${file}`);
        writeLine(ctx.stdout, `integrity:    ${report.integrity.join('; ')}`);
        writeLine(ctx.stdout, `foreign keys: ${report.foreignKeyViolations.length === 0 ? 'ok' : `${report.foreignKeyViolations.length} violation(s)`}`);
        writeLine(
          ctx.stdout,
          report.audit.ok
            ? `audit chain:  ok, ${report.audit.records} records${report.archive?.records ? ` (${report.archive.records} of them in ${report.archive.segments} archive segment(s))` : ''}, head ${report.audit.head.slice(0, 16)}…`
            : `audit chain:  BROKEN at record ${report.audit.brokenAt}: ${report.audit.problem}`,
        );
      }
      if (!report.ok) {
        const first = !report.audit.ok
          ? `audit record ${report.audit.brokenAt}: ${report.audit.problem}`
          : report.foreignKeyViolations[0]
            ? `foreign key in ${report.foreignKeyViolations[0].table} row ${report.foreignKeyViolations[0].rowid}`
            : `integrity: ${report.integrity[0]}`;
        writeLine(ctx.stderr, `station verify: FAILED, first problem: ${first}`);
        return 1;
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
