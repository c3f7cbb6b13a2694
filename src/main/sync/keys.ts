// The station's own Ed25519 key pair: generated at first start, kept in <dataDir>/keys/ with
// owner-only permissions, used to sign every outbound item so the central service can prove
// which station decided. Also the Ed25519 helpers both sides use (sign/verify canonical JSON).
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../shared/canonical-json.ts';
import { ErrorCodes, StationError } from '../../shared/errors.ts';
import { dataPaths } from '../paths.ts';

export interface StationKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM, as registered with the central service. */
  publicKeyPem: string;
  /** Short fingerprint: first 16 hex characters of SHA-256 over the SPKI DER. */
  keyId: string;
  file: string;
}

export const STATION_KEY_FILE = 'station-ed25519.pem';
export const STATION_PUB_FILE = 'station-ed25519.pub.pem';

export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** Loads the station key, creating it on first use (file 0600, folder 0700). */
export function loadOrCreateStationKey(dataDir: string): StationKey {
  const dir = dataPaths(dataDir).keys;
  return loadOrCreateKeyPair(dir, STATION_KEY_FILE, STATION_PUB_FILE);
}

/** Shared by the station and the reference central service (each with its own folder and names). */
export function loadOrCreateKeyPair(dir: string, keyFile: string, pubFile: string): StationKey {
  const file = join(dir, keyFile);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') chmodSync(dir, 0o700);
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    try {
      // 'wx': two processes starting together cannot overwrite each other's key; the loser reads the winner's.
      writeFileSync(file, pem, { flag: 'wx', mode: 0o600 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new StationError(ErrorCodes.SYNC_KEY, `cannot create the signing key ${file}: ${(e as Error).message}`, { file });
    }
  }
  if (process.platform !== 'win32') {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      throw new StationError(ErrorCodes.SYNC_KEY, `signing key ${file} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`, { file, mode });
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new StationError(ErrorCodes.SYNC_KEY, `signing key ${file} is unreadable: ${(e as Error).message}; restore it from backup or delete it to make a new one (then re-register the station)`, { file });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new StationError(ErrorCodes.SYNC_KEY, `signing key ${file} is ${privateKey.asymmetricKeyType ?? 'unknown'}, expected ed25519`, { file });
  }
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const pub = join(dir, pubFile);
  if (!existsSync(pub) || readFileSync(pub, 'utf8') !== publicKeyPem) writeFileSync(pub, publicKeyPem, { mode: 0o644 });
  return { privateKey, publicKey, publicKeyPem, keyId: keyId(publicKey), file };
}

/** Ed25519 signature over the canonical JSON of `value`, base64. */
export function signCanonical(privateKey: KeyObject, value: unknown): string {
  return sign(null, Buffer.from(canonicalJson(value)), privateKey).toString('base64');
}

/** False for a wrong key, a tampered value or a malformed signature; never throws for those. */
export function verifyCanonical(publicKey: KeyObject, value: unknown, signature: string): boolean {
  try {
    return verify(null, Buffer.from(canonicalJson(value)), publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** Parses an Ed25519 public key given as PEM text or as a path to a PEM file. */
export function parsePublicKey(pemOrPath: string, what: string): KeyObject {
  let text = pemOrPath;
  if (!pemOrPath.includes('-----BEGIN')) {
    try {
      text = readFileSync(pemOrPath, 'utf8');
    } catch (e) {
      throw new StationError(ErrorCodes.SYNC_CONFIG, `${what}: cannot read ${pemOrPath}: ${(e as Error).message}`, { file: pemOrPath });
    }
  }
  let key: KeyObject;
  try {
    key = createPublicKey(text);
  } catch (e) {
    throw new StationError(ErrorCodes.SYNC_CONFIG, `${what} is not a PEM public key: ${(e as Error).message}`, {});
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new StationError(ErrorCodes.SYNC_CONFIG, `${what} is a ${key.asymmetricKeyType ?? 'unknown'} key, expected ed25519`, {});
  return key;
}
