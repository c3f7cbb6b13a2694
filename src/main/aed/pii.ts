// Personal-data minimisation (WCO FoS Standard 1): ID numbers, telephone numbers and addresses are
// never stored in clear. They are replaced by an HMAC-SHA256 under a per-station secret key, which
// still lets the station check equality offline (X04 payer = buyer, X07 consignee identical) while a
// stolen database alone cannot be brute-forced over the small space of ID or phone numbers.
import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, StationError } from '../../shared/errors.ts';
import { dataPaths } from '../paths.ts';
import { assertKeyFilePrivate } from '../storage/owner-only.ts';

/** Fields that never reach the database, a log or an error message in clear. */
export const PII_FIELDS = ['buyerIdNumber', 'payerIdNumber', 'buyerTelephone', 'consigneeTelephone', 'telephone', 'consigneeAddress'] as const;
export type PiiField = (typeof PII_FIELDS)[number];

const KEY_BYTES = 32;

/** Loads `<dataDir>/keys/pii.key`, creating it (0600, folder 0700) on first use. */
export function loadPiiKey(dataDir: string): Buffer {
  const dir = dataPaths(dataDir).keys;
  const file = join(dir, 'pii.key');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // 'wx' fails if the file exists, so two processes starting together cannot overwrite each other's key.
    writeFileSync(file, randomBytes(KEY_BYTES), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StationError(ErrorCodes.STORAGE_INTEGRITY, `cannot create the personal-data key ${file}: ${(e as Error).message}`, { file });
  }
  // Refused, not just warned about, when other users can read it (docs/security.md).
  assertKeyFilePrivate(file);
  const key = readFileSync(file);
  if (key.length !== KEY_BYTES) {
    throw new StationError(ErrorCodes.STORAGE_INTEGRITY, `personal-data key ${file} is ${key.length} bytes, expected ${KEY_BYTES}; restore it from backup (without it stored hashes cannot be compared)`, { file });
  }
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
  return key;
}

/** Spaces are collapsed so the same address typed twice hashes the same. */
export function normalisePii(value: string): string {
  return value.normalize('NFC').trim().replace(/\s+/g, ' ');
}

const keyObjects = new WeakMap<Buffer, KeyObject>();

export function piiHash(key: Buffer, field: PiiField, value: string): string {
  // One KeyObject per key: building it from the Buffer on every call dominated bulk imports.
  let k = keyObjects.get(key);
  if (!k) keyObjects.set(key, (k = createSecretKey(key)));
  // The field family is part of the input so equal values in unrelated fields do not correlate,
  // except the families that the rules compare with each other.
  const family = field === 'buyerIdNumber' || field === 'payerIdNumber' ? 'id' : field === 'consigneeAddress' ? 'address' : 'phone';
  // Truncated to 128 bits (base64url, 22 characters): ample for equality checks, and it is stored
  // several times per parcel in a cache of a million parcels.
  return createHmac('sha256', k).update(family).update('\0').update(normalisePii(value)).digest().subarray(0, 16).toString('base64url');
}

/**
 * Returns a copy of a record where each PII field `x` is replaced by `xHash`. The clear value is
 * not kept anywhere in the result.
 */
export type Redacted<T> = Omit<T, PiiField> & Partial<Record<`${PiiField}Hash`, string>>;

export function redact<T extends object>(key: Buffer, record: T): Redacted<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if ((PII_FIELDS as readonly string[]).includes(k)) {
      if (typeof v === 'string') out[`${k}Hash`] = piiHash(key, k as PiiField, v);
    } else out[k] = v;
  }
  return out as Redacted<T>;
}
