// `station user add|list` through the real CLI process, the password on stdin or in an env variable.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Sessions } from '../../../src/main/console/accounts.ts';
import { verifyAuditChain } from '../../../src/main/storage/audit.ts';
import { openDatabase } from '../../../src/main/storage/db.ts';
import { ROOT, STATION_BIN } from '../../helpers/cli.ts';
import { tempDir } from '../../helpers/tmp.ts';

function station(args: string[], o: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [STATION_BIN, ...args], { cwd: ROOT, encoding: 'utf8', input: o.input ?? '', env: { ...process.env, ...o.env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('station user', () => {
  it('adds an account with the password from stdin, and that account can log in', () => {
    const dir = tempDir('user-cli-');
    const r = station(['user', 'add', 'li.wei', '--role', 'supervisor', '--data-dir', dir], { input: 'blue-Lantern-42\n' });
    expect(r).toMatchObject({ code: 0, stdout: `account "li.wei" (supervisor) added to ${join(dir, 'station.db')}\n` });
    expect(station(['user', 'add', 'li.wei', '--role', 'admin', '--data-dir', dir], { input: 'other-Lantern-43\n' })).toMatchObject({ code: 1, stderr: 'station user: account "li.wei" already exists\n' });
    const { db } = openDatabase(join(dir, 'station.db'));
    try {
      expect(new Sessions(db).login('li.wei', 'blue-Lantern-42')?.user).toEqual({ name: 'li.wei', role: 'supervisor' });
      expect(db.prepare("SELECT actor, subject FROM audit_log WHERE kind = 'account.add'").get()).toMatchObject({ actor: expect.stringMatching(/^cli:/), subject: 'li.wei' });
      expect(verifyAuditChain(db).ok).toBe(true);
    } finally {
      db.close();
    }
  });

  it('takes the password from --password-env and lists accounts as text and JSON', () => {
    const dir = tempDir('user-cli-');
    expect(station(['user', 'add', 'zhang.min', '--role', 'operator', '--password-env', 'NEW_PW', '--data-dir', dir], { env: { NEW_PW: 'river-Stone-77' } }).code).toBe(0);
    const text = station(['user', 'list', '--data-dir', dir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^NAME\s+ROLE\s+CREATED\s+LAST LOGIN\nzhang\.min\s+operator\s+\d{4}-\d\d-\d\dT\S+\s+—\n$/);
    const json = JSON.parse(station(['user', 'list', '--data-dir', dir, '--json']).stdout) as { accounts: { name: string; role: string; disabled: boolean }[] };
    expect(json.accounts).toEqual([expect.objectContaining({ name: 'zhang.min', role: 'operator', disabled: false, lastLogin: null })]);
  });

  it('refuses weak and empty passwords with the reason, and writes nothing', () => {
    const dir = tempDir('user-cli-');
    const weak = station(['user', 'add', 'li.wei', '--role', 'operator', '--data-dir', dir], { input: 'short\n' });
    expect(weak).toMatchObject({ code: 1, stderr: 'station user: password for "li.wei" refused: it must have at least 8 characters (got 5)\n' });
    expect(station(['user', 'add', 'li.wei', '--role', 'operator', '--data-dir', dir]).stderr).toContain('refused: the password is empty');
    expect(existsSync(join(dir, 'station.db'))).toBe(false);
  });

  it('explains usage mistakes with exit status 2', () => {
    const dir = tempDir('user-cli-');
    expect(station(['user', 'add', 'li.wei', '--data-dir', dir])).toMatchObject({ code: 2, stderr: 'station user: --role must be one of operator, supervisor, admin\n' });
    expect(station(['user', 'add', 'li.wei', 'hunter22', '--role', 'admin', '--data-dir', dir])).toMatchObject({ code: 2, stderr: expect.stringContaining('passwords are never given on the command line') });
    expect(station(['user', 'remove', 'li.wei', '--data-dir', dir])).toMatchObject({ code: 2, stderr: 'station user: unknown subcommand "remove": use add or list\n' });
  });
});
