// Device availability as the console shows it: the latest health per device, the share of time it
// was connected since the station started, and every connect/disconnect persisted for later stats.
import type { DeviceStatus, SyncStatus } from '../../shared/api.ts';
import type { DeviceHealth } from '../../shared/devices.ts';
import type { Db } from '../storage/db.ts';
import { readSyncFact } from '../sync/link-state.ts';
import { backlogStats } from '../sync/outbox.ts';

interface Tracked {
  health: DeviceHealth;
  connectedMs: number;
  since: number;
}

export class DeviceTracker {
  private readonly devices = new Map<string, Tracked>();
  private readonly db: Db;
  private readonly startedAt: number;
  private readonly now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.db = db;
    this.now = now;
    this.startedAt = now();
  }

  /** Returns true when something the console shows changed. */
  update(h: DeviceHealth): boolean {
    const t = this.now();
    const prev = this.devices.get(h.deviceId);
    if (prev) {
      if (prev.health.connected) prev.connectedMs += t - prev.since;
      prev.since = t;
      const changed = prev.health.connected !== h.connected || prev.health.lastError !== h.lastError;
      if (prev.health.connected !== h.connected) this.persist(h, t);
      prev.health = h;
      return changed;
    }
    this.devices.set(h.deviceId, { health: h, connectedMs: 0, since: t });
    this.persist(h, t);
    return true;
  }

  private persist(h: DeviceHealth, t: number): void {
    this.db.prepare('INSERT INTO device_event (device_id, kind, connected, at) VALUES (?, ?, ?, ?)').run(h.deviceId, h.kind, h.connected ? 1 : 0, new Date(t).toISOString());
  }

  list(): DeviceStatus[] {
    const t = this.now();
    const span = Math.max(1, t - this.startedAt);
    return [...this.devices.values()]
      .map((d) => {
        const up = d.connectedMs + (d.health.connected ? t - d.since : 0);
        return { deviceId: d.health.deviceId, kind: d.health.kind, connected: d.health.connected, lastSeen: d.health.lastSeen, lastError: d.health.lastError, uptime: Math.min(1, up / span) };
      })
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }
}

/** What Devices & sync shows about the central link. A running sync service provides `link`; without one the backlog still counts. */
export interface SyncSource {
  link(): SyncStatus['link'];
  lastError(): string | null;
}

export function syncStatus(db: Db, source: SyncSource | undefined, now: number): SyncStatus {
  const b = backlogStats(db);
  const lastPullOkAt = readSyncFact(db, 'last_pull_ok_at');
  return {
    link: source ? source.link() : 'not-configured',
    backlog: b.pending,
    oldestPendingAgeMs: b.oldestPendingAt ? Math.max(0, now - Date.parse(b.oldestPendingAt)) : null,
    dataAgeMs: lastPullOkAt ? Math.max(0, now - Date.parse(lastPullOkAt)) : null,
    lastPushOkAt: readSyncFact(db, 'last_push_ok_at'),
    lastPullOkAt,
    lastError: source ? source.lastError() : null,
  };
}
