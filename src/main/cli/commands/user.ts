// `station user add NAME --role R` and `station user list`: console accounts in the station's
// database. The password comes from an environment variable (--password-env VAR, for scripts) or
// stdin — never from the command line, where it would land in shell history and `ps`.
import { userInfo } from 'node:os';
import type { Readable } from 'node:stream';
import { ROLES, type Role } from '../../../shared/api.ts';
import { ErrorCodes, StationError } from '../../../shared/errors.ts';
import { addAccount, listAccounts, passwordProblem } from '../../console/accounts.ts';
import { dataPaths } from '../../paths.ts';
import { openDatabase } from '../../storage/db.ts';
import { writeJson, writeLine, type Command, type CommandContext } from '../command.ts';

const usageError = (message: string) => new StationError(ErrorCodes.CLI_USAGE, message);

/** The first line of a piped stdin, or a line typed without echo on a terminal. */
export async function readPassword(input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }, prompt: (text: string) => void): Promise<string> {
  if (input.isTTY && input.setRawMode) {
    prompt('password (not shown): ');
    input.setRawMode(true);
    try {
      return await new Promise<string>((resolve, reject) => {
        let typed = '';
        const onData = (chunk: Buffer) => {
          for (const ch of chunk.toString('utf8')) {
            if (ch === '\r' || ch === '\n') return done(() => resolve(typed));
            if (ch === '\u0003') return done(() => reject(usageError('cancelled')));
            if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
            else typed += ch;
          }
        };
        const done = (fn: () => void) => {
          input.off('data', onData);
          input.pause();
          prompt('\n');
          fn();
        };
        input.on('data', onData);
        input.resume();
      });
    } finally {
      input.setRawMode(false);
    }
  }
  let text = '';
  for await (const chunk of input) {
    text += (chunk as Buffer).toString('utf8');
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

async function add(ctx: CommandContext): Promise<number> {
  const name = ctx.positionals[1];
  if (!name) throw usageError('station user add needs the account NAME: station user add NAME --role operator|supervisor|admin');
  if (ctx.positionals.length > 2) throw usageError(`unexpected argument "${ctx.positionals[2]}"; passwords are never given on the command line (use --password-env VAR or stdin)`);
  const role = ctx.values.role;
  if (typeof role !== 'string' || !ROLES.includes(role as Role)) throw usageError(`--role must be one of ${ROLES.join(', ')}${typeof role === 'string' ? `, got "${role}"` : ''}`);
  const envVar = ctx.values['password-env'];
  let password: string;
  if (typeof envVar === 'string') {
    const v = ctx.env[envVar];
    if (v === undefined) throw usageError(`--password-env ${envVar}: that environment variable is not set`);
    password = v;
  } else {
    password = await readPassword(process.stdin, (t) => ctx.stderr.write(t));
  }
  // Checked before the database is touched, so a refused password leaves nothing behind.
  const weak = passwordProblem(name, password);
  if (weak) throw new StationError('CONSOLE_WEAK_PASSWORD', `password for "${name}" refused: ${weak}`, { name });
  const file = dataPaths(ctx.dataDir).db;
  const { db } = openDatabase(file, { backupDir: dataPaths(ctx.dataDir).backups });
  try {
    addAccount(db, name, role as Role, password, `cli:${osUser()}`);
  } finally {
    db.close();
  }
  if (ctx.json) writeJson(ctx, { added: name, role, database: file });
  else writeLine(ctx.stdout, `account "${name}" (${role}) added to ${file}`);
  return 0;
}

function list(ctx: CommandContext): number {
  const file = dataPaths(ctx.dataDir).db;
  const { db } = openDatabase(file, { backupDir: dataPaths(ctx.dataDir).backups });
  try {
    const rows = listAccounts(db);
    if (ctx.json) writeJson(ctx, { accounts: rows });
    else if (rows.length === 0) writeLine(ctx.stdout, 'no accounts yet; add one with: station user add NAME --role operator|supervisor|admin');
    else {
      const w = Math.max(4, ...rows.map((r) => r.name.length));
      writeLine(ctx.stdout, `${'NAME'.padEnd(w)}  ROLE        CREATED                   LAST LOGIN`);
      for (const r of rows) writeLine(ctx.stdout, `${r.name.padEnd(w)}  ${r.role.padEnd(10)}  ${r.createdAt.padEnd(24)}  ${r.lastLogin ?? '—'}${r.disabled ? '  (disabled)' : ''}`);
    }
    return 0;
  } finally {
    db.close();
  }
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

export const userCommand: Command = {
  name: 'user',
  summary: 'add or list operator console accounts',
  usage: 'add NAME --role operator|supervisor|admin [--password-env VAR] [--data-dir DIR]\n       station user list [--data-dir DIR] [--json]',
  positionals: true,
  details: [
    'The password is read from stdin (typed without echo on a terminal, or the first line of a pipe),',
    'or from the environment variable named by --password-env. Weak passwords are refused: fewer than',
    '8 characters, containing the account name, one of the most common, or too repetitive.',
    'Roles: operator decides parcels; supervisor also HOLD_LOCKs and exports; admin also manages the station.',
    'Example: printf "%s\\n" "$PW" | station user add li.wei --role supervisor',
  ].join('\n'),
  options: { role: { type: 'string' }, 'password-env': { type: 'string' } },
  async run(ctx) {
    const sub = ctx.positionals[0];
    if (sub === 'add') return add(ctx);
    if (sub === 'list') {
      if (ctx.positionals.length > 1) throw usageError(`station user list takes no arguments, got "${ctx.positionals[1]}"`);
      return list(ctx);
    }
    throw usageError(sub === undefined ? 'station user needs a subcommand: add or list' : `unknown subcommand "${sub}": use add or list`);
  },
};
