import { describe, expect, it } from 'vitest';
import { StationError } from '../../../src/shared/errors.ts';
import type { PushRequest, PushResponse } from '../../../src/shared/sync-api.ts';
import type { CentralApi } from '../../../src/main/sync/client.ts';
import { loadOrCreateStationKey } from '../../../src/main/sync/keys.ts';
import { backlogStats, enqueue } from '../../../src/main/sync/outbox.ts';
import { SyncService } from '../../../src/main/sync/service.ts';
import type { Db } from '../../../src/main/storage/db.ts';
import { fastSettings, openStationDb, verdictPayload, waitFor } from '../../helpers/sync.ts';
import { tempDir } from '../../helpers/tmp.ts';

/** A central service double at the seam we own: records pushes, can be switched off. */
function fakeCentral(onPush: (r: PushRequest) => PushResponse | void = () => undefined) {
  const pushes: PushRequest[] = [];
  const state = { up: true };
  const down = () => new StationError('SYNC_TRANSPORT', 'connect ECONNREFUSED');
  const api: CentralApi = {
    health: async () => {
      if (!state.up) throw down();
      return { status: 'ok' };
    },
    register: async (r) => {
      if (!state.up) throw down();
      return { stationId: r.stationId, keyId: 'k', status: 'registered' };
    },
    push: async (r) => {
      if (!state.up) throw down();
      pushes.push(r);
      return onPush(r) ?? { results: r.items.map((i) => ({ idemKey: i.idemKey, status: 'stored' as const })) };
    },
    pull: async () => {
      throw new Error('not used');
    },
    close: () => undefined,
  };
  return { api, pushes, state };
}

function service(db: Db, dir: string, api: CentralApi) {
  return new SyncService({ db, stationId: 'st-1', key: loadOrCreateStationKey(dir), api, settings: fastSettings({ batchSize: 3 }) });
}

describe('SyncService', () => {
  it('replays the offline backlog as historical and sends items decided meanwhile first', async () => {
    const dir = tempDir();
    const db = openStationDb(dir);
    let live = 0;
    const central = fakeCentral(() => {
      // The line keeps deciding while the backlog is replayed.
      if (live < 2) enqueue(db, { kind: 'verdict', idemKey: `LIVE${++live}`, payload: verdictPayload(100 + live) });
    });
    central.state.up = false;
    const sync = service(db, dir, central.api);
    for (let i = 1; i <= 7; i++) enqueue(db, { kind: 'verdict', idemKey: `OFF${i}`, payload: verdictPayload(i) });
    expect(await sync.cycle()).toBe(false);
    expect(sync.snapshot().link).toBe('offline');
    expect(sync.snapshot().backlog.pending).toBe(7);

    central.state.up = true;
    const links: string[] = [];
    sync.on('link', (s) => links.push(s.link));
    expect(await sync.cycle()).toBe(true);
    expect(links).toEqual(['online']);
    const sent = central.pushes.flatMap((p) => p.items.map((i) => `${i.idemKey}${i.historical ? '(h)' : ''}`));
    expect(sent).toEqual(['OFF1(h)', 'OFF2(h)', 'OFF3(h)', 'LIVE1', 'OFF4(h)', 'OFF5(h)', 'LIVE2', 'OFF6(h)', 'OFF7(h)']);
    expect(backlogStats(db).pending).toBe(0);
  });

  it('resends the same signature after a failed exchange and stores it with the acknowledgement', async () => {
    const dir = tempDir();
    const db = openStationDb(dir);
    let fail = true;
    const central = fakeCentral((r) => {
      if (fail) {
        fail = false;
        throw new StationError('SYNC_PROTOCOL', 'answer truncated');
      }
      return { results: r.items.map((i) => ({ idemKey: i.idemKey, status: 'duplicate' as const })) };
    });
    enqueue(db, { kind: 'verdict', idemKey: 'V1', payload: verdictPayload(1) });
    const sync = service(db, dir, central.api);
    expect(await sync.cycle()).toBe(false);
    expect(await sync.cycle()).toBe(true);
    expect(central.pushes).toHaveLength(2);
    expect(central.pushes[1]!.items[0]!.signature).toBe(central.pushes[0]!.items[0]!.signature);
    expect(db.prepare("SELECT signature FROM outbox WHERE idem_key = 'V1'").get()).toEqual({ signature: central.pushes[0]!.items[0]!.signature });
    expect(db.prepare("SELECT attempts, acked_at IS NOT NULL AS acked FROM outbox WHERE idem_key = 'V1'").get()).toEqual({ attempts: 1, acked: 1 });
  });

  it('keeps an item the central side refuses for good, raises an alarm and audits it, and never resends it', async () => {
    const dir = tempDir();
    const db = openStationDb(dir);
    const central = fakeCentral((r) => ({ results: r.items.map((i) => ({ idemKey: i.idemKey, status: i.idemKey === 'V2' ? ('conflict' as const) : ('stored' as const), error: 'CONFLICT' })) }));
    for (let i = 1; i <= 3; i++) enqueue(db, { kind: 'verdict', idemKey: `V${i}`, payload: verdictPayload(i) });
    const sync = service(db, dir, central.api);
    const alarms: string[] = [];
    sync.on('alarm', (e) => alarms.push(e.message));
    expect(await sync.cycle()).toBe(true);
    expect(await sync.cycle()).toBe(true);
    expect(central.pushes).toHaveLength(1);
    expect(alarms).toEqual([expect.stringContaining('refused outbox item V2')]);
    expect(backlogStats(db)).toMatchObject({ pending: 0, rejected: 1 });
    expect(db.prepare("SELECT subject FROM audit_log WHERE kind = 'sync.item.rejected'").all()).toEqual([{ subject: 'V2' }]);
  });

  it('start/stop runs the loop in the background and kick() drains without waiting for the interval', async () => {
    const dir = tempDir();
    const db = openStationDb(dir);
    const central = fakeCentral();
    const sync = new SyncService({ db, stationId: 'st-1', key: loadOrCreateStationKey(dir), api: central.api, settings: fastSettings({ syncIntervalMs: 60_000 }) });
    sync.start();
    await new Promise((r) => setTimeout(r, 50));
    enqueue(db, { kind: 'metrics', idemKey: 'M1', payload: { parcels: 1 } });
    const drained = new Promise((r) => sync.once('drained', r));
    sync.kick();
    await drained;
    await sync.stop();
    expect(central.pushes.map((p) => p.items[0]!.idemKey)).toEqual(['M1']);
  });
});

describe('SyncService kicks', () => {
  it('sends verdicts kicked in quick succession in a few drains, and does not pull on every kick', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { signCanonical } = await import('../../../src/main/sync/keys.ts');
    const { createDeltaApplier } = await import('../../../src/main/sync/delta-apply.ts');
    const centralKeys = generateKeyPairSync('ed25519');
    const dir = tempDir();
    const db = openStationDb(dir);
    const central = fakeCentral();
    let pulls = 0;
    central.api.pull = async (stationId, cursor) => {
      pulls++;
      const batch = { stationId, fromCursor: cursor, toCursor: cursor, more: false, issuedAt: new Date().toISOString(), items: [] };
      return { batch, signature: signCanonical(centralKeys.privateKey, batch) };
    };
    const sync = new SyncService({
      db,
      stationId: 'st-1',
      key: loadOrCreateStationKey(dir),
      api: central.api,
      // A long interval: every exchange below is a kick's.
      settings: fastSettings({ syncIntervalMs: 60_000, batchSize: 100 }),
      inbound: { centralKey: centralKeys.publicKey, applier: createDeltaApplier({ apply: () => ({ parcels: [] }), recompute: () => undefined }) },
    });
    sync.start();
    try {
      await waitFor(() => pulls === 1, 2000, 'the first cycle');
      // 20 verdicts at 25 per second, each kicked as the line does after its commit.
      for (let i = 1; i <= 20; i++) {
        enqueue(db, { kind: 'verdict', idemKey: `K${i}`, payload: verdictPayload(i) });
        sync.kick();
        await new Promise((r) => setTimeout(r, 40));
      }
      await waitFor(() => backlogStats(db).pending === 0, 3000, 'the kicked verdicts to be sent');
    } finally {
      await sync.stop();
    }
    const sent = central.pushes.flatMap((p) => p.items.map((i) => i.idemKey));
    expect(sent).toEqual(Array.from({ length: 20 }, (_, i) => `K${i + 1}`));
    // 800 ms of kicks, a drain at most every KICK_GAP_MS (250): about four, never one per verdict.
    expect(central.pushes.length).toBeGreaterThanOrEqual(2);
    expect(central.pushes.length).toBeLessThanOrEqual(6);
    expect(pulls).toBe(1);
  });
});
