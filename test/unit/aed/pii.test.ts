import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPiiKey, piiHash, redact } from '../../../src/main/aed/pii.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('personal-data hashing', () => {
  it('creates a 32-byte key readable only by the station user, and reuses it', () => {
    const dir = tempDir();
    const key = loadPiiKey(dir);
    expect(key).toHaveLength(32);
    expect(loadPiiKey(dir).equals(key)).toBe(true);
    if (process.platform !== 'win32') {
      expect(statSync(join(dir, 'keys', 'pii.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'keys')).mode & 0o777).toBe(0o700);
    }
  });

  it('refuses a damaged key file rather than hashing with the wrong key', () => {
    const dir = tempDir();
    loadPiiKey(dir);
    writeFileSync(join(dir, 'keys', 'pii.key'), 'short');
    expect(() => loadPiiKey(dir)).toThrow(/5 bytes, expected 32/);
  });

  it('hashes equal values equally across the fields the rules compare, and differently under another key', () => {
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    expect(piiHash(a, 'buyerIdNumber', '110101199001011234')).toBe(piiHash(a, 'payerIdNumber', '110101199001011234'));
    expect(piiHash(a, 'buyerTelephone', '13800000000')).toBe(piiHash(a, 'consigneeTelephone', ' 13800000000 '));
    expect(piiHash(a, 'buyerIdNumber', '13800000000')).not.toBe(piiHash(a, 'buyerTelephone', '13800000000'));
    expect(piiHash(a, 'buyerIdNumber', '110101199001011234')).not.toBe(piiHash(b, 'buyerIdNumber', '110101199001011234'));
  });

  it('replaces each personal-data field by its hash and keeps the rest', () => {
    const r = redact(Buffer.alloc(32, 1), { payerName: '测试用户', payerIdNumber: '110101199001011234', telephone: '13800000000', amountPaid: '1.00' });
    expect(Object.keys(r).sort()).toEqual(['amountPaid', 'payerIdNumberHash', 'payerName', 'telephoneHash']);
    expect(JSON.stringify(r)).not.toMatch(/110101199001011234|13800000000/);
  });
});
