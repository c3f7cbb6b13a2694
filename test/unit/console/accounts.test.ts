import { describe, expect, it } from 'vitest';
import { addAccount, hashPassword, listAccounts, passwordProblem, seedDemoAccounts, Sessions, SESSION_TTL_MS, verifyPassword } from '../../../src/main/console/accounts.ts';
import { verifyAuditChain } from '../../../src/main/storage/audit.ts';
import { openDatabase } from '../../../src/main/storage/db.ts';
import { tempDir } from '../../helpers/tmp.ts';

const db = () => openDatabase(`${tempDir('accounts-')}/station.db`).db;

describe('passwords', () => {
  it('are scrypt hashes with a per-account salt that verify only the right password', () => {
    const a = hashPassword('correct horse battery');
    const b = hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(verifyPassword('correct horse battery', a)).toBe(true);
    expect(verifyPassword('correct horse batterY', a)).toBe(false);
    expect(verifyPassword('x', 'md5$abc')).toBe(false);
  });

  it('are refused when weak, with the reason', () => {
    expect(passwordProblem('li.wei', '')).toBe('the password is empty');
    expect(passwordProblem('li.wei', 'short')).toBe('it must have at least 8 characters (got 5)');
    expect(passwordProblem('li.wei', 'li.wei2026!')).toBe('it contains the account name');
    expect(passwordProblem('li.wei', 'Password')).toBe('it is one of the most common passwords');
    expect(passwordProblem('li.wei', 'abababab')).toBe('it repeats too few different characters');
    expect(passwordProblem('li.wei', ' leading-space')).toMatch(/white space/);
    expect(passwordProblem('li.wei', 'blue-Lantern-42')).toBeUndefined();
  });
});

describe('accounts and sessions', () => {
  it('log in with the right password only, and audit both outcomes', () => {
    const d = db();
    addAccount(d, 'li.wei', 'supervisor', 'blue-Lantern-42', 'test');
    const s = new Sessions(d);
    expect(s.login('li.wei', 'wrong-password')).toBeUndefined();
    expect(s.login('nobody', 'blue-Lantern-42')).toBeUndefined();
    const ok = s.login('li.wei', 'blue-Lantern-42');
    expect(ok?.user).toEqual({ name: 'li.wei', role: 'supervisor' });
    expect(ok?.token.length).toBeGreaterThanOrEqual(32);
    expect(s.resume(ok!.token)).toEqual({ name: 'li.wei', role: 'supervisor' });
    const kinds = (d.prepare("SELECT kind FROM audit_log WHERE kind LIKE 'console.%' ORDER BY seq").all() as { kind: string }[]).map((r) => r.kind);
    expect(kinds).toEqual(['console.login_failed', 'console.login_failed', 'console.login']);
    // Only the token's hash is stored: the database cannot be used to log in.
    const stored = d.prepare('SELECT token_hash FROM console_session').get() as { token_hash: string };
    expect(stored.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.token_hash).not.toContain(ok!.token);
    expect(verifyAuditChain(d).ok).toBe(true);
  });

  it('expire after the session lifetime and end at logout', () => {
    const d = db();
    addAccount(d, 'zhang.min', 'operator', 'river-Stone-77', 'test');
    let now = Date.parse('2026-11-27T06:00:00Z');
    const s = new Sessions(d, () => now);
    const a = s.login('zhang.min', 'river-Stone-77')!;
    now += SESSION_TTL_MS - 1;
    expect(s.resume(a.token)?.name).toBe('zhang.min');
    now += 1;
    expect(s.resume(a.token)).toBeUndefined();
    const b = s.login('zhang.min', 'river-Stone-77')!;
    s.logout(b.token, 'zhang.min');
    expect(s.resume(b.token)).toBeUndefined();
    expect(s.resume('not-a-token-at-all-0123456789')).toBeUndefined();
  });

  it('refuse bad names, duplicates and weak passwords, and keep roles', () => {
    const d = db();
    expect(() => addAccount(d, 'Li Wei', 'operator', 'blue-Lantern-42', 'test')).toThrow(expect.objectContaining({ code: 'CONSOLE_BAD_ACCOUNT' }));
    expect(() => addAccount(d, 'li.wei', 'operator', '12345678', 'test')).toThrow(expect.objectContaining({ code: 'CONSOLE_WEAK_PASSWORD', message: 'password for "li.wei" refused: it is one of the most common passwords' }));
    addAccount(d, 'li.wei', 'operator', 'blue-Lantern-42', 'test');
    expect(() => addAccount(d, 'li.wei', 'admin', 'other-Lantern-43', 'test')).toThrow(expect.objectContaining({ code: 'CONSOLE_ACCOUNT_EXISTS' }));
    expect(() => d.prepare("UPDATE account SET role = 'root' WHERE name = 'li.wei'").run()).toThrow(/CHECK constraint/);
    expect(listAccounts(d).map((a) => [a.name, a.role, a.disabled])).toEqual([['li.wei', 'operator', false]]);
  });

  it('seeds the demo accounts (name = password) once', () => {
    const d = db();
    expect(seedDemoAccounts(d)).toEqual(['operator', 'supervisor', 'admin']);
    expect(seedDemoAccounts(d)).toEqual([]);
    expect(new Sessions(d).login('supervisor', 'supervisor')?.user.role).toBe('supervisor');
  });
});
