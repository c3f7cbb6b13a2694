import { describe, expect, it } from 'vitest';
import { startFaultProxy } from '../../../src/main/clearance/fault-proxy.ts';
import { startClearanceServer } from '../../../src/main/clearance/server.ts';
import { createCentralClient } from '../../../src/main/sync/client.ts';
import { loadOrCreateStationKey } from '../../../src/main/sync/keys.ts';
import { backlogStats, enqueue } from '../../../src/main/sync/outbox.ts';
import { SyncService } from '../../../src/main/sync/service.ts';
import { fastSettings, openStationDb, verdictPayload, waitFor } from '../../helpers/sync.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('sync through a fault-injecting proxy', () => {
  it('leaves the central service holding every verdict exactly once after 1,000 random faults', async () => {
    // This test is about the protocol, not the disk: without fsync per commit (a crash still loses
    // nothing; a power cut could) 1,000 faults fit in seconds on a loaded two-core machine.
    const server = await startClearanceServer({ dataDir: tempDir(), tokens: ['t0ken'], relaxedDurability: true });
    const proxy = await startFaultProxy({
      upstream: server.url,
      faults: { drop: 0.4, error5xx: 0.3, truncate: 0.2, garble: 0.2, delay: 0.2, delayMs: 2, seed: 20260301 },
    });
    const dir = tempDir();
    const db = openStationDb(dir);
    db.pragma('synchronous = NORMAL');
    const api = createCentralClient({ url: proxy.url, token: 't0ken', timeoutMs: 2000 });
    const sync = new SyncService({ db, stationId: 'st-1', key: loadOrCreateStationKey(dir), api, settings: fastSettings({ batchSize: 10, backoffMaxMs: 2 }) });
    const keys: string[] = [];
    let line: NodeJS.Timeout | undefined;
    const add = (live: boolean) => {
      const i = keys.length;
      const idemKey = `V${String(i).padStart(6, '0')}`;
      db.transaction(() => enqueue(db, { kind: i % 10 === 9 ? 'operator_decision' : 'verdict', idemKey, payload: { ...verdictPayload(i), live } }))();
      keys.push(idemKey);
    };
    try {
      for (let i = 0; i < 2000; i++) add(false); // the backlog from an outage
      sync.start();
      // The line keeps deciding until the proxy has injected 1,000 faults.
      line = setInterval(() => {
        if (proxy.stats().total < 1000) for (let i = 0; i < 2; i++) add(true);
      }, 20);
      await waitFor(() => proxy.stats().total >= 1000, 50_000, '1,000 injected faults');
      clearInterval(line);
      // The link heals; whatever is still pending goes through.
      proxy.setFaults({ drop: 0, error5xx: 0, truncate: 0, garble: 0, delay: 0 });
      sync.kick();
      await waitFor(() => backlogStats(db).pending === 0, 20_000, 'an empty outbox');
      await sync.stop();

      const stats = proxy.stats();
      expect(stats.total).toBeGreaterThanOrEqual(1000);
      expect(stats.dropAfter).toBeGreaterThan(50); // stored centrally, answer lost: the idempotency case
      const held = server.db.prepare("SELECT idem_key, COUNT(*) AS n FROM item WHERE station_id = 'st-1' GROUP BY idem_key").all() as { idem_key: string; n: number }[];
      expect(held.length).toBe(keys.length);
      expect(held.every((r) => r.n === 1)).toBe(true);
      expect(new Set(held.map((r) => r.idem_key))).toEqual(new Set(keys));
      expect(backlogStats(db)).toMatchObject({ pending: 0, rejected: 0 });
      // The outage backlog went out as history, what the line decided meanwhile partly as live.
      const flags = server.db.prepare('SELECT historical, COUNT(*) AS n FROM item GROUP BY historical ORDER BY historical').all();
      expect(flags).toEqual([
        { historical: 0, n: expect.any(Number) },
        { historical: 1, n: expect.any(Number) },
      ]);
      expect(server.db.prepare("SELECT historical FROM item WHERE idem_key = 'V000000'").get()).toEqual({ historical: 1 });
    } finally {
      clearInterval(line);
      await sync.stop();
      api.close();
      await proxy.close();
      await server.close();
      db.close();
    }
  }, 90_000);
});
