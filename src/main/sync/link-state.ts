// Link state as the console and the rules see it: online/offline, backlog depth and age, last
// successful push and pull, and the age of the central data (which feeds D10). The tracker is pure;
// the snapshot reads the backlog from the database and the persisted sync facts.
import { prepared, type Db } from '../storage/db.ts';
import { backlogStats, type BacklogStats } from './outbox.ts';

/** unknown: no exchange yet since start. The rules treat anything but online as offline (D10). */
export type Link = 'unknown' | 'online' | 'offline';

export class LinkTracker {
  readonly offlineAfterFailures: number;
  link: Link = 'unknown';
  consecutiveFailures = 0;
  lastError: string | null = null;
  lastErrorAt: string | null = null;

  constructor(offlineAfterFailures: number) {
    this.offlineAfterFailures = offlineAfterFailures;
  }

  /** A complete exchange. `restored` when the link was not online before (start-up included). */
  success(): { restored: boolean; changed: boolean } {
    const restored = this.link !== 'online';
    this.link = 'online';
    this.consecutiveFailures = 0;
    return { restored, changed: restored };
  }

  /** A failed exchange. The link goes offline only after several in a row: one lost request is not an outage. */
  failure(error: string, at: string): { changed: boolean } {
    this.consecutiveFailures++;
    this.lastError = error;
    this.lastErrorAt = at;
    const before = this.link;
    if (this.link === 'unknown' || this.consecutiveFailures >= this.offlineAfterFailures) this.link = 'offline';
    return { changed: before !== this.link };
  }
}

export interface LinkSnapshot {
  link: Link;
  /** What D10 reads: true only while the link is online. */
  online: boolean;
  backlog: BacklogStats & { oldestPendingAgeMs: number | null };
  lastPushOkAt: string | null;
  lastPullOkAt: string | null;
  /** Time since the last complete delta pull; null: never pulled. */
  dataAgeMs: number | null;
  consecutiveFailures: number;
  lastError: string | null;
  lastErrorAt: string | null;
  nextAttemptAt: string | null;
}

export function readSyncFact(db: Db, key: string): string | null {
  const r = prepared(db, 'SELECT value FROM sync_state WHERE key = ?').get(key) as { value: string } | undefined;
  return r?.value ?? null;
}

export function writeSyncFact(db: Db, key: string, value: string): void {
  prepared(db, 'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function linkSnapshot(db: Db, t: LinkTracker, now: Date, nextAttemptAt: string | null = null, lastPullInMemory: string | null = null): LinkSnapshot {
  const backlog = backlogStats(db);
  const persisted = readSyncFact(db, 'last_pull_ok_at');
  const lastPullOkAt = lastPullInMemory !== null && (persisted === null || lastPullInMemory > persisted) ? lastPullInMemory : persisted;
  const age = (iso: string | null) => (iso === null ? null : Math.max(0, now.getTime() - Date.parse(iso)));
  return {
    link: t.link,
    online: t.link === 'online',
    backlog: { ...backlog, oldestPendingAgeMs: age(backlog.oldestPendingAt) },
    lastPushOkAt: readSyncFact(db, 'last_push_ok_at'),
    lastPullOkAt,
    dataAgeMs: age(lastPullOkAt),
    consecutiveFailures: t.consecutiveFailures,
    lastError: t.lastError,
    lastErrorAt: t.lastErrorAt,
    nextAttemptAt,
  };
}
