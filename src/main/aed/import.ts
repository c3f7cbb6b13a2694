// Importing advance-data files: read and fully validate a file first, then store all of it in ONE
// transaction together with its audit record, so a file is either entirely in the database or not
// at all, whatever fails or kills the process half-way.
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { ErrorCodes, errorMessage, isStationError } from '../../shared/errors.ts';
import type { ThreeListResult, ThreeListRule } from '../../shared/domain/aed.ts';
import { appendAudit } from '../storage/audit.ts';
import type { Db } from '../storage/db.ts';
import { invalid, parseCebXml } from './ceb-xml.ts';
import { failedRules, type CrossCheckOptions } from './crossref.ts';
import { parseJsonLines } from './jsonl.ts';
import type { AedRecord, MessageType } from './records.ts';
import { AedStore, type ApplyOutcome, type ParcelKey } from './store.ts';

export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export interface FileResult {
  file: string;
  status: 'imported' | 'duplicate' | 'rejected';
  /** The message type, or MIXED for a JSON-lines file holding several. */
  type?: MessageType | 'MIXED';
  records: number;
  /** What happened to each record, per outcome. */
  outcomes?: Partial<Record<ApplyOutcome, number>>;
  /** Records stored, changed or deleted, per message type. */
  imported?: Partial<Record<MessageType, number>>;
  error?: { code: string; path: string; message: string };
}

export interface ParcelSummary {
  logisticsNo: string;
  logisticsCode: string;
  state: ThreeListResult['state'];
  failed: ThreeListRule[];
  missing: ThreeListResult['missing'];
}

export interface ImporterOptions {
  check?: Omit<CrossCheckOptions, 'now'>;
  maxBytes?: number;
  now?: () => string;
  /** Called while records are stored; `done` of `total` for the current file. */
  onProgress?: (file: string, done: number, total: number) => void;
}

export class Importer {
  readonly #db: Db;
  readonly #store: AedStore;
  readonly #opts: ImporterOptions;
  readonly #touched = new Map<string, ParcelKey>();
  readonly #seen;
  readonly #recordFile;

  constructor(db: Db, piiKey: Buffer, opts: ImporterOptions = {}) {
    this.#db = db;
    this.#store = new AedStore(db, piiKey, opts.check);
    this.#opts = opts;
    this.#seen = db.prepare<[string], { message_type: MessageType | 'MIXED'; records: number }>('SELECT message_type, records FROM aed_file WHERE sha256 = ?');
    this.#recordFile = db.prepare<[string, string, string, number, string]>('INSERT INTO aed_file (sha256, name, message_type, records, imported_at) VALUES (?, ?, ?, ?, ?)');
  }

  /** Imports one file. A bad file comes back rejected (nothing of it stored); database failures throw. */
  importFile(file: string): FileResult {
    return this.#guard(file, () => this.#import(file, readBytes(file, this.#opts.maxBytes ?? MAX_FILE_BYTES)));
  }

  /** Imports a message already in memory (feeds, the demonstration line); `name` says what it is (.xml or .jsonl). */
  importBytes(name: string, bytes: Buffer): FileResult {
    return this.#guard(name, () => {
      const max = this.#opts.maxBytes ?? MAX_FILE_BYTES;
      if (bytes.length > max) throw invalid(ErrorCodes.IMPORT_UNREADABLE, name, '/', `message is ${bytesText(bytes.length)}, larger than the ${bytesText(max)} limit`);
      return this.#import(name, bytes);
    });
  }

  #guard(file: string, run: () => FileResult): FileResult {
    try {
      return run();
    } catch (e) {
      if (!isStationError(e) || !e.code.startsWith('IMPORT_')) throw e;
      const path = typeof e.context.path === 'string' ? e.context.path : '';
      return { file, status: 'rejected', records: 0, error: { code: e.code, path, message: e.message } };
    }
  }

  #import(file: string, bytes: Buffer): FileResult {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const known = this.#seen.get(sha256);
    if (known) return { file, status: 'duplicate', type: known.message_type, records: known.records, outcomes: { duplicate: known.records } };

    const records = parseFile(file, bytes);
    const types = new Set(records.map((r) => r.type));
    const type = types.size === 1 ? [...types][0]! : 'MIXED';
    const now = this.#opts.now ?? (() => new Date().toISOString());
    const outcomes: Partial<Record<ApplyOutcome, number>> = {};
    const imported: Partial<Record<MessageType, number>> = {};

    const run = this.#db.transaction(() => {
      const receivedAt = now();
      const touched = new Map<string, ParcelKey>();
      records.forEach((r, i) => {
        const { outcome, parcels } = this.#store.apply(r, receivedAt);
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        if (outcome === 'inserted' || outcome === 'replaced' || outcome === 'deleted') imported[r.type] = (imported[r.type] ?? 0) + 1;
        for (const p of parcels) touched.set(`${p.logisticsCode}\u001f${p.logisticsNo}`, p);
        if (i % 1000 === 999) this.#opts.onProgress?.(file, i + 1, records.length);
      });
      for (const p of touched.values()) this.#store.recompute(p, receivedAt);
      this.#recordFile.run(sha256, basename(file), type, records.length, receivedAt);
      appendAudit(this.#db, {
        actor: 'import',
        kind: 'aed.import',
        subject: basename(file),
        at: receivedAt,
        payload: { file: basename(file), sha256, messageType: type, records: records.length, outcomes, imported },
      });
      return touched;
    });
    const touched = run.immediate();
    this.#opts.onProgress?.(file, records.length, records.length);
    for (const [k, p] of touched) this.#touched.set(k, p);
    return { file, status: 'imported', type, records: records.length, outcomes, imported };
  }

  /** Three-list state of every parcel touched by the files imported so far. */
  parcels(): ParcelSummary[] {
    const get = this.#db.prepare<[string, string], { state: ThreeListResult['state']; failed: string; missing: string }>(
      'SELECT state, failed, missing FROM aed_three_list WHERE logistics_code = ? AND logistics_no = ?',
    );
    const out: ParcelSummary[] = [];
    for (const p of this.#touched.values()) {
      const row = get.get(p.logisticsCode, p.logisticsNo);
      if (!row) continue;
      const failed = JSON.parse(row.failed) as ThreeListResult['failed'];
      out.push({ ...p, state: row.state, failed: failedRules({ state: row.state, failed, missing: [], checkedAt: '' }), missing: JSON.parse(row.missing) as ParcelSummary['missing'] });
    }
    return out.sort((a, b) => (a.logisticsNo < b.logisticsNo ? -1 : a.logisticsNo > b.logisticsNo ? 1 : a.logisticsCode < b.logisticsCode ? -1 : 1));
  }
}

function readBytes(file: string, maxBytes: number): Buffer {
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw invalid(ErrorCodes.IMPORT_UNREADABLE, file, '/', 'not a regular file');
    size = st.size;
  } catch (e) {
    if (isStationError(e)) throw e;
    throw invalid(ErrorCodes.IMPORT_UNREADABLE, file, '/', `cannot read: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`);
  }
  if (size > maxBytes) throw invalid(ErrorCodes.IMPORT_UNREADABLE, file, '/', `file is ${bytesText(size)}, larger than the ${bytesText(maxBytes)} limit; split it into smaller files`);
  try {
    return readFileSync(file);
  } catch (e) {
    throw invalid(ErrorCodes.IMPORT_UNREADABLE, file, '/', `cannot read: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`);
  }
}

function bytesText(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${n} bytes`;
}

/** XML by extension or by its first character; everything else is JSON lines. */
export function parseFile(file: string, bytes: Buffer): AedRecord[] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid(ErrorCodes.IMPORT_MALFORMED, file, '/', 'not UTF-8 text');
  }
  const ext = extname(file).toLowerCase();
  const looksXml = ext === '.xml' || (ext !== '.jsonl' && ext !== '.ndjson' && ext !== '.json' && text.replace(/^\uFEFF/, '').trimStart().startsWith('<'));
  if (!looksXml) return parseJsonLines(text, file);
  const declared = /^\uFEFF?\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
  if (declared !== undefined && !/^utf-?8$/i.test(declared)) {
    throw invalid(ErrorCodes.IMPORT_UNSUPPORTED, file, '/', `encoding ${declared} is not supported; CEB messages are UTF-8`);
  }
  return parseCebXml(text, file).records;
}
