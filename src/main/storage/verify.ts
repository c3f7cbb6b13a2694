// `station verify`: SQLite integrity, foreign keys and the audit chain, in one report.
import type { Db } from './db.ts';
import { verifyAuditChain, type ChainResult } from './audit.ts';
import { verifyArchivedChain } from './audit-archive.ts';

export interface VerifyReport {
  ok: boolean;
  integrity: string[];
  foreignKeyViolations: { table: string; rowid: number; parent: string }[];
  audit: ChainResult;
  /** Present when the archive folder was checked too (records moved out of the database by retention). */
  archive?: { segments: number; records: number; dir: string };
}

/** With `archiveDir`, the chain is walked from genesis through the archived segments. */
export function verifyDatabase(db: Db, archiveDir?: string): VerifyReport {
  const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  const fk = (db.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[]).map((r) => ({
    table: r.table,
    rowid: r.rowid,
    parent: r.parent,
  }));
  const archived = archiveDir ? verifyArchivedChain(db, archiveDir) : undefined;
  const audit = archived ? archived.chain : verifyAuditChain(db);
  const ok = integrity.length === 1 && integrity[0] === 'ok' && fk.length === 0 && audit.ok;
  return { ok, integrity, foreignKeyViolations: fk, audit, ...(archived ? { archive: archived.archive } : {}) };
}
