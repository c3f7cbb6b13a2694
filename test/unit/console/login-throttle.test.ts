// The console's login against online guessing and event-loop stalls (docs/security.md, "Console"):
// the scrypt check runs off the event loop, at most MAX_CONCURRENT_LOGINS at once, a name is
// locked for LOCKOUT_MS after MAX_FAILURES failures in a row, and demo passwords are refused when
// the console is not in demo mode on loopback.
import { describe, expect, it } from 'vitest';
import { addAccount, LOCKOUT_MS, MAX_CONCURRENT_LOGINS, MAX_FAILURES, seedDemoAccounts, Sessions } from '../../../src/main/console/accounts.ts';
import { openDatabase } from '../../../src/main/storage/db.ts';
import { tempDir } from '../../helpers/tmp.ts';

const db = () => openDatabase(`${tempDir('login-')}/station.db`).db;

describe('console login', () => {
  it('locks a name after repeated failures, even for the right password, until the lockout ends', async () => {
    const d = db();
    addAccount(d, 'li.wei', 'supervisor', 'blue-Lantern-42', 'test');
    let now = Date.parse('2026-11-27T06:00:00Z');
    const s = new Sessions(d, () => now);
    for (let i = 0; i < MAX_FAILURES; i++) await expect(s.loginAsync('li.wei', `wrong-${i}-Password`)).resolves.toBeUndefined();
    await expect(s.loginAsync('li.wei', 'blue-Lantern-42')).resolves.toEqual({ refused: 'locked', retryAfterMs: LOCKOUT_MS });
    // Other names are not affected.
    addAccount(d, 'zhang.min', 'operator', 'river-Stone-77', 'test');
    await expect(s.loginAsync('zhang.min', 'river-Stone-77')).resolves.toMatchObject({ user: { name: 'zhang.min' } });
    now += LOCKOUT_MS;
    await expect(s.loginAsync('li.wei', 'blue-Lantern-42')).resolves.toMatchObject({ user: { name: 'li.wei', role: 'supervisor' } });
    const why = (d.prepare("SELECT payload FROM audit_log WHERE kind = 'console.login_failed' ORDER BY seq DESC LIMIT 1").get() as { payload: string }).payload;
    expect(JSON.parse(why)).toEqual({ why: 'locked after repeated failures' });
  });

  it('runs the password check off the event loop, and refuses more than the concurrent limit at once', async () => {
    const d = db();
    addAccount(d, 'li.wei', 'supervisor', 'blue-Lantern-42', 'test');
    const s = new Sessions(d);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const attempts = Array.from({ length: MAX_CONCURRENT_LOGINS + 3 }, (_, i) => s.loginAsync(`guess${i}`, 'blue-Lantern-42'));
    const results = await Promise.all(attempts);
    clearInterval(timer);
    expect(results.filter((r) => r === undefined)).toHaveLength(MAX_CONCURRENT_LOGINS);
    expect(results.filter((r) => r !== undefined && 'refused' in r && r.refused === 'busy')).toHaveLength(3);
    // The checks ran while timers kept firing (scrypt on the thread pool, not on the loop).
    expect(ticks).toBeGreaterThan(0);
    await expect(s.loginAsync('li.wei', 'blue-Lantern-42')).resolves.toMatchObject({ user: { name: 'li.wei' } });
  });

  it('refuses demo accounts (password = name) unless the console is in demo mode on loopback', async () => {
    const d = db();
    seedDemoAccounts(d);
    await expect(new Sessions(d).loginAsync('operator', 'operator')).resolves.toMatchObject({ user: { name: 'operator' } });
    const off = new Sessions(d, Date.now, { demoPasswords: false });
    for (const name of ['operator', 'supervisor', 'admin']) {
      await expect(off.loginAsync(name, name)).resolves.toBeUndefined();
      expect(off.login(name, name)).toBeUndefined();
    }
  });
});
