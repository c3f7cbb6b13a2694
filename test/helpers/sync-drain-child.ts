// A station process that only drains its outbox against a central service and exits when the
// outbox is empty: the SIGKILL test kills it mid-batch and starts it again.
// Usage: node test/helpers/sync-drain-child.ts DATA_DIR URL BATCH_SIZE
import { join } from 'node:path';
import { openDatabase } from '../../src/main/storage/db.ts';
import { createCentralClient } from '../../src/main/sync/client.ts';
import { loadOrCreateStationKey } from '../../src/main/sync/keys.ts';
import { backlogStats } from '../../src/main/sync/outbox.ts';
import { SyncService } from '../../src/main/sync/service.ts';

const [dataDir, url, batch] = process.argv.slice(2) as [string, string, string];
const { db } = openDatabase(join(dataDir, 'station.db'));
const api = createCentralClient({ url, timeoutMs: 10_000 });
const sync = new SyncService({
  db,
  stationId: 'st-kill',
  key: loadOrCreateStationKey(dataDir),
  api,
  settings: { syncIntervalMs: 10, batchSize: Number(batch), pullLimit: 100, backoffBaseMs: 5, backoffMaxMs: 50, offlineAfterFailures: 3 },
});
sync.on('drained', () => {
  if (backlogStats(db).pending > 0) return;
  void sync.stop().then(() => {
    api.close();
    db.close();
    process.stdout.write('drained\n');
  });
});
sync.start();
