import { statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadOrCreateStationKey, parsePublicKey, signCanonical, verifyCanonical } from '../../../src/main/sync/keys.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('station key', () => {
  it('is created once with owner-only permissions and reloaded unchanged', () => {
    const dir = tempDir();
    const a = loadOrCreateStationKey(dir);
    expect(statSync(a.file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    const b = loadOrCreateStationKey(dir);
    expect(b.keyId).toBe(a.keyId);
    expect(b.publicKeyPem).toBe(a.publicKeyPem);
  });

  it('refuses a key file others can read, naming the file', () => {
    const dir = tempDir();
    const k = loadOrCreateStationKey(dir);
    chmodSync(k.file, 0o644);
    expect(() => loadOrCreateStationKey(dir)).toThrow(/station-ed25519\.pem is readable by others/);
  });

  it('refuses a corrupt key file with a StationError naming it', () => {
    const dir = tempDir();
    const k = loadOrCreateStationKey(dir);
    writeFileSync(k.file, 'not a key', { mode: 0o600 });
    expect(() => loadOrCreateStationKey(dir)).toThrow(expect.objectContaining({ code: 'SYNC_KEY', message: expect.stringContaining(k.file) }));
  });

  it('signs canonical JSON: key order does not matter, any change or another key fails', () => {
    const k = loadOrCreateStationKey(tempDir());
    const sig = signCanonical(k.privateKey, { a: 1, b: [1, 2] });
    expect(verifyCanonical(k.publicKey, { b: [1, 2], a: 1 }, sig)).toBe(true);
    expect(verifyCanonical(k.publicKey, { a: 2, b: [1, 2] }, sig)).toBe(false);
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(verifyCanonical(other, { a: 1, b: [1, 2] }, sig)).toBe(false);
    expect(verifyCanonical(k.publicKey, { a: 1, b: [1, 2] }, 'garbage!')).toBe(false);
  });

  it('parses a pinned public key from PEM text or a file, and refuses other key types', () => {
    const dir = tempDir();
    const k = loadOrCreateStationKey(dir);
    expect(parsePublicKey(k.publicKeyPem, 'central.publicKey').asymmetricKeyType).toBe('ed25519');
    expect(parsePublicKey(join(dir, 'keys', 'station-ed25519.pub.pem'), 'central.publicKey').asymmetricKeyType).toBe('ed25519');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    expect(() => parsePublicKey(rsa, 'central.publicKey')).toThrow(/rsa key, expected ed25519/);
    expect(() => parsePublicKey('/nonexistent/key.pem', 'central.publicKey')).toThrow(/cannot read \/nonexistent\/key\.pem/);
  });
});
