// Console accounts and login sessions. Passwords are scrypt-hashed (node:crypto) with a per-account
// salt; session tokens are random and only their SHA-256 is stored, so a copied database logs no one in.
import { createHash, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Role, User } from '../../shared/api.ts';
import { StationError } from '../../shared/errors.ts';
import { appendAudit } from '../storage/audit.ts';
import type { Db } from '../storage/db.ts';

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };
export const SESSION_TTL_MS = 12 * 3600_000; // one shift and a bit
export const DEMO_ACCOUNTS: readonly { name: string; role: Role }[] = [
  { name: 'operator', role: 'operator' },
  { name: 'supervisor', role: 'supervisor' },
  { name: 'admin', role: 'admin' },
];

export function hashPassword(password: string, salt = randomBytes(16)): string {
  const key = scryptSync(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'base64');
  const got = scryptSync(password, Buffer.from(salt, 'base64'), want.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(want, got);
}

/**
 * As verifyPassword, on libuv's thread pool: a scrypt check takes tens of milliseconds of CPU, and
 * the console's logins must never stall the event loop that signals the conveyor.
 */
export async function verifyPasswordAsync(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, salt, key] = stored.split('$');
  if (kind !== 'scrypt' || !salt || !key) return false;
  const want = Buffer.from(key, 'base64');
  const got = await new Promise<Buffer>((resolve, reject) =>
    scrypt(password, Buffer.from(salt, 'base64'), want.length, { N: Number(n), r: Number(r), p: Number(p) }, (e, k) => (e ? reject(e) : resolve(k))),
  );
  return timingSafeEqual(want, got);
}

/** Failed logins in a row after which an account name is refused for LOCKOUT_MS (console off loopback included). */
export const MAX_FAILURES = 5;
export const LOCKOUT_MS = 30_000;
/** Password checks running at once; more are refused at once (CONSOLE_BUSY) instead of queueing. */
export const MAX_CONCURRENT_LOGINS = 2;
const MAX_TRACKED_NAMES = 1000;

/** Why a login attempt was not even checked. */
export type LoginRefusal = { refused: 'locked'; retryAfterMs: number } | { refused: 'busy' };

const DUMMY_HASH = hashPassword('x', Buffer.alloc(16));

const NAME = /^[a-z][a-z0-9._-]{1,31}$/;
export const MIN_PASSWORD = 8;
const COMMON = new Set(['password', 'password1', 'passw0rd', '12345678', '123456789', '1234567890', '87654321', 'qwertyui', 'qwerty123', 'iloveyou', 'abc12345', '11111111', '00000000', 'admin123', 'operator', 'supervisor', 'station1', 'customs1']);

/** Why a console password is too weak, or undefined when it will do. Pure. */
export function passwordProblem(name: string, password: string): string | undefined {
  if (password.length === 0) return 'the password is empty';
  if (password.length < MIN_PASSWORD) return `it must have at least ${MIN_PASSWORD} characters (got ${password.length})`;
  if (password.length > 256) return 'it must have at most 256 characters';
  if (password.trim() !== password) return 'it starts or ends with white space (a copy-paste slip?)';
  const lower = password.toLowerCase();
  if (lower.includes(name.toLowerCase())) return 'it contains the account name';
  if (COMMON.has(lower)) return 'it is one of the most common passwords';
  if (new Set(password).size < 4) return 'it repeats too few different characters';
  return undefined;
}

export function addAccount(db: Db, name: string, role: Role, password: string, by: string): void {
  if (!NAME.test(name)) throw new StationError('CONSOLE_BAD_ACCOUNT', `account name "${name}" must be 2-32 characters: lower-case letters, digits, . _ - (starting with a letter)`, { name });
  const weak = passwordProblem(name, password);
  // The demo accounts (name = password) exist only on loopback with --demo; the caller enforces that.
  if (weak && !DEMO_ACCOUNTS.some((a) => a.name === name && a.name === password)) {
    throw new StationError('CONSOLE_WEAK_PASSWORD', `password for "${name}" refused: ${weak}`, { name });
  }
  const exists = db.prepare('SELECT 1 FROM account WHERE name = ?').get(name);
  if (exists) throw new StationError('CONSOLE_ACCOUNT_EXISTS', `account "${name}" already exists`, { name });
  db.transaction(() => {
    db.prepare('INSERT INTO account (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)').run(name, role, hashPassword(password), new Date().toISOString());
    appendAudit(db, { actor: by, kind: 'account.add', subject: name, payload: { role } });
  })();
}

/** Demo seeding: only the caller decides when it is allowed (loopback and --demo). Returns the names created. */
export function seedDemoAccounts(db: Db): string[] {
  const made: string[] = [];
  for (const a of DEMO_ACCOUNTS) {
    if (db.prepare('SELECT 1 FROM account WHERE name = ?').get(a.name)) continue;
    addAccount(db, a.name, a.role, a.name, 'station');
    made.push(a.name);
  }
  return made;
}

export interface AccountRow {
  name: string;
  role: Role;
  createdAt: string;
  disabled: boolean;
  lastLogin: string | null;
}

export function listAccounts(db: Db): AccountRow[] {
  const rows = db
    .prepare('SELECT a.name, a.role, a.created_at, a.disabled, (SELECT max(s.created_at) FROM console_session s WHERE s.account = a.name) AS last_login FROM account a ORDER BY a.name')
    .all() as { name: string; role: Role; created_at: string; disabled: number; last_login: string | null }[];
  return rows.map((r) => ({ name: r.name, role: r.role, createdAt: r.created_at, disabled: r.disabled !== 0, lastLogin: r.last_login }));
}

export function accountCount(db: Db): number {
  return (db.prepare('SELECT count(*) AS n FROM account WHERE disabled = 0').get() as { n: number }).n;
}

const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

export class Sessions {
  private readonly db: Db;
  private readonly now: () => number;
  private readonly demoPasswords: boolean;
  /** Failed logins in a row per attempted name (in memory: a restart forgets them). */
  private readonly failures = new Map<string, { count: number; lockedUntil: number }>();
  private checking = 0;

  /**
   * `demoPasswords: false` (the console is not in demo mode on loopback): a demo account whose
   * password is still its name cannot log in, even if an earlier demo run left it in the database.
   */
  constructor(db: Db, now: () => number = Date.now, opts: { demoPasswords?: boolean } = {}) {
    this.db = db;
    this.now = now;
    this.demoPasswords = opts.demoPasswords ?? true;
  }

  /** Checks the password; on success opens a session and audits the login. Failures are audited too. */
  login(name: string, password: string): { token: string; user: User } | undefined {
    const row = this.account(name);
    // Hash even for unknown names so timing does not reveal which accounts exist.
    return this.conclude(name, password, row, verifyPassword(password, row?.password_hash ?? DUMMY_HASH));
  }

  /**
   * The console's login: the password check runs off the event loop, at most MAX_CONCURRENT_LOGINS
   * at once, and a name with MAX_FAILURES failures in a row is refused for LOCKOUT_MS without a
   * check (online guessing is slowed to a few tries a minute per name; the refusal is audited).
   */
  async loginAsync(name: string, password: string): Promise<{ token: string; user: User } | LoginRefusal | undefined> {
    const f = this.failures.get(name);
    const now = this.now();
    if (f && f.lockedUntil > now) {
      appendAudit(this.db, { actor: name.slice(0, 64), kind: 'console.login_failed', subject: null, payload: { why: 'locked after repeated failures' } });
      return { refused: 'locked', retryAfterMs: f.lockedUntil - now };
    }
    if (this.checking >= MAX_CONCURRENT_LOGINS) return { refused: 'busy' };
    this.checking++;
    let ok: boolean;
    const row = this.account(name);
    try {
      ok = await verifyPasswordAsync(password, row?.password_hash ?? DUMMY_HASH);
    } finally {
      this.checking--;
    }
    return this.conclude(name, password, row, ok);
  }

  private account(name: string): { name: string; role: Role; password_hash: string } | undefined {
    return this.db.prepare('SELECT name, role, password_hash FROM account WHERE name = ? AND disabled = 0').get(name) as { name: string; role: Role; password_hash: string } | undefined;
  }

  private conclude(name: string, password: string, row: { name: string; role: Role } | undefined, ok: boolean): { token: string; user: User } | undefined {
    const demo = !this.demoPasswords && DEMO_ACCOUNTS.some((a) => a.name === name && a.name === password);
    if (!row || !ok || demo) {
      this.countFailure(name);
      appendAudit(this.db, { actor: name.slice(0, 64), kind: 'console.login_failed', subject: null, payload: demo ? { why: 'demo account outside demo mode on loopback' } : {} });
      return undefined;
    }
    this.failures.delete(name);
    const token = randomBytes(24).toString('base64url');
    const at = this.now();
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO console_session (token_hash, account, created_at, expires_at) VALUES (?, ?, ?, ?)').run(tokenHash(token), row.name, new Date(at).toISOString(), new Date(at + SESSION_TTL_MS).toISOString());
      appendAudit(this.db, { actor: row.name, kind: 'console.login', subject: row.name, payload: { role: row.role } });
    })();
    return { token, user: { name: row.name, role: row.role } };
  }

  private countFailure(name: string): void {
    const f = this.failures.get(name) ?? { count: 0, lockedUntil: 0 };
    f.count++;
    if (f.count >= MAX_FAILURES) {
      f.lockedUntil = this.now() + LOCKOUT_MS;
      f.count = 0;
    }
    this.failures.delete(name);
    this.failures.set(name, f);
    // Bounded: guessing many names must not grow memory; the oldest entries go first.
    while (this.failures.size > MAX_TRACKED_NAMES) this.failures.delete(this.failures.keys().next().value!);
  }

  resume(token: string): User | undefined {
    const row = this.db
      .prepare('SELECT a.name, a.role, s.expires_at FROM console_session s JOIN account a ON a.name = s.account WHERE s.token_hash = ? AND s.ended_at IS NULL AND a.disabled = 0')
      .get(tokenHash(token)) as { name: string; role: Role; expires_at: string } | undefined;
    if (!row || Date.parse(row.expires_at) <= this.now()) return undefined;
    return { name: row.name, role: row.role };
  }

  logout(token: string, user: string): void {
    this.db.transaction(() => {
      this.db.prepare('UPDATE console_session SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL').run(new Date(this.now()).toISOString(), tokenHash(token));
      appendAudit(this.db, { actor: user, kind: 'console.logout', subject: user, payload: {} });
    })();
  }
}
